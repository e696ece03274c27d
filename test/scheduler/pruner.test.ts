import { asc } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { pruneQueues } from '../../db/repos/retention-repo.js';
import { inbox, outbox, processedEvents, timers } from '../../db/schema.js';
import { silentLogger } from '../../src/log.js';
import { Pruner, RETENTION_DAYS } from '../../src/scheduler/pruner.js';
import { FakeClock } from '../helpers/clock.js';
import { DB_KINDS, freshDatabase, useDatabase } from '../helpers/databases.js';
import { startHarness, textOf } from '../helpers/harness.js';

const NOW = new Date('2026-11-22T03:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 60 * 60 * 1000);

/** Queue rows of every kind, each named by what it is and how old; returns nothing. */
async function seed(db: Db, extraOldInbox = 0) {
  const event = (id: string, status: string, receivedDays: number, handledDays: number | null) => ({
    platform: 'sandbox',
    eventId: id,
    payload: {},
    status,
    nextAttemptAt: daysAgo(receivedDays),
    receivedAt: daysAgo(receivedDays),
    handledAt: handledDays === null ? null : daysAgo(handledDays),
  });
  await db
    .insert(inbox)
    .values([
      event('done-8d', 'done', 8, 8),
      event('done-6d', 'done', 6, 6),
      event('pending-100d', 'pending', 100, null),
      event('dead-91d', 'dead', 91, null),
      event('dead-89d', 'dead', 89, null),
      ...Array.from({ length: extraOldInbox }, (_, i) => event(`done-old-${i}`, 'done', 20, 20)),
    ]);
  await db.insert(processedEvents).values([
    { platform: 'sandbox', eventId: 'seen-8d', receivedAt: daysAgo(8) },
    { platform: 'sandbox', eventId: 'seen-6d', receivedAt: daysAgo(6) },
  ]);
  const message = (chatId: string, status: string, createdDays: number, sentDays: number | null) => ({
    platform: 'sandbox',
    op: 'send',
    chatId,
    payload: {},
    status,
    nextAttemptAt: daysAgo(createdDays),
    createdAt: daysAgo(createdDays),
    sentAt: sentDays === null ? null : daysAgo(sentDays),
  });
  await db
    .insert(outbox)
    .values([
      message('sent-31d', 'sent', 31, 31),
      message('sent-29d', 'sent', 29, 29),
      message('pending-100d', 'pending', 100, null),
      message('dead-91d', 'dead', 91, null),
      message('dead-89d', 'dead', 89, null),
    ]);
  const timer = (key: string, status: string, dueDays: number) => ({
    key,
    kind: 'reminder',
    dueAt: daysAgo(dueDays),
    nextAttemptAt: daysAgo(dueDays),
    payload: {},
    status,
  });
  await db
    .insert(timers)
    .values([
      timer('done-31d', 'done', 31),
      timer('cancelled-31d', 'cancelled', 31),
      timer('done-29d', 'done', 29),
      timer('pending-100d', 'pending', 100),
      timer('dead-91d', 'dead', 91),
      timer('dead-89d', 'dead', 89),
    ]);
}

async function left(db: Db) {
  return {
    inbox: (await db.select().from(inbox).orderBy(asc(inbox.eventId))).map((r) => r.eventId),
    processedEvents: (await db.select().from(processedEvents).orderBy(asc(processedEvents.eventId))).map(
      (r) => r.eventId,
    ),
    outbox: (await db.select().from(outbox).orderBy(asc(outbox.chatId))).map((r) => r.chatId),
    timers: (await db.select().from(timers).orderBy(asc(timers.key))).map((r) => r.key),
  };
}

describe.each(DB_KINDS)('pruning handled queue rows (%s)', (kind) => {
  const t = useDatabase(kind);

  it('deletes what is past its retention; recent rows, and pending rows of any age, stay', async () => {
    const { db } = t.database;
    await seed(db);
    const pruner = new Pruner({ db, clock: new FakeClock(NOW), log: silentLogger });
    expect(await pruner.runOnce()).toEqual({ inbox: 2, processedEvents: 1, outbox: 2, timers: 3 });
    expect(await left(db)).toEqual({
      inbox: ['dead-89d', 'done-6d', 'pending-100d'],
      processedEvents: ['seen-6d'],
      outbox: ['dead-89d', 'pending-100d', 'sent-29d'],
      timers: ['dead-89d', 'done-29d', 'pending-100d'],
    });
    // The periods the seed straddles are the ones configured.
    expect(RETENTION_DAYS).toEqual({
      inboxHandled: 7,
      processedEvents: 7,
      outboxSent: 30,
      timersFinished: 30,
      dead: 90,
    });
    // Time moves on (the clock is injected): what was recent is pruned in its turn.
    const later = new Pruner({
      db,
      clock: new FakeClock(new Date(NOW.getTime() + 2 * 86_400_000)),
      log: silentLogger,
    });
    await later.runOnce();
    expect(await left(db)).toEqual({
      inbox: ['pending-100d'],
      processedEvents: [],
      outbox: ['pending-100d'],
      timers: ['pending-100d'],
    });
  });

  it('deletes in bounded batches until nothing old is left', async () => {
    const { db } = t.database;
    await seed(db, 7);
    const counts = await pruneQueues(
      db,
      {
        inboxHandled: daysAgo(7),
        processedEvents: daysAgo(7),
        outboxSent: daysAgo(30),
        timersFinished: daysAgo(30),
        dead: daysAgo(90),
      },
      2,
    );
    // 8 old handled events (done-8d and 7 more) and one old dead one, two at a time.
    expect(counts).toEqual({ inbox: 9, processedEvents: 1, outbox: 2, timers: 3 });
    expect((await left(db)).inbox).toEqual(['dead-89d', 'done-6d', 'pending-100d']);
  });
});

describe.each(DB_KINDS)('the pruner in the service (%s)', (kind) => {
  it('runs at start: the rows of a report handled weeks ago are pruned, those of a new report stay', async () => {
    const database = await freshDatabase(kind);
    const first = await startHarness(database, { clock: new FakeClock(daysAgo(40)) });
    const r = await first.say('cac-ofc-1', 'sb-lobby', '/上报 “旧的上报” 类别:应急管理 级别:重大');
    expect(textOf(await first.replyTo('sb-lobby', r.body.id as string))).toContain('旧的上报');
    await first.close();
    const old = await database.db.select().from(outbox);
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((m) => m.status === 'sent')).toBe(true);
    expect((await left(database.db)).inbox).toHaveLength(1);
    expect((await left(database.db)).processedEvents).toHaveLength(1);

    const second = await startHarness(database, { clock: new FakeClock(NOW) });
    try {
      await second.service.start();
      await second.service.pruner.idle();
      expect((await left(database.db)).inbox).toEqual([]);
      expect((await left(database.db)).processedEvents).toEqual([]);
      const ids = new Set((await database.db.select().from(outbox)).map((m) => m.id));
      expect(old.filter((m) => ids.has(m.id))).toEqual([]);

      const r2 = await second.say('cac-ofc-1', 'sb-lobby', '/上报 “新的上报” 类别:应急管理 级别:重大');
      expect(textOf(await second.replyTo('sb-lobby', r2.body.id as string))).toContain('新的上报');
      await second.service.pruner.runOnce();
      expect((await left(database.db)).inbox).toHaveLength(1);
      expect((await left(database.db)).processedEvents).toHaveLength(1);
    } finally {
      await second.close();
      await database.close();
    }
    // A fresh embedded database and two service starts: ~45 s on a loaded 2-core machine. The
    // timeout only catches a hang.
  }, 180_000);
});
