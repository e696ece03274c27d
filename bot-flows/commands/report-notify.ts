import type { ItemRow } from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import { type OutMessage, textMessage } from '../../src/core/message.js';
import type { OrgUnit } from '../../src/core/org.js';
import { cite } from '../../src/core/policy-pack.js';
import type { RoutingDecision } from '../../src/core/routing.js';
import { formatShanghai } from '../../src/core/time.js';
import { itemCard } from '../cards/item-card/builder.js';
import { type MentionCandidate, pickMentions } from '../cards/item-card/mentions.js';

export interface Delivery {
  /** Units with no group on this platform: nothing reached them. */
  undelivered: string[];
  /** Units that got the card but have no registered 新闻发言人 to @. */
  noSpokesperson: string[];
}

const names = (units: OrgUnit[]) => units.map((u) => u.name).join('、');
const withRole = (d: RoutingDecision, role: string) =>
  d.units.filter((u) => u.role === role).map((u) => u.unit);

/** Every unit a report's messages go to: the owner and each unit with a part in the item. */
export const notifiedUnitIds = (d: RoutingDecision): string[] => [
  ...new Set([d.owner.id, ...d.units.map((u) => u.unit.id)]),
];

/**
 * Sends the item card to every unit that must act (each @-mentions its own spokesperson), a
 * notice to coordinating and notified units, and a short copy to each 抄送 unit. The flow reads
 * the people to @-mention beforehand in one query (mentionCandidates for notifiedUnitIds) and
 * preloads the units' groups (ctx.preloadUnitChats).
 */
export async function notifyUnits(
  ctx: BotContext,
  item: ItemRow,
  d: RoutingDecision,
  candidates: MentionCandidate[],
): Promise<Delivery> {
  const roles = d.units.map((u) => ({ unitId: u.unit.id, role: u.role }));
  const delivery: Delivery = { undelivered: [], noSpokesperson: [] };
  const cardUnits = [d.owner, ...withRole(d, 'responsible')];
  const seen = new Set<string>();
  for (const unit of cardUnits) {
    if (seen.has(unit.id)) continue;
    seen.add(unit.id);
    const mentions = pickMentions(ctx, item, unit.id, candidates);
    const card = itemCard(ctx.pack, ctx.org, item, roles, mentions, unit.id);
    if (!(await ctx.sendToUnit(unit.id, { kind: 'card', card }, { anchorItemId: item.id }))) {
      delivery.undelivered.push(unit.name);
    } else if (!candidates.some((p) => p.unitId === unit.id && p.roles.includes('spokesperson'))) {
      delivery.noSpokesperson.push(unit.name);
    }
  }
  for (const { unit, role } of d.units) {
    if (seen.has(unit.id)) continue;
    seen.add(unit.id);
    const copy = role === 'cc';
    if (!(await ctx.sendToUnit(unit.id, notice(ctx, item, d, unit, role, candidates), { copy })))
      delivery.undelivered.push(unit.name);
  }
  return delivery;
}

function notice(
  ctx: BotContext,
  item: ItemRow,
  d: RoutingDecision,
  unit: OrgUnit,
  role: string,
  candidates: MentionCandidate[],
): OutMessage {
  const label = role === 'cc' ? '抄送' : role === 'coordinator' ? '协调' : '通报涉事地区';
  const facts = `【${label}】${item.number}《${item.title}》\n类别：${item.category}｜责任单位：${names(withRole(d, 'responsible'))}｜事发：${formatShanghai(item.occurredAt)}`;
  if (role === 'cc') return textMessage(`${facts}\n${cite(ctx.pack, ctx.pack.clauses.cc)}`);
  const mentions = pickMentions(ctx, { ...item, level: null, proposedLevel: null }, unit.id, candidates);
  const ask =
    role === 'coordinator' ? '请做好组织协调、督促指导工作。' : '请按照属地管理原则做好本地区回应工作。';
  const clause =
    d.rule === 'multi_department'
      ? ctx.pack.clauses.multiDepartment
      : role === 'coordinator'
        ? ctx.pack.clauses.involvedUnit
        : ctx.pack.clauses.multiRegion;
  return textMessage(
    facts,
    '\n',
    mentions.flatMap((m) => [m, { t: 'text' as const, v: ' ' }]),
    ask,
    `\n${cite(ctx.pack, clause)}`,
  );
}

const REASONS: Record<RoutingDecision['rule'], string> = {
  guikou: '按类别归口报送',
  overall: '其他类舆情由政府办公厅统筹报送',
  involved_unit: '涉事单位为第一责任主体',
  multi_region: '涉及多个地区，由上级政府主管部门负责',
  multi_department: '涉及多个部门，按职责分工回应',
};

/** The reply in the reporter's thread: what was recorded and who was actually reached. */
export function confirmation(
  item: ItemRow,
  d: RoutingDecision,
  reporterKnown: boolean,
  delivery: Delivery,
): OutMessage {
  const responsible = withRole(d, 'responsible');
  const coordinators = withRole(d, 'coordinator');
  let who = `责任单位：${names(responsible)}（${REASONS[d.rule]}）`;
  if (d.rule === 'multi_department' && coordinators.length > 0) who += `，${names(coordinators)}组织协调`;
  const lines = [`✅ 已上报 ${item.number}《${item.title}》`, `${who}。`];
  const failed = new Set([...delivery.undelivered, ...delivery.noSpokesperson]);
  const reached = [d.owner, ...responsible].filter(
    (u, i, all) => all.indexOf(u) === i && !failed.has(u.name),
  );
  if (reached.length > 0) lines.push(`已将卡片发至${names(reached)}工作群，并@其新闻发言人。`);
  const cc = withRole(d, 'cc').filter((u) => !delivery.undelivered.includes(u.name));
  if (cc.length > 0) lines.push(`已抄送：${names(cc)}。`);
  if (!reporterKnown)
    lines.push('提示：本群未绑定单位，上报单位记为未知。管理员可发送 /绑定 单位:<单位> 绑定本群。');
  if (delivery.undelivered.length > 0) {
    lines.push(
      `⚠️ 以下单位在本平台尚未绑定群聊，消息未能送达：${delivery.undelivered.join('、')}。请该单位管理员在其工作群发送 /绑定 单位:<单位>。`,
    );
  }
  if (delivery.noSpokesperson.length > 0) {
    lines.push(
      `⚠️ 以下单位未登记新闻发言人，卡片已送达但无人被@：${delivery.noSpokesperson.join('、')}。请在组织目录中补充（roles: [spokesperson]）。`,
    );
  }
  lines.push(`发送 /查询 ${item.number} 查看进展。`);
  return textMessage(lines.join('\n'));
}
