import { type ItemRow, itemUnitRoles } from '../../../db/repos/item-repo.js';
import { approvedWording, latestWording } from '../../../db/repos/wording-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import type { CardSpec } from '../../../src/core/message.js';
import { itemCard } from './builder.js';
import { cardMentions } from './mentions.js';

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
