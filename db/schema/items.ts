import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { NetizenMessageType } from '../../src/core/clocks.js';
import type { ItemKind } from '../../src/core/vocabulary.js';
import { ts } from './columns.js';
import { people, units } from './directory.js';

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
  (t) => [
    index('items_owner').on(t.ownerUnitId),
    // /列表 walks the open items newest first (a backward scan) and stops at its limit; /metrics
    // counts them by state from the index alone. Partial: closed items, nearly all of them after
    // a few years, are not in it. (It replaces an index on state over every item.)
    index('items_open_reported').on(t.reportedAt, t.id, t.state).where(sql`state <> 'closed'`),
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
