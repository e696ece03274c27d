import { and, eq, gte, type SQL, sql } from 'drizzle-orm';
import type { OutMessage } from '../../src/core/message.js';
import { type Db, idArray, textArray } from '../client.js';
import { insertRows } from '../insert-rows.js';
import { itemMessages, outbox, platformDeliveries } from '../schema.js';
import { MAX_ATTEMPTS, nextAttemptAfter } from './backoff.js';

/** What a sent message is to its item: its card, its clock card, or one unit's approval card for a wording. */
export type AnchorKind = 'card' | 'clock' | `approval:${number}:${string}`;

export const approvalAnchor = (wordingId: number, unitId: string): AnchorKind =>
  `approval:${wordingId}:${unitId}`;

/**
 * What a message asks of its readers: 'act' (item cards, replies to the person who typed,
 * reminders, 超时) goes before 'copy' (抄送 and their digests) when the app is at its rate limit.
 */
export type OutboxPriority = 'act' | 'copy';
export const PRIORITY: Record<OutboxPriority, number> = { act: 0, copy: 1 };

export interface OutboxInsert {
  platform: string;
  op: 'send' | 'reply' | 'update';
  chatId: string;
  replyTo?: string | null;
  inThread?: boolean;
  threadItemId?: number | null;
  anchorItemId?: number | null;
  anchorKind?: AnchorKind;
  targetMessageId?: string | null;
  /** The item the message is about (a message in an item's thread or anchored to it is about that item). */
  itemId?: number | null;
  /** 'act' unless the flow queues the message as a copy. */
  priority?: OutboxPriority;
  payload: OutMessage;
}

export type OutboxRow = typeof outbox.$inferSelect;
export type ItemMessageRow = typeof itemMessages.$inferSelect;

/** Queues messages, returning their ids; called inside the transaction that made the change they announce. */
export async function enqueue(db: Db, rows: OutboxInsert[], now: Date): Promise<number[]> {
  if (rows.length === 0) return [];
  const queued = await insertRows(
    db,
    outbox,
    rows.map((r) => ({
      platform: r.platform,
      op: r.op,
      chatId: r.chatId,
      replyTo: r.replyTo ?? null,
      inThread: r.inThread ?? false,
      threadItemId: r.threadItemId ?? null,
      anchorItemId: r.anchorItemId ?? null,
      anchorKind: r.anchorKind ?? 'card',
      itemId: r.threadItemId ?? r.anchorItemId ?? r.itemId ?? null,
      targetMessageId: r.targetMessageId ?? null,
      payload: r.payload as unknown as Record<string, unknown>,
      priority: PRIORITY[r.priority ?? 'act'],
      nextAttemptAt: now,
      createdAt: now,
    })),
    { returning: ['id'] },
  );
  return queued.map((r) => r.id);
}

/**
 * Replaces the payload of an item's anchored message (its clock card) still queued for a chat,
 * so the message goes out up to date; false when none is queued there.
 */
export async function updateQueuedAnchor(
  db: Db,
  at: { itemId: number; kind: AnchorKind; chatId: string },
  payload: OutMessage,
): Promise<boolean> {
  const queued = await db
    .update(outbox)
    .set({ payload: payload as unknown as Record<string, unknown> })
    .where(
      and(
        eq(outbox.anchorItemId, at.itemId),
        eq(outbox.anchorKind, at.kind),
        eq(outbox.chatId, at.chatId),
        eq(outbox.status, 'pending'),
      ),
    )
    .returning({ id: outbox.id });
  return queued.length > 0;
}

// A worker that died holding rows releases them after this long.
const LOCK_TIMEOUT_MS = 60_000;

/**
 * Claims due rows for one worker: the oldest pending message of each chat, so every chat
 * receives its messages in order even across instances. SKIP LOCKED lets several instances
 * claim side by side without waiting on each other; the claim is a short transaction of its
 * own, so no lock is held while the platform is called.
 *
 * The heads are found by a loose index scan of outbox_chat_queue (one index descent per chat
 * with pending messages), so the cost grows with the number of waiting chats, never with how
 * many messages wait behind each head. Among due heads, 'act' goes before 'copy'.
 */
export async function claimDue(db: Db, opts: ClaimOptions & { worker: string }): Promise<OutboxRow[]> {
  const rows = await db
    .update(outbox)
    .set({ lockedAt: opts.now, lockedBy: opts.worker })
    .where(sql`${outbox.id} = any(array(${claimDueSelect(opts)}))`)
    .returning();
  return rows.sort((a, b) => a.priority - b.priority || +a.nextAttemptAt - +b.nextAttemptAt || a.id - b.id);
}

interface ClaimOptions {
  now: Date;
  limit: number;
  /** Leave these platforms' messages (their app limit is reached). */
  skipPlatforms?: string[];
}

/**
 * claimDue's select, which locks the rows it picks (bench/outbox-claim.ts explains it).
 *
 * The walk reads each head's row; the due heads are then locked one by one through the primary
 * key in priority order (a lateral subquery with FOR UPDATE is never flattened into a join), a
 * head another instance holds is skipped and the next one taken, until the limit. Joining the
 * heads to outbox instead let the planner, with statistics taken when the table was small,
 * hash-join them against every pending row: 14 ms a claim at 5,000 waiting, where this is 1 ms.
 */
export function claimDueSelect(opts: ClaimOptions): SQL {
  const skip = opts.skipPlatforms?.length
    ? sql`and o.platform <> all(${textArray(opts.skipPlatforms)})`
    : sql``;
  const now = opts.now.toISOString();
  const stale = new Date(opts.now.getTime() - LOCK_TIMEOUT_MS).toISOString();
  const free = (alias: string) => {
    const o = sql.raw(alias);
    return sql`${o}.next_attempt_at <= ${now}::timestamptz
      and (${o}.locked_at is null or ${o}.locked_at <= ${stale}::timestamptz)`;
  };
  return sql`
    with recursive heads as (
      (select platform, chat_id, id, priority, next_attempt_at, locked_at from outbox
        where status = 'pending' order by platform, chat_id, id limit 1)
      union all
      select n.* from heads h cross join lateral (
        select o.platform, o.chat_id, o.id, o.priority, o.next_attempt_at, o.locked_at from outbox o
        where o.status = 'pending' and (o.platform, o.chat_id) > (h.platform, h.chat_id)
        order by o.platform, o.chat_id, o.id limit 1
      ) n
    )
    select c.id from (
      select id from heads o where ${free('o')} ${skip}
      order by priority, next_attempt_at, id
    ) h cross join lateral (
      select o.id from outbox o
      where o.id = h.id and o.status = 'pending' and ${free('o')}
      for update skip locked
    ) c
    limit ${opts.limit}`;
}

/**
 * Records a sent message (and the copies folded into it, if it is a digest) in one statement,
 * without a transaction of its own; with `delivered`, also that its platform delivers.
 */
export async function markSent(
  db: Db,
  row: OutboxRow,
  sentMessageId: string,
  now: Date,
  opts: { delivered: boolean },
): Promise<void> {
  const at = now.toISOString();
  const sent = db.execute(sql`
    with sent as (
      update outbox set status = 'sent', sent_message_id = ${sentMessageId}, sent_at = ${at}::timestamptz,
        locked_at = null, locked_by = null, last_error = null
      where id = ${row.id}
    ), folded as (
      update outbox set status = 'sent', sent_message_id = ${sentMessageId}, sent_at = ${at}::timestamptz
      where folded_into = ${row.id} and status = 'folded'
    )
    insert into item_messages (item_id, platform, chat_id, message_id, kind)
    select ${row.anchorItemId}::int, ${row.platform}, ${row.chatId}, ${sentMessageId}, ${row.anchorKind}
    where ${row.anchorItemId}::int is not null
    on conflict do nothing`);
  // Its own statement: the platform's row, shared by every send, is locked only for an instant.
  const delivered = opts.delivered
    ? db
        .insert(platformDeliveries)
        .values({ platform: row.platform, deliveredAt: now })
        .onConflictDoUpdate({
          target: platformDeliveries.platform,
          set: { deliveredAt: now },
          setWhere: sql`${platformDeliveries.deliveredAt} < ${at}::timestamptz`,
        })
    : null;
  await Promise.all([sent, delivered]);
}

/** True when the platform delivered a message at or after `since` (it is up, whatever failed). */
export async function deliveredSince(db: Db, platform: string, since: Date): Promise<boolean> {
  const [row] = await db
    .select({ platform: platformDeliveries.platform })
    .from(platformDeliveries)
    .where(and(eq(platformDeliveries.platform, platform), gte(platformDeliveries.deliveredAt, since)));
  return row !== undefined;
}

/**
 * Records a failed attempt and returns the row's status: retried after the backoff ('pending'),
 * or set aside as 'dead' when no retry can help (`permanent`) or after MAX_ATTEMPTS failures that
 * count (`strike`), so the chat's later messages move on. A dead digest takes its copies with it.
 */
export async function markFailed(
  db: Db,
  row: OutboxRow,
  error: string,
  now: Date,
  how: { permanent: boolean; strike: boolean },
): Promise<'pending' | 'dead'> {
  const strikes = row.strikes + (how.strike ? 1 : 0);
  const status = how.permanent || strikes >= MAX_ATTEMPTS ? 'dead' : 'pending';
  await db.transaction(async (tx) => {
    await tx
      .update(outbox)
      .set({
        status,
        attempts: sql`${outbox.attempts} + 1`,
        strikes,
        lastError: error.slice(0, 2000),
        lastFailedAt: now,
        nextAttemptAt: nextAttemptAfter(now, outbox.attempts),
        lockedAt: null,
        lockedBy: null,
      })
      .where(eq(outbox.id, row.id));
    if (status === 'dead') {
      await tx
        .update(outbox)
        .set({ status: 'dead', lastError: `folded into dead digest ${row.id}` })
        .where(and(eq(outbox.foldedInto, row.id), eq(outbox.status, 'folded')));
    }
  });
  return status;
}

/**
 * Holds claimed rows until `at` without counting an attempt (a rate limit asked them to wait),
 * in one statement; each chat's order is kept (a chat's head is its oldest pending row).
 */
export async function deferRows(db: Db, rows: OutboxRow[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  await db
    .update(outbox)
    .set({ lockedAt: null, lockedBy: null, nextAttemptAt: at })
    .where(sql`${outbox.id} = any(${idArray(rows.map((r) => r.id))})`);
}

/** The card message an item's thread hangs from in a chat, once it has been sent. */
export const threadRoot = (db: Db, itemId: number, platform: string, chatId: string) =>
  itemMessage(db, itemId, platform, chatId, 'card');

/** The item's cards as sent to each chat of `platform`, to redraw after a change. */
export async function itemCards(db: Db, itemId: number, platform: string): Promise<ItemMessageRow[]> {
  return db
    .select()
    .from(itemMessages)
    .where(
      and(
        eq(itemMessages.itemId, itemId),
        eq(itemMessages.platform, platform),
        eq(itemMessages.kind, 'card'),
      ),
    );
}

/** One of an item's messages in a chat (its card, its clock card), once sent. */
export async function itemMessage(
  db: Db,
  itemId: number,
  platform: string,
  chatId: string,
  kind: AnchorKind,
): Promise<string | null> {
  const [row] = await db
    .select({ messageId: itemMessages.messageId })
    .from(itemMessages)
    .where(
      and(
        eq(itemMessages.itemId, itemId),
        eq(itemMessages.platform, platform),
        eq(itemMessages.chatId, chatId),
        eq(itemMessages.kind, kind),
      ),
    );
  return row?.messageId ?? null;
}

export async function backlog(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(eq(outbox.status, 'pending'));
  return row?.n ?? 0;
}
