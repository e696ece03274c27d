import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { clocks } from './clocks.js';
import { ts } from './columns.js';
import { items } from './items.js';

/**
 * What a runner needs on every row it claims (timers, outbox, inbox): a status, the failed
 * attempts and the last error, and which worker holds the row since when (a stale lock is taken over).
 * A function, so each table gets builders of its own.
 */
const claimColumns = () => ({
  status: text('status').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  lockedAt: ts('locked_at'),
  lockedBy: text('locked_by'),
});

/** claimColumns plus when the row is tried next (outbox, inbox). */
const retryColumns = () => ({
  ...claimColumns(),
  nextAttemptAt: ts('next_attempt_at').notNull(),
});

/** Durable timers (response clocks, reminders), one row per key such as clock:<item>:<kind>. */
export const timers = pgTable(
  'timers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    key: text('key').notNull().unique(),
    itemId: integer('item_id').references(() => items.id),
    clockId: integer('clock_id').references(() => clocks.id),
    /** reminder | breach */
    kind: text('kind').notNull(),
    dueAt: ts('due_at').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    ...claimColumns(),
    /**
     * When the timer is tried next: its due_at when written, later after a failed attempt
     * (backoff), so due_at keeps the time it was meant for. The default only covers rows written
     * without it (code older than this column); the claim still waits for due_at.
     */
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
  },
  (t) => [
    index('timers_next_attempt').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('timers_clock').on(t.clockId),
    // Pruning: finished timers by their due time; the dead-letter count and its pruning.
    index('timers_finished').on(t.dueAt).where(sql`status in ('done', 'cancelled')`),
    index('timers_dead').on(t.dueAt).where(sql`status = 'dead'`),
  ],
);

/** Outbound messages, sent by the outbox runner; a row is never deleted before it is sent. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Idempotency key for the platform (Feishu's uuid): unique even across database resets. */
    key: uuid('key').notNull().defaultRandom(),
    platform: text('platform').notNull(),
    /** send | reply | update */
    op: text('op').notNull(),
    chatId: text('chat_id').notNull(),
    replyTo: text('reply_to'),
    inThread: boolean('in_thread').notNull().default(false),
    /** Reply in the thread of this item's card in chatId (resolved when sent). */
    threadItemId: integer('thread_item_id'),
    /** After sending, remember the message as this item's card in chatId. */
    anchorItemId: integer('anchor_item_id'),
    /** The item the message is about, recorded by the flow that queued it (WeCom shows its header). */
    itemId: integer('item_id'),
    /** Which of the item's messages it is: its card, or its clock card. */
    anchorKind: text('anchor_kind').notNull().default('card'),
    targetMessageId: text('target_message_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    ...retryColumns(),
    sentMessageId: text('sent_message_id'),
    sentAt: ts('sent_at'),
    createdAt: ts('created_at').notNull(),
    /** 0: someone must act on it (cards, replies, reminders, 超时); 1: a copy (抄送) or a digest of copies. */
    priority: smallint('priority').notNull().default(0),
    /**
     * Failed attempts that count toward setting the row aside: a failure of the platform as a whole
     * (unreachable, 5xx, rate limited) counts only while the platform is delivering other messages.
     */
    strikes: integer('strikes').notNull().default(0),
    lastFailedAt: ts('last_failed_at'),
    /** A copy folded into the digest sent as this row (status 'folded' until the digest is sent). */
    foldedInto: bigint('folded_into', { mode: 'number' }),
  },
  (t) => [
    // The claim walks the distinct pending chats of this index (a loose index scan): each chat's
    // first entry is its head, so the claim never reads the rows queued behind a head.
    index('outbox_chat_queue').on(t.platform, t.chatId, t.id).where(sql`status = 'pending'`),
    index('outbox_folded').on(t.foldedInto).where(sql`status = 'folded'`),
    // Pruning of sent messages; the dead-letter count and its pruning.
    index('outbox_sent').on(t.sentAt).where(sql`status = 'sent'`),
    index('outbox_dead').on(t.createdAt).where(sql`status = 'dead'`),
  ],
);

/**
 * Recent sends per rate-limit scope ('feishu:app', 'feishu:chat:<id>'), shared by every instance:
 * a send takes its slots under the scope rows' locks, so no window holds more than the limit.
 */
export const sendWindows = pgTable('send_windows', {
  scope: text('scope').primaryKey(),
  /** Epoch milliseconds of the sends in the last window, oldest first. */
  recent: jsonb('recent').$type<number[]>().notNull().default(sql`'[]'::jsonb`),
});

/** When each platform last delivered a message: tells a platform outage from a message's own failure. */
export const platformDeliveries = pgTable('platform_deliveries', {
  platform: text('platform').primaryKey(),
  deliveredAt: ts('delivered_at').notNull(),
});

/**
 * Inbound events accepted from a platform and not yet handled. An adapter stores the event
 * here and acknowledges; the inbox runner handles it afterwards. The key de-duplicates
 * redeliveries durably.
 */
export const inbox = pgTable(
  'inbox',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    platform: text('platform').notNull(),
    eventId: text('event_id').notNull(),
    /**
     * The chat the event came from (the payload's chatId): one chat's events are handled one at a
     * time, in order. Null only for an event without a chat (it is then handled on its own).
     */
    chatId: text('chat_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    ...retryColumns(),
    receivedAt: ts('received_at').notNull(),
    handledAt: ts('handled_at'),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.eventId] }),
    // The runner marks a row by id: without this, every markHandled scanned the table.
    uniqueIndex('inbox_id').on(t.id),
    // Each chat's queue in order: the claim walks the chats with pending events (a loose index
    // scan) and takes the oldest of each.
    index('inbox_chat_queue').on(t.platform, t.chatId, t.id).where(sql`status = 'pending'`),
    // Pending events without a chat (none are written today; rows older than chat_id may be).
    index('inbox_no_chat').on(t.id).where(sql`status = 'pending' and chat_id is null`),
    // Pruning of handled events; the dead-letter count and its pruning.
    index('inbox_handled').on(t.handledAt).where(sql`status = 'done'`),
    index('inbox_dead').on(t.receivedAt).where(sql`status = 'dead'`),
  ],
);

/** Inbound platform events already handled, for durable de-duplication. */
export const processedEvents = pgTable(
  'processed_events',
  {
    platform: text('platform').notNull(),
    eventId: text('event_id').notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.eventId] }),
    // Pruning.
    index('processed_events_received').on(t.receivedAt),
  ],
);
