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
    const { c } = ctx;
    const clock = new FakeClock(new Date(T0));
    const platform = new RecordingPlatform(clock, { perChat: 5, perApp: 50 });
    const runner = new OutboxRunner({ db: c.db, senders: [platform], clock, log: silentLogger });
    // 48 sends of the app's 50 this second are taken.
    await enqueue(
      c.db,
      Array.from({ length: 48 }, (_, i) => fakeMessage(`early-${i}`, `e${i}`)),
      clock.now(),
    );
    expect(await runner.runOnce()).toBe(48);

    // Ten more, to ten chats, in the same second: a pass claims only the two the app can send;
    // the other eight are never claimed, so they carry no lock and no deferral.
    clock.set(new Date(T0 + 400));
    await enqueue(
      c.db,
      Array.from({ length: 10 }, (_, i) => fakeMessage(`late-${i}`, `l${i}`)),
      clock.now(),
    );
    expect(await runner.runOnce()).toBe(2);
    const waiting = await c.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    expect(waiting).toHaveLength(8);
    expect(waiting.every((r) => r.lockedBy === null && +r.nextAttemptAt === T0 + 400)).toBe(true);

    clock.set(new Date(T0 + 1_000));
    await runner.drain();
    expect(platform.sends.map((s) => s.chat).filter((chat) => chat.startsWith('late-'))).toHaveLength(10);
  });
});
