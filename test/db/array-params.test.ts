import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { idArray, rowsOf, textArray } from '../../db/client.js';
import { DB_KINDS, useDatabase } from '../helpers/databases.js';

describe.each(DB_KINDS)('array parameters (%s)', (kind) => {
  const t = useDatabase(kind);

  it('carries any text through textArray, quotes, backslashes, commas, braces and NULL-like words included', async () => {
    const values = ['edu', 'a"b', 'c\\d', 'e,f', '{g}', 'NULL', '', ' 空 格 ', '省教育厅'];
    const rows = await rowsOf<{ v: string }>(t.database.db, sql`select unnest(${textArray(values)}) as v`);
    expect(rows.map((r) => r.v)).toEqual(values);
    expect(await rowsOf(t.database.db, sql`select unnest(${textArray([])}) as v`)).toEqual([]);
  });

  it('carries ids through idArray', async () => {
    const rows = await rowsOf<{ v: string | number }>(
      t.database.db,
      sql`select unnest(${idArray([3, 1, 9_007_199_254_740_991])}) as v`,
    );
    expect(rows.map((r) => String(r.v))).toEqual(['3', '1', '9007199254740991']);
  });
});
