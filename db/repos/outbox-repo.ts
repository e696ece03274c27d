import { and, eq, gte, sql } from 'drizzle-orm';
import type { OutMessage } from '../../src/core/message.js';
import { type Db, idArray } from '../client.js';
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
