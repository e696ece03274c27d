import type { ItemRow } from '../../../db/repos/item-repo.js';
import { approvalCardMessages, decisionsOf, type WordingRow } from '../../../db/repos/wording-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import type { CardSpec } from '../../../src/core/message.js';
import { approvalCard } from '../../cards/approval-card.js';
import { redrawCard } from '../../cards/redraw.js';
import { decidersOf } from './approvers.js';

/** One unit's approval card for a wording as it stands, @-mentioning whoever decides for that unit. */
export async function approvalCardFor(
  ctx: BotContext,
  item: ItemRow,
  wording: WordingRow,
  unitId: string,
): Promise<CardSpec> {
  const mentions = (await decidersOf(ctx, unitId)).map((p) => ctx.mention(p));
  return approvalCard(
    ctx.pack,
    ctx.org,
    item,
    wording,
    await decisionsOf(ctx.tx, wording.id),
    unitId,
    mentions,
  );
}

/** Redraws every approval card of a wording after a decision. */
export async function refreshApprovalCards(
  ctx: BotContext,
  item: ItemRow,
  wording: WordingRow,
): Promise<void> {
  for (const m of await approvalCardMessages(ctx.tx, item.id, wording.id)) {
    await redrawCard(ctx, m, await approvalCardFor(ctx, item, wording, m.unitId));
  }
}
