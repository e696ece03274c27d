import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../client.js';

// Large writes (the org import) go in chunks, each chunk's rows as one jsonb parameter of one
// statement: no statement comes near Postgres's
// 65,535 bind parameters, and it is ~3× faster than multi-row VALUES (bench/org.ts, 30,000 people).
const ROWS_PER_STATEMENT = 5_000;

/** `rows` in slices of ROWS_PER_STATEMENT, one statement's worth each. */
export function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) yield rows.slice(i, i + ROWS_PER_STATEMENT);
}

/**
 * Inserts `rows`, or updates the row with the same `target` key (only where `onlyWhere` holds),
 * in statements of ROWS_PER_STATEMENT rows, each passed as one jsonb parameter.
 */
export async function upsert<T extends PgTable>(
  tx: Db,
  table: T,
  rows: T['$inferInsert'][],
  opts: { target: (keyof T['$inferInsert'] & string)[]; onlyWhere?: SQL },
): Promise<void> {
  if (rows.length === 0) return;
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const keys = Object.keys(columns);
  const name = (key: string) => `"${(columns[key] as PgColumn).name}"`;
  const names = sql.raw(keys.map(name).join(', '));
  const types = sql.raw(keys.map((k) => `${name(k)} ${(columns[k] as PgColumn).getSQLType()}`).join(', '));
  const target = sql.raw(opts.target.map(name).join(', '));
  const set = sql.raw(
    keys
      .filter((k) => !opts.target.includes(k as never))
      .map((k) => `${name(k)} = excluded.${name(k)}`)
      .join(', '),
  );
  const where = opts.onlyWhere ? sql` where ${opts.onlyWhere}` : sql``;
  for (const chunk of chunks(rows)) {
    const json = JSON.stringify(
      chunk.map((r) => Object.fromEntries(keys.map((k) => [(columns[k] as PgColumn).name, r[k as never]]))),
    );
    await tx.execute(
      sql`insert into ${table} (${names}) select ${names} from jsonb_to_recordset(${json}::jsonb) as r(${types})
        on conflict (${target}) do update set ${set}${where}`,
    );
  }
}

/** `(select …)` of the texts in `values`, one jsonb parameter, for `in`. */
export const jsonTexts = (values: string[]) =>
  sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;

/** `(a, b) in (…)` for a two-column key, the pairs passed as one jsonb parameter. */
export const inPairs = (a: PgColumn, b: PgColumn, pairs: [string, string][]) =>
  sql`(${a}, ${b}) in (select r.a, r.b from jsonb_to_recordset(${JSON.stringify(
    pairs.map(([x, y]) => ({ a: x, b: y })),
  )}::jsonb) as r(a text, b text))`;
