import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';

/** Rows of the org directory's tables, by key. */
export interface DirectoryRows {
  units: string[];
  people: string[];
  memberships: string[];
  bindings: string[];
  orgImport: string[];
}

const KEYS: Record<keyof DirectoryRows, SQL> = {
  units: sql`select id as k, xmin::text::bigint as x from units`,
  people: sql`select id as k, xmin::text::bigint as x from people`,
  memberships: sql`select unit_id || '|' || person_id as k, xmin::text::bigint as x from memberships`,
  bindings: sql`select platform || '|' || chat_id as k, xmin::text::bigint as x from chat_bindings`,
  orgImport: sql`select key as k, xmin::text::bigint as x from org_import`,
};

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  // PGlite answers { rows }, postgres.js an array of rows.
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/** A point in the database's history: rows written after it carry a later transaction id (xmin). */
export async function writeMark(db: Db): Promise<bigint> {
  const [row] = await rows<{ x: string }>(db, sql`select (txid_current() % 4294967296)::text as x`);
  return BigInt(row?.x ?? 0);
}

/**
 * What the directory holds: every row's key (`all`), and the keys of the rows inserted or updated
 * after `mark` (`written`) — read from the rows' xmin, so it counts what the database did, not what
 * the code says it did. Deleted rows are the ones missing from `all`.
 */
export async function directoryRows(
  db: Db,
  mark: bigint,
): Promise<{ all: DirectoryRows; written: DirectoryRows }> {
  const all = {} as DirectoryRows;
  const written = {} as DirectoryRows;
  for (const [table, query] of Object.entries(KEYS) as [keyof DirectoryRows, SQL][]) {
    const found = await rows<{ k: string; x: string | number }>(db, query);
    all[table] = found.map((r) => r.k).sort();
    written[table] = found
      .filter((r) => BigInt(r.x) > mark)
      .map((r) => r.k)
      .sort();
  }
  return { all, written };
}

/** No rows written: what `directoryRows(…).written` is after an import that changed nothing. */
export const NOTHING_WRITTEN: DirectoryRows = {
  units: [],
  people: [],
  memberships: [],
  bindings: [],
  orgImport: [],
};

/** How many rows of each directory table were inserted or updated after `mark` (cheap at any size). */
export async function writtenCounts(db: Db, mark: bigint): Promise<Record<keyof DirectoryRows, number>> {
  const counts = {} as Record<keyof DirectoryRows, number>;
  for (const [table, query] of Object.entries(KEYS) as [keyof DirectoryRows, SQL][]) {
    const [row] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from (${query}) w where w.x > ${mark.toString()}::bigint`,
    );
    counts[table] = row?.n ?? -1;
  }
  return counts;
}
