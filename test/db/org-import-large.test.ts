import { describe, expect, it } from 'vitest';
import { orgFileSchema } from '../../db/org-file.js';
import { chatUnit, findActor, importOrg } from '../../db/repos/org-repo.js';
import { DB_KINDS, useDatabase } from '../helpers/databases.js';
import { writeMark, writtenCounts } from '../helpers/directory-writes.js';
import { largeOrg } from '../helpers/large-org.js';

const now = new Date('2026-11-22T03:00:00Z');

// Checked by the org file's own rules, but not written out as YAML: the import is what is tested
// here (bench/org.ts times the whole start-up, YAML included).
const PROVINCE = orgFileSchema.parse(largeOrg({ units: 3_000, perUnit: 10 }));

describe.each(DB_KINDS)('a province-sized org (%s)', (kind) => {
  const db = useDatabase(kind);

  it('3,000 units and 30,000 people import, and importing them again writes no row', async () => {
    const { db: d } = db.database;
    const first = await importOrg(d, PROVINCE, now);
    expect(first).toEqual({
      units: 3_000,
      people: 30_000,
      changed: { units: 3_000, people: 30_000, memberships: 30_000, bindings: 9_000 },
    });
    expect(await findActor(d, 'feishu', 'ou_u2999-p9')).toMatchObject({
      person: { id: 'u2999-p9', name: '人员2999-9' },
      memberships: [{ unitId: 'u2999', roles: ['officer'] }],
    });
    expect(await chatUnit(d, 'wecom', 'u1500@chatroom')).toBe('u1500');

    const mark = await writeMark(d);
    const again = await importOrg(d, PROVINCE, new Date(now.getTime() + 60_000));
    expect(again.changed).toEqual({ units: 0, people: 0, memberships: 0, bindings: 0 });
    expect(await writtenCounts(d, mark)).toEqual({
      units: 0,
      people: 0,
      memberships: 0,
      bindings: 0,
      orgImport: 0,
    });
  });
});
