import { asc, eq, like, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { handleDueTimers } from '../../bot-flows/clocks/fire-due.js';
import { yn2016106 } from '../../bot-flows/policies/yn-2016-106.js';
import { MAX_ATTEMPTS } from '../../db/repos/backoff.js';
import { loadOrg } from '../../db/repos/org-repo.js';
import { items, outbox, sandboxMessages, timers } from '../../db/schema.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { TimerRunner } from '../../src/scheduler/timer-runner.js';
import { FakeClock } from '../helpers/clock.js';
import { DB_KINDS, freshDatabase } from '../helpers/databases.js';
import { startHarness, textOf, useHarness } from '../helpers/harness.js';

const numberIn = (text: string) => /YQ\d{8}-\d{3}/.exec(text)?.[0] as string;

describe.each(DB_KINDS)('reminders across a restart (%s)', (kind) => {
  const t = useHarness(kind);

  it('reminders missed while down go out at start-up as one combined message per clock, then the breach once', async () => {
    const { h } = t;
    const r = await h.say('cac-ofc-1', 'sb-lobby', '/上报 “桥梁垮塌” 类别:应急管理 级别:重大');
    const number = numberIn(textOf(await h.replyTo('sb-lobby', r.body.id as string)));
    await h.close(); // the service stops; the clock runs on

    const clock = new FakeClock('2026-11-22T03:55:00Z'); // past 50 %, 80 % and 10 min before
    const again = await startHarness(t.database, { clock });
    try {
      await again.settle();
      const reminders = (await again.botMessages('sb-yjb', number)).filter((m) => textOf(m).startsWith('⏰'));
      expect(reminders.map((m) => textOf(m).split('\n')[0])).toEqual([
        `⏰ ${number}《桥梁垮塌》「报告上级」时限 2026-11-22 12:00，还剩 5 分钟。`,
      ]);
      expect(textOf(reminders[0] as never)).toContain('有 2 次提醒未按时发出，已合并为本条');

      clock.set('2026-11-22T04:01:00Z');
      await again.settle();
      await again.settle();
      const breaches = (await again.botMessages('sb-yjb', number)).filter((m) => textOf(m).startsWith('🚨'));
      expect(breaches).toHaveLength(1);
    } finally {
      await again.close();
    }
  });
});

describe('two timer runners on one Postgres database', () => {
  // 110 reports and 880 timer messages through two runners: about 20 s alone on 2 cores. The
  // timeout only catches a hang; a shared, loaded machine has needed more than 120 s.
  it('send every reminder exactly once, one message per clock, with both runners at work', async () => {
    const database = await freshDatabase('postgres');
    const h = await startHarness(database);
    try {
      // 110 items with two 1 h clocks each: 220 clocks, more than one pass claims (200).
      await Promise.all(
        Array.from({ length: 110 }, (_, i) =>
          h.service.dispatcher.dispatch({
            kind: 'message',
            platform: 'sandbox',
            eventId: `race-${i}`,
            chatId: 'sb-lobby',
            chatType: 'group',
            messageId: `race-${i}`,
            sender: { id: 'cac-ofc-1' },
            text: `/上报 “并发提醒${i}” 类别:应急管理 级别:重大 突发`,
            mentions: [],
            addressed: false,
            sentAt: h.clock.now(),
          }),
        ),
      );
      await h.service.outbox.idle();
      await database.db.delete(outbox).where(like(outbox.replyTo, 'race-%'));
      await h.settle();
      const org = await loadOrg(database.db);
      const handled = { a: 0, b: 0 };
      const runner = (name: 'a' | 'b') =>
        new TimerRunner({
          db: database.db,
          clock: h.clock,
          log: silentLogger,
          handle: async (tx, due, now) => {
            handled[name] += due.length;
            await handleDueTimers(tx, due, now, { pack: yn2016106, org });
          },
        });
      const [a, b] = [runner('a'), runner('b')];
      const count = async (prefix: string) => {
        const rows = (await database.db.select().from(sandboxMessages)).filter((m) =>
          JSON.stringify(m.content).includes(prefix),
        );
        const perClock = new Map<string, number>();
        for (const m of rows) {
          const text = JSON.stringify(m.content);
          const key = `${/YQ\d{8}-\d{3}/.exec(text)?.[0]}${/「[^」]+」/.exec(text)?.[0]}`;
          perClock.set(key, (perClock.get(key) ?? 0) + 1);
        }
        return perClock;
      };

      // 55 minutes in: three reminders of each 1 h clock are due, not its deadline.
      h.clock.set('2026-11-22T03:55:00Z');
      await Promise.all([a.drain(), b.drain()]);
      await h.settle();
      const reminders = await count('⏰');
      expect(reminders.size).toBe(220);
      expect([...reminders.values()].every((n) => n === 1)).toBe(true);

      // Past the deadline: one 超时 per clock.
      h.clock.set('2026-11-22T04:01:00Z');
      await Promise.all([a.drain(), b.drain()]);
      await h.settle();
      const breaches = await count('🚨 超时');
      expect(breaches.size).toBe(220);
      expect([...breaches.values()].every((n) => n === 1)).toBe(true);
      expect(handled.a).toBeGreaterThan(0);
      expect(handled.b).toBeGreaterThan(0);
      expect(handled.a + handled.b).toBe(220 * 3 + 220);
      const due = await database.db.select().from(timers).where(eq(timers.status, 'pending'));
      expect(due.filter((x) => x.dueAt <= h.clock.now())).toEqual([]);
    } finally {
      await h.close();
      await database.close();
    }
  }, 300_000);
});

describe.each(DB_KINDS)('start-up (%s)', (kind) => {
  it('service.start() catches up on what fell due while the service was down, with no manual drain', async () => {
    const database = await freshDatabase(kind);
    const first = await startHarness(database);
    const r = await first.say('cac-ofc-1', 'sb-lobby', '/上报 “停机期间到期” 类别:应急管理 级别:重大');
    const number = numberIn(textOf(await first.replyTo('sb-lobby', r.body.id as string)));
    await first.close();
    const clock = new FakeClock('2026-11-22T04:10:00Z');
    const second = await startHarness(database, { clock });
    try {
      await second.service.start();
      await second.service.timers.idle();
      await second.service.outbox.idle();
      await second.service.outbox.drain();
      const breach = (await second.botMessages('sb-yjb', number)).filter((m) => textOf(m).startsWith('🚨'));
      expect(breach).toHaveLength(1);
      expect(textOf(breach[0] as never)).toContain('有 3 次提醒未按时发出，已合并为本条');
    } finally {
      await second.close();
      await database.close();
    }
  });
});

describe.each(DB_KINDS)('a clock whose handling fails (%s)', (kind) => {
  const lines: string[] = [];
  const t = useHarness(kind, { log: createLogger('warn', (line) => lines.push(line)) });

  it('holds back no other clock: it retries with backoff, keeps attempts and last_error, then is set aside as dead', async () => {
    const { h } = t;
    const numbers: string[] = [];
    for (const title of ['好的甲', '坏的', '好的乙']) {
      const r = await h.say('cac-ofc-1', 'sb-lobby', `/上报 “${title}” 类别:应急管理 级别:重大`);
      numbers.push(numberIn(textOf(await h.replyTo('sb-lobby', r.body.id as string))));
    }
    const [goodA, bad, goodB] = numbers as [string, string, string];
    const [item] = await h.db.select().from(items).where(eq(items.number, bad));
    const itemId = item?.id as number;
    // The clock due first (报告上级) is corrupted as a faulty write could leave it: its
    // unknown_years holds an object instead of a list of years, and building its reminder throws.
    const [first] = await h.db
      .select()
      .from(timers)
      .where(eq(timers.itemId, itemId))
      .orderBy(asc(timers.dueAt))
      .limit(1);
    const clockId = first?.clockId as number;
    await h.db.execute(sql`update clocks set unknown_years = '{"2026": true}'::jsonb where id = ${clockId}`);
    const clockTimers = () =>
      h.db.select().from(timers).where(eq(timers.clockId, clockId)).orderBy(asc(timers.id));
    const reminders = async (number: string, mark: string) =>
      (await h.botMessages('sb-yjb', number)).filter((m) => textOf(m).startsWith(mark));

    // 55 minutes in: three reminders of each item's 报告上级 clock are due, in one pass.
    h.clock.set('2026-11-22T03:55:00Z');
    await h.settle();
    expect(await reminders(goodA, '⏰')).toHaveLength(1);
    expect(await reminders(goodB, '⏰')).toHaveLength(1);
    expect(await reminders(bad, '⏰')).toHaveLength(0);
    const due = (await clockTimers()).filter((x) => x.kind === 'reminder');
    expect(due).toHaveLength(3);
    for (const x of due) {
      expect(x).toMatchObject({ status: 'pending', attempts: 1, lockedAt: null, lockedBy: null });
      expect(x.lastError).toMatch(/iterable/);
      expect(x.nextAttemptAt).toEqual(new Date('2026-11-22T03:55:01Z')); // 1 s, then 2 s, 4 s, …
      expect(x.dueAt.getTime()).toBeLessThan(x.nextAttemptAt.getTime()); // the due time stays
    }

    // Each retry fails again, twice as far out each time, until the last attempt.
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      const retryAt = (await clockTimers()).find((x) => x.kind === 'reminder')?.nextAttemptAt as Date;
      h.clock.set(new Date(retryAt.getTime() - 1));
      await h.settle(); // not yet
      expect((await clockTimers()).find((x) => x.kind === 'reminder')?.attempts).toBe(attempt - 1);
      h.clock.set(retryAt);
      await h.settle();
      const now = (await clockTimers()).filter((x) => x.kind === 'reminder');
      expect(now.every((x) => x.attempts === attempt)).toBe(true);
      if (attempt < MAX_ATTEMPTS) {
        expect(now.every((x) => x.status === 'pending')).toBe(true);
        expect(now[0]?.nextAttemptAt.getTime()).toBe(retryAt.getTime() + 2 ** (attempt - 1) * 1000);
      }
    }
    const dead = (await clockTimers()).filter((x) => x.kind === 'reminder');
    expect(dead.map((x) => x.status)).toEqual(['dead', 'dead', 'dead']);
    expect(
      dead.every((x) => x.lockedAt === null && x.lockedBy === null && /iterable/.test(x.lastError ?? '')),
    ).toBe(true);
    const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'error');
    expect(logged).toEqual([
      expect.objectContaining({
        msg: 'clock timers set aside after their last attempt',
        clock: clockId,
        item: itemId,
        timers: dead.map((x) => x.id),
        attempts: MAX_ATTEMPTS,
      }),
    ]);

    // Meanwhile the good clocks went on: their deadline passed during the retries and each got its 超时.
    expect(await reminders(goodA, '🚨')).toHaveLength(1);
    expect(await reminders(goodB, '🚨')).toHaveLength(1);
    // The bad clock's own deadline fell due during its backoff and was retried with it; once that
    // timer too has had its last attempt, nothing of the clock is claimed any more.
    for (let i = 0; i < 3 * MAX_ATTEMPTS; i++) {
      const pending = (await clockTimers()).filter((x) => x.status === 'pending');
      if (pending.length === 0) break;
      h.clock.set(new Date(Math.min(...pending.map((x) => x.nextAttemptAt.getTime()))));
      await h.settle();
    }
    const after = await clockTimers();
    expect(after.map((x) => [x.kind, x.status, x.attempts])).toEqual([
      ['reminder', 'dead', MAX_ATTEMPTS],
      ['reminder', 'dead', MAX_ATTEMPTS],
      ['reminder', 'dead', MAX_ATTEMPTS],
      ['breach', 'dead', MAX_ATTEMPTS],
    ]);
    h.clock.set('2026-11-23T03:00:00Z');
    expect(await h.service.timers.drain()).toBeGreaterThan(0); // the good items' repeats
    const untouched = await clockTimers();
    expect(untouched).toEqual(after);
    expect(await reminders(bad, '⏰')).toHaveLength(0);
    expect(await reminders(bad, '🚨')).toHaveLength(0);
  });
});
