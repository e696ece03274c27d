import type { ClockRow } from '../../db/repos/clock-repo.js';
import { openClocks } from '../../db/repos/clock-repo.js';
import type { ItemRow } from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import type { InboundMessage } from '../../src/bot/event.js';
import { type OutMessage, textMessage } from '../../src/bot/message.js';
import { optionValue } from '../../src/core/command-parser.js';
import { HuiyinError } from '../../src/core/errors.js';
import { formatDeadline } from '../../src/core/time.js';
import { findChannel } from '../../src/core/vocabulary.js';
import {
  applyAction,
  byAction,
  commandItem,
  refreshItem,
  requireRole,
  satisfyClocks,
  startContinuing,
  textAfterNumber,
} from './item-command.js';

const REPORT_USAGE = '/报告 <编号> [说明]，例：/报告 YQ20261122-003 已电话报告省政府值班室';
const PUBLISH_USAGE =
  '/发布 <编号> [渠道:<来源>] [链接:<网址>]，例：/发布 YQ20261122-003 渠道:微博 链接:https://…';
const PRESS_USAGE = '/发布会 <编号> [说明]，例：/发布会 YQ20261122-003';
const UPDATE_USAGE = '/续报 <编号> <内容>，例：/续报 YQ20261122-003 已完成现场处置';
const HANDLERS = ['spokesperson', 'officer', 'leader'] as const;

const met = (clocks: ClockRow[]) =>
  clocks.length > 0 ? `已完成时限：${clocks.map((c) => `「${c.label}」`).join('')}。` : '';

/** /报告: the item was reported to the superior (the 1 h clock of seed 000 五). */
export const reportSuperiorCommand: CommandSpec = {
  name: '报告',
  aliases: ['escalate'],
  usage: REPORT_USAGE,
  summary: '记录已向上级报告（重大舆情须在事发后1小时内报告）',
  async handler(ctx) {
    const item = await commandItem(ctx, REPORT_USAGE);
    await requireRole(ctx, item, [...HANDLERS], '记录报告上级', REPORT_USAGE);
    const note = ctx.command?.positional.slice(1).join(' ') ?? '';
    const updated = await applyAction(ctx, item, 'report', 'reported_superior', { note });
    const clocks = await satisfyClocks(ctx, item, byAction('report'));
    await refreshItem(ctx, updated);
    await ctx.reply(
      textMessage(`✅ ${item.number} 已记录向上级报告${note ? `：${note}` : ''}。${met(clocks)}`),
    );
  },
};

/**
 * Records a response (发布 or 发布会) on an item, by command or card: it meets its clocks and
 * starts the 持续发布 cadence. Returns the message that says so.
 */
export async function recordResponse(
  ctx: BotContext,
  item: ItemRow,
  action: 'publish' | 'press_conference',
  usage: string,
  data: Record<string, unknown>,
): Promise<OutMessage> {
  await requireRole(ctx, item, [...HANDLERS], action === 'publish' ? '记录发布' : '记录新闻发布会', usage);
  if (item.kind === 'message') {
    throw new HuiyinError('huiyin_not_for_messages', '网民留言以办结回复为准，请使用 /办结。', usage);
  }
  const updated = await applyAction(
    ctx,
    item,
    action,
    action === 'publish' ? 'published' : 'press_conference',
    data,
  );
  // A press conference is also a published response (seed 000 六: 召开新闻发布会 is one way to respond).
  const clocks = await satisfyClocks(
    ctx,
    item,
    action === 'press_conference' ? byAction('press_conference', 'publish') : byAction('publish'),
  );
  const continuing = (await openClocks(ctx.tx, item.id)).find(
    (c) => c.kind === ctx.pack.clocks.continuing.kind,
  );
  const next = continuing ?? (await startContinuing(ctx, updated));
  await refreshItem(ctx, updated);
  const label = action === 'publish' ? '发布' : '新闻发布会';
  return textMessage(
    `✅ ${item.number} 已记录${label}（${ctx.actorName}）。${met(clocks)}\n请根据工作进展持续发布权威信息，下次续报请于 ${formatDeadline(next.dueAt)} 前发送 /续报 ${item.number} <内容>。`,
  );
}

async function respond(
  ctx: BotContext<InboundMessage>,
  action: 'publish' | 'press_conference',
  usage: string,
  data: Record<string, unknown>,
) {
  const item = await commandItem(ctx, usage);
  await ctx.reply(await recordResponse(ctx, item, action, usage, data));
}

export const publishCommand: CommandSpec = {
  name: '发布',
  aliases: ['publish'],
  usage: PUBLISH_USAGE,
  summary: '记录已发布回应信息',
  async handler(ctx) {
    const cmd = ctx.command;
    const channelText = cmd ? optionValue(cmd, '来源') : undefined;
    const channel = channelText === undefined ? null : (findChannel(channelText) ?? null);
    if (channelText !== undefined && !channel)
      throw new HuiyinError('huiyin_unknown_channel', `无法识别渠道「${channelText}」。`, PUBLISH_USAGE);
    await respond(ctx, 'publish', PUBLISH_USAGE, {
      channel,
      link: cmd ? (optionValue(cmd, '链接') ?? null) : null,
    });
  },
};

export const pressConferenceCommand: CommandSpec = {
  name: '发布会',
  aliases: ['press'],
  usage: PRESS_USAGE,
  summary: '记录已举行新闻发布会',
  handler: (ctx) =>
    respond(ctx, 'press_conference', PRESS_USAGE, { note: ctx.command?.positional.slice(1).join(' ') ?? '' }),
};

/** /续报: a further authoritative update; meets the 持续发布 clock and starts the next. */
export const updateCommand: CommandSpec = {
  name: '续报',
  aliases: ['update'],
  usage: UPDATE_USAGE,
  summary: '续报最新进展（持续发布权威信息）',
  async handler(ctx) {
    const item = await commandItem(ctx, UPDATE_USAGE);
    const text = textAfterNumber(ctx, '续报内容', UPDATE_USAGE);
    await requireRole(ctx, item, [...HANDLERS], '续报', UPDATE_USAGE);
    const updated = await applyAction(ctx, item, 'update', 'updated', { text });
    const clocks = await satisfyClocks(ctx, item, (c) => c.kind === ctx.pack.clocks.continuing.kind);
    const next = await startContinuing(ctx, updated);
    await refreshItem(ctx, updated);
    await ctx.reply(
      textMessage(
        `✅ ${item.number} 已续报：${text}\n${met(clocks)}下次续报请于 ${formatDeadline(next.dueAt)} 前。`,
      ),
    );
  },
};
