import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { items } from './items.js';

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
