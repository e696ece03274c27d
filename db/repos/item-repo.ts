import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { shanghaiDayKey } from '../../src/core/time.js';
import { type Db, idArray, rowsOf } from '../client.js';
import { insertRows } from '../insert-rows.js';
import { itemCounters, itemEvents, items, itemUnits, memberships, people } from '../schema.js';
import type { Person } from './org-repo.js';

export type ItemRow = typeof items.$inferSelect;
export type NewItem = Omit<typeof items.$inferInsert, 'id' | 'number' | 'version'>;
export type ItemEventRow = typeof itemEvents.$inferSelect;
export type ItemPatch = Partial<typeof items.$inferInsert>;

/**
 * A new item before numberItem gave it its number: `number` holds a provisional one (`~<uuid>`)
 * that no other transaction ever sees (the row is uncommitted). Messages about the item may be
 * written with it; numberItem puts the real number in their place.
 */
export type UnnumberedItem = ItemRow;

/**
 * Records a new item, not numbered yet: the flow writes everything else first and numbers it with
 * numberItem last. The units it involves go in with insertItemUnits, which needs the item's id:
 * a flow sends that with its next statements rather than waiting a round trip for it here.
 */
export async function insertItem(tx: Db, item: NewItem): Promise<UnnumberedItem> {
  const [row] = await insertRows(tx, items, [{ ...item, number: `~${randomUUID()}` }], {
    returning: 'all',
  });
  if (!row) throw new Error('item insert returned nothing');
  return row;
}

/** Records the units a new item involves and their roles. */
export async function insertItemUnits(
  tx: Db,
  itemId: number,
  unitRoles: { unitId: string; role: string }[],
): Promise<void> {
  await insertRows(
    tx,
    itemUnits,
    unitRoles.map((u) => ({ itemId, ...u })),
  );
}

/**
 * Gives a new item the next `YQYYYYMMDD-NNN` of the Shanghai day of `now`, and puts it in place of
 * the provisional number in the queued messages `messageIds` (those written about the item so
 * far), in one statement. The day's counter row stays locked until the caller's transaction ends,
 * so concurrent reports queue here and never share a number (nor leave a gap: a rolled-back report
 * gives its number back). Every report waits for the one before it to commit, so a flow numbers
 * its item last, right before the commit: the lock is then held for this statement and the commit
 * only. Every item is numbered here, so the counters add up to the items ever recorded
 * (itemCountsByState).
 */
export async function numberItem(
  tx: Db,
  item: UnnumberedItem,
  now: Date,
  messageIds: number[] = [],
): Promise<ItemRow> {
  const day = shanghaiDayKey(now);
  // At least three digits, never cut: …-007, …-123, …-1234.
  const [row] = await rowsOf<{ number: string }>(
    tx,
    sql`
      with counter as (
        insert into item_counters (day, last) values (${day}, 1)
        on conflict (day) do update set last = item_counters.last + 1
        returning last
      ), numbered as (
        update items set number = 'YQ' || ${day} || '-' || lpad(counter.last::text, greatest(3, length(counter.last::text)), '0')
        from counter where items.id = ${item.id}
        returning items.number
      ), messages as (
        update outbox set payload = replace(outbox.payload::text, ${item.number}, numbered.number)::jsonb
        from numbered where outbox.id = any(${idArray(messageIds)})
      )
      select number from numbered`,
  );
  if (!row) throw new Error(`item ${item.id} not found to number`);
  return { ...item, number: row.number };
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
  await insertRows(tx, itemEvents, [event]);
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

/** The unit roles of several items in one query, by item id (an item with none is absent). */
export async function unitRolesOfItems(
  db: Db,
  itemIds: number[],
): Promise<Map<number, { unitId: string; role: string }[]>> {
  const byItem = new Map<number, { unitId: string; role: string }[]>();
  if (itemIds.length === 0) return byItem;
  const rows = await db
    .select({ itemId: itemUnits.itemId, unitId: itemUnits.unitId, role: itemUnits.role })
    .from(itemUnits)
    .where(inArray(itemUnits.itemId, itemIds));
  for (const { itemId, ...role } of rows) byItem.set(itemId, [...(byItem.get(itemId) ?? []), role]);
  return byItem;
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
  limit: number;
}

/**
 * The newest open items (not 已办结) matching the filter, as a query (await it for the rows). It
 * walks the partial index of open items by report time (items_open_reported) newest first and
 * stops at `limit`; an item's units are read per item through item_units' primary key (an array
 * subquery, which the planner cannot turn into a join over every item a unit ever had). The
 * cost follows the open items, never the closed ones that pile up over the years.
 */
export function listOpenItems(db: Db, f: ListFilter) {
  const who = [];
  if (f.unitIds && f.unitIds.length > 0) {
    const parts = sql`array(select ${itemUnits.unitId} from ${itemUnits}
      where ${itemUnits.itemId} = ${items.id} and ${itemUnits.role} <> 'cc')`;
    who.push(
      sql`${parts} && ${sql`array[${sql.join(
        f.unitIds.map((id) => sql`${id}`),
        sql`, `,
      )}]::text[]`}`,
    );
  }
  if (f.reporterPersonId) who.push(eq(items.reporterPersonId, f.reporterPersonId));
  return db
    .select()
    .from(items)
    .where(and(ne(items.state, 'closed'), or(...who)))
    .orderBy(desc(items.reportedAt), desc(items.id))
    .limit(f.limit);
}

/**
 * Items by state, without counting every item: the open states are counted from the partial
 * index of open items, and 已办结 is every item ever numbered (the day counters, one row a day)
 * less the open ones. Exact because every item is numbered (numberItem) in the transaction that records it and
 * items are never deleted; one statement, so one snapshot.
 */
export async function itemCountsByState(db: Db): Promise<{ state: string; n: number }[]> {
  const rows = await itemCountsQuery(db);
  const open = rows.filter((r) => r.state !== null);
  const numbered = rows.find((r) => r.state === null)?.n ?? 0;
  const openTotal = open.reduce((sum, r) => sum + r.n, 0);
  return [
    ...open.map((r) => ({ state: r.state as string, n: r.n })),
    { state: 'closed', n: numbered - openTotal },
  ];
}

/** The statement behind itemCountsByState: open items by state, and (state null) the numbered total. */
export function itemCountsQuery(db: Db) {
  return db
    .select({ state: sql<string | null>`${items.state}`, n: sql<number>`count(*)::int` })
    .from(items)
    .where(ne(items.state, 'closed'))
    .groupBy(items.state)
    .unionAll(
      db
        .select({
          state: sql<string | null>`null`,
          n: sql<number>`coalesce(sum(${itemCounters.last}), 0)::int`,
        })
        .from(itemCounters),
    );
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
