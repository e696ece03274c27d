import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { scopeRoom, takeSlotsFor } from '../../../db/repos/send-window-repo.js';
import { sendWindows } from '../../../db/schema.js';
import { DB_KINDS, useDatabase } from '../../helpers/databases.js';

const T0 = new Date('2026-11-22T03:00:00Z').getTime();
const app = { scope: 'feishu:app', limit: 50 };
const chat = (id: string) => ({ scope: `feishu:chat:${id}`, limit: 5 });

describe.each(DB_KINDS)('send windows (%s)', (kind) => {
  const t = useDatabase(kind);

  it('grants chats in the order given until the app is full, holds a full chat until its slot frees, and records every send taken', async () => {
    const { db } = t.database;
    // The app has 3 slots left this second; chat b has used its 5 (the first 600 ms ago).
    await db.insert(sendWindows).values([
      { scope: 'feishu:app', recent: Array.from({ length: 47 }, (_, i) => T0 - 600 + i) },
      { scope: 'feishu:chat:b', recent: [T0 - 600, T0 - 500, T0 - 400, T0 - 300, T0 - 200] },
    ]);
    const grants = await takeSlotsFor(db, app, ['a', 'b', 'c', 'd', 'e'].map(chat), new Date(T0), 10);
    expect(grants).toEqual([
      { taken: true },
      { taken: false, until: new Date(T0 + 400), appFull: false },
      { taken: true },
      { taken: true },
      // Full after d: it waits until the app has room for a wave of 10, when the 10th-oldest of
      // the app's sends leaves the window.
      { taken: false, until: new Date(T0 - 600 + 9 + 1_000), appFull: true },
    ]);
    const windows = new Map((await db.select().from(sendWindows)).map((w) => [w.scope, w.recent]));
    expect(windows.get('feishu:app')?.filter((x) => x === T0)).toHaveLength(3);
    for (const id of ['a', 'c', 'd']) expect(windows.get(`feishu:chat:${id}`)).toEqual([T0]);
    expect(windows.get('feishu:chat:e')).toEqual([]);
    expect(windows.get('feishu:chat:b')).toHaveLength(5);

    // A read of the room agrees: none now, a wave's room then.
    const room = await scopeRoom(db, [{ ...app, wave: 10 }], new Date(T0));
    expect(room.get('feishu:app')).toEqual({ free: 0, until: new Date(T0 + 409) });
  });

  it('counted over a longer window (Feishu: 1.05 s), a send 1 s old still takes its slot, and the room opens that much later', async () => {
    const { db } = t.database;
    const slow = { ...app, windowMs: 1_050 };
    const slowChat = (id: string) => ({ ...chat(id), windowMs: 1_050 });
    // Chat a sent 5 in the second before, the first 1,020 ms ago: past a 1 s window, inside 1.05 s.
    await db.insert(sendWindows).values([
      { scope: 'feishu:app', recent: [] },
      { scope: 'feishu:chat:a', recent: [T0 - 1_020, T0 - 900, T0 - 800, T0 - 700, T0 - 600] },
    ]);
    expect(await takeSlotsFor(db, app, [chat('a')], new Date(T0))).toEqual([{ taken: true }]);
    await db.update(sendWindows).set({ recent: [T0 - 1_020, T0 - 900, T0 - 800, T0 - 700, T0 - 600] });
    expect(await takeSlotsFor(db, slow, [slowChat('a')], new Date(T0))).toEqual([
      { taken: false, until: new Date(T0 - 1_020 + 1_050), appFull: false },
    ]);
    // The app's window: 50 sends 1,000-1,049 ms old leave room for a wave only 1.05 s after them.
    await db
      .update(sendWindows)
      .set({ recent: Array.from({ length: 50 }, (_, i) => T0 - 1_049 + i) })
      .where(eq(sendWindows.scope, 'feishu:app'));
    expect((await scopeRoom(db, [{ ...app, wave: 10 }], new Date(T0))).get('feishu:app')).toEqual({
      free: 50,
      until: null,
    });
    expect((await scopeRoom(db, [{ ...slow, wave: 10 }], new Date(T0))).get('feishu:app')).toEqual({
      free: 0,
      until: new Date(T0 - 1_049 + 9 + 1_050),
    });
    await expect(takeSlotsFor(db, slow, [chat('b')], new Date(T0))).rejects.toThrow(/window/);
  });

  it('asked twice for one chat in a statement, it refuses rather than count the chat once', async () => {
    const { db } = t.database;
    await expect(takeSlotsFor(db, app, [chat('a'), chat('a')], new Date(T0))).rejects.toThrow(/once/);
    expect(await db.select().from(sendWindows)).toEqual([]);
  });
});
