import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../../db/repos/backoff.js';
import { enqueue } from '../../db/repos/outbox-repo.js';
import { outbox } from '../../db/schema.js';
import { SendError } from '../../src/bot/sender.js';
import { createLogger } from '../../src/log.js';
import { OutboxRunner } from '../../src/scheduler/outbox-runner.js';
import { FakeClock } from '../helpers/clock.js';
import { DB_KINDS, useDatabase } from '../helpers/databases.js';
import { fakeMessage, RecordingPlatform } from '../helpers/recording-platform.js';

// Longer than the longest backoff: every held row is due again after each step.
const STEP_MS = 601_000;

describe.each(DB_KINDS)('outbox: setting aside a message that always fails (%s)', (kind) => {
  const ctx = useDatabase(kind);

  const setup = () => {
    const clock = new FakeClock('2026-11-22T03:00:00Z');
    const platform = new RecordingPlatform(clock);
    const lines: string[] = [];
    const runner = new OutboxRunner({
      db: ctx.database.db,
      senders: [platform],
      clock,
      log: createLogger('warn', (l) => lines.push(l)),
      workerId: 'w1',
    });
    return { clock, platform, lines, runner };
  };
  const rowOf = async (text: string) => {
    const rows = await ctx.database.db.select().from(outbox);
    return rows.find((r) => JSON.stringify(r.payload).includes(text));
  };

  it('after its last attempt a failing message is set aside (kept, logged at error) and its chat moves on', async () => {
    const { clock, platform, lines, runner } = setup();
    platform.fail = (m) =>
      m.chatId === 'c1' && JSON.stringify(m.message).includes('poison') ? new Error('boom') : null;
    await enqueue(ctx.database.db, [fakeMessage('c1', 'poison'), fakeMessage('c1', 'after')], clock.now());
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      expect(platform.textsIn('c1')).toEqual([]);
      await runner.drain();
      clock.advance(STEP_MS);
    }
    expect(await rowOf('poison')).toMatchObject({
      status: 'dead',
      attempts: MAX_ATTEMPTS,
      lastError: 'boom',
    });
    await runner.drain();
    expect(platform.textsIn('c1')).toEqual(['after']);
    const dead = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'error');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ msg: 'outbox message set aside: no further attempts', chat: 'c1' });
  });

  it('while the platform is down (nothing delivered), its failures never set a message aside; all go once it is back', async () => {
    const { clock, platform, runner } = setup();
    let down = true;
    platform.fail = () => (down ? new SendError('feishu HTTP 502', true, '502', undefined, true) : null);
    await enqueue(
      ctx.database.db,
      [fakeMessage('c1', 'first'), fakeMessage('c1', 'second'), fakeMessage('c2', 'other')],
      clock.now(),
    );
    for (let i = 0; i < MAX_ATTEMPTS * 2; i++) {
      await runner.drain();
      clock.advance(STEP_MS);
    }
    expect(await rowOf('first')).toMatchObject({ status: 'pending', attempts: MAX_ATTEMPTS * 2, strikes: 0 });
    expect(await rowOf('other')).toMatchObject({ status: 'pending', strikes: 0 });
    down = false;
    await runner.drain();
    expect(platform.textsIn('c1')).toEqual(['first', 'second']);
    expect(platform.textsIn('c2')).toEqual(['other']);
  });

  it('an outage-like failure of one message counts while the platform delivers the others', async () => {
    const { clock, platform, runner } = setup();
    platform.fail = (m) =>
      m.chatId === 'c1' ? new SendError('feishu HTTP 500', true, '500', undefined, true) : null;
    await enqueue(ctx.database.db, [fakeMessage('c1', 'stuck'), fakeMessage('c1', 'next')], clock.now());
    // Other chats keep getting their messages at each attempt: the platform is up.
    for (let i = 0; i <= MAX_ATTEMPTS; i++) {
      await enqueue(ctx.database.db, [fakeMessage('c2', `ok${i}`)], clock.now());
      await runner.drain();
      clock.advance(STEP_MS);
    }
    const [stuck] = await ctx.database.db
      .select()
      .from(outbox)
      .where(eq(outbox.chatId, 'c1'))
      .orderBy(outbox.id);
    expect(stuck).toMatchObject({ status: 'dead', strikes: MAX_ATTEMPTS });
    platform.fail = () => null;
    await runner.drain();
    expect(platform.textsIn('c1')).toEqual(['next']);
  });
});
