import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { inbox, processedEvents } from '../schema.js';
import { nextAttemptAfter } from './backoff.js';

export type InboxRow = typeof inbox.$inferSelect;

/** Stores an accepted event; false when the same event was accepted before (a redelivery). */
export async function acceptEvent(
  db: Db,
  e: { platform: string; eventId: string; payload: Record<string, unknown> },
  now: Date,
): Promise<boolean> {
  const rows = await db
    .insert(inbox)
    .values({ ...e, nextAttemptAt: now, receivedAt: now })
    .onConflictDoNothing()
    .returning({ id: inbox.id });
  return rows.length > 0;
}

const LOCK_TIMEOUT_MS = 60_000;

/** Claims due events in arrival order; SKIP LOCKED lets instances share the work. */
export async function claimInbox(
  db: Db,
  opts: { now: Date; worker: string; limit: number },
): Promise<InboxRow[]> {
  const stale = new Date(opts.now.getTime() - LOCK_TIMEOUT_MS);
  const due = db
    .select({ id: inbox.id })
    .from(inbox)
    .where(
      and(
        eq(inbox.status, 'pending'),
        lte(inbox.nextAttemptAt, opts.now),
        or(isNull(inbox.lockedAt), lte(inbox.lockedAt, stale)),
      ),
    )
    .orderBy(asc(inbox.id))
    .limit(opts.limit)
    .for('update', { skipLocked: true });
  const rows = await db
    .update(inbox)
    .set({ lockedAt: opts.now, lockedBy: opts.worker })
    .where(inArray(inbox.id, due))
    .returning();
  return rows.sort((a, b) => a.id - b.id);
}

export async function markHandled(db: Db, row: InboxRow, now: Date): Promise<void> {
  await db
    .update(inbox)
    .set({ status: 'done', handledAt: now, lockedAt: null, lockedBy: null })
    .where(eq(inbox.id, row.id));
}

/** A failed attempt: retried with backoff (2^n s, at most 10 min), or dead when it can never work. */
export async function markInboxFailed(
  db: Db,
  row: InboxRow,
  error: string,
  now: Date,
  dead: boolean,
): Promise<void> {
  await db
    .update(inbox)
    .set({
      status: dead ? 'dead' : 'pending',
      attempts: sql`${inbox.attempts} + 1`,
      lastError: error.slice(0, 2000),
      nextAttemptAt: nextAttemptAfter(now, inbox.attempts),
      lockedAt: null,
      lockedBy: null,
    })
    .where(eq(inbox.id, row.id));
}

export async function inboxBacklog(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(inbox)
    .where(eq(inbox.status, 'pending'));
  return row?.n ?? 0;
}

/**
 * Records that an event is being handled; false when it was handled before (a redelivery).
 * Called inside the handling transaction, so a handler that fails leaves no mark.
 */
export async function markProcessed(db: Db, platform: string, eventId: string, at: Date): Promise<boolean> {
  const claimed = await db
    .insert(processedEvents)
    .values({ platform, eventId, receivedAt: at })
    .onConflictDoNothing()
    .returning({ id: processedEvents.eventId });
  return claimed.length > 0;
}
