import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import { type Database, openDatabase } from '../../db/client.js';
import * as schema from '../../db/schema.js';
import { type DbKind, emptyDatabase } from './databases.js';

const migrationsFolder = fileURLToPath(new URL('../../db/migrations', import.meta.url));

export interface CountingDatabase extends Database {
  /** The statements our code sent since the last reset, as drizzle saw them (no BEGIN or COMMIT). */
  statements: string[];
  /** On Postgres, every statement on the wire since the last reset, BEGIN, SAVEPOINT and COMMIT included. */
  wire: string[] | null;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database whose handle records each statement it sends, to count what one
 * piece of work costs: drizzle's query logger on both kinds, and postgres.js's debug hook (which
 * also sees the transaction statements) on Postgres.
 */
export async function countingDatabase(kind: DbKind): Promise<CountingDatabase> {
  const statements: string[] = [];
  const logger: Logger = { logQuery: (query) => void statements.push(query) };
  if (kind === 'pglite') {
    const client = await PGlite.create();
    const db = drizzlePglite(client, { schema, logger });
    await migratePglite(db, { migrationsFolder });
    return {
      db: db as unknown as Database['db'],
      urgent: db as unknown as Database['db'],
      kind,
      migrate: () => migratePglite(db, { migrationsFolder }),
      statements,
      wire: null,
      reset: () => void statements.splice(0),
      close: () => client.close(),
    };
  }
  const adminUrl = inject('pgUrl');
  const name = `huiyin_t_count_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const migrator = await openDatabase({ databaseUrl: url.toString(), maxConnections: 1 });
  await migrator.migrate();
  await migrator.close();
  const wire: string[] = [];
  const client = postgres(url.toString(), {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query) => void wire.push(query),
  });
  const db = drizzlePostgres(client, { schema, logger }) as unknown as Database['db'];
  return {
    db,
    urgent: db,
    kind,
    migrate: () => migrator.migrate(),
    statements,
    wire,
    reset: () => {
      statements.splice(0);
      wire.splice(0);
    },
    async close() {
      await client.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** A counting database for the tests of one file, emptied before each test (`ctx.c`). */
export function useCountingDatabase(kind: DbKind): { c: CountingDatabase } {
  const ctx = {} as { c: CountingDatabase };
  beforeAll(async () => {
    ctx.c = await countingDatabase(kind);
  });
  afterAll(async () => {
    await ctx.c?.close();
  });
  beforeEach(async () => {
    await emptyDatabase(ctx.c);
  });
  return ctx;
}
