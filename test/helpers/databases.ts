import { inject } from 'vitest';
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
