import { type AnyColumn, and, lt, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
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
  const processedWhere = [lt(processedEvents.receivedAt, before.processedEvents)];
  const sum = async (table: PgTable, wheres: SQL[]) => {
    let n = 0;
    // One condition at a time, so each delete reads one index.
    for (const where of wheres) n += await inBatches(batch, () => deleteSome(db, table, where, batch));
    return n;
  };
  return {
    inbox: await sum(inbox, inboxWhere),
    processedEvents: await sum(processedEvents, processedWhere),
    outbox: await sum(outbox, outboxWhere),
    timers: await sum(timers, timersWhere),
  };
}

/**
 * Deletes at most `batch` rows matching `where`. The rows are picked by their physical address
 * (ctid = any(array(…)), a TID scan), so the cost is the batch's, not the number of old rows;
 * `where` is checked again on the rows deleted, in case one changed in between.
 */
async function deleteSome(db: Db, table: PgTable, where: SQL, batch: number): Promise<number> {
  const victims = db.select({ ctid: sql`ctid` }).from(table).where(where).limit(batch);
  const rows = await db
    .delete(table)
    .where(and(sql`ctid = any(array(${victims}))`, where))
    .returning({ one: sql<number>`1` });
  return rows.length;
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
