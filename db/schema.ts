import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { NetizenMessageType } from '../src/core/clocks.js';
import type { ItemKind } from '../src/core/vocabulary.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Government units (departments, offices, governments) from the org file. */
export const units = pgTable('units', {
  id: text('id').primaryKey(),
  // Unique among active units (the org file checks); a retired unit may share a name.
  name: text('name').notNull(),
  parentId: text('parent_id'),
  handles: jsonb('handles').$type<string[]>().notNull().default([]),
  isCc: boolean('is_cc').notNull().default(false),
  active: boolean('active').notNull().default(true),
  updatedAt: ts('updated_at').notNull(),
});

/** People with their per-platform identities. */
export const people = pgTable('people', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  feishuId: text('feishu_id').unique(),
  wecomId: text('wecom_id').unique(),
  active: boolean('active').notNull().default(true),
  updatedAt: ts('updated_at').notNull(),
});

export const memberships = pgTable(
  'memberships',
  {
    unitId: text('unit_id')
      .notNull()
      .references(() => units.id),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    roles: jsonb('roles').$type<string[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.personId] })],
);

/** Which group chat on which platform belongs to which unit. */
export const chatBindings = pgTable(
  'chat_bindings',
  {
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    unitId: text('unit_id')
      .notNull()
      .references(() => units.id),
    /** 'org' when it comes from the org file, 'command' when bound with /绑定. */
    source: text('source').notNull(),
    boundBy: text('bound_by'),
    boundAt: ts('bound_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.chatId] }),
    index('chat_bindings_unit').on(t.unitId, t.platform),
  ],
);

/** Per-day sequence for item numbers (YQYYYYMMDD-NNN); the row lock serialises concurrent reports. */
export const itemCounters = pgTable('item_counters', {
  day: text('day').primaryKey(),
  last: integer('last').notNull(),
});

export const items = pgTable(
  'items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    number: text('number').notNull().unique(),
    title: text('title').notNull(),
    category: text('category').notNull(),
    level: text('level'),
    proposedLevel: text('proposed_level'),
    channel: text('channel'),
    link: text('link'),
    emergency: boolean('emergency').notNull().default(false),
    occurredAt: ts('occurred_at').notNull(),
    reportedAt: ts('reported_at').notNull(),
    state: text('state').notNull(),
    ownerUnitId: text('owner_unit_id')
      .notNull()
      .references(() => units.id),
    routingRule: text('routing_rule').notNull(),
    policyPack: text('policy_pack').notNull(),
    reporterPersonId: text('reporter_person_id').references(() => people.id),
    reporterName: text('reporter_name').notNull(),
    reporterUnitId: text('reporter_unit_id').references(() => units.id),
    platform: text('platform').notNull(),
    sourceChatId: text('source_chat_id').notNull(),
    sourceMessageId: text('source_message_id').notNull(),
    version: integer('version').notNull().default(1),
    kind: text('kind').$type<ItemKind>().notNull().default('opinion'),
    casualties: boolean('casualties').notNull().default(false),
    largeImpact: boolean('large_impact').notNull().default(false),
    /** 网民留言 only: 表扬感谢 / 谏言咨询 / 申诉求助. */
    netizenMessageType: text('message_type').$type<NetizenMessageType>(),
    acceptedAt: ts('accepted_at'),
    extendedWorkingDays: integer('extended_working_days').notNull().default(0),
    claimedByPersonId: text('claimed_by_person_id').references(() => people.id),
    /** Release stages of a 重大 item reached so far: 0 none, 1 快报事实 … 4 后报结果. */
    releaseStage: integer('release_stage').notNull().default(0),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('items_state').on(t.state), index('items_owner').on(t.ownerUnitId)],
);

/** Response clocks: one row per deadline an item must meet; satisfied by its action. */
export const clocks = pgTable(
  'clocks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    kind: text('kind').notNull(),
    label: text('label').notNull(),
    action: text('action').notNull(),
    startsAt: ts('starts_at').notNull(),
    dueAt: ts('due_at').notNull(),
    /** open | satisfied | cancelled */
    status: text('status').notNull().default('open'),
    satisfiedAt: ts('satisfied_at'),
    satisfiedBy: text('satisfied_by'),
    /** Why a cancelled clock ended unmet: 'closed' (办结) or 'replanned' (研判 / 延期). */
    endReason: text('end_reason'),
    breachedAt: ts('breached_at'),
    unknownYears: jsonb('unknown_years').$type<number[]>().notNull().default([]),
  },
  (t) => [
    index('clocks_item').on(t.itemId),
    uniqueIndex('clocks_open_kind').on(t.itemId, t.kind).where(sql`status = 'open'`),
  ],
);

/** The units an item involves and in which role (responsible, coordinator, involved, cc). */
export const itemUnits = pgTable(
  'item_units',
  {
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    unitId: text('unit_id')
      .notNull()
      .references(() => units.id),
    role: text('role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.unitId] }), index('item_units_unit').on(t.unitId)],
);

/** Audit trail: every state change with actor, time and what changed. */
export const itemEvents = pgTable(
  'item_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    kind: text('kind').notNull(),
    actorPersonId: text('actor_person_id').references(() => people.id),
    actorName: text('actor_name').notNull(),
    at: ts('at').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('item_events_item').on(t.itemId, t.id)],
);

/** Platform messages that belong to an item (the card a thread hangs from, per chat). */
export const itemMessages = pgTable(
  'item_messages',
  {
    // No foreign key: like the outbox columns it is filled from, it is delivery bookkeeping.
    itemId: integer('item_id').notNull(),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    messageId: text('message_id').notNull(),
    kind: text('kind').notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.platform, t.chatId, t.kind] })],
);

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
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    lockedAt: ts('locked_at'),
    lockedBy: text('locked_by'),
  },
  (t) => [
    index('timers_due').on(t.dueAt).where(sql`status = 'pending'`),
    index('timers_clock').on(t.clockId),
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
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lastError: text('last_error'),
    lockedAt: ts('locked_at'),
    lockedBy: text('locked_by'),
    sentMessageId: text('sent_message_id'),
    sentAt: ts('sent_at'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('outbox_due').on(t.nextAttemptAt, t.id).where(sql`status = 'pending'`),
    index('outbox_chat_queue').on(t.platform, t.chatId, t.id).where(sql`status = 'pending'`),
  ],
);

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
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lastError: text('last_error'),
    lockedAt: ts('locked_at'),
    lockedBy: text('locked_by'),
    receivedAt: ts('received_at').notNull(),
    handledAt: ts('handled_at'),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.eventId] }),
    index('inbox_due').on(t.nextAttemptAt, t.id).where(sql`status = 'pending'`),
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
  (t) => [primaryKey({ columns: [t.platform, t.eventId] })],
);

/** The sandbox platform's own message store: what each sandbox group shows. */
export const sandboxMessages = pgTable(
  'sandbox_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Revision, bumped on every edit so pollers see card updates. */
    rev: bigserial('rev', { mode: 'number' }).notNull(),
    chatId: text('chat_id').notNull(),
    senderPersonId: text('sender_person_id'),
    senderName: text('sender_name').notNull(),
    replyTo: integer('reply_to'),
    threadRoot: integer('thread_root'),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    /** Idempotency key from the outbox row, so a retried send never doubles a message. */
    sendKey: text('send_key'),
  },
  (t) => [
    index('sandbox_messages_chat_rev').on(t.chatId, t.rev),
    uniqueIndex('sandbox_messages_send_key').on(t.sendKey),
  ],
);

/** Response wording (口径) submitted for approval; the approved one is the item's 统一口径. */
export const wordings = pgTable(
  'wordings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    text: text('text').notNull(),
    drafterPersonId: text('drafter_person_id').references(() => people.id),
    drafterName: text('drafter_name').notNull(),
    /** pending | approved | rejected | withdrawn */
    status: text('status').notNull(),
    /** Units whose approver must agree: the responsible unit, then agencies the wording names. */
    unitIds: jsonb('unit_ids').$type<string[]>().notNull(),
    submittedAt: ts('submitted_at').notNull(),
    decidedAt: ts('decided_at'),
  },
  (t) => [index('wordings_item').on(t.itemId, t.id)],
);

/** One unit's decision on a wording: at most one per unit, so a double click decides once. */
export const wordingDecisions = pgTable(
  'wording_decisions',
  {
    wordingId: integer('wording_id')
      .notNull()
      .references(() => wordings.id),
    unitId: text('unit_id')
      .notNull()
      .references(() => units.id),
    /** approved | rejected */
    decision: text('decision').notNull(),
    personId: text('person_id').references(() => people.id),
    personName: text('person_name').notNull(),
    secrecyReviewed: boolean('secrecy_reviewed').notNull(),
    reason: text('reason'),
    at: ts('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.wordingId, t.unitId] })],
);
