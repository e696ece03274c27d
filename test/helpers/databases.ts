import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../db/client.js';

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
  const adminUrl = inject('pgUrl');
  const name = `huiyin_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString() });
  await db.migrate();
  return {
    ...db,
    async close() {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
