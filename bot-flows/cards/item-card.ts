import { type ItemRow, itemUnitRoles } from '../../db/repos/item-repo.js';
import { unitPeople } from '../../db/repos/org-repo.js';
import { approvedWording, latestWording, type WordingRow } from '../../db/repos/wording-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import { ITEM_STATES, isItemState } from '../../src/core/item-state.js';
import { type CardSpec, type FormSpec, type Part, parts } from '../../src/core/message.js';
import type { Org } from '../../src/core/org.js';
import { type Clause, cite, type PolicyPack } from '../../src/core/policy-pack.js';
import type { RoutingRule } from '../../src/core/routing.js';
import { formatShanghai } from '../../src/core/time.js';
import { findCategory, isMajor, LEVELS, MINSHENG, RELEASE_STAGES } from '../../src/core/vocabulary.js';

export const ROLE_LABELS: Record<string, string> = {
  responsible: '责任单位',
  coordinator: '协调单位',
  involved: '涉事地区',
  cc: '抄送',
};

/** 一般（上报人建议，待研判） until 研判 sets the level. */
export function levelLabel(item: ItemRow): string {
  if (item.level) return item.level;
  if (item.proposedLevel) return `${item.proposedLevel}（上报人建议，待研判）`;
  return '待研判';
}

export const stateLabel = (state: string) => (isItemState(state) ? ITEM_STATES[state] : state);

/** The clause that decided who is responsible for the item. */
export function routingClause(pack: PolicyPack, item: ItemRow): Clause {
  if (item.routingRule === 'assigned') {
    return pack.clocks.rules.find((r) => r.appliesTo === 'netizen_message')?.clause ?? pack.clauses.overall;
  }
  const rule = item.routingRule as RoutingRule;
  switch (rule) {
    case 'guikou': {
      const handles = findCategory(item.category)?.handles ?? '统筹';
      const key = (MINSHENG as readonly string[]).includes(handles) ? '民生' : handles;
      return pack.clauses.guikou[key] ?? pack.clauses.overall;
    }
    case 'overall':
      return pack.clauses.overall;
    case 'involved_unit':
      return pack.clauses.involvedUnit;
    case 'multi_region':
      return pack.clauses.multiRegion;
    case 'multi_department':
      return pack.clauses.multiDepartment;
  }
}

export type UnitRoles = { unitId: string; role: string }[];

export const namesWithRole = (org: Org, roles: UnitRoles, role: string) =>
  roles
    .filter((r) => r.role === role)
    .map((r) => org.units.get(r.unitId)?.name ?? r.unitId)
    .join('、');

/**
 * Who the card @-mentions in a unit's group: its 新闻发言人; its leader too for 重大/特别重大
 * (seed 000 五); for 特别重大 also the principal leader of the government above (seed 000 二).
 */
export async function cardMentions(ctx: BotContext, item: ItemRow, unitId: string): Promise<Part[]> {
  const level = item.level ?? item.proposedLevel;
  const roles: ('spokesperson' | 'leader')[] = isMajor(level) ? ['spokesperson', 'leader'] : ['spokesperson'];
  const people = await unitPeople(ctx.tx, [unitId], roles);
  const ordered = [...people].sort(
    (a, b) => Number(b.roles.includes('spokesperson')) - Number(a.roles.includes('spokesperson')),
  );
  if (level === '特别重大' && unitId === item.ownerUnitId) {
    const region = ctx.org.regionOf(ctx.org.get(unitId));
    if (region.id !== unitId) ordered.push(...(await unitPeople(ctx.tx, [region.id], ['leader'])));
  }
  const seen = new Set<string>();
  return ordered.filter((p) => !seen.has(p.id) && seen.add(p.id)).map((p) => ctx.mention(p));
}

/** What the card asks of the unit whose group it is in. */
function askOf(org: Org, item: ItemRow, roles: UnitRoles, unitId: string | null): string {
  const unit = unitId ? org.units.get(unitId)?.name : undefined;
  const role = roles.find((r) => r.unitId === unitId)?.role;
  if (!unit || !role) return '';
  if (role === 'coordinator' && item.routingRule === 'multi_department') {
    return `请${unit}会同有关部门做好组织协调、督促指导工作，必要时确定牵头部门。`;
  }
  if (role !== 'responsible') return '';
  return item.state === 'reported' ? `请${unit}认领并组织处置。` : `由${unit}负责处置。`;
}

/** The release stages so far: 快报事实 ✓ → 慎报原因 → …. */
export const stageLine = (reached: number) =>
  RELEASE_STAGES.map((s, i) => (i < reached ? `${s} ✓` : s)).join(' → ');

const WORDING_STATUS: Record<string, string> = {
  pending: '审核中',
  rejected: '已退回，待修改后重新提交',
  withdrawn: '已撤回',
};

/** The item's latest wording and its latest approved one (the 统一口径), for the card. */
export interface ItemWordings {
  latest: WordingRow | null;
  approved: WordingRow | null;
}

/** The forms the card offers in the item's current state; each button is checked again on click. */
function itemForms(item: ItemRow): FormSpec[] {
  const ref = { item: item.id, v: item.version };
  const n = item.number;
  const forms: FormSpec[] = [];
  const working = item.state === 'claimed' || item.state === 'responding';
  if (working) {
    forms.push({
      name: 'wording',
      title: '提交回应口径（报本单位审核人审核）',
      fields: [
        {
          kind: 'text',
          name: 'wording_text',
          label: '口径',
          placeholder: '拟发布的回应口径',
          multiline: true,
        },
      ],
      buttons: [
        {
          label: '提交审核',
          style: 'primary',
          value: { a: 'submit_wording', ...ref },
          command: `/口径 ${n} <口径内容>`,
        },
      ],
    });
  }
  const next = RELEASE_STAGES[item.releaseStage];
  if (item.kind === 'opinion' && working && isMajor(item.level ?? item.proposedLevel) && next) {
    forms.push({
      name: 'stage',
      title: `发布阶段：下一步「${next}」`,
      fields: [
        {
          kind: 'text',
          name: 'stage_text',
          label: '发布内容',
          placeholder: `${next}的内容`,
          multiline: true,
        },
      ],
      buttons: [
        {
          label: `发布「${next}」`,
          style: 'primary',
          value: { a: 'stage', ...ref },
          command: `/续报 ${n} ${next} <内容>`,
        },
      ],
    });
  }
  if (item.state === 'reported' || item.state === 'claimed') {
    forms.push({
      name: 'transfer',
      title: '转办（领导、审核人）',
      fields: [
        { kind: 'text', name: 'transfer_unit', label: '转办单位', placeholder: '单位名称，如 省公安厅' },
        { kind: 'text', name: 'transfer_reason', label: '理由', placeholder: '转办理由（可不填）' },
      ],
      buttons: [
        {
          label: '转办',
          style: 'default',
          value: { a: 'transfer', ...ref },
          command: `/转办 ${n} 单位:<单位> [理由]`,
        },
      ],
    });
  }
  if (working) {
    forms.push({
      name: 'close',
      title: '办结',
      fields: [
        { kind: 'text', name: 'close_result', label: '办理结果', placeholder: '如：已澄清并公开处置结果' },
      ],
      buttons: [
        { label: '办结', style: 'danger', value: { a: 'close', ...ref }, command: `/办结 ${n} <结果>` },
      ],
    });
  }
  return forms;
}

/** The item card as the group of `forUnitId` sees it (null: a group with no part in the item). */
export function itemCard(
  pack: PolicyPack,
  org: Org,
  item: ItemRow,
  roles: UnitRoles,
  mentions: Part[],
  forUnitId: string | null,
  wordings: ItemWordings = { latest: null, approved: null },
): CardSpec {
  const level = item.level ?? item.proposedLevel;
  const reporterUnit = item.reporterUnitId ? org.units.get(item.reporterUnitId)?.name : undefined;
  const fields = [
    { label: '编号', value: item.number },
    { label: '状态', value: stateLabel(item.state) },
    { label: '类别', value: item.category },
    { label: '级别', value: levelLabel(item) },
    { label: '事发时间', value: formatShanghai(item.occurredAt) },
    { label: '上报时间', value: formatShanghai(item.reportedAt) },
    { label: '上报人', value: `${item.reporterName}（${reporterUnit ?? '上报单位未知：本群未绑定单位'}）` },
    { label: '责任单位', value: namesWithRole(org, roles, 'responsible') || '—' },
  ];
  for (const role of ['coordinator', 'involved', 'cc']) {
    const names = namesWithRole(org, roles, role);
    if (names) fields.push({ label: ROLE_LABELS[role] as string, value: names });
  }
  if (item.channel) fields.push({ label: '来源', value: item.channel });
  if (item.link) fields.push({ label: '链接', value: item.link });
  if (item.emergency) fields.push({ label: '突发事件', value: '是' });
  if (item.casualties) fields.push({ label: '人员伤亡', value: '是' });
  if (item.largeImpact) fields.push({ label: '社会影响', value: '较大' });
  if (item.kind === 'netizen_message') {
    fields.push({ label: '留言类型', value: item.netizenMessageType ?? '' });
    if (item.acceptedAt)
      fields.push({ label: '受理日期', value: formatShanghai(item.acceptedAt).slice(0, 10) });
  }
  if (item.kind === 'opinion' && isMajor(level))
    fields.push({ label: '发布阶段', value: stageLine(item.releaseStage) });
  if (wordings.approved) fields.push({ label: '统一口径', value: wordings.approved.text });
  if (wordings.latest && wordings.latest.status !== 'approved') {
    const status = WORDING_STATUS[wordings.latest.status] ?? wordings.latest.status;
    fields.push({ label: wordings.approved ? '修改口径' : '口径', value: status });
  }

  const ask = askOf(org, item, roles, forUnitId);
  const body = parts(
    mentions.flatMap((m, i) => (i === 0 ? [m] : [{ t: 'text' as const, v: ' ' }, m])),
    mentions.length > 0 && ask ? ' ' : '',
    ask,
    mentions.length > 0 || ask ? '\n' : '',
    cite(pack, routingClause(pack, item)),
  );
  const note = [cite(pack, pack.clauses.notifySpokesperson)];
  if (isMajor(level)) note.push(cite(pack, pack.clauses.majorReport));
  if (level === '特别重大') note.push(cite(pack, pack.clauses.criticalLeader));
  return {
    title: `舆情 ${item.number}｜${item.title}`,
    template: isMajor(level) ? 'red' : level === '较大' ? 'orange' : 'blue',
    fields,
    body,
    note: parts(note.join('\n')),
    buttons: [
      ...(item.state === 'reported'
        ? [
            {
              label: '认领',
              style: 'primary' as const,
              value: { a: 'claim', item: item.id, v: item.version },
              command: `/认领 ${item.number}`,
            },
          ]
        : []),
      ...(item.kind === 'opinion' && (item.state === 'claimed' || item.state === 'responding')
        ? [
            {
              label: '已发布',
              style: 'primary' as const,
              value: { a: 'publish', item: item.id, v: item.version },
              command: `/发布 ${item.number}`,
            },
          ]
        : []),
      {
        label: '刷新',
        style: 'default',
        value: { a: 'refresh', item: item.id, v: item.version },
      },
      {
        label: '查看进展',
        style: 'default',
        value: { a: 'detail', item: item.id, v: item.version },
        command: `/查询 ${item.number}`,
      },
    ],
    selects:
      item.state === 'closed'
        ? []
        : [
            {
              name: 'level',
              placeholder: '研判定级（领导、审核人）',
              options: LEVELS.map((l) => ({ label: l, value: l })),
              value: { a: 'grade', item: item.id, v: item.version },
              command: `/研判 ${item.number} 级别:重大`,
            },
          ],
    forms: itemForms(item),
  };
}

/**
 * The item card for a chat bound to `chatUnitId`: mentions and the ask are that unit's when it
 * has a part in the item.
 */
export async function itemCardFor(
  ctx: BotContext,
  item: ItemRow,
  chatUnitId: string | null,
): Promise<CardSpec> {
  const roles = await itemUnitRoles(ctx.tx, item.id);
  const forUnit =
    chatUnitId && (chatUnitId === item.ownerUnitId || roles.some((r) => r.unitId === chatUnitId))
      ? chatUnitId
      : null;
  const mentions = forUnit ? await cardMentions(ctx, item, forUnit) : [];
  const wordings = {
    latest: await latestWording(ctx.tx, item.id),
    approved: await approvedWording(ctx.tx, item.id),
  };
  return itemCard(ctx.pack, ctx.org, item, roles, mentions, forUnit, wordings);
}
