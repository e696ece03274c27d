import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, type DatabaseTimeouts, openDatabase } from './client.js';

/**
 * A new, migrated Postgres database on the server of `adminUrl` (a user that may CREATE
 * DATABASE), dropped again when it is closed. Tests and benchmarks each work in their own.
 */
export async function scratchDatabase(
  adminUrl: string,
  /**
   * `migrate: false` leaves it empty (a test that migrates step by step); `timeouts` for a
   * benchmark whose seeding statements run longer than the service's statements may.
   */
  opts: { prefix: string; maxConnections?: number; migrate?: boolean; timeouts?: Partial<DatabaseTimeouts> },
): Promise<Database & { url: string }> {
  const name = `${opts.prefix}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({
    databaseUrl: url.toString(),
    maxConnections: opts.maxConnections ?? 10,
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
  });
  if (opts.migrate !== false) await db.migrate();
  return {
    ...db,
    /** Where it is, for further connections (a second instance on the same database). */
    url: url.toString(),
    async close() {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
