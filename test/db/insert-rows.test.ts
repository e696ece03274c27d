import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertRows } from '../../db/insert-rows.js';
import { inbox, items, outbox, units } from '../../db/schema.js';
import { DB_KINDS, useDatabase } from '../helpers/databases.js';

const at = new Date('2026-11-22T03:00:00.123Z');

const item = (title: string) => ({
  number: `n-${title}`,
  title,
  category: '教育',
  level: null,
  proposedLevel: '较大' as const,
  channel: '微博',
  link: null,
  emergency: true,
  occurredAt: new Date('2026-11-22T02:30:00.456Z'),
  reportedAt: at,
  state: 'reported' as const,
  ownerUnitId: 'edu',
  routingRule: 'guikou',
  policyPack: 'province-2013',
  reporterName: '张三',
  platform: 'sandbox',
  sourceChatId: 'sb-edu',
  sourceMessageId: `m-${title}`,
  updatedAt: at,
});

describe.each(DB_KINDS)('inserting rows through one jsonb parameter (%s)', (kind) => {
  const t = useDatabase(kind);

  it('stores and returns what drizzle’s own insert stores and returns, defaults included', async () => {
    const { db } = t.database;
    await db.insert(units).values({ id: 'edu', name: '省教育厅', updatedAt: at });
    const [viaDrizzle] = await db.insert(items).values(item('甲')).returning();
    const [viaJson] = await insertRows(db, items, [item('乙')], { returning: 'all' });
    const [readBack] = await db.select().from(items).where(eq(items.title, '乙'));
    const strip = (r: object) => ({ ...r, id: 0, number: '', title: '', sourceMessageId: '' });
    expect(viaJson).toBeDefined();
    expect(strip(viaJson as object)).toEqual(strip(viaDrizzle as object));
    expect(readBack).toEqual(viaJson);
    // Left out: the defaults apply (version 1, kind opinion, no casualties).
    expect(viaJson).toMatchObject({
      version: 1,
      kind: 'opinion',
      casualties: false,
      occurredAt: item('').occurredAt,
    });
  });

  it('keeps jsonb payloads, many rows at once, in order, with their keys generated', async () => {
    const { db } = t.database;
    const payloads = [
      { kind: 'text', text: '引号"、反斜杠\\、换行\n、表情😀、\u2028' },
      { kind: 'card', card: { elements: [{ tag: 'markdown', content: '**加粗**' }], n: 1.5, empty: null } },
      { kind: 'text', text: '' },
    ];
    const ids = await insertRows(
      db,
      outbox,
      payloads.map((payload, i) => ({
        platform: 'sandbox',
        op: 'send',
        chatId: `c${i}`,
        payload,
        nextAttemptAt: at,
        createdAt: at,
      })),
      { returning: ['id', 'key'] },
    );
    expect(ids).toHaveLength(3);
    const stored = await db.select().from(outbox).orderBy(outbox.id);
    expect(stored.map((r) => r.payload)).toEqual(payloads);
    expect(stored.map((r) => r.id)).toEqual(ids.map((r) => r.id));
    expect(new Set(stored.map((r) => r.key)).size).toBe(3);
    expect(stored.every((r) => r.status === 'pending' && r.attempts === 0 && r.replyTo === null)).toBe(true);
  });

  it('on conflict does nothing and returns nothing for the row already there', async () => {
    const { db } = t.database;
    const event = {
      platform: 'feishu',
      eventId: 'ev-1',
      chatId: 'oc_1',
      payload: { text: '/上报' },
      nextAttemptAt: at,
      receivedAt: at,
    };
    const first = await insertRows(db, inbox, [event], { returning: ['id'], onConflictDoNothing: true });
    const again = await insertRows(db, inbox, [{ ...event, payload: { text: '别的' } }], {
      returning: ['id'],
      onConflictDoNothing: true,
    });
    expect(first).toHaveLength(1);
    expect(again).toEqual([]);
    const stored = await db.select().from(inbox);
    expect(stored.map((r) => r.payload)).toEqual([{ text: '/上报' }]);
  });

  it('refuses rows that give different columns, and writes none of them', async () => {
    const { db } = t.database;
    await db.insert(units).values({ id: 'edu', name: '省教育厅', updatedAt: at });
    await expect(insertRows(db, items, [item('甲'), { ...item('乙'), casualties: true }])).rejects.toThrow(
      /rows give different columns/,
    );
    await expect(
      insertRows(db, items, [
        { ...item('甲'), channel: '微信' },
        { ...item('乙'), channel: undefined },
      ]),
    ).rejects.toThrow(/leaves out channel/);
    expect(await db.select().from(items)).toEqual([]);
    expect(await insertRows(db, items, [])).toEqual([]);
  });
});
