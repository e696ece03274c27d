import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { people, units } from './directory.js';
import { items } from './items.js';

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
