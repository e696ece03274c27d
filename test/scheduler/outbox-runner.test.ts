import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { enqueue, type OutboxInsert } from '../../db/repos/outbox-repo.js';
import { itemMessages, outbox } from '../../db/schema.js';
import { type OutboundMessage, type PlatformSender, SendError } from '../../src/bot/sender.js';
import { textMessage } from '../../src/core/message.js';
import { silentLogger } from '../../src/log.js';
import { OutboxRunner } from '../../src/scheduler/outbox-runner.js';
import { FakeClock } from '../helpers/clock.js';
import { DB_KINDS, freshDatabase } from '../helpers/databases.js';

/** A platform that fails on demand and records what it delivered. */
class FakePlatform implements PlatformSender {
  readonly platform = 'fake';
  delivered: OutboundMessage[] = [];
  failures: (Error | null)[] = [];
  private n = 0;

  async send(m: OutboundMessage) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.delivered.push(m);
    return { messageId: `m${++this.n}` };
  }

  texts() {
    return this.delivered.map((d) =>
      d.message.kind === 'text' ? d.message.parts.map((p) => (p.t === 'text' ? p.v : '')).join('') : '',
    );
  }
}

const msg = (chatId: string, text: string, extra: Partial<OutboxInsert> = {}): OutboxInsert => ({
  platform: 'fake',
  op: 'send',
  chatId,
  payload: textMessage(text),
  ...extra,
});

describe.each(DB_KINDS)('outbox runner (%s)', (kind) => {
  let database: Database;
  let clock: FakeClock;
  let platform: FakePlatform;
  let runner: OutboxRunner;

  beforeAll(async () => {
    database = await freshDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.db.delete(outbox);
    clock = new FakeClock('2026-11-22T03:00:00Z');
    platform = new FakePlatform();
    runner = new OutboxRunner({
      db: database.db,
      senders: [platform],
      clock,
      log: silentLogger,
      workerId: 'w1',
    });
  });

  it('retries a failed send with backoff until it goes through, exactly once', async () => {
    await enqueue(database.db, [msg('c1', 'hello')], clock.now());
    platform.failures = [new Error('HTTP 500'), new SendError('rate limited', true, '230020')];

    expect(await runner.drain()).toBe(0);
    let [row] = await database.db.select().from(outbox);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500' });
    expect(row?.nextAttemptAt).toEqual(new Date('2026-11-22T03:00:01Z'));

    // Not due yet: nothing happens.
    expect(await runner.drain()).toBe(0);
    expect(platform.failures).toHaveLength(1);

    clock.advance(1_000);
    expect(await runner.drain()).toBe(0);
    [row] = await database.db.select().from(outbox);
    expect(row).toMatchObject({ status: 'pending', attempts: 2, lastError: 'rate limited' });
    expect(row?.nextAttemptAt).toEqual(new Date('2026-11-22T03:00:03Z'));

    clock.advance(2_000);
    expect(await runner.drain()).toBe(1);
    [row] = await database.db.select().from(outbox);
    expect(row).toMatchObject({ status: 'sent', sentMessageId: 'm1', lastError: null });
    expect(platform.texts()).toEqual(['hello']);
    clock.advance(60_000);
    expect(await runner.drain()).toBe(0);
    expect(platform.texts()).toEqual(['hello']);
  });

  it('keeps each chat in order: a failed message holds back the later ones of its chat only', async () => {
    await enqueue(database.db, [msg('c1', 'a1'), msg('c1', 'a2'), msg('c2', 'b1')], clock.now());
    platform.failures = [new Error('down')];
    await runner.drain();
    expect(platform.texts()).toEqual(['b1']);
    clock.advance(1_000);
    await runner.drain();
    expect(platform.texts()).toEqual(['b1', 'a1', 'a2']);
  });

  it('a platform that asks to wait holds the message without counting a failure', async () => {
    await enqueue(database.db, [msg('c1', 'later')], clock.now());
    platform.failures = [new SendError('per-chat rate limit', true, 'local_rate_limit', 400)];
    await runner.drain();
    const [row] = await database.db.select().from(outbox);
    expect(row).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(row?.nextAttemptAt).toEqual(new Date('2026-11-22T03:00:00.400Z'));
    clock.advance(400);
    await runner.drain();
    expect(platform.texts()).toEqual(['later']);
  });

  it('marks a permanent error dead with its reason instead of retrying forever', async () => {
    await enqueue(database.db, [msg('c1', 'x')], clock.now());
    platform.failures = [new SendError('chat not found', false, '230002')];
    await runner.drain();
    const [row] = await database.db.select().from(outbox);
    expect(row).toMatchObject({ status: 'dead', attempts: 1, lastError: 'chat not found' });
  });

  it('a thread reply waits until the item card it hangs from has been sent', async () => {
    await enqueue(
      database.db,
      [
        msg('c1', 'card', { anchorItemId: 77 }),
        msg('c1', 'in thread', { op: 'reply', inThread: true, threadItemId: 77 }),
      ],
      clock.now(),
    );
    platform.failures = [new Error('down')];
    await runner.drain();
    expect(platform.delivered).toEqual([]);
    clock.advance(1_000);
    await runner.drain();
    expect(platform.texts()).toEqual(['card', 'in thread']);
    expect(platform.delivered[1]).toMatchObject({ op: 'reply', replyTo: 'm1', inThread: true });
    const anchors = await database.db.select().from(itemMessages).where(eq(itemMessages.itemId, 77));
    expect(anchors).toMatchObject([{ chatId: 'c1', messageId: 'm1', kind: 'card' }]);
    await database.db.delete(itemMessages);
  });

  it('a thread reply whose card never went out is delivered into the chat after waiting, not held forever', async () => {
    await enqueue(
      database.db,
      [msg('c1', 'orphan reply', { op: 'reply', inThread: true, threadItemId: 88 }), msg('c1', 'next')],
      clock.now(),
    );
    for (const wait of [1, 2, 4, 8, 16]) {
      await runner.drain();
      expect(platform.delivered).toEqual([]);
      clock.advance(wait * 1_000);
    }
    await runner.drain();
    expect(platform.texts()).toEqual(['orphan reply', 'next']);
    expect(platform.delivered[0]).toMatchObject({ op: 'send', replyTo: null, inThread: false });
  });

  it('rows claimed by a worker that died are taken over after the lock timeout', async () => {
    await enqueue(database.db, [msg('c1', 'orphan')], clock.now());
    await database.db.update(outbox).set({ lockedAt: clock.now(), lockedBy: 'dead-worker' });
    await runner.drain();
    expect(platform.delivered).toEqual([]);
    clock.advance(61_000);
    await runner.drain();
    expect(platform.texts()).toEqual(['orphan']);
  });

  it('two runners draining together deliver every message exactly once', async () => {
    const texts = Array.from({ length: 60 }, (_, i) => `m${i}`);
    await enqueue(
      database.db,
      texts.map((t, i) => msg(`chat${i % 7}`, t)),
      clock.now(),
    );
    const other = new OutboxRunner({
      db: database.db,
      senders: [platform],
      clock,
      log: silentLogger,
      workerId: 'w2',
    });
    await Promise.all([runner.drain(), other.drain()]);
    expect(platform.texts().sort()).toEqual([...texts].sort());
    const keys = platform.delivered.map((d) => d.key);
    expect(new Set(keys).size).toBe(60);
  });
});
