import type { Db } from '../../db/client.js';
import { claimerResponsibleUnits, type ItemRow, itemClaimer } from '../../db/repos/item-repo.js';
import { unitPeople } from '../../db/repos/org-repo.js';
import { mentionOn, postToUnit } from '../../src/bot/outbound.js';
import type { OutMessage, Part } from '../../src/core/message.js';
import type { Logger } from '../../src/log.js';

/** Who a reminder is for: the person who claimed the item, else the owner unit's spokespersons. */
export async function owners(tx: Db, item: ItemRow): Promise<Part[]> {
  const who = await itemClaimer(tx, item);
  if (who) return [mentionOn(item.platform, who)];
  const spokespersons = await unitPeople(tx, [item.ownerUnitId], ['spokesperson']);
  return spokespersons.map((p) => mentionOn(item.platform, p));
}

/** The owner unit's leaders, whom a breach @-mentions besides the owners. */
export async function leaders(tx: Db, item: ItemRow): Promise<Part[]> {
  const people = await unitPeople(tx, [item.ownerUnitId], ['leader']);
  return people.map((p) => mentionOn(item.platform, p));
}

/** Mentions one after another, a space between each. */
export const join = (ps: Part[]) =>
  ps.flatMap((p, i) => (i === 0 ? [p] : [{ t: 'text' as const, v: ' ' }, p]));

/**
 * Where reminders go: the owner unit's group, and the group of the responsible unit whose
 * officer claimed the item when that is another unit (a department under a coordinating office).
 */
async function reminderUnits(tx: Db, item: ItemRow): Promise<string[]> {
  const units = [item.ownerUnitId];
  for (const unitId of await claimerResponsibleUnits(tx, item))
    if (!units.includes(unitId)) units.push(unitId);
  return units;
}

/** Posts into the item's thread in each reminder unit's group; says so in the log when none has one. */
export async function postReminder(
  tx: Db,
  item: ItemRow,
  message: OutMessage,
  now: Date,
  log: Logger | undefined,
): Promise<void> {
  let delivered = false;
  for (const unitId of await reminderUnits(tx, item)) {
    delivered =
      (await postToUnit(tx, { platform: item.platform, unitId, message, threadItemId: item.id }, now)) ||
      delivered;
  }
  if (!delivered) {
    log?.warn('clock reminder has no group to go to', {
      item: item.number,
      unit: item.ownerUnitId,
      platform: item.platform,
    });
  }
}
