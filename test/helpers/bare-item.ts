import type { Db } from '../../db/client.js';
import { type ItemRow, insertItem, insertItemUnits, numberItem } from '../../db/repos/item-repo.js';

const at = new Date('2026-11-22T03:00:00Z');

/**
 * An item row with only what the schema requires, for repository tests that need one to hang
 * rows from; numbered like any item (YQ20261122-001, -002, … in a fresh database).
 */
export async function bareItem(
  db: Db,
  ownerUnitId: string,
  unitRoles: { unitId: string; role: string }[] = [{ unitId: ownerUnitId, role: 'responsible' }],
): Promise<ItemRow> {
  return db.transaction(async (tx) => {
    const item = await insertItem(tx, {
      title: '网传某校停课',
      category: 'education',
      occurredAt: at,
      reportedAt: at,
      state: 'claimed',
      ownerUnitId,
      routingRule: 'test',
      policyPack: 'test',
      reporterName: '王敏',
      platform: 'feishu',
      sourceChatId: 'oc_report',
      sourceMessageId: 'om_report',
      updatedAt: at,
    });
    await insertItemUnits(tx, item.id, unitRoles);
    return numberItem(tx, item, at);
  });
}
