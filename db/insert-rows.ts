import {
  getTableColumns,
  getTableName,
  type InferInsertModel,
  type InferSelectModel,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { type Db, rowsOf } from './client.js';

/**
 * Inserts rows through one jsonb parameter:
 *
 *   insert into "t" ("a", "b") select "a", "b" from jsonb_populate_recordset(null::"t", $1::jsonb)
 *
 * The statement's text depends only on the table and the columns given, so it is built once and
 * prepared once, whatever the number of rows. Drizzle's builder walks every value of every row
 * through its type checks: on the hot path of a report its multi-row inserts took ~1 ms of CPU
 * each, a third of what an instance spent on a report (docs/develop/benchmarks.md).
 *
 * Every row must give the same columns (a column left out takes its default; `undefined` counts as
 * left out). Values are encoded as JSON: Date as its ISO instant, objects and arrays as JSON for
 * jsonb columns, null as SQL null. Returned rows are decoded by the table's own columns, so they
 * are what drizzle's `.returning()` gives.
 */
export function insertRows<T extends PgTable>(
  db: Db,
  table: T,
  rows: InferInsertModel<T>[],
  opts: { returning: 'all'; onConflictDoNothing?: boolean },
): Promise<InferSelectModel<T>[]>;
export function insertRows<T extends PgTable, K extends keyof InferSelectModel<T> & string = never>(
  db: Db,
  table: T,
  rows: InferInsertModel<T>[],
  opts?: { returning?: K[]; onConflictDoNothing?: boolean },
): Promise<Pick<InferSelectModel<T>, K>[]>;
export async function insertRows(
  db: Db,
  table: PgTable,
  rows: Record<string, unknown>[],
  opts: { returning?: string[] | 'all'; onConflictDoNothing?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return [];
  const shape = shapeOf(table);
  const first = rows[0] as Record<string, unknown>;
  const keys = Object.keys(first).filter((k) => first[k] !== undefined);
  const encoded = rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = r[k];
      if (v === undefined) throw new Error(`insertRows(${shape.name}): a row leaves out ${k}`);
      out[(shape.byKey.get(k) as PgColumn).name] = v;
    }
    if (Object.keys(r).filter((k) => r[k] !== undefined).length !== keys.length)
      throw new Error(`insertRows(${shape.name}): rows give different columns`);
    return out;
  });
  const returning = opts.returning === 'all' ? [...shape.byKey.keys()] : ((opts.returning ?? []) as string[]);
  const { head, tail } = statementText(shape, keys, returning, opts.onConflictDoNothing ?? false);
  const result = await rowsOf<Record<string, unknown>>(
    db,
    sql`${head}${JSON.stringify(encoded)}::jsonb)${tail}`,
  );
  if (returning.length === 0) return [];
  return result.map((r) => {
    const out: Record<string, unknown> = {};
    for (const k of returning) {
      const column = shape.byKey.get(k) as PgColumn;
      const v = r[column.name];
      out[k] = v === null || v === undefined ? null : column.mapFromDriverValue(v);
    }
    return out;
  });
}

interface Shape {
  name: string;
  byKey: Map<string, PgColumn>;
  texts: Map<string, { head: SQL; tail: SQL }>;
}

const shapes = new WeakMap<PgTable, Shape>();

function shapeOf(table: PgTable): Shape {
  let shape = shapes.get(table);
  if (!shape) {
    const byKey = new Map(Object.entries(getTableColumns(table)) as [string, PgColumn][]);
    shape = { name: getTableName(table), byKey, texts: new Map() };
    shapes.set(table, shape);
  }
  return shape;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The statement around the parameter, built once per table and column list. */
function statementText(
  shape: Shape,
  keys: string[],
  returning: string[],
  doNothing: boolean,
): { head: SQL; tail: SQL } {
  const id = `${keys.join(',')}|${returning.join(',')}|${doNothing}`;
  let text = shape.texts.get(id);
  if (!text) {
    const table = quote(shape.name);
    const columns = keys.map((k) => quote((shape.byKey.get(k) as PgColumn).name)).join(', ');
    const head = sql.raw(
      `insert into ${table} (${columns}) select ${columns} from jsonb_populate_recordset(null::${table}, `,
    );
    const tail = sql.raw(
      (doNothing ? ' on conflict do nothing' : '') +
        (returning.length > 0
          ? ` returning ${returning.map((k) => quote((shape.byKey.get(k) as PgColumn).name)).join(', ')}`
          : ''),
    );
    text = { head, tail };
    shape.texts.set(id, text);
  }
  return text;
}
