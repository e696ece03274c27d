import { eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { handleDueTimers } from '../../bot-flows/clocks/fire-due.js';
import { yn2016106 } from '../../bot-flows/policies/yn-2016-106.js';
import { loadOrg } from '../../db/repos/org-repo.js';
import { outbox, sandboxMessages, timers } from '../../db/schema.js';
import { silentLogger } from '../../src/log.js';
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
