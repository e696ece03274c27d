import {
  type ItemPatch,
  type ItemRow,
  insertItemEvent,
  updateItemAtVersion,
} from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import { HuiyinError } from '../../src/core/errors.js';
import { type ItemAction, type ItemState, nextState } from '../../src/core/item-state.js';

/** The refusal for a change made from an outdated card or against a concurrent change. */
export const staleError = () => new HuiyinError('huiyin_stale', '已过期，请查看最新卡片。');

/**
 * Moves the item by `action` (refused when its state does not allow it), applies `patch`,
 * bumps its version and writes the audit event, all in the command's transaction.
 */
export async function applyAction(
  ctx: BotContext,
  item: ItemRow,
  action: ItemAction,
  eventKind: string,
  data: Record<string, unknown>,
  patch: ItemPatch = {},
): Promise<ItemRow> {
  const state = nextState(item.state as ItemState, action);
  // Only from the version it was read at, so a concurrent change makes the second one stale
  // instead of applying twice.
  const updated = await updateItemAtVersion(ctx.tx, item.id, item.version, { ...patch, state }, ctx.now);
  if (!updated) throw staleError();
  await insertItemEvent(ctx.tx, {
    itemId: item.id,
    kind: eventKind,
    actorPersonId: ctx.actor?.person.id ?? null,
    actorName: ctx.actorName,
    at: ctx.now,
    data: { from: item.state, to: state, ...data },
  });
  return updated;
}
