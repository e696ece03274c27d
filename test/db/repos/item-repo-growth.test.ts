import { type SQL, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { readOrgFile } from '../../../db/org-file.js';
import {
  itemCountsByState,
  itemCountsQuery,
  listOpenItems,
  updateItemAtVersion,
} from '../../../db/repos/item-repo.js';
import { importOrg } from '../../../db/repos/org-repo.js';
import { bareItem } from '../../helpers/bare-item.js';
import { DB_KINDS, useDatabase } from '../../helpers/databases.js';
import { fixtureOrg } from '../../helpers/fixtures.js';

const now = new Date('2026-11-22T03:00:00Z');
const ORG = readOrgFile(fixtureOrg('repo-units'));

describe.each(DB_KINDS)('item repository as items pile up (%s)', (kind) => {
  const t = useDatabase(kind);
  beforeEach(async () => {
    await importOrg(t.database.db, ORG, now);
  });

  /** `n` closed items, as years of work leave them, each with its responsible unit and a 抄送 office. */
  const closedItems = async (n: number) => {
    await t.database.db.execute(sql`
      with i as (
        insert into items (number, title, category, occurred_at, reported_at, state, owner_unit_id, routing_rule,
          policy_pack, reporter_name, reporter_person_id, platform, source_chat_id, source_message_id, updated_at)
        select 'YQ20250101-' || g, '旧舆情' || g, '教育', r, r, 'closed', 'edu', 'guikou', 'test', '王敏',
          'edu-spk', 'sandbox', 'sb-lobby', 'm' || g, r
        from generate_series(1, ${n}::int) g, lateral (select timestamptz '2025-01-01' - g * interval '1 minute' as r) t
        returning id
      )
      insert into item_units (item_id, unit_id, role)
      select id, 'edu', 'responsible' from i union all select id, 'hbt', 'cc' from i`);
    await t.database.db.execute(sql`insert into item_counters (day, last) values ('20250101', ${n})`);
    await t.database.db.execute(sql`analyze`);
  };

  const plan = async (query: SQL | { getSQL(): SQL }) => {
    const result = await t.database.db.execute(sql`explain (costs off) ${query}`);
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<
      string,
      string
    >[];
    return rows.map((r) => Object.values(r)[0]).join('\n');
  };

  it('/列表 and the items gauge read the open items through their partial index, never every item', async () => {
    for (let i = 0; i < 30; i++) await bareItem(t.database.db, 'edu');
    await closedItems(20_000);
    const queries = {
      all: listOpenItems(t.database.db, { limit: 20 }),
      unit: listOpenItems(t.database.db, { unitIds: ['edu'], limit: 20 }),
      mine: listOpenItems(t.database.db, { reporterPersonId: 'edu-spk', limit: 20 }),
      gauge: itemCountsQuery(t.database.db),
    };
    for (const [name, query] of Object.entries(queries)) {
      const text = await plan(query);
      expect(text, `${name}:\n${text}`).toContain('items_open_reported');
      // No scan of every item, nor of every item a unit ever had.
      expect(text, `${name}:\n${text}`).not.toMatch(
        /Seq Scan on items|Seq Scan on item_units|item_units_unit/,
      );
    }
    // And they answer as before: open items only, newest first, up to the limit.
    expect(await queries.all).toHaveLength(20);
    expect((await queries.unit).every((item) => item.state !== 'closed')).toBe(true);
  });

  it('the gauge counts every state, 已办结 included, without counting closed rows', async () => {
    const items = [];
    for (let i = 0; i < 4; i++) items.push(await bareItem(t.database.db, 'edu'));
    const [first, second] = items;
    await updateItemAtVersion(t.database.db, first?.id as number, 1, { state: 'closed' }, now);
    await updateItemAtVersion(t.database.db, second?.id as number, 1, { state: 'responding' }, now);
    const counts = Object.fromEntries((await itemCountsByState(t.database.db)).map((r) => [r.state, r.n]));
    expect(counts).toEqual({ claimed: 2, responding: 1, closed: 1 });
    await closedItems(500);
    const more = Object.fromEntries((await itemCountsByState(t.database.db)).map((r) => [r.state, r.n]));
    expect(more).toEqual({ claimed: 2, responding: 1, closed: 501 });
  });

  it('本单位 lists the items a unit has a part in, 抄送 aside, newest first', async () => {
    const responsible = await bareItem(t.database.db, 'edu');
    const copied = await bareItem(t.database.db, 'gat', [
      { unitId: 'gat', role: 'responsible' },
      { unitId: 'edu', role: 'cc' },
    ]);
    const involved = await bareItem(t.database.db, 'gat', [
      { unitId: 'gat', role: 'responsible' },
      { unitId: 'edu', role: 'involved' },
    ]);
    const closed = await bareItem(t.database.db, 'edu');
    await updateItemAtVersion(t.database.db, closed.id, 1, { state: 'closed' }, now);
    const listed = await listOpenItems(t.database.db, { unitIds: ['edu'], limit: 20 });
    // Same report time: the newest id first.
    expect(listed.map((item) => item.id)).toEqual([involved.id, responsible.id]);
    expect(listed.map((item) => item.id)).not.toContain(copied.id);
    const both = await listOpenItems(t.database.db, { unitIds: ['hbt', 'gat'], limit: 1 });
    expect(both.map((item) => item.id)).toEqual([involved.id]);
  });
});
