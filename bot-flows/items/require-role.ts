import { type ItemRow, itemUnitRoles } from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { ItemAction } from '../../src/core/item-state.js';
import { mayAct, notAllowed, PERMISSIONS } from '../../src/core/permissions.js';

/**
 * Refuses unless the sender may take `action` on the item (PERMISSIONS: a role in its owning
 * unit or in a unit taking part in it); the refusal names who may.
 */
export async function requireRole(ctx: BotContext, item: ItemRow, action: ItemAction): Promise<void> {
  const { units } = PERMISSIONS[action];
  if (units === 'wording') throw new Error(`${action} is decided per unit of its wording, not per item`);
  const unitIds = [
    item.ownerUnitId,
    ...(await itemUnitRoles(ctx.tx, item.id))
      .filter((r) => (units as readonly string[]).includes(r.role))
      .map((r) => r.unitId),
  ];
  if (mayAct(ctx.actor?.memberships ?? [], unitIds, action)) return;
  throw notAllowed(
    unitIds.map((id) => ctx.org.units.get(id)?.name ?? id),
    action,
  );
}
