import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { acceptEvent, markProcessed } from '../../db/repos/inbox-repo.js';
import { inbox, items } from '../../db/schema.js';
import type { Dispatcher } from '../../src/bot/dispatcher.js';
import type { InboundMessage } from '../../src/bot/event.js';
import { silentLogger } from '../../src/log.js';
import { INBOX_CONCURRENCY, InboxRunner } from '../../src/scheduler/inbox-runner.js';
import { DB_KINDS } from '../helpers/databases.js';
import { textOf, useHarness } from '../helpers/harness.js';
import { acceptedMessage } from '../helpers/inbox.js';

/** A promise and the function that resolves it. */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A bare event in a chat, for runners whose dispatcher only records what it is given. */
async function acceptedBare(db: Db, eventId: string, chatId: string, at: Date): Promise<void> {
  const event: InboundMessage = {
    kind: 'message',
    platform: 'sandbox',
    eventId,
    chatId,
    chatType: 'group',
    messageId: eventId,
    sender: { id: 'someone' },
    text: '/帮助',
    mentions: [],
    addressed: false,
    sentAt: at,
  };
  await acceptEvent(db, { platform: 'sandbox', eventId, payload: event }, at);
}

const statusOf = async (db: Db, eventId: string) =>
  (await db.select().from(inbox).where(eq(inbox.eventId, eventId)))[0]?.status;

describe.each(DB_KINDS)('inbox: chats side by side, each chat in order (%s)', (kind) => {
  const t = useHarness(kind);

  it("a slow command in one chat does not hold up another chat's /查询", async () => {
    const { h } = t;
    const slow = await acceptedMessage(h.db, {
      chatId: 'sb-lobby',
      personId: 'cac-ofc-1',
      text: '/帮助',
      sentAt: h.clock.now(),
    });
    const slowStarted = deferred();
    const release = deferred();
    const otherDone = deferred();
    const real = h.service.dispatcher;
    let otherId = '';
    const runner = new InboxRunner({
      db: h.db,
      clock: h.clock,
      log: silentLogger,
      concurrency: INBOX_CONCURRENCY[kind],
      dispatcher: {
        async dispatch(e, opts) {
          if (e.eventId === slow.eventId) {
            slowStarted.resolve();
            await release.promise;
          }
          const result = await real.dispatch(e, opts);
          if (e.eventId === otherId) otherDone.resolve();
          return result;
        },
      },
    });
    runner.wake(); // as the adapter does once it has stored an event
    await slowStarted.promise;
    const other = await acceptedMessage(h.db, {
      chatId: 'sb-jyt',
      personId: 'jyt-spk',
      text: '/查询 YQ20261122-001',
      sentAt: h.clock.now(),
    });
    otherId = other.eventId;
    runner.wake(); // as the adapter does once it has stored an event
    // Handled while the first chat's command is still running (before the fix: it waited behind it).
    await otherDone.promise;
    expect(await statusOf(h.db, other.eventId)).toBe('done');
    expect(await statusOf(h.db, slow.eventId)).toBe('pending');
    release.resolve();
    await runner.idle();
    await h.settle();
    expect(await statusOf(h.db, slow.eventId)).toBe('done');
    expect(textOf(await h.replyTo('sb-jyt', other.messageId))).toContain('YQ20261122-001');
    expect(textOf(await h.replyTo('sb-lobby', slow.messageId))).toContain('/上报');
  });

  it('two events of one chat never run at once or out of order, even with two runners', async () => {
    const { h } = t;
    const at = h.clock.now();
    const trace: string[] = [];
    const firstStarted = deferred();
    const release = deferred();
    const dispatcher: Pick<Dispatcher, 'dispatch'> = {
      async dispatch(e) {
        trace.push(`start ${e.eventId}`);
        if (e.eventId === 'x-1') {
          firstStarted.resolve();
          await release.promise;
        }
        trace.push(`end ${e.eventId}`);
        return { status: 'ignored' };
      },
    };
    const runner = (workerId: string) =>
      new InboxRunner({ db: h.db, clock: h.clock, log: silentLogger, concurrency: 8, workerId, dispatcher });
    const one = runner('one');
    const two = runner('two');
    await acceptedBare(h.db, 'x-1', 'chat-x', at);
    const first = one.drain();
    await firstStarted.promise;
    await acceptedBare(h.db, 'x-2', 'chat-x', at);
    await acceptedBare(h.db, 'x-3', 'chat-x', at);
    await acceptedBare(h.db, 'y-1', 'chat-y', at);
    // The other runner takes the other chat's event, and none of chat x's while x-1 runs.
    expect(await two.drain()).toBe(1);
    expect(trace).toEqual(['start x-1', 'start y-1', 'end y-1']);
    expect(await statusOf(h.db, 'x-2')).toBe('pending');
    release.resolve();
    await first;
    await Promise.all([one.drain(), two.drain()]);
    const chatX = trace.filter((s) => s.includes('x-'));
    expect(chatX).toEqual(['start x-1', 'end x-1', 'start x-2', 'end x-2', 'start x-3', 'end x-3']);
    for (const id of ['x-1', 'x-2', 'x-3', 'y-1']) expect(await statusOf(h.db, id)).toBe('done');
  });

  it('one runner with room for many still takes a chat one event at a time', async () => {
    const { h } = t;
    const at = h.clock.now();
    const running = new Map<string, number>();
    const order: string[] = [];
    let overlap = false;
    const runner = new InboxRunner({
      db: h.db,
      clock: h.clock,
      log: silentLogger,
      concurrency: 8,
      dispatcher: {
        async dispatch(e) {
          const n = (running.get(e.chatId) ?? 0) + 1;
          if (n > 1) overlap = true;
          running.set(e.chatId, n);
          // Give the other handlers in flight their turn before finishing.
          await h.db.select().from(inbox).limit(1);
          order.push(e.eventId);
          running.set(e.chatId, n - 1);
          return { status: 'ignored' };
        },
      },
    });
    for (let i = 1; i <= 4; i++)
      for (const chat of ['a', 'b', 'c']) await acceptedBare(h.db, `${chat}-${i}`, chat, at);
    expect(await runner.drain()).toBe(12);
    expect(overlap).toBe(false);
    for (const chat of ['a', 'b', 'c'])
      expect(order.filter((id) => id.startsWith(chat))).toEqual([1, 2, 3, 4].map((i) => `${chat}-${i}`));
  });

  it("a handled event is marked in its handling's own transaction: done as soon as the handling commits", async () => {
    const { h } = t;
    await acceptedMessage(h.db, {
      chatId: 'sb-lobby',
      personId: 'cac-ofc-1',
      text: '/上报 “一次提交” 类别:教育',
      sentAt: h.clock.now(),
    });
    const real = h.service.dispatcher;
    let statusAfterCommit: string | undefined;
    const runner = new InboxRunner({
      db: h.db,
      clock: h.clock,
      log: silentLogger,
      dispatcher: {
        async dispatch(e, opts) {
          const result = await real.dispatch(e, opts);
          statusAfterCommit = await statusOf(h.db, e.eventId);
          return result;
        },
      },
    });
    expect(await runner.drain()).toBe(1);
    expect(statusAfterCommit).toBe('done');
    expect(await h.db.select().from(items).where(eq(items.title, '一次提交'))).toHaveLength(1);
  });

  it('an event handled before but still pending (a redelivery) is marked done and changes nothing', async () => {
    const { h } = t;
    const event = await acceptedMessage(h.db, {
      chatId: 'sb-lobby',
      personId: 'cac-ofc-1',
      text: '/上报 “已处理过” 类别:教育',
      sentAt: h.clock.now(),
    });
    await markProcessed(h.db, 'sandbox', event.eventId, h.clock.now());
    await h.settle();
    expect(await statusOf(h.db, event.eventId)).toBe('done');
    expect(await h.db.select().from(items).where(eq(items.title, '已处理过'))).toEqual([]);
  });
});
