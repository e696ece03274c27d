import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { MAX_ATTEMPTS } from '../../db/repos/backoff.js';
import { inbox } from '../../db/schema.js';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
import type { Dispatcher } from '../../src/bot/dispatcher.js';
import { createLogger } from '../../src/log.js';
import { InboxRunner } from '../../src/scheduler/inbox-runner.js';
import { DB_KINDS } from '../helpers/databases.js';
import { textOf, useHarness } from '../helpers/harness.js';
import { acceptedMessage } from '../helpers/inbox.js';

/** The error a query gets from a Postgres nobody listens for (a stopped database), as drizzle throws it. */
async function unreachableError(): Promise<unknown> {
  const away = await openDatabase({
    databaseUrl: 'postgres://postgres@127.0.0.1:1/huiyin',
    maxConnections: 1,
  });
  try {
    await away.db.query.inbox.findFirst();
  } catch (err) {
    return err;
  } finally {
    await away.close();
  }
  throw new Error('expected the query to fail');
}

/** The longest backoff (10 min): advancing by it makes any failed event due again. */
const BACKOFF_MAX_MS = 600_000;

describe.each(DB_KINDS)('inbox: an event that keeps failing (%s)', (kind) => {
  const t = useHarness(kind);

  /** A runner whose dispatcher throws `error` for one event and hands the others to the real one. */
  function runnerFailing(eventId: () => string, error: () => unknown) {
    const lines: string[] = [];
    const real = t.h.service.dispatcher;
    const dispatcher: Pick<Dispatcher, 'dispatch'> = {
      async dispatch(e, opts) {
        const err = e.eventId === eventId() ? error() : null;
        if (err) throw err;
        return real.dispatch(e, opts);
      },
    };
    const runner = new InboxRunner({
      db: t.h.db,
      clock: t.h.clock,
      log: createLogger('debug', (l) => lines.push(l)),
      dispatcher,
      concurrency: 2,
    });
    const logged = () => lines.map((l) => JSON.parse(l) as { level: unknown; msg: string; eventId?: string });
    return { runner, logged };
  }

  const inboxRow = async (eventId: string) =>
    (await t.h.db.select().from(inbox).where(eq(inbox.eventId, eventId)))[0];

  it('is set aside after its last attempt: kept as dead, logged, its sender told, and its chat moves on', async () => {
    const { h } = t;
    const poison = await acceptedMessage(h.db, {
      chatId: 'sb-lobby',
      personId: 'cac-ofc-1',
      text: '/上报 “总是失败的上报” 类别:教育',
      sentAt: h.clock.now(),
    });
    const behind = await acceptedMessage(h.db, {
      chatId: 'sb-lobby',
      personId: 'cac-ofc-1',
      text: '/帮助',
      sentAt: h.clock.now(),
    });
    const { runner, logged } = runnerFailing(
      () => poison.eventId,
      () => new TypeError("Cannot read properties of undefined (reading 'id')"),
    );
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      expect(await runner.drain()).toBe(0);
      expect(await inboxRow(poison.eventId)).toMatchObject({ status: 'pending', attempts: attempt });
      // The chat's next message waits behind it, in order.
      expect((await inboxRow(behind.eventId))?.status).toBe('pending');
      h.clock.advance(BACKOFF_MAX_MS);
    }
    expect(await runner.drain()).toBe(1); // the last attempt fails; the message behind it is handled
    expect(await inboxRow(poison.eventId)).toMatchObject({
      status: 'dead',
      attempts: MAX_ATTEMPTS,
      lastError: "Cannot read properties of undefined (reading 'id')",
      lockedBy: null,
    });
    expect((await inboxRow(behind.eventId))?.status).toBe('done');
    const errors = logged().filter((l) => l.level === 'error' || l.level === 50);
    expect(errors.map((l) => l.eventId)).toEqual([poison.eventId]);
    await h.settle();
    const notice = textOf(await h.replyTo('sb-lobby', poison.messageId));
    expect(notice).toContain('这条消息多次处理均未成功');
    expect(notice).toContain('「/上报 “总是失败的上报” 类别:教育」');
    expect(notice).toContain('管理员');
    expect(textOf(await h.replyTo('sb-lobby', behind.messageId))).toContain('/上报');
    // Set aside for good: never tried again.
    h.clock.advance(BACKOFF_MAX_MS);
    expect(await runner.drain()).toBe(0);
    expect((await inboxRow(poison.eventId))?.attempts).toBe(MAX_ATTEMPTS);
  });

  it('is never set aside while the database cannot be reached, and is handled once it is back', async () => {
    const { h } = t;
    const refused = await unreachableError();
    expect(isDatabaseUnavailable(refused)).toBe(true);
    const event = await acceptedMessage(h.db, {
      chatId: 'sb-lobby',
      personId: 'cac-ofc-1',
      text: '/帮助',
      sentAt: h.clock.now(),
    });
    let down = true;
    const { runner, logged } = runnerFailing(
      () => event.eventId,
      () => (down ? refused : null),
    );
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      expect(await runner.drain()).toBe(0);
      h.clock.advance(BACKOFF_MAX_MS);
    }
    const row = await inboxRow(event.eventId);
    expect(row).toMatchObject({ status: 'pending', attempts: 0 });
    expect(row?.lastError).toBeTruthy();
    expect(logged().filter((l) => l.level === 'error' || l.level === 50)).toEqual([]);
    down = false;
    expect(await runner.drain()).toBe(1);
    expect((await inboxRow(event.eventId))?.status).toBe('done');
    await h.settle();
    expect(textOf(await h.replyTo('sb-lobby', event.messageId))).toContain('/上报');
  });
});

describe('which failures say the database is away', () => {
  it('connection errors, through wrappers; not errors in what was asked', () => {
    const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: select 1'), { cause });
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(wrapped(Object.assign(new Error('terminating connection'), { code: '57P01' }))),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(wrapped(Object.assign(new Error('connection failure'), { code: '08006' }))),
    ).toBe(true);
    expect(isDatabaseUnavailable(wrapped(Object.assign(new Error('duplicate key'), { code: '23505' })))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable('boom')).toBe(false);
  });
});
