import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { enqueue } from '../../db/repos/outbox-repo.js';
import { outbox } from '../../db/schema.js';
import { silentLogger } from '../../src/log.js';
import { OutboxRunner } from '../../src/scheduler/outbox-runner.js';
import { FakeClock } from '../helpers/clock.js';
import { useCountingDatabase } from '../helpers/counting-database.js';
import { DB_KINDS } from '../helpers/databases.js';
import { fakeMessage, RecordingPlatform } from '../helpers/recording-platform.js';

const T0 = new Date('2026-11-22T03:00:00Z').getTime();

describe.each(DB_KINDS)('the outbox at the app limit (%s)', (kind) => {
  const ctx = useCountingDatabase(kind);

  /** A runner on Feishu's limits that has sent `n` messages (to n chats) at T0. */
  async function appWithSendsTaken(n: number) {
    const { c } = ctx;
    const clock = new FakeClock(new Date(T0));
    const platform = new RecordingPlatform(clock, { perChat: 5, perApp: 50 });
    const runner = new OutboxRunner({ db: c.db, senders: [platform], clock, log: silentLogger });
    await enqueue(
      c.db,
      Array.from({ length: n }, (_, i) => fakeMessage(`early-${i}`, `e${i}`)),
      clock.now(),
    );
    expect(await runner.runOnce()).toBe(n);
    return { c, clock, platform, runner };
  }

  it('leaves the messages waiting for a full app alone until it has room, then sends them in order', async () => {
    const { c } = ctx;
    const clock = new FakeClock(new Date(T0));
    const platform = new RecordingPlatform(clock, { perChat: 5, perApp: 50 });
    // 80 messages to 80 chats: the app takes 50 this second, the other 30 must wait for it.
    await enqueue(
      c.db,
      Array.from({ length: 80 }, (_, i) => fakeMessage(`chat-${i}`, `m${i}`)),
      clock.now(),
    );
    const runner = new OutboxRunner({ db: c.db, senders: [platform], clock, log: silentLogger });
    // One pass takes a batch of 50: the app's whole second.
    expect(await runner.runOnce()).toBe(50);

    // Still within the second: a pass reads the app's window, claims nothing of the platform
    // and sends nothing, instead of taking and failing a slot for each waiting message.
    c.reset();
    expect(await runner.runOnce()).toBe(0);
    expect(c.statements.length, c.statements.join('\n')).toBeLessThanOrEqual(2);
    const waiting = await c.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    expect(waiting).toHaveLength(30);
    expect(waiting.every((r) => r.lockedBy === null && r.attempts === 0)).toBe(true);

    // A second later the app has room: the rest go, none twice.
    clock.set(new Date(T0 + 1_000));
    await runner.drain();
    expect(platform.sends).toHaveLength(80);
    expect(new Set(platform.sends.map((s) => s.chat)).size).toBe(80);
    expect(platform.sends.slice(50).every((s) => s.at === T0 + 1_000)).toBe(true);
  });

  it('claims no more messages than the app has room for this second', async () => {
    // 30 sends of the app's 50 this second are taken.
    const { c, clock, platform, runner } = await appWithSendsTaken(30);

    // 25 more, to 25 chats, in the same second: a pass claims only the 20 the app can send;
    // the other five are never claimed, so they carry no lock and no deferral.
    clock.set(new Date(T0 + 400));
    await enqueue(
      c.db,
      Array.from({ length: 25 }, (_, i) => fakeMessage(`late-${i}`, `l${i}`)),
      clock.now(),
    );
    expect(await runner.runOnce()).toBe(20);
    const waiting = await c.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    expect(waiting).toHaveLength(5);
    expect(waiting.every((r) => r.lockedBy === null && +r.nextAttemptAt === T0 + 400)).toBe(true);

    clock.set(new Date(T0 + 1_000));
    await runner.drain();
    expect(platform.sends.map((s) => s.chat).filter((chat) => chat.startsWith('late-'))).toHaveLength(25);
  });

  it("with less than a wave of room (10 of Feishu's 50) the runner waits for a wave, and wake-ups meanwhile cost no statement", async () => {
    // 45 sends this second leave room for 5: at the limit, instances racing for each slot
    // as it frees spent more than the sends.
    const { c, clock, platform, runner } = await appWithSendsTaken(45);
    clock.set(new Date(T0 + 300));
    await enqueue(c.db, [fakeMessage('late', 'late')], clock.now());
    c.reset();
    expect(await runner.runOnce()).toBe(0);
    // One read of the app's window; the message is not claimed.
    expect(c.statements, c.statements.join('\n')).toHaveLength(1);
    const [late] = await c.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    expect(late?.lockedBy).toBeNull();

    // Every report of a burst wakes the runner: until the app has room for a wave, no statement.
    clock.set(new Date(T0 + 900));
    c.reset();
    expect(await runner.runOnce()).toBe(0);
    expect(c.statements).toEqual([]);

    // The wave's room comes when the first ten of the 45 leave the window.
    clock.set(new Date(T0 + 1_000));
    expect(await runner.runOnce()).toBe(1);
    expect(platform.sends.at(-1)).toMatchObject({ chat: 'late', at: T0 + 1_000 });
  });
});
