import { and, asc, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { PlannedClock } from '../../src/core/clocks.js';
import type { Db } from '../client.js';
import { insertRows } from '../insert-rows.js';
import { clocks, timers } from '../schema.js';
import { LOCK_TIMEOUT_MS, MAX_ATTEMPTS, nextAttemptAfter } from './backoff.js';

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
  const { rows, writeTimers } = await insertClocksThenTimers(tx, itemId, planned, now);
  await writeTimers();
  return rows;
}

/**
 * insertClocks in two steps: resolves with the clocks once they are stored, and the caller runs
 * `writeTimers` before its transaction ends, beside its next statements, so the timers cost no
 * round trip of their own.
 */
export async function insertClocksThenTimers(
  tx: Db,
  itemId: number,
  planned: PlannedClock[],
  now: Date,
): Promise<{ rows: ClockRow[]; writeTimers: () => Promise<void> }> {
  if (planned.length === 0) return { rows: [], writeTimers: async () => {} };
  const inserted = await insertRows(
    tx,
    clocks,
    planned.map((p) => ({
      itemId,
      kind: p.kind,
      label: p.label,
      action: p.action,
      startsAt: p.startsAt,
      dueAt: p.dueAt,
      unknownYears: p.unknownYears,
    })),
    { returning: 'all' },
  );
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
    return [...reminders, breach].map((t) => ({
      ...t,
      nextAttemptAt: t.dueAt,
      itemId,
      clockId: row.id,
      payload: {},
    }));
  });
  return {
    rows,
    writeTimers: async () => {
      await insertRows(tx, timers, due);
    },
  };
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
    .set({ status: 'cancelled', lockedAt: null, lockedBy: null })
    .where(and(inArray(timers.clockId, ids), eq(timers.status, 'pending')));
}

/**
 * Claims due timers clock by clock for one worker, in a short transaction of its own: the first
 * `limit` due timers are read in next_attempt_at order (the partial index makes this O(batch) at
 * any backlog), their clocks locked FOR UPDATE SKIP LOCKED (so instances share the work, and a
 * command updating a clock takes the same lock order), then every due timer of the clocks locked
 * is marked as this worker's, so one clock's reminders are never split between two passes or two
 * runners. A timer waits for both its due time and its retry time.
 */
export async function claimDueTimers(
  db: Db,
  opts: { now: Date; worker: string; limit: number },
): Promise<TimerRow[]> {
  const { now, worker, limit } = opts;
  const stale = new Date(now.getTime() - LOCK_TIMEOUT_MS);
  const claimable = and(
    eq(timers.status, 'pending'),
    lte(timers.nextAttemptAt, now),
    lte(timers.dueAt, now),
    or(isNull(timers.lockedAt), lte(timers.lockedAt, stale)),
  );
  return db.transaction(async (tx) => {
    // One statement: the clocks of the first claimable timers, locked as they are found; a clock
    // another worker is claiming right now is skipped and the scan goes on past it, so two
    // workers claiming at once each get a share instead of one of them getting nothing.
    const first = await tx
      .select({ clockId: clocks.id })
      .from(timers)
      .innerJoin(clocks, eq(clocks.id, timers.clockId))
      .where(claimable)
      .orderBy(asc(timers.nextAttemptAt))
      .limit(limit)
      .for('update', { of: clocks, skipLocked: true });
    const locked = [...new Set(first.map((r) => r.clockId))].map((id) => ({ id }));
    if (locked.length === 0) return [];
    const rows = await tx
      .update(timers)
      .set({ lockedAt: now, lockedBy: worker })
      .where(
        and(
          inArray(
            timers.clockId,
            locked.map((c) => c.id),
          ),
          claimable,
        ),
      )
      .returning();
    return rows.sort((a, b) => (a.clockId ?? 0) - (b.clockId ?? 0) || a.dueAt.getTime() - b.dueAt.getTime());
  });
}

/**
 * Inside a clock's own transaction: locks the clock, then returns those of `ids` this worker
 * still holds (none when a command ended the clock meanwhile, or another worker took over a lock
 * gone stale), locked for the rest of the transaction.
 */
export async function takeClaimedTimers(
  tx: Db,
  clockId: number,
  ids: number[],
  worker: string,
): Promise<TimerRow[]> {
  await tx.select({ id: clocks.id }).from(clocks).where(eq(clocks.id, clockId)).for('update');
  return tx
    .select()
    .from(timers)
    .where(and(inArray(timers.id, ids), eq(timers.status, 'pending'), eq(timers.lockedBy, worker)))
    .orderBy(asc(timers.dueAt))
    .for('update');
}

/** A timer after a failed attempt: dead once it has had its last attempt. */
export interface FailedTimer {
  id: number;
  clockId: number | null;
  itemId: number | null;
  attempts: number;
  status: string;
  nextAttemptAt: Date;
}

/**
 * Records a failed attempt at a clock's claimed timers (after its transaction was rolled back):
 * attempts + 1, the error, the lock released, and a retry after the backoff, or 'dead' after the
 * last attempt. The clock's other pending timers that would fall due before that retry wait for
 * it too, so the clock is retried as one (one message when it recovers).
 */
export async function failTimers(
  db: Db,
  opts: { clockId: number; ids: number[]; worker: string; error: string; now: Date },
): Promise<FailedTimer[]> {
  const { clockId, ids, worker, error, now } = opts;
  if (ids.length === 0) return [];
  return db.transaction(async (tx) => {
    const failed = await tx
      .update(timers)
      .set({
        attempts: sql`${timers.attempts} + 1`,
        lastError: error.slice(0, 2000),
        nextAttemptAt: nextAttemptAfter(now, timers.attempts),
        status: sql`case when ${timers.attempts} + 1 >= ${MAX_ATTEMPTS} then 'dead' else 'pending' end`,
        lockedAt: null,
        lockedBy: null,
      })
      .where(and(inArray(timers.id, ids), eq(timers.status, 'pending'), eq(timers.lockedBy, worker)))
      .returning({
        id: timers.id,
        clockId: timers.clockId,
        itemId: timers.itemId,
        attempts: timers.attempts,
        status: timers.status,
        nextAttemptAt: timers.nextAttemptAt,
      });
    const retries = failed.filter((t) => t.status === 'pending').map((t) => t.nextAttemptAt.getTime());
    if (retries.length > 0) {
      const retry = new Date(Math.max(...retries));
      await tx
        .update(timers)
        .set({ nextAttemptAt: retry })
        .where(
          and(
            eq(timers.clockId, clockId),
            eq(timers.status, 'pending'),
            lt(timers.nextAttemptAt, retry),
            isNull(timers.lockedAt),
          ),
        );
    }
    return failed;
  });
}

/** Ends timers (fired, or no longer due) and releases their lock. */
export async function finishTimers(tx: Db, ids: number[], status: 'done' | 'cancelled'): Promise<void> {
  if (ids.length === 0) return;
  await tx.update(timers).set({ status, lockedAt: null, lockedBy: null }).where(inArray(timers.id, ids));
}

export async function insertTimer(
  tx: Db,
  t: { key: string; itemId: number; clockId: number; kind: string; dueAt: Date },
): Promise<void> {
  await tx
    .insert(timers)
    .values({ ...t, nextAttemptAt: t.dueAt, payload: {} })
    .onConflictDoNothing();
}

/**
 * The earliest time a pending timer is tried after `after` (the start of the pass that found
 * nothing to claim), for the one-shot wake-up. Timers due by then but not claimed are held by
 * another worker; the one-second tick looks at them again.
 */
export async function nextTimerDue(db: Db, after: Date): Promise<Date | null> {
  const [row] = await db
    .select({ dueAt: sql<Date | null>`min(${timers.nextAttemptAt})` })
    .from(timers)
    .where(and(eq(timers.status, 'pending'), gt(timers.nextAttemptAt, after)));
  const v = row?.dueAt;
  return v ? new Date(v) : null;
}

export async function markBreached(tx: Db, clockId: number, at: Date): Promise<void> {
  await tx
    .update(clocks)
    .set({ breachedAt: at })
    .where(and(eq(clocks.id, clockId), sql`${clocks.breachedAt} is null`));
}
