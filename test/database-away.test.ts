import { count, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '../db/client.js';
import { inbox, items, sandboxMessages } from '../db/schema.js';
import { scratchDatabase } from '../db/scratch.js';
import { feishuEventDispatcher } from '../src/adapters/feishu/ws.js';
import type { Logger } from '../src/log.js';
import { InboxRunner } from '../src/scheduler/inbox-runner.js';
import { createService, type Service } from '../src/service.js';
import { FakeClock } from './helpers/clock.js';
import { ENCRYPT_KEY, FakeFeishu, feishuRequest, messageEvent } from './helpers/fake-feishu.js';
import { fixtureOrg } from './helpers/fixtures.js';
import { testEnv } from './helpers/harness.js';
import { PgProxy } from './helpers/pg-proxy.js';

// Postgres only: an embedded PGlite database lives in the process and cannot go away. The
// service reaches its Postgres through a proxy that the tests freeze (no error ever comes) or
// stop (connections closed and refused).

/** A logger that keeps what it was told, and lets a test wait for a message. */
function recordingLogger() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const waiters: { match: string; resolve: () => void }[] = [];
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, msg, fields });
      for (const w of waiters.filter((x) => msg.includes(x.match))) w.resolve();
    };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const said = (match: string) =>
    lines.some((l) => l.msg.includes(match))
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ match, resolve }));
  return { log, lines, said };
}

/** The name of a scratch database (postgres.js answers an array of rows). */
async function scratchName(database: Database): Promise<string> {
  const rows = (await database.db.execute(sql`select current_database() as name`)) as unknown as {
    name: string;
  }[];
  return String(rows[0]?.name);
}

describe('the database goes away under a request (postgres)', () => {
  let admin: Database; // straight to the server: what the tests check with
  let proxied: Database; // the service's, through the proxy
  let proxy: PgProxy;
  let fake: FakeFeishu;
  let service: Service;
  let recorded: ReturnType<typeof recordingLogger>;
  let name: string;
  const clock = new FakeClock('2026-11-22T03:00:00Z');

  beforeEach(async () => {
    admin = await scratchDatabase(inject('pgUrl'), { prefix: 'huiyin_t' });
    name = await scratchName(admin);
    const pg = new URL(inject('pgUrl'));
    proxy = await new PgProxy({ host: pg.hostname, port: Number(pg.port || 5432) }).start();
    // One connection: a statement queued behind the one stuck in the frozen proxy runs after it.
    proxied = await openDatabase({ databaseUrl: proxy.url(name), maxConnections: 1 });
    fake = await new FakeFeishu().start();
    recorded = recordingLogger();
    service = await createService({
      // Short deadlines: the test sees the 503 the deadline gives, not a hang.
      env: {
        ...testEnv({ orgFile: fixtureOrg('feishu-edu'), sandbox: true }),
        REQUEST_DEADLINE_MS: 150,
        HEALTHZ_DEADLINE_MS: 150,
      },
      feishu: {
        appId: 'cli_away',
        appSecret: 'secret',
        encryptKey: ENCRYPT_KEY,
        verificationToken: 'vt',
        domain: fake.url,
        mode: 'webhook',
      },
      log: recorded.log,
      clock,
      database: proxied,
    });
  });

  afterEach(async () => {
    proxy.resume();
    await service?.close();
    await proxied?.close();
    await proxy?.close();
    await fake?.stop();
    await admin?.close();
  });

  const report = (eventId: string) => {
    const event = messageEvent({
      eventId,
      messageId: `om_${eventId}`,
      chatId: 'oc_lobby',
      senderOpenId: 'ou_officer',
      text: '@_user_1 /上报 “数据库不在时的上报” 类别:教育',
      mentions: [{ key: '@_user_1', openId: fake.botOpenId, name: '回音' }],
      at: clock.now(),
    });
    fake.userMessages.set(`om_${eventId}`, 'oc_lobby');
    const req = feishuRequest(ENCRYPT_KEY, event, clock.now());
    return () => service.app.request('/feishu/events', { method: 'POST', ...req });
  };
  const settle = async () => {
    while ((await service.inbox.drain()) + (await service.outbox.drain()) > 0);
  };
  /** The item cards sent to the responsible unit's group. */
  const itemCards = () =>
    fake.inChat('oc_edu').filter((m) => JSON.stringify(m.content).includes('舆情 YQ20261122-001'));
  const countOf = async (table: typeof items | typeof inbox) =>
    (await admin.db.select({ n: count() }).from(table))[0]?.n;

  it('frozen: the Feishu event and /healthz answer 503 in time; the event stored after its 503 is handled once when Feishu sends it again', async () => {
    const post = report('ev_frozen');
    proxy.freeze();
    const res = await post();
    expect(res.status).toBe(503);
    expect((await service.app.request('/healthz')).status).toBe(503);
    expect(await countOf(inbox)).toBe(0);

    // The insert was on its way: once the database is back it commits, after the 503.
    proxy.resume();
    await recorded.said('feishu event (/feishu/events) finished after it was answered as unavailable');
    expect(await countOf(inbox)).toBe(1);

    // Feishu sends it again: acknowledged, and the report is made once.
    expect((await post()).status).toBe(200);
    expect((await service.app.request('/healthz')).status).toBe(200);
    await settle();
    expect(await countOf(items)).toBe(1);
    expect(await countOf(inbox)).toBe(1);
    expect(itemCards()).toHaveLength(1);
  });

  it('frozen, over the long connection: the event fails within the deadline, so Feishu sends it again, and it is handled once', async () => {
    const sdk = feishuEventDispatcher(
      {
        cfg: {
          appId: 'cli_away',
          appSecret: 'secret',
          encryptKey: undefined,
          verificationToken: undefined,
          domain: fake.url,
          mode: 'ws',
        },
        db: proxied.db,
        dispatcher: service.dispatcher,
        onAccepted: () => service.inbox.wake(),
        log: recorded.log,
        metrics: service.metrics,
        now: () => clock.now(),
        botOpenId: () => fake.botOpenId,
        deadlineMs: 150,
      },
      recorded.log,
    );
    fake.userMessages.set('om_ev_ws', 'oc_lobby');
    const event = messageEvent({
      eventId: 'ev_ws',
      messageId: 'om_ev_ws',
      chatId: 'oc_lobby',
      senderOpenId: 'ou_officer',
      text: '@_user_1 /上报 “数据库不在时的上报” 类别:教育',
      mentions: [{ key: '@_user_1', openId: fake.botOpenId, name: '回音' }],
      at: clock.now(),
    });
    proxy.freeze();
    // The SDK answers Feishu with an error when the handler fails, instead of holding the event.
    await expect(sdk.invoke(event, { needCheck: false })).rejects.toThrow('not accepted in time');
    expect(recorded.lines.some((l) => l.level === 'error' && l.msg.includes('long connection'))).toBe(true);

    proxy.resume();
    await recorded.said('feishu event finished after it was answered as unavailable');
    // Feishu sends it again over the connection: accepted, and the report is made once.
    await sdk.invoke(event, { needCheck: false });
    await settle();
    expect(await countOf(items)).toBe(1);
    expect(await countOf(inbox)).toBe(1);
    expect(itemCards()).toHaveLength(1);
  });

  it('stopped: the Feishu event and /healthz answer 503; once it is back the redelivered event is handled once', async () => {
    const post = report('ev_stopped');
    await proxy.stop();
    expect((await post()).status).toBe(503);
    expect((await service.app.request('/healthz')).status).toBe(503);
    // A runner's pass fails (and is retried later), it does not hang.
    await expect(service.inbox.drain()).rejects.toThrow();

    await proxy.start();
    // Wait for the pool to connect again (postgres.js backs off after failures).
    await proxied.db.select({ n: count() }).from(items);
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    await settle();
    expect(await countOf(items)).toBe(1);
    expect(itemCards()).toHaveLength(1);
  });

  it('frozen: a sandbox post answers 503 and leaves nothing behind, though its transaction reaches the database later', async () => {
    proxy.freeze();
    const res = await service.app.request('/sandbox/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ personId: 'officer', chatId: 'sb-lobby', text: '/帮助' }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: '数据库暂时不可用，请稍后重试。' });
    proxy.resume();
    // The only connection runs this after the late transaction has ended.
    await proxied.db.select({ n: count() }).from(items);
    expect((await admin.db.select({ n: count() }).from(sandboxMessages))[0]?.n).toBe(0);
    expect(await countOf(inbox)).toBe(0);
  });

  it('a runner pass on a frozen database fails after the silence timeout instead of hanging, and the runner works again once it is back', async () => {
    // One report handled, and a second one waiting in the inbox for the runner under test.
    expect((await report('ev_runner')()).status).toBe(200);
    await settle();
    const [first] = await admin.db.select().from(inbox);
    await admin.db.insert(inbox).values({
      platform: 'feishu',
      eventId: 'ev_waiting',
      payload: { ...first?.payload, eventId: 'ev_waiting', messageId: 'om_ev_waiting' },
      nextAttemptAt: clock.now(),
      receivedAt: clock.now(),
    });
    const watched = await openDatabase({
      databaseUrl: proxy.url(name),
      maxConnections: 1,
      timeouts: { silenceMs: 300 },
    });
    try {
      const runner = new InboxRunner({
        db: watched.db,
        dispatcher: service.dispatcher,
        clock,
        log: recorded.log,
      });
      await watched.db.select({ n: count() }).from(items); // connected before the freeze
      proxy.freeze();
      const failed = await runner.drain().then(
        () => null,
        (err: Error & { cause?: Error }) => err.cause ?? err,
      );
      expect(failed?.message).toBe('no answer from Postgres for 300 ms');
      proxy.resume();
      expect(await runner.drain()).toBe(1);
      expect(await countOf(items)).toBe(2);
      const [handled] = await admin.db
        .select({ status: inbox.status })
        .from(inbox)
        .where(eq(inbox.eventId, 'ev_waiting'));
      expect(handled?.status).toBe('done');
    } finally {
      await watched.close();
    }
  });
});
