import type { ClockRow } from '../../db/repos/clock-repo.js';
import { openClocks } from '../../db/repos/clock-repo.js';
import type { ItemRow } from '../../db/repos/item-repo.js';
import { approvedWording } from '../../db/repos/wording-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import type { InboundMessage } from '../../src/bot/event.js';
import { optionValue } from '../../src/core/command-parser.js';
import { HuiyinError } from '../../src/core/errors.js';
import { type OutMessage, textMessage } from '../../src/core/message.js';
import { cite } from '../../src/core/policy-pack.js';
import { formatDeadline } from '../../src/core/time.js';
import { findChannel, findStage, isMajor, RELEASE_STAGES } from '../../src/core/vocabulary.js';
import { stageLine } from '../cards/item-card/labels.js';
import { refreshItem } from '../cards/redraw.js';
import { byAction, satisfyClocks, startContinuing } from '../clocks/item-clocks.js';
import { applyAction } from '../items/apply-action.js';
import { commandItem } from '../items/lookup.js';
import { requireRole } from '../items/require-role.js';
import { requireText, textAfterWords } from './args.js';

const ESCALATE_USAGE = '/报告 <编号> [说明]，例：/报告 YQ20261122-003 已电话报告省政府值班室';
const PUBLISH_USAGE =
  '/发布 <编号> [渠道:<来源>] [链接:<网址>]，例：/发布 YQ20261122-003 渠道:微博 链接:https://…';
const PRESS_USAGE = '/发布会 <编号> [说明]，例：/发布会 YQ20261122-003';
export const UPDATE_USAGE =
  '/续报 <编号> [阶段] <内容>，例：/续报 YQ20261122-003 已完成现场处置；重大舆情：/续报 YQ20261122-003 快报事实 <内容>';

const met = (clocks: ClockRow[]) =>
  clocks.length > 0 ? `已完成时限：${clocks.map((c) => `「${c.label}」`).join('')}。` : '';

/** /报告: the item was reported to the superior (the 1 h clock of seed 000 五). */
export const escalateCommand: CommandSpec = {
  name: '报告',
  aliases: ['escalate'],
  usage: ESCALATE_USAGE,
  summary: '记录已向上级报告（重大舆情须在事发后1小时内报告）',
  async handler(ctx) {
    const item = await commandItem(ctx);
    await requireRole(ctx, item, 'escalate');
    const note = ctx.command?.positional.slice(1).join(' ') ?? '';
    const updated = await applyAction(ctx, item, 'escalate', 'escalated', { note });
    const clocks = await satisfyClocks(ctx, item, byAction('escalate'));
    await refreshItem(ctx, updated);
    await ctx.reply(
      textMessage(`✅ ${item.number} 已记录向上级报告${note ? `：${note}` : ''}。${met(clocks)}`),
    );
  },
};

type ResponseAction = 'publish' | 'press_conference' | 'update';

/**
 * Moves the item by a response action and keeps its clocks: 发布 and 发布会 meet their clocks and
 * start the 持续发布 cadence; a 续报 meets the running 持续发布 clock and starts the next.
 */
async function respondWith(
  ctx: BotContext,
  item: ItemRow,
  action: ResponseAction,
  eventKind: string,
  data: Record<string, unknown>,
  patch: Partial<ItemRow> = {},
) {
  const updated = await applyAction(ctx, item, action, eventKind, data, patch);
  if (action === 'update') {
    const clocks = await satisfyClocks(ctx, item, (c) => c.kind === ctx.pack.clocks.continuing.kind);
    return { updated, clocks, next: await startContinuing(ctx, updated) };
  }
  // A press conference is also a published response (seed 000 六: 召开新闻发布会 is one way to respond).
  const clocks = await satisfyClocks(
    ctx,
    item,
    action === 'press_conference' ? byAction('press_conference', 'publish') : byAction('publish'),
  );
  const continuing = (await openClocks(ctx.tx, item.id)).find(
    (c) => c.kind === ctx.pack.clocks.continuing.kind,
  );
  return { updated, clocks, next: continuing ?? (await startContinuing(ctx, updated)) };
}

/**
 * Records a response (发布 or 发布会) on an item, by command or card: it meets its clocks and
 * starts the 持续发布 cadence. Returns the message that says so.
 */
export async function recordResponse(
  ctx: BotContext,
  item: ItemRow,
  action: 'publish' | 'press_conference',
  data: Record<string, unknown>,
): Promise<OutMessage> {
  await requireRole(ctx, item, action);
  if (item.kind === 'netizen_message') {
    throw new HuiyinError('huiyin_wrong_item_kind', '网民留言以办结回复为准，请使用 /办结。');
  }
  const eventKind = action === 'publish' ? 'published' : 'press_conference';
  const { updated, clocks, next } = await respondWith(ctx, item, action, eventKind, data);
  await refreshItem(ctx, updated);
  const label = action === 'publish' ? '发布' : '新闻发布会';
  return textMessage(
    `✅ ${item.number} 已记录${label}（${ctx.actorName}）。${met(clocks)}\n请根据工作进展持续发布权威信息，下次续报请于 ${formatDeadline(next.dueAt)} 前发送 /续报 ${item.number} <内容>。${await unapprovedNote(ctx, item)}`,
  );
}

/**
 * Publishing is not held up for approval (the 1 h facts may not wait), but a response released
 * with no approved 统一口径 is flagged (领导审核把关).
 */
async function unapprovedNote(ctx: BotContext, item: ItemRow): Promise<string> {
  if (await approvedWording(ctx.tx, item.id)) return '';
  return `\n⚠️ 本条舆情尚无审定的统一口径，发布内容应经领导审核把关，可发送 /口径 ${item.number} <口径> 报审。${cite(ctx.pack, ctx.pack.clauses.approval)}`;
}

/** Refuses a release stage out of order: no going back, no skipping (re-issuing the current one is a further update). */
function checkStage(ctx: BotContext, item: ItemRow, stage: number) {
  const name = (n: number) => RELEASE_STAGES[n - 1] as string;
  if (item.kind !== 'opinion' || !isMajor(item.level ?? item.proposedLevel)) {
    throw new HuiyinError(
      'huiyin_not_major',
      `发布阶段（${RELEASE_STAGES.join('、')}）用于重大、特别重大舆情；本条舆情请直接续报：/续报 ${item.number} <内容>。`,
    );
  }
  if (stage < item.releaseStage) {
    throw new HuiyinError(
      'huiyin_stage_order',
      `${item.number} 已进入「${name(item.releaseStage)}」阶段，不能回到「${name(stage)}」。${cite(ctx.pack, ctx.pack.clauses.releaseStages)}`,
    );
  }
  if (stage > RELEASE_STAGES.length) {
    throw new HuiyinError('huiyin_stage_order', `${item.number} 已发布全部阶段，请直接续报。`);
  }
  if (stage > item.releaseStage + 1) {
    throw new HuiyinError(
      'huiyin_stage_order',
      `请先发布「${name(item.releaseStage + 1)}」，再发布「${name(stage)}」。${cite(ctx.pack, ctx.pack.clauses.releaseStages)}`,
    );
  }
}

/**
 * 续报, by command or card: a further authoritative update. With a stage (重大 items only), it
 * advances 快报事实 → 慎报原因 → 详报措施 → 后报结果; the first stage released is the item's
 * first response, so it meets the 发布 clocks.
 */
export async function releaseUpdate(
  ctx: BotContext,
  item: ItemRow,
  stage: number | null,
  draft: string,
): Promise<OutMessage> {
  await requireRole(ctx, item, 'update');
  const text = requireText(draft, stage === null ? '续报内容' : '发布内容');
  if (stage !== null) checkStage(ctx, item, stage);
  const action = stage !== null && item.state === 'claimed' ? 'publish' : 'update';
  const eventKind = stage !== null ? 'stage_released' : 'updated';
  const data = stage !== null ? { text, stage: RELEASE_STAGES[stage - 1] } : { text };
  const { updated, clocks, next } = await respondWith(
    ctx,
    item,
    action,
    eventKind,
    data,
    stage !== null ? { releaseStage: stage } : {},
  );
  await refreshItem(ctx, updated);
  const what = stage !== null ? `已发布「${RELEASE_STAGES[stage - 1]}」` : '已续报';
  const stages =
    stage !== null
      ? `\n发布阶段：${stageLine(stage)}\n${cite(ctx.pack, ctx.pack.clauses.releaseStages)}`
      : '';
  const note = action === 'publish' ? await unapprovedNote(ctx, item) : '';
  return textMessage(
    `✅ ${item.number} ${what}：${text}（${ctx.actorName}）${stages}\n${met(clocks)}下次续报请于 ${formatDeadline(next.dueAt)} 前。${note}`,
  );
}

async function respond(
  ctx: BotContext<InboundMessage>,
  action: 'publish' | 'press_conference',
  data: Record<string, unknown>,
) {
  const item = await commandItem(ctx);
  await ctx.reply(await recordResponse(ctx, item, action, data));
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
      throw new HuiyinError('huiyin_unknown_channel', `无法识别渠道「${channelText}」。`);
    await respond(ctx, 'publish', {
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
    respond(ctx, 'press_conference', { note: ctx.command?.positional.slice(1).join(' ') ?? '' }),
};

export const updateCommand: CommandSpec = {
  name: '续报',
  aliases: ['update'],
  usage: UPDATE_USAGE,
  summary: '续报最新进展（持续发布权威信息）；重大舆情可按 快报事实→慎报原因→详报措施→后报结果 分阶段发布',
  async handler(ctx) {
    const item = await commandItem(ctx);
    const second = ctx.command?.positional[1];
    const stage = second ? (findStage(second) ?? null) : null;
    await ctx.reply(await releaseUpdate(ctx, item, stage, textAfterWords(ctx, stage === null ? 1 : 2)));
  },
};
