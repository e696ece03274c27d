import { asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../db/repos/backoff.js';
import { acceptEvent } from '../db/repos/inbox-repo.js';
import { enqueue } from '../db/repos/outbox-repo.js';
import { items, timers } from '../db/schema.js';
import type { OutMessage } from '../src/core/message.js';
import { DB_KINDS } from './helpers/databases.js';
import { textOf, useHarness } from './helpers/harness.js';
import { sample, scrape } from './helpers/metrics.js';

const dead = (queue: string) => `huiyin_dead_letters{queue="${queue}"}`;

describe.each(DB_KINDS)('huiyin_dead_letters (%s)', (kind) => {
  const t = useHarness(kind);

  it('counts the rows each queue set aside after their last attempt', async () => {
    const { h } = t;
    const before = await scrape(h.service.app);
    for (const queue of ['timers', 'outbox', 'inbox']) {
      expect(before).toContain(`${dead(queue)} 0\n`);
    }

    // An event that can never be handled, and a message that can never be sent.
    await acceptEvent(
      h.db,
      { platform: 'sandbox', eventId: 'garbled', payload: { kind: 'nonsense' } },
      h.clock.now(),
    );
    await enqueue(
      h.db,
      [
        {
          platform: 'sandbox',
          op: 'send',
          chatId: 'sb-lobby',
          payload: { kind: 'nonsense' } as unknown as OutMessage,
        },
      ],
      h.clock.now(),
    );
    // A clock whose reminders fail on their last attempt (its data is corrupt).
    const r = await h.say('cac-ofc-1', 'sb-lobby', '/上报 “死信” 类别:应急管理 级别:重大');
    const number = /YQ\d{8}-\d{3}/.exec(
      textOf(await h.replyTo('sb-lobby', r.body.id as string)),
    )?.[0] as string;
    const [item] = await h.db.select().from(items).where(eq(items.number, number));
    const [first] = await h.db
      .select()
      .from(timers)
      .where(eq(timers.itemId, item?.id as number))
      .orderBy(asc(timers.dueAt))
      .limit(1);
    await h.db.execute(
      sql`update clocks set unknown_years = '{"2026": true}'::jsonb where id = ${first?.clockId}`,
    );
    await h.db.execute(
      sql`update timers set attempts = ${MAX_ATTEMPTS - 1} where clock_id = ${first?.clockId}`,
    );
    h.clock.set('2026-11-22T03:55:00Z'); // its three reminders are due
    await h.settle();

    const text = await scrape(h.service.app);
    expect(sample(text, dead('inbox'))).toBe(1);
    expect(sample(text, dead('outbox'))).toBe(1);
    expect(sample(text, dead('timers'))).toBe(3);
  });
});
