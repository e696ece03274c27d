import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { PlannedClock } from '../../src/core/clocks.js';
import type { Db } from '../client.js';
import { clocks, timers } from '../schema.js';

export type ClockRow = typeof clocks.$inferSelect;
export type TimerRow = typeof timers.$inferSelect;

/**
 * Stores planned clocks and one timer row per reminder, plus the deadline itself; a clock that
 * is already past its deadline gets its breach timer due at once. Two statements however many
 * clocks: one insert of the clocks, one of their timers.
 */
export async function insertClocks(
  tx: Db,
  itemId: number,
  planned: PlannedClock[],
  now: Date,
): Promise<ClockRow[]> {
  if (planned.length === 0) return [];
  const inserted = await tx
    .insert(clocks)
    .values(
      planned.map((p) => ({
        itemId,
        kind: p.kind,
        label: p.label,
        action: p.action,
        startsAt: p.startsAt,
        dueAt: p.dueAt,
        unknownYears: p.unknownYears,
      })),
    )
    .returning();
  // Matched by kind (an item has one open clock of a kind), not by the order rows come back in.
  const byKind = new Map(inserted.map((row) => [row.kind, row]));
  const rows = planned.map((p) => {
    const row = byKind.get(p.kind);
    if (!row) throw new Error(`clock insert returned no ${p.kind}`);
    return row;
  });
  const due = planned.flatMap((p, i) => {
    const row = rows[i] as ClockRow;
    const reminders = p.reminders
      .filter((r) => r > now)
      .map((r, n) => ({ key: `clock:${row.id}:r${n}`, kind: 'reminder', dueAt: r }));
    const breach = { key: `clock:${row.id}:breach:0`, kind: 'breach', dueAt: p.dueAt > now ? p.dueAt : now };
    return [...reminders, breach].map((t) => ({ ...t, itemId, clockId: row.id, payload: {} }));
  });
  await tx.insert(timers).values(due);
  return rows;
}

export async function openClocks(db: Db, itemId: number): Promise<ClockRow[]> {
  return db
    .select()
    .from(clocks)
    .where(and(eq(clocks.itemId, itemId), eq(clocks.status, 'open')))
    .orderBy(asc(clocks.dueAt));
}

/** The clocks with these ids (the clocks a batch of due timers belongs to). */
export async function clocksByIds(db: Db, ids: number[]): Promise<ClockRow[]> {
  return db.select().from(clocks).where(inArray(clocks.id, ids));
}

export async function itemClocks(db: Db, itemId: number): Promise<ClockRow[]> {
  return db.select().from(clocks).where(eq(clocks.itemId, itemId)).orderBy(asc(clocks.id));
}

/** Ends clocks (satisfied by an action, or cancelled when no longer due) and their pending timers. */
export async function endClocks(
  tx: Db,
  ids: number[],
  how: { status: 'satisfied' | 'cancelled'; at: Date; by: string | null; reason?: 'closed' | 'replanned' },
): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(clocks)
    .set({ status: how.status, satisfiedAt: how.at, satisfiedBy: how.by, endReason: how.reason ?? null })
    .where(inArray(clocks.id, ids));
  await tx
    .update(timers)
    .set({ status: 'cancelled' })
    .where(and(inArray(timers.clockId, ids), eq(timers.status, 'pending')));
}

/**
 * Claims due timers clock by clock, inside the caller's transaction: the clocks with due timers
 * are locked first (FOR UPDATE SKIP LOCKED, so instances share the work and a command updating
 * a clock takes the same lock order), then every due timer of those clocks is taken, so one
 * clock's reminders are never split between two passes or two runners. The partial index on
 * timers.due_at keeps this O(due), not O(open).
 */
export async function claimDueTimers(tx: Db, now: Date, limit: number): Promise<TimerRow[]> {
  const dueClocks = tx
    .select({ id: timers.clockId })
    .from(timers)
    .where(and(eq(timers.status, 'pending'), lte(timers.dueAt, now)));
  // The limit sits on the locking query itself, so rows another runner holds are skipped and
  // this one takes the next due clocks instead of coming back empty.
  const locked = await tx
    .select({ id: clocks.id })
    .from(clocks)
    .where(inArray(clocks.id, dueClocks))
    .orderBy(asc(clocks.dueAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  if (locked.length === 0) return [];
  return tx
    .select()
    .from(timers)
    .where(
      and(
        inArray(
          timers.clockId,
          locked.map((c) => c.id),
        ),
        eq(timers.status, 'pending'),
        lte(timers.dueAt, now),
      ),
    )
    .orderBy(asc(timers.dueAt))
    .for('update');
}

export async function finishTimers(tx: Db, ids: number[], status: 'done' | 'cancelled'): Promise<void> {
  if (ids.length === 0) return;
  await tx.update(timers).set({ status }).where(inArray(timers.id, ids));
}

export async function insertTimer(
  tx: Db,
  t: { key: string; itemId: number; clockId: number; kind: string; dueAt: Date },
): Promise<void> {
  await tx
    .insert(timers)
    .values({ ...t, payload: {} })
    .onConflictDoNothing();
}

/** The earliest pending timer, for the one-shot wake-up. */
export async function nextTimerDue(db: Db): Promise<Date | null> {
  const [row] = await db
    .select({ dueAt: sql<Date | null>`min(${timers.dueAt})` })
    .from(timers)
    .where(eq(timers.status, 'pending'));
  const v = row?.dueAt;
  return v ? new Date(v) : null;
}

export async function markBreached(tx: Db, clockId: number, at: Date): Promise<void> {
  await tx
    .update(clocks)
    .set({ breachedAt: at })
    .where(and(eq(clocks.id, clockId), sql`${clocks.breachedAt} is null`));
}
