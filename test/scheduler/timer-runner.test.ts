import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { handleDueTimers } from '../../bot-flows/clocks/notify.js';
import { yn2016106 } from '../../bot-flows/policies/yn-2016-106.js';
import { loadOrg } from '../../db/repos/org-repo.js';
import { items, outbox, sandboxMessages, timers } from '../../db/schema.js';
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
  it('send every reminder exactly once', async () => {
    const database = await freshDatabase('postgres');
    const h = await startHarness(database);
    try {
      for (let i = 0; i < 12; i++)
        await h.say('cac-ofc-1', 'sb-lobby', `/上报 “并发提醒${i}” 类别:应急管理 级别:重大 突发`);
      h.clock.set('2026-11-22T04:30:00Z'); // every 1 h clock is past due, every reminder too
      const org = await loadOrg(database.db);
      const second = new TimerRunner({
        db: database.db,
        clock: h.clock,
        log: silentLogger,
        handle: (tx, due, now) => handleDueTimers(tx, due, now, { pack: yn2016106, org }),
      });
      await Promise.all([h.service.timers.drain(), second.drain(), h.service.timers.drain(), second.drain()]);
      await h.settle();
      const reported = await database.db.select().from(items).where(like(items.title, '并发提醒%'));
      expect(reported).toHaveLength(12);
      const breachMessages = (await database.db.select().from(sandboxMessages)).filter((m) =>
        JSON.stringify(m.content).includes('🚨 超时'),
      );
      // Two 1 h clocks per item (报告上级, 发布事实), one breach message each.
      expect(breachMessages).toHaveLength(24);
      const leftover = await database.db
        .select()
        .from(timers)
        .where(and(eq(timers.status, 'pending'), eq(timers.kind, 'reminder')));
      expect(leftover.filter((x) => x.dueAt <= h.clock.now())).toEqual([]);
      expect(await database.db.select().from(outbox).where(eq(outbox.status, 'pending'))).toEqual([]);
    } finally {
      await h.close();
      await database.close();
    }
  });
});
