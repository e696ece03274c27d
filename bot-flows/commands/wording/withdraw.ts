import { findItemById, type ItemRow } from '../../../db/repos/item-repo.js';
import { closeWording, latestWording, lockWording, type WordingRow } from '../../../db/repos/wording-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import { type OutMessage, textMessage } from '../../../src/core/message.js';
import { refreshItem } from '../../cards/redraw.js';
import { applyAction, staleError } from '../../items/apply-action.js';
import { requireRole } from '../../items/require-role.js';
import { refreshApprovalCards } from './approval-cards.js';

/** Closes a wording still under review and its approval cards; the item it returns. */
async function closePending(
  ctx: BotContext,
  seen: WordingRow,
): Promise<{ wording: WordingRow; item: ItemRow }> {
  const wording = await lockWording(ctx.tx, seen.id);
  const item = await findItemById(ctx.tx, seen.itemId);
  if (!wording || !item || wording.status !== 'pending') throw staleError();
  await closeWording(ctx.tx, wording.id, 'withdrawn', ctx.now);
  await refreshApprovalCards(ctx, item, { ...wording, status: 'withdrawn' });
  return { wording, item };
}

/** 办结 with a revised wording still under review: the revision is moot, its cards close. */
export async function dropPendingWording(ctx: BotContext, itemId: number): Promise<void> {
  const pending = await latestWording(ctx.tx, itemId);
  if (pending?.status === 'pending') await closePending(ctx, pending);
}

/** 撤回: the drafter, or a handler of the responsible unit, takes a wording under review back. */
export async function withdrawWording(ctx: BotContext, seen: WordingRow): Promise<OutMessage> {
  const current = await findItemById(ctx.tx, seen.itemId);
  if (current && seen.drafterPersonId !== ctx.actor?.person.id)
    await requireRole(ctx, current, 'withdraw_wording');
  const { wording, item } = await closePending(ctx, seen);
  const updated = await applyAction(ctx, item, 'withdraw_wording', 'wording_withdrawn', {
    wordingId: wording.id,
  });
  await refreshItem(ctx, updated);
  return textMessage(
    `↩️ ${item.number} 的口径已由${ctx.actorName}撤回，审核卡片已关闭。修改后可重新提交：/口径 ${item.number} <口径>`,
  );
}
