import { mkdirSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { PgliteLanes } from './pglite-lanes.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** A database handle or an open transaction: both run the same queries. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  /**
   * The same database for acknowledging a platform request: on the embedded database its
   * statements go before the runners' waiting work (one connection); on Postgres it is `db`.
   */
  urgent: Db;
  kind: 'pglite' | 'postgres';
  /** Runs committed drizzle-kit migrations; safe to call from several instances at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; without it an embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /** Directory for the embedded database; in-memory when omitted. */
  dataDir?: string | undefined;
  maxConnections?: number;
  /** Postgres only: how long a client waits for the database, see `DatabaseTimeouts`. */
  timeouts?: Partial<DatabaseTimeouts>;
}

/** What bounds every wait on Postgres, in milliseconds (the embedded database cannot go away). */
export interface DatabaseTimeouts {
  /** Opening a connection, up to the server's first ready-for-query. */
  connectMs: number;
  /** The server cancels a statement running longer (statement_timeout). */
  statementMs: number;
  /** The server ends a session left idle inside a transaction (idle_in_transaction_session_timeout). */
  idleInTransactionMs: number;
  /**
   * A connection on which nothing was sent or received for this long is closed, failing the
   * statement that waited: a frozen server or a dead network gives no error of its own (TCP
   * retransmits for many minutes, and a stopped process's kernel even acknowledges). Longer
   * than the two server-side limits, so a live server always answers first.
   */
  silenceMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  connectMs: 2_000,
  statementMs: 10_000,
  idleInTransactionMs: 10_000,
  silenceMs: 15_000,
};

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
// Any constant works; it only has to be the same for every instance of Huiyin.
const MIGRATION_LOCK = 4_826_001;

/** Opens embedded PGlite (no URL) or Postgres through postgres.js (with a URL). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const url = options.databaseUrl;
    const t = { ...DEFAULT_DATABASE_TIMEOUTS, ...options.timeouts };
    const client = postgres(url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connect_timeout: t.connectMs / 1000,
      connection: {
        statement_timeout: t.statementMs,
        idle_in_transaction_session_timeout: t.idleInTransactionMs,
      },
      // A connection that failed is opened again after at most 2 s (postgres.js waits up to 20 s).
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 2),
      // postgres.js takes a socket factory (`socket`), missing from its type definitions.
      ...({ socket: (o: SocketTarget) => watchedSocket(o, t.silenceMs) } as object),
    });
    const db = drizzlePostgres(preparing(client), { schema });
    return {
      db: db as unknown as Db,
      urgent: db as unknown as Db,
      kind: 'postgres',
      async migrate() {
        // Two instances starting together must not both apply a migration: hold an advisory
        // lock on a dedicated single connection for the whole run.
        const conn = postgres(url, { max: 1, onnotice: () => {} });
        try {
          await conn`select pg_advisory_lock(${MIGRATION_LOCK})`;
          await migratePostgres(drizzlePostgres(conn, { schema }), { migrationsFolder });
        } finally {
          await conn.end({ timeout: 5 });
        }
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  let dataDir: string | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    dataDir = `${options.dataDir}/pglite`;
  }
  const client = await PGlite.create(dataDir ? { dataDir } : {});
  const lanes = new PgliteLanes(client);
  const db = drizzlePglite(lanes.client('background'), { schema });
  return {
    db: db as unknown as Db,
    urgent: drizzlePglite(lanes.client('urgent'), { schema }) as unknown as Db,
    kind: 'pglite',
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
  };
}

/**
 * The client with every statement prepared. drizzle hands postgres.js each statement unprepared
 * (only its named `.prepare()` queries are not), and postgres.js then asks the server to
 * describe a statement with parameters before running it: two round trips for every statement.
 * Prepared, a statement is described once per connection and afterwards bound and run in one
 * round trip, and statements sent together (in a transaction) go out in one write. postgres.js
 * keeps a connection's statements until the connection ends (at most an hour, `max_lifetime`).
 * Statements without parameters use the simple protocol either way (migrations among them).
 */
function preparing(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, key, receiver) {
      if (key === 'unsafe')
        return (query: string, params?: unknown[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, params as postgres.ParameterOrJSON<never>[], { ...options, prepare: true });
      // A transaction's (and a savepoint's) statements go through a client of its own.
      if (key === 'begin' || key === 'savepoint')
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.Sql) => unknown;
          const open = Reflect.get(target, key, receiver) as (...a: unknown[]) => unknown;
          return open.call(target, ...args, (tx: postgres.Sql) => fn(preparing(tx)));
        };
      return Reflect.get(target, key, receiver);
    },
  });
}

interface SocketTarget {
  host: string[];
  port: number[];
  path?: string | false;
}

/**
 * A connection to the server that is destroyed when nothing went either way for `silenceMs`:
 * the statement waiting on it fails, and postgres.js opens a new connection for the next one.
 * An idle pooled connection is closed the same way, harmlessly.
 */
function watchedSocket(o: SocketTarget, silenceMs: number) {
  const socket = o.path ? tcpConnect(o.path) : tcpConnect(o.port[0] ?? 5432, o.host[0] ?? 'localhost');
  socket.setTimeout(silenceMs, () =>
    socket.destroy(new Error(`no answer from Postgres for ${silenceMs} ms`)),
  );
  return socket;
}

/** True when the database answers a trivial query. */
export async function isReachable(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The rows of a hand-written statement: postgres.js returns them as the result itself, PGlite
 * under `rows`.
 */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * `ids` as one `bigint[]` parameter (for `= any(…)`): one prepared statement for any number of
 * ids, where `in ($1, $2, …)` makes a new one for each count.
 */
export const idArray = (ids: number[]): SQL => sql`${`{${ids.join(',')}}`}::bigint[]`;

/** `values` as one `text[]` parameter, like idArray. */
export const textArray = (values: string[]): SQL =>
  sql`${`{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`}::text[]`;
