import { and, asc, eq, inArray, isNull, lt, lte, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { OutMessage } from '../../src/core/message.js';
import type { Db } from '../client.js';
import { itemMessages, outbox } from '../schema.js';
import { nextAttemptAfter } from './backoff.js';

/** What a sent message is to its item: its card, its clock card, or one unit's approval card for a wording. */
export type AnchorKind = 'card' | 'clock' | `approval:${number}:${string}`;

export const approvalAnchor = (wordingId: number, unitId: string): AnchorKind =>
  `approval:${wordingId}:${unitId}`;

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
  payload: OutMessage;
}

export type OutboxRow = typeof outbox.$inferSelect;
export type ItemMessageRow = typeof itemMessages.$inferSelect;

/** Queues messages; called inside the transaction that made the change they announce. */
export async function enqueue(db: Db, rows: OutboxInsert[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(outbox).values(
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
      nextAttemptAt: now,
      createdAt: now,
    })),
  );
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
 */
export async function claimDue(
  db: Db,
  opts: { now: Date; worker: string; limit: number },
): Promise<OutboxRow[]> {
  const stale = new Date(opts.now.getTime() - LOCK_TIMEOUT_MS);
  const earlier = alias(outbox, 'earlier');
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, 'pending'),
        lte(outbox.nextAttemptAt, opts.now),
        or(isNull(outbox.lockedAt), lte(outbox.lockedAt, stale)),
        notExists(
          db
            .select({ one: sql`1` })
            .from(earlier)
            .where(
              and(
                eq(earlier.platform, outbox.platform),
                eq(earlier.chatId, outbox.chatId),
                eq(earlier.status, 'pending'),
                lt(earlier.id, outbox.id),
              ),
            ),
        ),
      ),
    )
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(opts.limit)
    .for('update', { skipLocked: true });
  const rows = await db
    .update(outbox)
    .set({ lockedAt: opts.now, lockedBy: opts.worker })
    .where(inArray(outbox.id, due))
    .returning();
  return rows.sort((a, b) => a.id - b.id);
}

export async function markSent(db: Db, row: OutboxRow, sentMessageId: string, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(outbox)
      .set({ status: 'sent', sentMessageId, sentAt: now, lockedAt: null, lockedBy: null, lastError: null })
      .where(eq(outbox.id, row.id));
    if (row.anchorItemId !== null) {
      await tx
        .insert(itemMessages)
        .values({
          itemId: row.anchorItemId,
          platform: row.platform,
          chatId: row.chatId,
          messageId: sentMessageId,
          kind: row.anchorKind,
        })
        .onConflictDoNothing();
    }
  });
}

/** Records a failed attempt; retried after the backoff, or set aside as dead when no retry can help. */
export async function markFailed(
  db: Db,
  row: OutboxRow,
  error: string,
  now: Date,
  permanent: boolean,
): Promise<void> {
  await db
    .update(outbox)
    .set({
      status: permanent ? 'dead' : 'pending',
      attempts: sql`${outbox.attempts} + 1`,
      lastError: error.slice(0, 2000),
      nextAttemptAt: nextAttemptAfter(now, outbox.attempts),
      lockedAt: null,
      lockedBy: null,
    })
    .where(eq(outbox.id, row.id));
}

/** Holds a claimed row until `at` without counting an attempt (a rate limit asked us to wait). */
export async function deferRow(db: Db, row: OutboxRow, at: Date): Promise<void> {
  await db
    .update(outbox)
    .set({ lockedAt: null, lockedBy: null, nextAttemptAt: at })
    .where(eq(outbox.id, row.id));
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
