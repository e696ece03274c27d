import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../db/client.js';
import { scratchDatabase } from '../../db/scratch.js';
import type { DbKind } from './databases.js';

const MIGRATIONS = fileURLToPath(new URL('../../db/migrations/', import.meta.url));

/** A migrations folder holding only the first `n` migrations, as a database made before the rest had them. */
export function firstMigrations(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'huiyin-migrations-'));
  mkdirSync(join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, n);
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries as { tag: string }[])
    copyFileSync(join(MIGRATIONS, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  return dir;
}

/** An empty database of `kind` and a way to apply a migrations folder to it. */
export async function unmigratedDatabase(
  kind: DbKind,
): Promise<{ database: Database; migrateFrom(folder: string): Promise<void> }> {
  if (kind === 'pglite') {
    const database = await openDatabase({});
    return {
      database,
      migrateFrom: (folder) =>
        migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: folder }),
    };
  }
  const database = await scratchDatabase(inject('pgUrl'), { prefix: 'huiyin_t', migrate: false });
  return {
    database,
    migrateFrom: (folder) =>
      migratePostgres(database.db as unknown as PostgresJsDatabase, { migrationsFolder: folder }),
  };
}
