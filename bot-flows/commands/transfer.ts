import { itemClocks } from '../../db/repos/clock-repo.js';
import { handOverItemUnits, type ItemRow } from '../../db/repos/item-repo.js';
import { unitChat } from '../../db/repos/org-repo.js';
import { itemMessage, threadRoot } from '../../db/repos/outbox-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import { optionValue } from '../../src/core/command-parser.js';
import { HuiyinError } from '../../src/core/errors.js';
import { type OutMessage, parts, textMessage } from '../../src/core/message.js';
import type { OrgUnit } from '../../src/core/org.js';
import { itemCardFor } from '../cards/item-card/loader.js';
import { cardMentions } from '../cards/item-card/mentions.js';
import { redrawCard, refreshItem } from '../cards/redraw.js';
import { clockCard } from '../clocks/clock-card.js';
import { applyAction } from '../items/apply-action.js';
import { commandItem } from '../items/lookup.js';
import { requireRole } from '../items/require-role.js';

export const TRANSFER_USAGE =
  '/转办 <编号> 单位:<单位> [理由]，例：/转办 YQ20261122-003 单位:省公安厅 涉及治安案件，由公安部门处置';

function targetUnit(ctx: BotContext, text: string | undefined): OrgUnit {
  if (!text?.trim()) throw new HuiyinError('huiyin_missing_unit', '缺少转办单位。');
  return ctx.org.resolve(text);
}

/**
 * 转办, by command or card: a leader or approver of the responsible (or coordinating) unit hands
 * the item to another unit. The new unit becomes responsible and must claim it; its group gets
 * the card with its spokesperson @-mentioned; the old unit stays informed as 抄送. The clocks run
 * on from 事发 and their reminders now go to the new unit.
 */
export async function transferItem(
  ctx: BotContext,
  item: ItemRow,
  unitText: string | undefined,
  reason: string,
): Promise<OutMessage> {
  // The unit that owns the item (or coordinates it) hands it on, not a co-responsible department.
  await requireRole(ctx, item, 'transfer');
  const target = targetUnit(ctx, unitText);
  if (target.id === item.ownerUnitId)
    throw new HuiyinError('huiyin_same_unit', `${target.name}已是该舆情的责任单位。`);
  const chatId = await unitChat(ctx.tx, ctx.platform, target.id);
  if (!chatId) {
    throw new HuiyinError(
      'huiyin_unit_unbound',
      `${target.name}在本平台尚未绑定群聊，转办后无人收到通知，因此未转办。请该单位管理员先在其工作群发送 /绑定 单位:${target.name}。`,
    );
  }
  const from = ctx.org.get(item.ownerUnitId);
  const updated = await applyAction(
    ctx,
    item,
    'transfer',
    'transferred',
    { fromUnitId: from.id, toUnitId: target.id, reason },
    { ownerUnitId: target.id, claimedByPersonId: null },
  );
  await handOverItemUnits(ctx.tx, item.id, from.id, target.id);

  // A group that already has the card (a co-responsible department) has it redrawn below;
  // every other group gets it now.
  if (!(await threadRoot(ctx.tx, item.id, ctx.platform, chatId))) {
    const card = await itemCardFor(ctx, updated, target.id);
    await ctx.sendToUnit(target.id, { kind: 'card', card }, { anchorItemId: item.id });
  }
  const mentions = await cardMentions(ctx, updated, target.id);
  await ctx.sendToUnit(
    target.id,
    textMessage(
      mentions.flatMap((m) => [m, { t: 'text' as const, v: ' ' }]),
      `【转办】${item.number}《${item.title}》由${from.name}${ctx.actorName}转办至${target.name}${reason ? `，理由：${reason}` : ''}。请认领：/认领 ${item.number}`,
    ),
    { threadItemId: item.id },
  );
  await refreshItem(ctx, updated);
  // The old unit's countdown stays where it was, saying where the reminders go now.
  const oldChat = await unitChat(ctx.tx, ctx.platform, from.id);
  const oldClock = oldChat ? await itemMessage(ctx.tx, item.id, ctx.platform, oldChat, 'clock') : null;
  if (oldChat && oldClock) {
    const card = clockCard(ctx.pack, updated, await itemClocks(ctx.tx, item.id), ctx.now);
    card.body = parts(`已转办至${target.name}，此后的时限提醒发至${target.name}工作群。\n`, card.body);
    await redrawCard(ctx, { platform: ctx.platform, chatId: oldChat, messageId: oldClock }, card);
  }
  return textMessage(
    `✅ ${item.number}《${item.title}》已由${ctx.actorName}从${from.name}转办至${target.name}${reason ? `（理由：${reason}）` : ''}，已将卡片发至其工作群并@其新闻发言人，待其认领。时限仍自事发起算。`,
  );
}

export const transferCommand: CommandSpec = {
  name: '转办',
  aliases: ['transfer'],
  usage: TRANSFER_USAGE,
  summary: '转办给其他单位处置（责任单位、协调单位的领导、审核人）',
  async handler(ctx) {
    const item = await commandItem(ctx);
    const unit = ctx.command ? (optionValue(ctx.command, '单位') ?? undefined) : undefined;
    const reason = ctx.command?.positional.slice(1).join(' ').trim() ?? '';
    await ctx.reply(await transferItem(ctx, item, unit, reason));
  },
};
