import type { Db } from '../../db/client.js';
import { itemClocks } from '../../db/repos/clock-repo.js';
import { eventsOf, type ItemEventRow, type ItemRow, itemUnitRoles } from '../../db/repos/item-repo.js';
import { latestWording } from '../../db/repos/wording-repo.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import { timeLeft } from '../../src/core/clocks.js';
import { type OutMessage, textMessage } from '../../src/core/message.js';
import type { Org } from '../../src/core/org.js';
import { formatDeadline, formatShanghai } from '../../src/core/time.js';
import { isMajor } from '../../src/core/vocabulary.js';
import { levelLabel, namesWithRole, stageLine, stateLabel } from '../cards/item-card/labels.js';
import { itemByNumberArg } from '../items/lookup.js';

const USAGE = '/查询 <编号>，例：/查询 YQ20261122-003';

export const EVENT_LABELS: Record<string, string> = {
  reported: '上报',
  netizen_message_registered: '登记网民留言',
  claimed: '认领',
  graded: '研判',
  escalated: '报告上级',
  published: '发布',
  press_conference: '举行新闻发布会',
  updated: '续报',
  extended: '延期',
  closed: '办结',
  transferred: '转办',
  wording_submitted: '提交口径',
  wording_approved_by_unit: '同意口径',
  wording_approved: '同意口径（审定为统一口径）',
  wording_rejected: '退回口径',
  stage_released: '分阶段发布',
};

/** One line of the audit trail: who did what, with the detail that matters for it. */
function eventLine(org: Org, e: ItemEventRow): string {
  const d = e.data;
  const unit = (id: unknown) => org.units.get(String(id))?.name ?? String(id);
  let what = EVENT_LABELS[e.kind] ?? e.kind;
  if (e.kind === 'transferred') what += `：${unit(d.fromUnitId)} → ${unit(d.toUnitId)}`;
  if (e.kind === 'stage_released') what = `发布「${String(d.stage)}」`;
  if (e.kind === 'wording_rejected' && d.reason) what += `：${String(d.reason)}`;
  if (e.kind === 'graded' && d.level) what += `为「${String(d.level)}」`;
  return `· ${formatShanghai(e.at)} ${e.actorName} ${what}`;
}

/** The item's facts and its audit trail, newest last. */
export async function itemDetail(db: Db, org: Org, item: ItemRow, now: Date): Promise<OutMessage> {
  const roles = await itemUnitRoles(db, item.id);
  const events = await eventsOf(db, item.id);
  const lines = [
    `📋 ${item.number}《${item.title}》`,
    `状态：${stateLabel(item.state)}｜级别：${levelLabel(item)}｜类别：${item.category}`,
    `责任单位：${namesWithRole(org, roles, 'responsible') || '—'}`,
    `事发：${formatShanghai(item.occurredAt)}｜上报：${formatShanghai(item.reportedAt)}（${item.reporterName}）`,
  ];
  if (item.link) lines.push(`链接：${item.link}`);
  if (item.kind === 'opinion' && isMajor(item.level ?? item.proposedLevel))
    lines.push(`发布阶段：${stageLine(item.releaseStage)}`);
  const wording = await latestWording(db, item.id);
  if (wording?.status === 'approved') lines.push(`统一口径：${wording.text}`);
  else if (wording?.status === 'pending') lines.push(`口径审核中：${wording.text}`);
  const open = (await itemClocks(db, item.id)).filter((c) => c.status === 'open');
  if (open.length > 0) {
    lines.push('时限：');
    for (const c of open)
      lines.push(`· ${c.label}：${formatDeadline(c.dueAt)} 前（${timeLeft(c.dueAt, now)}）`);
  }
  lines.push('进展：');
  for (const e of events.slice(-10)) {
    lines.push(eventLine(org, e));
  }
  return textMessage(lines.join('\n'));
}

export const queryCommand: CommandSpec = {
  name: '查询',
  aliases: ['query', 'show'],
  usage: USAGE,
  summary: '查看一条舆情的状态和处置记录',
  async handler(ctx) {
    const item = await itemByNumberArg(ctx.tx, ctx.command?.positional[0]);
    ctx.about(item);
    await ctx.reply(await itemDetail(ctx.tx, ctx.org, item, ctx.now));
  },
};
