import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { insertRows } from '../insert-rows.js';
import { inbox, processedEvents } from '../schema.js';
import { LOCK_TIMEOUT_MS, nextAttemptAfter } from './backoff.js';
import { enqueue, type OutboxInsert } from './outbox-repo.js';

export type InboxRow = typeof inbox.$inferSelect;

/** The chat an event came from, read from its normalised payload; null when it names none. */
const chatOf = (payload: Record<string, unknown>): string | null =>
  typeof payload.chatId === 'string' && payload.chatId !== '' ? payload.chatId : null;

/** Stores an accepted event; false when the same event was accepted before (a redelivery). */
export async function acceptEvent(
  db: Db,
  e: { platform: string; eventId: string; payload: Record<string, unknown> },
  now: Date,
): Promise<boolean> {
  const rows = await insertRows(
    db,
    inbox,
    [{ ...e, chatId: chatOf(e.payload), nextAttemptAt: now, receivedAt: now }],
    { returning: ['id'], onConflictDoNothing: true },
  );
  return rows.length > 0;
}

/** Where a claim's walk over the chats stopped: the next claim goes on from the chat after it. */
export interface ChatCursor {
  platform: string;
  chatId: string;
}

export interface ClaimOptions {
  now: Date;
  worker: string;
  limit: number;
  /** Go on after this chat (wrapping round to the first); from the first chat when absent. */
  after?: ChatCursor | null;
}

/**
 * Claims due events, at most one per chat: the oldest pending event of each chat, and only when
 * it is due and nobody holds it. An event whose chat has an earlier pending one (held by another
 * worker, or waiting for its retry) waits, so one chat's commands run one at a time and in order
 * across instances, while different chats run side by side.
 *
 * The chats are walked in key order from `after` (round robin: every chat with work gets its
 * turn, whatever the age of the others' backlogs) by a loose index scan over inbox_chat_queue,
 * one index probe per chat, and the walk stops once `limit` events are found: the cost follows
 * the batch (plus the chats skipped because their head is held or waiting), not the backlog.
 * SKIP LOCKED lets instances claim side by side; a row another instance claimed meanwhile is
 * re-checked (its lock is set) and left alone. Rows come back events without a chat first, then
 * in walk order, so the last one's chat is the cursor for the next claim.
 */
export async function claimInbox(db: Db, opts: ClaimOptions): Promise<InboxRow[]> {
  const rows = inWalkOrder(await claimInboxQuery(db, opts));
  if (rows.length >= opts.limit || !opts.after) return rows;
  // Wrap round to the chats before the cursor.
  const more = await claimInboxQuery(db, { ...opts, after: null, limit: opts.limit - rows.length });
  return [...rows, ...inWalkOrder(more)];
}

const inWalkOrder = (rows: InboxRow[]): InboxRow[] =>
  rows.sort((a, b) =>
    a.chatId === null || b.chatId === null
      ? (a.chatId === null ? 0 : 1) - (b.chatId === null ? 0 : 1) || a.id - b.id
      : cmp(a.platform, b.platform) || cmp(a.chatId, b.chatId),
  );

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One pass of claimInbox's walk, as an unrun statement (bench/inbox-claim.ts explains it). */
export function claimInboxQuery(db: Db, opts: ClaimOptions) {
  const now = opts.now.toISOString();
  const stale = new Date(opts.now.getTime() - LOCK_TIMEOUT_MS).toISOString();
  // Below every key: platforms and chat ids are never empty.
  const from = opts.after ?? { platform: '', chatId: '' };
  // Due, and held by nobody (or by a worker whose lock ran out).
  const free = (alias: string) => {
    const col = (name: string) => sql.raw(alias ? `${alias}.${name}` : name);
    return sql`${col('next_attempt_at')} <= ${now}::timestamptz
      and (${col('locked_at')} is null or ${col('locked_at')} <= ${stale}::timestamptz)`;
  };
  // The recursive CTE is evaluated as its rows are pulled: the LIMIT over it ends the walk.
  const claimable = sql`
    with recursive heads as (
      (select platform, chat_id, id, next_attempt_at, locked_at from inbox
        where status = 'pending' and chat_id is not null
          and (platform, chat_id) > (${from.platform}, ${from.chatId})
        order by platform, chat_id, id limit 1)
      union all
      select next.platform, next.chat_id, next.id, next.next_attempt_at, next.locked_at
        from heads cross join lateral (
          select platform, chat_id, id, next_attempt_at, locked_at from inbox
            where status = 'pending' and chat_id is not null
              and (platform, chat_id) > (heads.platform, heads.chat_id)
            order by platform, chat_id, id limit 1
        ) next
    ),
    candidates as (
      (select id from inbox
        where status = 'pending' and chat_id is null and ${free('')}
        order by id limit ${opts.limit})
      union all
      (select id from heads where ${free('')})
    )
    select c.id from candidates h cross join lateral (
      select i.id from inbox i where i.id = h.id and i.status = 'pending' and ${free('i')}
      for update skip locked
    ) c
    limit ${opts.limit}`;
  // Each candidate is locked through the primary key as it comes (a lateral subquery with FOR
  // UPDATE is never flattened into a join); a candidate another instance holds is skipped and the
  // walk goes on to the next chat. Joined to inbox instead, the planner could hash-join the
  // candidates against every pending row when its statistics were taken while the table was small.
  return db
    .update(inbox)
    .set({ lockedAt: opts.now, lockedBy: opts.worker })
    .where(sql`${inbox.id} = any(array(${claimable}))`)
    .returning();
}

/** Marks an event handled; run inside the dispatcher's transaction, so handling it is one commit. */
export async function markHandled(db: Db, row: InboxRow, now: Date): Promise<void> {
  // Written out: once per event, and drizzle's builder costs more than the statement.
  await db.execute(sql`update inbox set status = 'done', handled_at = ${now.toISOString()}::timestamptz,
    locked_at = null, locked_by = null where id = ${row.id}`);
}

/**
 * A failed attempt, retried with backoff (2^n s, at most 10 min). `counted` says whether it
 * brings the event nearer to being set aside: a failure because the database was unreachable
 * says nothing about the event, so it is retried without counting.
 */
export async function markInboxFailed(
  db: Db,
  row: InboxRow,
  error: string,
  now: Date,
  counted: boolean,
): Promise<void> {
  await db
    .update(inbox)
    .set({
      status: 'pending',
      attempts: counted ? sql`${inbox.attempts} + 1` : inbox.attempts,
      lastError: error.slice(0, 2000),
      nextAttemptAt: nextAttemptAfter(now, inbox.attempts),
      lockedAt: null,
      lockedBy: null,
    })
    .where(eq(inbox.id, row.id));
}

/**
 * Sets an event aside as 'dead' (the row is kept, with its last error) so the events of its chat
 * behind it move on, and queues the notice to its sender in the same transaction.
 */
export async function setAsideEvent(
  db: Db,
  row: InboxRow,
  error: string,
  now: Date,
  opts: { counted: boolean; notice: Omit<OutboxInsert, 'platform'> | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(inbox)
      .set({
        status: 'dead',
        attempts: opts.counted ? sql`${inbox.attempts} + 1` : inbox.attempts,
        lastError: error.slice(0, 2000),
        lockedAt: null,
        lockedBy: null,
      })
      .where(eq(inbox.id, row.id));
    if (opts.notice) await enqueue(tx, [{ platform: row.platform, ...opts.notice }], now);
  });
}

/** Gives back events claimed but not started (the runner is stopping), so they need not wait out the lock. */
export async function releaseInbox(db: Db, rows: InboxRow[], worker: string): Promise<void> {
  for (const row of rows) {
    await db
      .update(inbox)
      .set({ lockedAt: null, lockedBy: null })
      .where(sql`${inbox.id} = ${row.id} and ${inbox.lockedBy} = ${worker}`);
  }
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
  const claimed = await insertRows(db, processedEvents, [{ platform, eventId, receivedAt: at }], {
    returning: ['eventId'],
    onConflictDoNothing: true,
  });
  return claimed.length > 0;
}
