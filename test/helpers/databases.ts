import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import { type Database, openDatabase } from '../../db/client.js';
import { scratchDatabase } from '../../db/scratch.js';

export type DbKind = 'pglite' | 'postgres';
export const DB_KINDS: DbKind[] = ['pglite', 'postgres'];

/**
 * A fresh, migrated database of the given kind: in-memory PGlite, or a new Postgres database
 * created for this test file and dropped when it is closed.
 */
export async function freshDatabase(kind: DbKind): Promise<Database> {
  if (kind === 'pglite') {
    const db = await openDatabase({});
    await db.migrate();
    return db;
  }
  return scratchDatabase(inject('pgUrl'), { prefix: 'huiyin_t' });
}

/** Deletes every row of every table (the migrations' own bookkeeping stays) and resets the sequences. */
export async function emptyDatabase(database: Database): Promise<void> {
  const result = await database.db.execute(
    sql`select tablename from pg_tables where schemaname = 'public' order by tablename`,
  );
  // PGlite answers { rows }, postgres.js an array of rows.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    tablename: string;
  }[];
  if (rows.length === 0) return;
  const tables = rows.map((r) => `"public"."${r.tablename}"`).join(', ');
  await database.db.execute(sql.raw(`truncate ${tables} restart identity cascade`));
}

/**
 * One database of `kind` for the tests of a describe block, emptied before each of them, so no
 * test sees what another left (a fresh PGlite per test would cost seconds). Read `.database`
 * inside tests and hooks.
 */
export function useDatabase(kind: DbKind) {
  const ctx = {} as { database: Database };
  beforeAll(async () => {
    ctx.database = await freshDatabase(kind);
  });
  beforeEach(async () => {
    await emptyDatabase(ctx.database);
  });
  afterAll(async () => {
    await ctx.database?.close();
  });
  return ctx;
}
