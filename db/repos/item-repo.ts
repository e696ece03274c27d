import { and, desc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { shanghaiDayKey } from '../../src/core/time.js';
import type { Db } from '../client.js';
import { itemCounters, itemEvents, items, itemUnits, memberships, people } from '../schema.js';
import type { Person } from './org-repo.js';

export type ItemRow = typeof items.$inferSelect;
export type NewItem = Omit<typeof items.$inferInsert, 'id' | 'number' | 'version'>;
export type ItemEventRow = typeof itemEvents.$inferSelect;
export type ItemPatch = Partial<typeof items.$inferInsert>;

/**
 * Allocates the next `YQYYYYMMDD-NNN` for the Shanghai day of `now`. The upsert takes a row
 * lock that is held until the caller's transaction ends, so concurrent reports queue here
 * and never share a number.
 */
export async function nextItemNumber(tx: Db, now: Date): Promise<string> {
  const day = shanghaiDayKey(now);
  const [row] = await tx
    .insert(itemCounters)
    .values({ day, last: 1 })
    .onConflictDoUpdate({ target: itemCounters.day, set: { last: sql`${itemCounters.last} + 1` } })
    .returning({ last: itemCounters.last });
  if (!row) throw new Error('item counter upsert returned nothing');
  return `YQ${day}-${String(row.last).padStart(3, '0')}`;
}

export async function insertItem(
  tx: Db,
  item: NewItem & { number: string },
  unitRoles: { unitId: string; role: string }[],
): Promise<ItemRow> {
  const [row] = await tx.insert(items).values(item).returning();
  if (!row) throw new Error('item insert returned nothing');
  if (unitRoles.length > 0)
    await tx.insert(itemUnits).values(unitRoles.map((u) => ({ itemId: row.id, ...u })));
  return row;
}

/**
 * Applies `patch` and bumps the version only while the item is still at `version`; null when a
 * concurrent change (a double click racing itself, two officers at once) got there first.
 */
export async function updateItemAtVersion(
  db: Db,
  id: number,
  version: number,
  patch: ItemPatch,
  now: Date,
): Promise<ItemRow | null> {
  const [row] = await db
    .update(items)
    .set({ ...patch, version: sql`${items.version} + 1`, updatedAt: now })
    .where(and(eq(items.id, id), eq(items.version, version)))
    .returning();
  return row ?? null;
}

export async function insertItemEvent(
  tx: Db,
  event: Omit<typeof itemEvents.$inferInsert, 'id'>,
): Promise<void> {
  await tx.insert(itemEvents).values(event);
}

/** Accepts `YQ20261122-003`, lower case and unpadded sequences (`yq20261122-3`). */
export function normaliseItemNumber(input: string): string | null {
  const m = /^YQ(\d{8})-(\d{1,6})$/i.exec(input.normalize('NFKC').trim());
  if (!m) return null;
  return `YQ${m[1]}-${(m[2] as string).padStart(3, '0')}`;
}

export async function findItemByNumber(db: Db, number: string): Promise<ItemRow | null> {
  const [row] = await db.select().from(items).where(eq(items.number, number));
  return row ?? null;
}

export async function findItemById(db: Db, id: number): Promise<ItemRow | null> {
  const [row] = await db.select().from(items).where(eq(items.id, id));
  return row ?? null;
}

export async function itemUnitRoles(db: Db, itemId: number) {
  return db
    .select({ unitId: itemUnits.unitId, role: itemUnits.role })
    .from(itemUnits)
    .where(eq(itemUnits.itemId, itemId));
}

/**
 * 转办's unit roles: `toUnitId` becomes responsible (whatever part it had), and `fromUnitId` goes
 * from responsible to 抄送 so it stays informed; a part it had other than responsible it keeps.
 */
export async function handOverItemUnits(
  tx: Db,
  itemId: number,
  fromUnitId: string,
  toUnitId: string,
): Promise<void> {
  await tx
    .update(itemUnits)
    .set({ role: 'cc' })
    .where(
      and(eq(itemUnits.itemId, itemId), eq(itemUnits.unitId, fromUnitId), eq(itemUnits.role, 'responsible')),
    );
  await tx.insert(itemUnits).values({ itemId, unitId: fromUnitId, role: 'cc' }).onConflictDoNothing();
  await tx
    .insert(itemUnits)
    .values({ itemId, unitId: toUnitId, role: 'responsible' })
    .onConflictDoUpdate({ target: [itemUnits.itemId, itemUnits.unitId], set: { role: 'responsible' } });
}

export async function eventsOf(db: Db, itemId: number): Promise<ItemEventRow[]> {
  return db.select().from(itemEvents).where(eq(itemEvents.itemId, itemId)).orderBy(itemEvents.id);
}

export interface ListFilter {
  /** Items any of these units has a part in (other than 抄送). */
  unitIds?: string[];
  /** Items this person reported. */
  reporterPersonId?: string;
  includeClosed: boolean;
  limit: number;
}

export async function listItems(db: Db, f: ListFilter): Promise<ItemRow[]> {
  const conds = [];
  if (!f.includeClosed) conds.push(ne(items.state, 'closed'));
  const who = [];
  if (f.unitIds && f.unitIds.length > 0) {
    const involved = db
      .select({ id: itemUnits.itemId })
      .from(itemUnits)
      .where(and(inArray(itemUnits.unitId, f.unitIds), ne(itemUnits.role, 'cc')));
    who.push(inArray(items.id, involved));
  }
  if (f.reporterPersonId) who.push(eq(items.reporterPersonId, f.reporterPersonId));
  if (who.length > 0) conds.push(or(...who));
  return db
    .select()
    .from(items)
    .where(and(...conds))
    .orderBy(desc(items.reportedAt), desc(items.id))
    .limit(f.limit);
}

export async function countByState(db: Db): Promise<{ state: string; n: number }[]> {
  return db.select({ state: items.state, n: sql<number>`count(*)::int` }).from(items).groupBy(items.state);
}

/** The person who claimed the item, from whichever unit they are in; null when unclaimed. */
export async function itemClaimer(db: Db, item: ItemRow): Promise<Person | null> {
  if (!item.claimedByPersonId) return null;
  const [row] = await db
    .select({ id: people.id, name: people.name, feishuId: people.feishuId, wecomId: people.wecomId })
    .from(people)
    .where(eq(people.id, item.claimedByPersonId));
  return row ?? null;
}

/** The item's responsible units that its claimer is a member of; none when unclaimed. */
export async function claimerResponsibleUnits(db: Db, item: ItemRow): Promise<string[]> {
  if (!item.claimedByPersonId) return [];
  const responsible = db
    .select({ unitId: itemUnits.unitId })
    .from(itemUnits)
    .where(and(eq(itemUnits.itemId, item.id), eq(itemUnits.role, 'responsible')));
  const rows = await db
    .select({ unitId: memberships.unitId })
    .from(memberships)
    .where(and(eq(memberships.personId, item.claimedByPersonId), inArray(memberships.unitId, responsible)));
  return rows.map((r) => r.unitId);
}
