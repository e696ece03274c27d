import { boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';

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
  // findActor looks a person's units up by person.
  (t) => [primaryKey({ columns: [t.unitId, t.personId] }), index('memberships_person').on(t.personId)],
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

/**
 * The org file as last imported (one row): a start with the same file skips reading it again.
 * `importOrg` without a digest (tests, tools) removes the row, so the next start imports again.
 */
export const orgImport = pgTable('org_import', {
  key: text('key').primaryKey(),
  /** sha256 of the import rules' version and the file's text (`readOrgSource`). */
  digest: text('digest').notNull(),
  units: integer('units').notNull(),
  people: integer('people').notNull(),
  importedAt: ts('imported_at').notNull(),
});
