import { and, eq, gte, sql } from 'drizzle-orm';
import type { OutMessage } from '../../src/core/message.js';
import { type Db, idArray, rowsOf } from '../client.js';
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

/** A message the platform accepted: its row, the platform's message id, when. */
export interface SentRow {
  row: OutboxRow;
  messageId: string;
  at: Date;
}

/**
 * Records sent messages (and the copies folded into a digest among them) in one statement,
 * without a transaction of its own; with `delivered`, also that those platforms deliver.
 */
export async function markSent(
  db: Db,
  sent: SentRow[],
  opts: { delivered: { platform: string; at: Date }[] } = { delivered: [] },
): Promise<void> {
  if (sent.length === 0) return;
  const done = JSON.stringify(
    sent.map(({ row, messageId, at }) => ({
      id: row.id,
      message_id: messageId,
      sent_at: at.toISOString(),
      platform: row.platform,
      chat_id: row.chatId,
      anchor_item_id: row.anchorItemId,
      anchor_kind: row.anchorKind,
    })),
  );
  const marked = db.execute(sql`
    with done as (
      select * from jsonb_to_recordset(${done}::jsonb) as d(id bigint, message_id text,
        sent_at timestamptz, platform text, chat_id text, anchor_item_id int, anchor_kind text)
    ), sent as (
      update outbox o set status = 'sent', sent_message_id = d.message_id, sent_at = d.sent_at,
        locked_at = null, locked_by = null, last_error = null
      from done d where o.id = d.id
    ), folded as (
      update outbox o set status = 'sent', sent_message_id = d.message_id, sent_at = d.sent_at
      from done d where o.folded_into = d.id and o.status = 'folded'
    )
    insert into item_messages (item_id, platform, chat_id, message_id, kind)
    select anchor_item_id, platform, chat_id, message_id, anchor_kind from done
    where anchor_item_id is not null
    on conflict do nothing`);
  // Its own statement: the platform's row, shared by every send, is locked only for an instant.
  const delivered = opts.delivered.map(({ platform, at }) =>
    db
      .insert(platformDeliveries)
      .values({ platform, deliveredAt: at })
      .onConflictDoUpdate({
        target: platformDeliveries.platform,
        set: { deliveredAt: at },
        setWhere: sql`${platformDeliveries.deliveredAt} < ${at.toISOString()}::timestamptz`,
      }),
  );
  await Promise.all([marked, ...delivered]);
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

/**
 * The card each of `rows` (messages in an item's thread) hangs from, by row id, for those whose
 * card has been sent; one statement for a whole pass.
 */
export async function threadRoots(db: Db, rows: OutboxRow[]): Promise<Map<number, string>> {
  const roots = new Map<number, string>();
  const wanted = rows.filter((r) => r.threadItemId !== null);
  if (wanted.length === 0) return roots;
  const found = await rowsOf<{ id: string; message_id: string }>(
    db,
    sql`select w.id::text as id, m.message_id from jsonb_to_recordset(${JSON.stringify(
      wanted.map((r) => ({ id: r.id, item_id: r.threadItemId, platform: r.platform, chat_id: r.chatId })),
    )}::jsonb) as w(id bigint, item_id int, platform text, chat_id text)
      join item_messages m
        on m.item_id = w.item_id and m.platform = w.platform and m.chat_id = w.chat_id and m.kind = 'card'`,
  );
  for (const f of found) roots.set(Number(f.id), f.message_id);
  return roots;
}

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
