import { findItemById, type ItemRow, insertItemEvent } from '../../../db/repos/item-repo.js';
import {
  closeWording,
  decisionsOf,
  lockWording,
  recordDecision,
  type WordingRow,
  wordingDrafter,
} from '../../../db/repos/wording-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import { HuiyinError } from '../../../src/core/errors.js';
import { type OutMessage, type Part, textMessage } from '../../../src/core/message.js';
import { refreshItem } from '../../cards/redraw.js';
import { applyAction, staleError } from '../../items/apply-action.js';
import { requireText } from '../args.js';
import { refreshApprovalCards } from './approval-cards.js';
import { undecidedUnitsOfActor, unitName, type WordingDecision } from './approvers.js';
import { broadcastUnifiedWording } from './broadcast.js';

/**
 * 同意 or 退回, by card or command, for the units among `unitIds` the decider speaks for. 同意
 * needs the 保密审查 confirmation; once every unit has agreed, the wording becomes the item's
 * 统一口径 and goes to every involved unit. 退回 needs a reason and goes back to the drafter.
 */
export async function decideWording(
  ctx: BotContext,
  seen: WordingRow,
  unitIds: string[],
  decision: WordingDecision,
  input: { secrecy: boolean; reason: string },
): Promise<OutMessage> {
  // Two units deciding at once: the second waits here, then sees the first one's decision.
  const wording = await lockWording(ctx.tx, seen.id);
  const item = await findItemById(ctx.tx, seen.itemId);
  if (!wording || !item || wording.status !== 'pending') throw staleError();
  const pending = await undecidedUnitsOfActor(ctx, wording, unitIds, decision);
  if (decision === 'approved' && !input.secrecy) {
    throw new HuiyinError(
      'huiyin_secrecy_unconfirmed',
      `同意前须确认已完成保密审查${ctx.event.kind === 'card_action' ? '：请勾选「已完成保密审查」后再点同意' : ''}。`,
    );
  }
  const reason = decision === 'rejected' ? requireText(input.reason, '退回理由', 500) : null;
  for (const unitId of pending) {
    const recorded = await recordDecision(ctx.tx, {
      wordingId: wording.id,
      unitId,
      decision,
      personId: ctx.actor?.person.id ?? null,
      personName: ctx.actorName,
      secrecyReviewed: input.secrecy,
      reason,
      at: ctx.now,
    });
    if (!recorded) throw staleError();
  }
  return reason !== null
    ? rejected(ctx, item, wording, pending, reason)
    : approved(ctx, item, wording, pending);
}

/** 退回: the wording closes and goes back to its drafter, @-mentioned in the item's thread. */
async function rejected(
  ctx: BotContext,
  item: ItemRow,
  wording: WordingRow,
  pending: string[],
  reason: string,
) {
  const units = pending.map((id) => unitName(ctx, id)).join('、');
  if (!(await closeWording(ctx.tx, wording.id, 'rejected', ctx.now))) throw staleError();
  const updated = await applyAction(ctx, item, 'reject_wording', 'wording_rejected', {
    wordingId: wording.id,
    units: pending,
    reason,
  });
  await refreshApprovalCards(ctx, updated, { ...wording, status: 'rejected' });
  const drafter = await wordingDrafter(ctx.tx, wording);
  const at: Part[] = drafter ? [ctx.mention(drafter), { t: 'text', v: ' ' }] : [];
  await ctx.sendToUnit(
    item.ownerUnitId,
    textMessage(
      at,
      `↩️ ${item.number} 的口径被${units}${ctx.actorName}退回，理由：${reason}\n请修改后重新提交：/口径 ${item.number} <修改后的口径>`,
    ),
    { threadItemId: item.id },
  );
  await refreshItem(ctx, updated);
  return textMessage(
    `↩️ 已退回 ${item.number} 的口径（${units}），理由：${reason}。已通知拟稿人${wording.drafterName}。`,
  );
}

/** 同意: recorded for the unit; the last unit to agree makes the wording the 统一口径. */
async function approved(ctx: BotContext, item: ItemRow, wording: WordingRow, pending: string[]) {
  const units = pending.map((id) => unitName(ctx, id)).join('、');
  const all = await decisionsOf(ctx.tx, wording.id);
  const waiting = wording.unitIds.filter(
    (id) => !all.some((d) => d.unitId === id && d.decision === 'approved'),
  );
  if (waiting.length > 0) {
    await insertItemEvent(ctx.tx, {
      itemId: item.id,
      kind: 'wording_approved_by_unit',
      actorPersonId: ctx.actor?.person.id ?? null,
      actorName: ctx.actorName,
      at: ctx.now,
      data: { wordingId: wording.id, units: pending, secrecyReviewed: true },
    });
    await refreshApprovalCards(ctx, item, wording);
    return textMessage(
      `✅ ${units}${ctx.actorName}已同意 ${item.number} 的口径（已完成保密审查），尚待${waiting.map((id) => unitName(ctx, id)).join('、')}审核。`,
    );
  }
  if (!(await closeWording(ctx.tx, wording.id, 'approved', ctx.now))) throw staleError();
  const updated = await applyAction(ctx, item, 'approve_wording', 'wording_approved', {
    wordingId: wording.id,
    units: pending,
    secrecyReviewed: true,
  });
  const closed = { ...wording, status: 'approved' };
  await refreshApprovalCards(ctx, updated, closed);
  await broadcastUnifiedWording(ctx, updated, closed, all);
  await refreshItem(ctx, updated);
  return textMessage(`✅ ${item.number} 的口径已审定（${ctx.actorName}），已作为统一口径发至各有关单位。`);
}
