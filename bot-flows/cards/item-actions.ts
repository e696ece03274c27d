import { findItemById, itemUnitRoles } from '../../db/repos/item-repo.js';
import { threadRoot } from '../../db/repos/outbox-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import { type ActionSpec, actionValueSchema } from '../../src/bot/dispatcher.js';
import type { CardActionEvent } from '../../src/bot/event.js';
import { textMessage } from '../../src/bot/message.js';
import { HuiyinError } from '../../src/core/errors.js';
import { applyAction, refreshItem, requireRole, staleError } from '../commands/item-command.js';
import { itemDetail } from '../commands/query.js';
import { recordResponse } from '../commands/respond.js';
import { cardMentions, itemCard } from './item-card.js';

async function clickedItem(ctx: BotContext<CardActionEvent>) {
  if (!ctx.actor)
    throw new HuiyinError('huiyin_unknown_person', '你不在组织目录中，无法操作舆情卡片。请联系管理员。');
  const value = actionValueSchema.parse(ctx.event.value);
  const item = value.item ? await findItemById(ctx.tx, value.item) : null;
  if (!item) throw new HuiyinError('huiyin_unknown_item', '卡片对应的舆情不存在。');
  // The button must sit on this item's card in this chat, not on some other message.
  const card = await threadRoot(ctx.tx, item.id, ctx.platform, ctx.event.chatId);
  if (card !== ctx.event.messageId)
    throw new HuiyinError('huiyin_not_item_card', '这条消息不是该舆情的卡片。');
  return { item, version: value.v };
}

/** 认领 on the card: the same rights and audit as /认领; a click on an outdated card changes nothing. */
export const claimAction: ActionSpec = {
  name: 'claim',
  async handler(ctx) {
    const { item, version } = await clickedItem(ctx);
    if (version !== item.version) throw staleError();
    await requireRole(ctx, item, ['spokesperson', 'officer'], '认领', '');
    const updated = await applyAction(
      ctx,
      item,
      'claim',
      'claimed',
      { via: 'card' },
      { claimedByPersonId: ctx.actor?.person.id },
    );
    await refreshItem(ctx, updated);
    await ctx.postInItemThread(
      item.id,
      textMessage(`✅ ${item.number} 已由${ctx.actorName}认领，此后的时限提醒将@${ctx.actorName}。`),
    );
    const roles = await itemUnitRoles(ctx.tx, item.id);
    const here = ctx.chatUnitId && roles.some((r) => r.unitId === ctx.chatUnitId) ? ctx.chatUnitId : null;
    ctx.response.card = itemCard(
      ctx.pack,
      ctx.org,
      updated,
      roles,
      here ? await cardMentions(ctx, updated, here) : [],
      here,
    );
    ctx.toast('success', '已认领');
  },
};

/** 发布 on the card: records the published response, like /发布. */
export const publishAction: ActionSpec = {
  name: 'publish',
  async handler(ctx) {
    const { item, version } = await clickedItem(ctx);
    if (version !== item.version) throw staleError();
    await ctx.postInItemThread(item.id, await recordResponse(ctx, item, 'publish', '', { via: 'card' }));
    ctx.toast('success', '已记录发布');
  },
};

/** 刷新: redraws the card from the item as it is now. */
export const refreshAction: ActionSpec = {
  name: 'refresh',
  async handler(ctx) {
    const { item, version } = await clickedItem(ctx);
    const roles = await itemUnitRoles(ctx.tx, item.id);
    const here = ctx.chatUnitId && roles.some((r) => r.unitId === ctx.chatUnitId) ? ctx.chatUnitId : null;
    const mentions = here ? await cardMentions(ctx, item, here) : [];
    await ctx.updateCard(itemCard(ctx.pack, ctx.org, item, roles, mentions, here));
    ctx.toast('success', version === item.version ? '已是最新状态' : '已更新到最新状态');
  },
};

/** 查看进展: posts the item's audit trail into its thread. */
export const detailAction: ActionSpec = {
  name: 'detail',
  async handler(ctx) {
    const { item } = await clickedItem(ctx);
    await ctx.postInItemThread(item.id, await itemDetail(ctx.tx, ctx.org, item, ctx.now));
    ctx.toast('info', '处置记录已发到话题中');
  },
};
