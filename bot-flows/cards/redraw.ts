import type { ClockRow } from '../../db/repos/clock-repo.js';
import type { ItemRow } from '../../db/repos/item-repo.js';
import { chatUnit } from '../../db/repos/org-repo.js';
import { enqueue, itemCards } from '../../db/repos/outbox-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { CardSpec } from '../../src/core/message.js';
import { refreshClockCard } from '../clocks/clock-card.js';
import { replanClocks } from '../clocks/plan.js';
import { itemCardFor } from './item-card/loader.js';

/** Replaces a card the bot sent earlier with `card`. */
export const redrawCard = (
  ctx: BotContext,
  m: { platform: string; chatId: string; messageId: string },
  card: CardSpec,
) =>
  enqueue(
    ctx.tx,
    [
      {
        platform: m.platform,
        op: 'update',
        chatId: m.chatId,
        targetMessageId: m.messageId,
        payload: { kind: 'card', card },
      },
    ],
    ctx.now,
  );

/** Redraws the item's cards in every chat and its clock card, after a change. */
export async function refreshItem(ctx: BotContext, item: ItemRow): Promise<void> {
  for (const m of await itemCards(ctx.tx, item.id, item.platform)) {
    await redrawCard(ctx, m, await itemCardFor(ctx, item, await chatUnit(ctx.tx, m.platform, m.chatId)));
  }
  await refreshClockCard(ctx.tx, ctx.pack, item, ctx.now);
}

/** After the facts changed (研判, 延期): re-plans the clocks and redraws the item; returns the clocks added. */
export async function replanAndRefresh(ctx: BotContext, item: ItemRow): Promise<ClockRow[]> {
  const added = await replanClocks(
    ctx.tx,
    ctx.pack,
    item,
    ctx.now,
    ctx.actor?.person.id ?? ctx.actorName,
    ctx.log,
  );
  await refreshItem(ctx, item);
  return added;
}
