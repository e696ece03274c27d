import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client.js';
import { readOrgFile } from '../../../db/org-file.js';
import {
  bindChat,
  chatUnit,
  importOrg,
  learnWecomRoomBinding,
  unitChat,
  wecomPersonKey,
} from '../../../db/repos/org-repo.js';
import { chatBindings } from '../../../db/schema.js';
import { DB_KINDS, freshDatabase } from '../../helpers/databases.js';
import { fixtureOrg } from '../../helpers/fixtures.js';

const now = new Date('2026-11-22T03:00:00Z');

const ORG = readOrgFile(fixtureOrg('wecom-topics'));

/** A room count the repository may ask for; remembers whether it did. */
function counter(rooms: number) {
  const asked = { times: 0 };
  const roomsWithTopic = async () => {
    asked.times++;
    return rooms;
  };
  return { asked, roomsWithTopic };
}

describe.each(DB_KINDS)('org repository, WeCom rooms and people (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });
  // Every test starts from the org file alone: no binding learned or made with /绑定.
  beforeEach(async () => {
    await database.db.delete(chatBindings);
    await importOrg(database.db, ORG, now);
  });

  const wecomChats = async (unitId: string) =>
    (
      await database.db
        .select({ chatId: chatBindings.chatId })
        .from(chatBindings)
        .where(and(eq(chatBindings.platform, 'wecom'), eq(chatBindings.unitId, unitId)))
    )
      .map((b) => b.chatId)
      .sort();

  it('a topic only one room has binds its unit to that room, once', async () => {
    const one = counter(1);
    expect(
      await learnWecomRoomBinding(database.db, { roomId: 'r1@chatroom', topic: '教育舆情群', ...one }, now),
    ).toEqual([{ unitId: 'edu', outcome: 'bound' }]);
    expect(await chatUnit(database.db, 'wecom', 'r1@chatroom')).toBe('edu');
    const [learned] = await database.db
      .select()
      .from(chatBindings)
      .where(eq(chatBindings.chatId, 'r1@chatroom'));
    expect(learned).toMatchObject({ source: 'org', boundBy: 'topic:教育舆情群', boundAt: now });

    // Seen again, or a room created later with the same topic: nothing more is bound, nothing counted.
    const again = counter(1);
    expect(
      await learnWecomRoomBinding(database.db, { roomId: 'r1@chatroom', topic: '教育舆情群', ...again }, now),
    ).toEqual([]);
    expect(
      await learnWecomRoomBinding(database.db, { roomId: 'r2@chatroom', topic: '教育舆情群', ...again }, now),
    ).toEqual([]);
    expect(again.asked.times).toBe(0);
    expect(await chatUnit(database.db, 'wecom', 'r2@chatroom')).toBeNull();
    expect(await wecomChats('edu')).toEqual(['r1@chatroom', '教育舆情群']);
  });

  it('a room learned from a topic stays through a re-import of the file, and goes with the topic', async () => {
    const one = counter(1);
    await learnWecomRoomBinding(database.db, { roomId: 'r1@chatroom', topic: '教育舆情群', ...one }, now);
    await importOrg(database.db, ORG, now);
    expect(await chatUnit(database.db, 'wecom', 'r1@chatroom')).toBe('edu');
    expect(await wecomChats('edu')).toEqual(['r1@chatroom', '教育舆情群']);

    const renamed = structuredClone(ORG);
    const edu = renamed.units.find((u) => u.id === 'edu');
    if (edu) edu.wecom_room = '教育新群';
    await importOrg(database.db, renamed, now);
    expect(await chatUnit(database.db, 'wecom', 'r1@chatroom')).toBeNull();
    expect(await wecomChats('edu')).toEqual(['教育新群']);
  });

  it('a topic several rooms share binds nothing: the unit keeps its topic', async () => {
    const two = counter(2);
    expect(
      await learnWecomRoomBinding(database.db, { roomId: 'r3@chatroom', topic: '环保舆情群', ...two }, now),
    ).toEqual([{ unitId: 'hbt', outcome: 'ambiguous', roomsWithTopic: 2 }]);
    expect(await wecomChats('hbt')).toEqual(['环保舆情群']);
    expect(await chatUnit(database.db, 'wecom', 'r3@chatroom')).toBeNull();
  });

  it('a topic no unit is bound to is not counted', async () => {
    const one = counter(1);
    expect(
      await learnWecomRoomBinding(database.db, { roomId: 'r4@chatroom', topic: '舆情监测群', ...one }, now),
    ).toEqual([]);
    expect(one.asked.times).toBe(0);
  });

  it('an existing binding is kept: a unit bound with /绑定, and a room another unit holds', async () => {
    await bindChat(database.db, {
      platform: 'wecom',
      chatId: 'new@chatroom',
      unitId: 'edu',
      boundBy: 'zjg-1',
      now,
    });
    const one = counter(1);
    expect(
      await learnWecomRoomBinding(database.db, { roomId: 'r1@chatroom', topic: '教育舆情群', ...one }, now),
    ).toEqual([]);
    expect(one.asked.times).toBe(0);
    expect(await unitChat(database.db, 'wecom', 'edu')).toBe('new@chatroom');

    await bindChat(database.db, {
      platform: 'wecom',
      chatId: 'gov@chatroom',
      unitId: 'gov',
      boundBy: 'zjg-1',
      now,
    });
    expect(
      await learnWecomRoomBinding(
        database.db,
        { roomId: 'gov@chatroom', topic: '环保舆情群', ...counter(1) },
        now,
      ),
    ).toEqual([{ unitId: 'hbt', outcome: 'room_taken' }]);
    expect(await chatUnit(database.db, 'wecom', 'gov@chatroom')).toBe('gov');
    expect(await wecomChats('hbt')).toEqual(['环保舆情群']);
  });

  it('a contact is known by its id, else by its name, else keeps its id', async () => {
    const key = (id: string, name: string) => wecomPersonKey(database.db, { id, name });
    expect(await key('wm-1', '王敏')).toBe('wm-1');
    expect(await key('contact-7', '李强')).toBe('李强');
    // Listed under both (one person by this id, another by this name): the id wins.
    expect(await key('wm-1', '李强')).toBe('wm-1');
    expect(await key('contact-8', '陌生人')).toBe('contact-8');
  });
});
