import { rmSync } from 'node:fs';
import { asc, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client.js';
import { acceptEvent, claimInbox, markHandled } from '../../../db/repos/inbox-repo.js';
import { inbox } from '../../../db/schema.js';
import { DB_KINDS, useDatabase } from '../../helpers/databases.js';
import { firstMigrations, unmigratedDatabase } from '../../helpers/migrations.js';

/** The migrations a database had before inbox.chat_id. */
const BEFORE_CHAT_ID = 4;
const at = new Date('2026-11-22T03:00:00Z');

const payload = (eventId: string, chatId?: string) => ({
  kind: 'message',
  platform: 'sandbox',
  eventId,
  ...(chatId ? { chatId } : {}),
});

const claimedIds = async (db: Database['db'], worker = 'w') =>
  (await claimInbox(db, { now: at, worker, limit: 20 })).map((r) => r.eventId);

describe.each(DB_KINDS)('inbox claim (%s)', (kind) => {
  const t = useDatabase(kind);

  it('takes the oldest pending event of each chat, and none of a chat whose oldest is held or waiting', async () => {
    const { db } = t.database;
    const accept = (eventId: string, chatId?: string) =>
      acceptEvent(db, { platform: 'sandbox', eventId, payload: payload(eventId, chatId) }, at);
    for (const [id, chat] of [
      ['a-1', 'a'],
      ['b-1', 'b'],
      ['a-2', 'a'],
      ['c-1', 'c'],
      ['b-2', 'b'],
    ] as const)
      await accept(id, chat);
    await accept('no-chat-1');
    await accept('no-chat-2');
    const rows = await db.select().from(inbox).orderBy(asc(inbox.id));
    expect(rows.map((r) => r.chatId)).toEqual(['a', 'b', 'a', 'c', 'b', null, null]);
    // c-1 waits for its retry: chat c has nothing to give.
    await db.execute(
      sql`update inbox set next_attempt_at = ${'2026-11-22T04:00:00Z'}::timestamptz where event_id = 'c-1'`,
    );
    // Events without a chat are each their own line.
    expect(await claimedIds(db, 'one')).toEqual(['no-chat-1', 'no-chat-2', 'a-1', 'b-1']);
    // Held by worker one: another worker gets nothing of chats a and b.
    expect(await claimedIds(db, 'two')).toEqual([]);
    const a1 = rows[0] as (typeof rows)[number];
    await markHandled(db, a1, at);
    expect(await claimedIds(db, 'two')).toEqual(['a-2']);
  });
});

describe.each(DB_KINDS)('inbox claim, chat after chat (%s)', (kind) => {
  const t = useDatabase(kind);

  it('goes on from the chat where the last claim stopped, and wraps round to the first', async () => {
    const { db } = t.database;
    for (const i of [1, 2])
      for (const chat of ['a', 'b', 'c'])
        await acceptEvent(
          db,
          { platform: 'sandbox', eventId: `${chat}-${i}`, payload: payload(`${chat}-${i}`, chat) },
          at,
        );
    const claim = async (after: { platform: string; chatId: string } | null) => {
      const rows = await claimInbox(db, { now: at, worker: 'w', limit: 2, after });
      for (const row of rows) await markHandled(db, row, at);
      return rows.map((r) => r.eventId);
    };
    expect(await claim(null)).toEqual(['a-1', 'b-1']);
    expect(await claim({ platform: 'sandbox', chatId: 'b' })).toEqual(['c-1', 'a-2']);
    expect(await claim({ platform: 'sandbox', chatId: 'a' })).toEqual(['b-2', 'c-2']);
    expect(await claim({ platform: 'sandbox', chatId: 'c' })).toEqual([]);
  });
});

describe.each(DB_KINDS)('inbox.chat_id backfill (%s)', (kind) => {
  let database: Database | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("fills the chat of rows stored before the column from their event, so their chat's order holds", async () => {
    const empty = await unmigratedDatabase(kind);
    database = empty.database;
    dir = firstMigrations(BEFORE_CHAT_ID);
    await empty.migrateFrom(dir);
    const { db } = database;
    // As the code before chat_id stored them.
    const old = (eventId: string, status: string, chatId?: string) =>
      sql`(${'sandbox'}, ${eventId}, ${JSON.stringify(payload(eventId, chatId))}::jsonb, ${status}, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz)`;
    await db.execute(sql`insert into inbox (platform, event_id, payload, status, next_attempt_at, received_at) values
      ${sql.join([old('x-0', 'done', 'x'), old('x-1', 'pending', 'x'), old('x-2', 'pending', 'x'), old('y-1', 'pending', 'y'), old('garbled', 'pending')], sql`, `)}`);

    // 0004 fills the new column from each row's event.
    await database.migrate();

    const rows = await db.select().from(inbox).orderBy(asc(inbox.id));
    expect(rows.map((r) => [r.eventId, r.chatId])).toEqual([
      ['x-0', 'x'],
      ['x-1', 'x'],
      ['x-2', 'x'],
      ['y-1', 'y'],
      ['garbled', null],
    ]);
    expect(await claimedIds(db)).toEqual(['garbled', 'x-1', 'y-1']);
  });
});
