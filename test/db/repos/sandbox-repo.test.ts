import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client.js';
import { readOrgFile } from '../../../db/org-file.js';
import { importOrg } from '../../../db/repos/org-repo.js';
import {
  activePeopleNamed,
  getSandboxMessage,
  insertSandboxMessage,
  sandboxBoundChats,
  sandboxMessagesAfter,
  sandboxPeople,
  sandboxPerson,
  updateSandboxMessage,
} from '../../../db/repos/sandbox-repo.js';
import { DB_KINDS, freshDatabase } from '../../helpers/databases.js';
import { fixtureOrg } from '../../helpers/fixtures.js';

const now = new Date('2026-11-22T03:00:00Z');
const later = new Date('2026-11-22T03:05:00Z');

const ORG = readOrgFile(fixtureOrg('repo-units'));

const CURRENT = readOrgFile(fixtureOrg('repo-units-later'));

describe.each(DB_KINDS)('sandbox repository, the local chat server and its directory (%s)', (kind) => {
  let database: Database;
  // Each test writes to its own chat, so the tests hold in any order.
  let chats = 0;
  const newChat = () => `sb-test-${++chats}`;
  const text = (chatId: string, v: string, sendKey: string | null = null) =>
    insertSandboxMessage(database.db, {
      chatId,
      senderPersonId: null,
      senderName: '回音',
      replyTo: null,
      threadRoot: null,
      content: { kind: 'text', parts: [{ t: 'text', v }] },
      createdAt: now,
      sendKey,
    });

  beforeAll(async () => {
    database = await freshDatabase(kind);
    await importOrg(database.db, ORG, now);
    await importOrg(database.db, CURRENT, now);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('a send retried with the same key returns the message already stored, not a second one', async () => {
    const chat = newChat();
    const first = await text(chat, '你好', 'outbox-1');
    const again = await text(chat, '你好', 'outbox-1');
    expect(again.id).toBe(first.id);
    expect(await sandboxMessagesAfter(database.db, chat, 0, later)).toHaveLength(1);
    const unkeyed = [await text(chat, '再见'), await text(chat, '再见')];
    expect(unkeyed[0]?.id).not.toBe(unkeyed[1]?.id);
  });

  it('an update takes a new revision, so a poller after the old one sees the redrawn message', async () => {
    const chat = newChat();
    const a = await text(chat, 'a');
    const b = await text(chat, 'b');
    expect(await sandboxMessagesAfter(database.db, chat, b.rev, later)).toEqual([]);
    expect(await updateSandboxMessage(database.db, a.id, { kind: 'text', parts: [] }, now)).toBe(true);
    const changed = await sandboxMessagesAfter(database.db, chat, b.rev, later);
    expect(changed.map((m) => m.id)).toEqual([a.id]);
    expect(changed[0]?.rev).toBeGreaterThan(b.rev);
    expect((await getSandboxMessage(database.db, a.id))?.content).toEqual({ kind: 'text', parts: [] });
    expect(await updateSandboxMessage(database.db, 2 ** 40, {}, now)).toBe(false);
  });

  it('a poll also returns what changed recently below its revision, since a write may commit late', async () => {
    const chat = newChat();
    const a = await text(chat, 'a');
    const b = await text(chat, 'b');
    const recent = await sandboxMessagesAfter(database.db, chat, b.rev, now);
    expect(recent.map((m) => m.id)).toEqual([a.id, b.id]);
  });

  it('the directory lists active people with their units and roles', async () => {
    const people = await sandboxPeople(database.db);
    expect(people.map((p) => p.id).sort()).toEqual(['edu-ldr', 'edu-spk']);
    expect(people.find((p) => p.id === 'edu-ldr')?.units).toEqual([
      { id: 'edu', name: '测试省教育厅', roles: ['leader', 'approver'] },
    ]);
  });

  it('a sender must be active to write, but a card click by a former member still carries their name', async () => {
    expect(await sandboxPerson(database.db, 'edu-spk', { activeOnly: true })).toEqual({
      id: 'edu-spk',
      name: '王敏',
    });
    expect(await sandboxPerson(database.db, 'hbt-old', { activeOnly: true })).toBeNull();
    expect(await sandboxPerson(database.db, 'hbt-old', { activeOnly: false })).toEqual({
      id: 'hbt-old',
      name: '赵退',
    });
    expect(await sandboxPerson(database.db, 'nobody', { activeOnly: false })).toBeNull();
  });

  it('@名字 finds active people by name only', async () => {
    expect(await activePeopleNamed(database.db, ['王敏', '赵退', '无名'])).toEqual([
      { id: 'edu-spk', name: '王敏' },
    ]);
    expect(await activePeopleNamed(database.db, [])).toEqual([]);
  });

  it('the sandbox groups are those bound to active units', async () => {
    expect(await sandboxBoundChats(database.db)).toEqual([
      { chatId: 'sb-edu', unitId: 'edu', name: '测试省教育厅' },
    ]);
  });
});
