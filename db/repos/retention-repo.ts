import { type AnyColumn, and, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { inbox, outbox, processedEvents, timers } from '../schema.js';

/**
 * Rows deleted per statement: each delete is a short transaction of its own, so pruning a large
 * backlog of old rows never holds many locks, or holds them long.
 */
export const PRUNE_BATCH = 5_000;

/** Rows older than these are deleted (each cut-off is an absolute time, computed by the caller). */
export interface PruneBefore {
  /** Inbox events handled ('done') before this. */
  inboxHandled: Date;
  /** Processed-event marks (redelivery de-duplication) of events received before this. */
  processedEvents: Date;
  /** Outbox messages sent before this. */
  outboxSent: Date;
  /** Timers done or cancelled that were due before this. */
  timersFinished: Date;
  /** Rows set aside as 'dead' (inbox, outbox, timers) since before this. */
  dead: Date;
}

export interface PruneCounts {
  inbox: number;
  processedEvents: number;
  outbox: number;
  timers: number;
}

/**
 * Deletes handled queue rows older than the cut-offs, PRUNE_BATCH rows per statement until none
 * is left. Pending rows are never touched. The status tests are literal SQL so that they match the
 * partial indexes the deletes run on (a bound parameter would not).
 */
export async function pruneQueues(db: Db, before: PruneBefore, batch = PRUNE_BATCH): Promise<PruneCounts> {
  const done = sql`${inbox.status} = 'done'`;
  const sent = sql`${outbox.status} = 'sent'`;
  const finished = sql`${timers.status} in ('done', 'cancelled')`;
  const dead = (status: AnyColumn) => sql`${status} = 'dead'`;
  const inboxWhere = [
    and(done, lt(inbox.handledAt, before.inboxHandled)) as SQL,
    and(dead(inbox.status), lt(inbox.receivedAt, before.dead)) as SQL,
  ];
  const outboxWhere = [
    and(sent, lt(outbox.sentAt, before.outboxSent)) as SQL,
    and(dead(outbox.status), lt(outbox.createdAt, before.dead)) as SQL,
  ];
  const timersWhere = [
    and(finished, lt(timers.dueAt, before.timersFinished)) as SQL,
    and(dead(timers.status), lt(timers.dueAt, before.dead)) as SQL,
  ];
  const counts: PruneCounts = { inbox: 0, processedEvents: 0, outbox: 0, timers: 0 };
  // One condition at a time, so each delete reads one partial index.
  for (const where of inboxWhere) {
    counts.inbox += await inBatches(batch, async () => {
      const victims = db
        .select({ platform: inbox.platform, eventId: inbox.eventId })
        .from(inbox)
        .where(where)
        .limit(batch);
      const rows = await db
        .delete(inbox)
        .where(and(sql`(${inbox.platform}, ${inbox.eventId}) in (${victims})`, where))
        .returning({ id: inbox.id });
      return rows.length;
    });
  }
  counts.processedEvents = await inBatches(batch, async () => {
    const where = lt(processedEvents.receivedAt, before.processedEvents);
    const victims = db
      .select({ platform: processedEvents.platform, eventId: processedEvents.eventId })
      .from(processedEvents)
      .where(where)
      .limit(batch);
    const rows = await db
      .delete(processedEvents)
      .where(and(sql`(${processedEvents.platform}, ${processedEvents.eventId}) in (${victims})`, where))
      .returning({ id: processedEvents.eventId });
    return rows.length;
  });
  for (const where of outboxWhere) {
    counts.outbox += await inBatches(batch, async () => {
      const victims = db.select({ id: outbox.id }).from(outbox).where(where).limit(batch);
      const rows = await db
        .delete(outbox)
        .where(and(inArray(outbox.id, victims), where))
        .returning({ id: outbox.id });
      return rows.length;
    });
  }
  for (const where of timersWhere) {
    counts.timers += await inBatches(batch, async () => {
      const victims = db.select({ id: timers.id }).from(timers).where(where).limit(batch);
      const rows = await db
        .delete(timers)
        .where(and(inArray(timers.id, victims), where))
        .returning({ id: timers.id });
      return rows.length;
    });
  }
  return counts;
}

/** Runs a bounded delete until it removes fewer than a full batch; returns the total removed. */
async function inBatches(batch: number, deleteSome: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteSome();
    total += n;
    if (n < batch) return total;
  }
}

/** Rows set aside as 'dead' after their last attempt, per queue; reads only the partial indexes on them. */
export async function countDeadLetters(db: Db): Promise<{ timers: number; outbox: number; inbox: number }> {
  const count = async (table: typeof timers | typeof outbox | typeof inbox) => {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(table)
      .where(sql`${table.status} = 'dead'`);
    return row?.n ?? 0;
  };
  return { timers: await count(timers), outbox: await count(outbox), inbox: await count(inbox) };
}
