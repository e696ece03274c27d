import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { type OrgFile, OrgFileError, orgSource } from '../../db/org-file.js';
import { chatUnit, findActor, importOrg, importOrgSource, loadOrg } from '../../db/repos/org-repo.js';
import { DB_KINDS, useDatabase } from '../helpers/databases.js';
import { directoryRows, NOTHING_WRITTEN, writeMark } from '../helpers/directory-writes.js';
import { largeOrg, orgYaml } from '../helpers/large-org.js';

const now = new Date('2026-11-22T03:00:00Z');
const later = new Date('2026-11-23T03:00:00Z');

// 30 units of 5 people; u1…u3 are prefectures, every other unit a department (u9 under u1).
const ORG = largeOrg({ units: 30, perUnit: 5, regions: 3 });

/** ORG with u5-p3 moved to u7, u9 dropped (with its five people) and u11 given another Feishu group. */
function changedOrg(): OrgFile {
  const org = structuredClone(ORG);
  const unit = (id: string) => org.units.find((u) => u.id === id) as OrgFile['units'][number];
  const u5 = unit('u5');
  const moved = u5.members.splice(3, 1);
  unit('u7').members.push(...moved);
  org.units = org.units.filter((u) => u.id !== 'u9');
  unit('u11').feishu_chat = 'oc_new';
  return org;
}

describe.each(DB_KINDS)('org re-import writes only what changed (%s)', (kind) => {
  const db = useDatabase(kind);
  let database: Database;
  beforeEach(() => {
    database = db.database;
  });

  it('a re-import of the same org writes no row', async () => {
    const first = await importOrg(database.db, ORG, now);
    expect(first.changed).toEqual({ units: 30, people: 150, memberships: 150, bindings: 90 });
    const mark = await writeMark(database.db);
    const before = await directoryRows(database.db, mark);

    const again = await importOrg(database.db, structuredClone(ORG), later);
    expect(again).toEqual({
      units: 30,
      people: 150,
      changed: { units: 0, people: 0, memberships: 0, bindings: 0 },
    });
    const after = await directoryRows(database.db, mark);
    expect(after.written).toEqual(NOTHING_WRITTEN);
    expect(after.all).toEqual(before.all);
  });

  it('a moved person, a dropped unit and a changed group write exactly those rows', async () => {
    await importOrg(database.db, ORG, now);
    const mark = await writeMark(database.db);
    const before = await directoryRows(database.db, mark);

    const result = await importOrg(database.db, changedOrg(), later);
    const after = await directoryRows(database.db, mark);
    const u9People = [0, 1, 2, 3, 4].map((p) => `u9-p${p}`);
    // Inserted or updated: u9 deactivated, its people deactivated, the moved membership, the new group.
    expect(after.written).toEqual({
      units: ['u9'],
      people: u9People,
      memberships: ['u7|u5-p3'],
      bindings: ['feishu|oc_new'],
      orgImport: [],
    });
    // Deleted: u5-p3's old membership, u9's memberships and groups, u11's old group.
    const gone = (table: keyof typeof before.all) =>
      before.all[table].filter((k) => !after.all[table].includes(k)).sort();
    expect(gone('memberships')).toEqual(['u5|u5-p3', ...u9People.map((p) => `u9|${p}`)].sort());
    expect(gone('bindings')).toEqual(['feishu|oc_u11', 'feishu|oc_u9', 'sandbox|sb-u9', 'wecom|u9@chatroom']);
    expect(gone('units')).toEqual([]);
    expect(gone('people')).toEqual([]);
    expect(result.changed).toEqual({ units: 1, people: 5, memberships: 7, bindings: 5 });

    expect(await findActor(database.db, 'feishu', 'ou_u5-p3')).toMatchObject({
      person: { id: 'u5-p3' },
      memberships: [{ unitId: 'u7', roles: ['officer'] }],
    });
    expect(await findActor(database.db, 'feishu', 'ou_u9-p0')).toBeNull();
    expect((await loadOrg(database.db)).units.has('u9')).toBe(false);
    expect(await chatUnit(database.db, 'feishu', 'oc_new')).toBe('u11');
    expect(await chatUnit(database.db, 'feishu', 'oc_u11')).toBeNull();
  });

  it('a platform id moving from one person to another is written without a collision', async () => {
    await importOrg(database.db, ORG, now);
    const swapped = structuredClone(ORG);
    const [a, b] = swapped.units[5]?.members ?? [];
    if (!a || !b) throw new Error('u5 has people');
    [a.feishu, b.feishu] = [b.feishu, a.feishu];
    const result = await importOrg(database.db, swapped, later);
    expect(result.changed.people).toBe(2);
    expect(await findActor(database.db, 'feishu', 'ou_u5-p0')).toMatchObject({ person: { id: 'u5-p1' } });
    expect(await findActor(database.db, 'feishu', 'ou_u5-p1')).toMatchObject({ person: { id: 'u5-p0' } });
  });

  it('at start-up, the file imported last is skipped unread; another file is imported', async () => {
    const source = orgSource(orgYaml(ORG), 'org.yaml');
    const first = await importOrgSource(database.db, source, now);
    expect(first.changed.people).toBe(150);
    expect(first.unchanged).toBeUndefined();

    const mark = await writeMark(database.db);
    expect(await importOrgSource(database.db, orgSource(orgYaml(ORG), 'org.yaml'), later)).toEqual({
      units: 30,
      people: 150,
      changed: { units: 0, people: 0, memberships: 0, bindings: 0 },
      unchanged: true,
    });
    expect((await directoryRows(database.db, mark)).written).toEqual(NOTHING_WRITTEN);

    const changed = await importOrgSource(database.db, orgSource(orgYaml(changedOrg()), 'org.yaml'), later);
    expect(changed.unchanged).toBeUndefined();
    expect(changed.changed).toEqual({ units: 1, people: 5, memberships: 7, bindings: 5 });
  });

  it('a bad file at start-up changes nothing and names the line and field', async () => {
    await importOrgSource(database.db, orgSource(orgYaml(ORG), 'org.yaml'), now);
    const mark = await writeMark(database.db);
    const before = await directoryRows(database.db, mark);
    const bad = orgYaml(changedOrg()).replace('feishu_chat: oc_u12', 'feishu_chat: oc_u10');
    const importing = importOrgSource(database.db, orgSource(bad, 'org.yaml'), later);
    await expect(importing).rejects.toThrow(OrgFileError);
    await expect(importing).rejects.toThrow(
      /line \d+, units\[11\]\.feishu_chat: "oc_u10" is already the group/,
    );
    const after = await directoryRows(database.db, mark);
    expect(after.written).toEqual(NOTHING_WRITTEN);
    expect(after.all).toEqual(before.all);
  });

  it('an import of a parsed org forgets the file imported last, so the next start imports again', async () => {
    const source = orgSource(orgYaml(ORG), 'org.yaml');
    await importOrgSource(database.db, source, now);
    await importOrg(database.db, changedOrg(), later);
    const restart = await importOrgSource(database.db, source, later);
    expect(restart.unchanged).toBeUndefined();
    expect(restart.changed).toEqual({ units: 1, people: 5, memberships: 7, bindings: 5 });
    expect((await loadOrg(database.db)).units.has('u9')).toBe(true);
  });
});
