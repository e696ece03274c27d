import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client.js';
import { readOrgFile } from '../../../db/org-file.js';
import { handOverItemUnits, itemUnitRoles } from '../../../db/repos/item-repo.js';
import { importOrg } from '../../../db/repos/org-repo.js';
import { bareItem } from '../../helpers/bare-item.js';
import { DB_KINDS, freshDatabase } from '../../helpers/databases.js';
import { fixtureOrg } from '../../helpers/fixtures.js';

const now = new Date('2026-11-22T03:00:00Z');

const ORG = readOrgFile(fixtureOrg('repo-units'));

describe.each(DB_KINDS)('item repository, the unit roles of 转办 (%s)', (kind) => {
  let database: Database;
  // Each test makes its own item, so the tests hold in any order.
  const newItem = (unitRoles: { unitId: string; role: string }[]) => bareItem(database.db, 'edu', unitRoles);
  const rolesOf = async (itemId: number) =>
    Object.fromEntries((await itemUnitRoles(database.db, itemId)).map((r) => [r.unitId, r.role]));

  beforeAll(async () => {
    database = await freshDatabase(kind);
    await importOrg(database.db, ORG, now);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('the new unit becomes responsible and the old one is kept informed as 抄送', async () => {
    const item = await newItem([{ unitId: 'edu', role: 'responsible' }]);
    await handOverItemUnits(database.db, item.id, 'edu', 'gat');
    expect(await rolesOf(item.id)).toEqual({ edu: 'cc', gat: 'responsible' });
  });

  it('a unit that already had a part becomes responsible; others keep theirs', async () => {
    const item = await newItem([
      { unitId: 'edu', role: 'responsible' },
      { unitId: 'gat', role: 'involved' },
      { unitId: 'hbt', role: 'cc' },
    ]);
    await handOverItemUnits(database.db, item.id, 'edu', 'gat');
    expect(await rolesOf(item.id)).toEqual({ edu: 'cc', gat: 'responsible', hbt: 'cc' });
  });

  it('a coordinating unit (the owner of a multi-department item) hands it on and stays coordinator, not 抄送', async () => {
    const item = await newItem([
      { unitId: 'edu', role: 'coordinator' },
      { unitId: 'hbt', role: 'responsible' },
    ]);
    await handOverItemUnits(database.db, item.id, 'edu', 'gat');
    expect(await rolesOf(item.id)).toEqual({ edu: 'coordinator', gat: 'responsible', hbt: 'responsible' });
  });
});
