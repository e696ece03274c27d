import { type ItemRow, itemUnitRoles } from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import { HuiyinError } from '../../src/core/errors.js';
import type { ItemAction } from '../../src/core/item-state.js';
import { mayAct, PERMISSIONS, ROLE_NAMES } from '../../src/core/permissions.js';

/**
 * Refuses unless the sender may take `action` on the item (PERMISSIONS: a role in its owning
 * unit or in a unit taking part in it); the refusal names who may.
 */
export async function requireRole(ctx: BotContext, item: ItemRow, action: ItemAction) {
  const { roles, units, what } = PERMISSIONS[action];
  const unitIds = [
    item.ownerUnitId,
    ...(await itemUnitRoles(ctx.tx, item.id))
      .filter((r) => (units as readonly string[]).includes(r.role))
      .map((r) => r.unitId),
  ];
  if (mayAct(ctx.actor?.memberships ?? [], unitIds, action)) return;
  const names = [...new Set(unitIds)].map((id) => ctx.org.units.get(id)?.name ?? id).join('、');
  throw new HuiyinError(
    'huiyin_not_allowed',
    `只有${names}的${roles.map((r) => ROLE_NAMES[r]).join('、')}可以${what}。`,
  );
}
