import { beforeEach, describe, expect, it } from 'vitest';
import { readOrgFile } from '../../../db/org-file.js';
import { chatUnit, eventSender, findActor, importOrg } from '../../../db/repos/org-repo.js';
import { DB_KINDS, useDatabase } from '../../helpers/databases.js';
import { fixtureOrg } from '../../helpers/fixtures.js';

const now = new Date('2026-11-22T03:00:00Z');

describe.each(DB_KINDS)('eventSender, the sender and chat of an event in one statement (%s)', (kind) => {
  const t = useDatabase(kind);
  beforeEach(async () => {
    await importOrg(t.database.db, readOrgFile(fixtureOrg('repo-units')), now);
  });

  it.each([
    ['a person in two units, in a bound group', 'sandbox', 'edu-ldr', 'sb-hbt'],
    ['a person by Feishu id, in a group bound to no unit', 'feishu', 'ou_wm', 'oc_nowhere'],
    ['someone not in the directory', 'sandbox', 'nobody', 'sb-edu'],
    ['a sandbox id asked on Feishu', 'feishu', 'edu-spk', 'sb-edu'],
  ])('%s: the same answer as findActor and chatUnit', async (_name, platform, userId, chatId) => {
    const { db } = t.database;
    const actor = await findActor(db, platform, userId);
    const sender = await eventSender(db, platform, userId, chatId);
    expect(
      sender.actor === null ? null : { ...sender.actor, memberships: sortedByUnit(sender.actor) },
    ).toEqual(actor === null ? null : { ...actor, memberships: sortedByUnit(actor) });
    expect(sender.chatUnitId).toBe(await chatUnit(db, platform, chatId));
  });

  it('finds the person with every membership and their roles', async () => {
    const { actor, chatUnitId } = await eventSender(t.database.db, 'sandbox', 'edu-ldr', 'sb-edu');
    expect(chatUnitId).toBe('edu');
    expect(actor?.person).toEqual({ id: 'edu-ldr', name: '李强', feishuId: null, wecomId: null });
    expect(sortedByUnit(actor)).toEqual([
      { unitId: 'edu', roles: ['leader', 'approver'] },
      { unitId: 'hbt', roles: ['leader'] },
    ]);
  });
});

function sortedByUnit(a: { memberships: { unitId: string; roles: string[] }[] } | null) {
  return [...(a?.memberships ?? [])].sort((x, y) => x.unitId.localeCompare(y.unitId));
}
