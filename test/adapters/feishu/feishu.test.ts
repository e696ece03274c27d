import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client.js';
import { inbox, items } from '../../../db/schema.js';
import { feishuEventDispatcher } from '../../../src/adapters/feishu/ws.js';
import type { FeishuConfig } from '../../../src/env.js';
import { silentLogger } from '../../../src/log.js';
import { createService, type Service } from '../../../src/service.js';
import { FakeClock } from '../../helpers/clock.js';
import { DB_KINDS, freshDatabase, useDatabase } from '../../helpers/databases.js';
import {
  ENCRYPT_KEY,
  FakeFeishu,
  feishuRequest,
  messageEvent,
  startFeishuService,
} from '../../helpers/fake-feishu.js';
import { feishuEnvelope, fixtureOrg } from '../../helpers/fixtures.js';
import { testEnv } from '../../helpers/harness.js';
import { sample, scrape } from '../../helpers/metrics.js';

const ORG = fixtureOrg('feishu-edu');

/** The callback value of the button labelled `label` on a Feishu card. */
function buttonValue(content: unknown, label: string): Record<string, unknown> {
  const columns = (
    content as { body: { elements: { tag: string; columns?: unknown[] }[] } }
  ).body.elements.find((e) => e.tag === 'column_set')?.columns as {
    elements: { text: { content: string }; behaviors: { value: Record<string, unknown> }[] }[];
  }[];
  const button = columns.map((c) => c.elements[0]).find((b) => b?.text.content === label);
  if (!button) throw new Error(`no button ${label}`);
  return button.behaviors[0]?.value as Record<string, unknown>;
}

describe.each(DB_KINDS)('Feishu through the real SDK and a fake Open API (%s)', (kind) => {
  let database: Database;
  let fake: FakeFeishu;
  let service: Service;
  let feishu: FeishuConfig;
  let clock: FakeClock;
  let n = 0;

  // Each test gets its own fake Open API and service on an emptied database.
  const db = useDatabase(kind);
  let started: Awaited<ReturnType<typeof startFeishuService>> | undefined;
  beforeEach(async () => {
    clock = new FakeClock('2026-11-22T03:00:00Z');
    started = await startFeishuService(db.database, ORG, 'cli_test', clock);
    ({ fake, database, service, feishu } = started);
  });
  afterEach(() => started?.close());

  const settle = async () => {
    while ((await service.inbox.drain()) + (await service.outbox.drain()) > 0);
  };
  /** Sends `text` from the officer in the lobby chat, @-mentioning the bot. */
  const report = (text: string, o: { eventId?: string; at?: Date } = {}) => {
    const id = ++n;
    const messageId = `om_user_${id}`;
    fake.userMessages.set(messageId, 'oc_lobby');
    const event = messageEvent({
      eventId: o.eventId ?? `ev_${id}`,
      messageId,
      chatId: 'oc_lobby',
      senderOpenId: 'ou_officer',
      text: `@_user_1 ${text}`,
      mentions: [{ key: '@_user_1', openId: fake.botOpenId, name: '回音' }],
      at: clock.now(),
    });
    const req = feishuRequest(ENCRYPT_KEY, event, o.at ?? clock.now());
    return {
      messageId,
      event,
      post: () => service.app.request('/feishu/events', { method: 'POST', ...req }),
    };
  };

  it('answers url_verification with its challenge', async () => {
    const req = feishuRequest(
      ENCRYPT_KEY,
      feishuEnvelope('url-verification', { challenge: 'c-123' }),
      clock.now(),
    );
    const res = await service.app.request('/feishu/events', { method: 'POST', body: req.body, headers: {} });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'c-123' });
  });

  it('an encrypted, signed /上报 becomes a card in the unit chat with its spokesperson @-mentioned and a reply in the reporter thread', async () => {
    const r = report('/上报 “某小学食堂饭菜变质” 类别:教育 级别:较大');
    const res = await r.post();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    await settle();

    const [card] = fake.inChat('oc_edu');
    expect(card).toMatchObject({ msgType: 'interactive', replyTo: null });
    expect(card?.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const body = card?.content as { schema: string; config: unknown; header: { title: { content: string } } };
    expect(body.schema).toBe('2.0');
    expect(body.config).toEqual({ update_multi: true });
    expect(body.header.title.content).toBe('舆情 YQ20261122-001｜某小学食堂饭菜变质');
    expect(JSON.stringify(card?.content)).toContain('<at id=ou_spk></at>');
    const button = JSON.stringify(card?.content).includes(
      '"behaviors":[{"type":"callback","value":{"a":"refresh"',
    );
    expect(button).toBe(true);

    const [confirm] = fake.inChat('oc_lobby');
    expect(confirm).toMatchObject({ msgType: 'text', replyTo: r.messageId, replyInThread: true });
    expect(String(confirm?.content.text)).toContain('✅ 已上报 YQ20261122-001《某小学食堂饭菜变质》');

    const [copy] = fake.inChat('oc_open');
    expect(String(copy?.content.text)).toContain('【抄送】YQ20261122-001');
  });

  it('mentions in text messages are real Feishu mentions and injected markup is neutralised', async () => {
    const r = report('/上报 “<at user_id=\\"all\\">所有人</at>” 涉事:测试省教育厅');
    await r.post();
    await settle();
    const notice = fake.inChat('oc_office').at(-1);
    expect(String(notice?.content.text)).toContain('<at user_id="ou_office">温振宇</at>');
    expect(String(notice?.content.text)).not.toContain('<at user_id="all">');
  });

  it('/metrics times the webhook from request to acknowledgement and each message from its event to its send', async () => {
    const acks = 'huiyin_ack_seconds_count{platform="feishu"}';
    const received = 'huiyin_events_received_total{platform="feishu"}';
    const sends = 'huiyin_event_to_send_seconds_count{platform="feishu"}';
    const before = await scrape(service.app);
    // Every outbox send: a new message or reply, or a card patched.
    const delivered = () => fake.messages.length + fake.patches.length;
    const deliveredBefore = delivered();
    expect((await report('/上报 “指标计时” 类别:教育').post()).status).toBe(200);
    await settle();
    const after = await scrape(service.app);
    expect(sample(after, acks)).toBe(sample(before, acks) + 1);
    expect(sample(after, received)).toBe(sample(before, received) + 1);
    expect(delivered()).toBeGreaterThan(deliveredBefore);
    expect(sample(after, sends)).toBe(sample(before, sends) + delivered() - deliveredBefore);
  });

  it('the same event delivered 5 times, also concurrently, makes one item', async () => {
    const r = report('/上报 “重复投递” 类别:教育', { eventId: 'ev_dup' });
    const first = await Promise.all([r.post(), r.post(), r.post()]);
    const later = [await r.post()];
    await settle();
    // Feishu keeps retrying for hours: a copy signed 7 hours later is still the same event.
    clock.advance(7 * 3_600_000);
    const req = feishuRequest(ENCRYPT_KEY, r.event, clock.now());
    later.push(await service.app.request('/feishu/events', { method: 'POST', ...req }));
    expect([...first, ...later].map((x) => x.status)).toEqual([200, 200, 200, 200, 200]);
    await settle();
    expect(await database.db.select().from(items).where(eq(items.title, '重复投递'))).toHaveLength(1);
    expect(fake.inChat('oc_lobby').filter((m) => m.replyTo === r.messageId)).toHaveLength(1);
  });

  it('forged, unsigned and stale requests are refused with 401 and change nothing', async () => {
    const before = (await database.db.select({ n: count() }).from(inbox))[0]?.n;
    const good = report('/上报 “伪造” 类别:教育');
    const req = feishuRequest(ENCRYPT_KEY, good.event, clock.now());
    const forged = { ...req.headers, 'x-lark-signature': 'f'.repeat(64) };
    const unsigned = { 'content-type': 'application/json' };
    const stale = feishuRequest(ENCRYPT_KEY, good.event, new Date(clock.now().getTime() - 6 * 60_000));
    const tampered = { ...req, body: req.body.replace(/.$/, ' }') };
    for (const [headers, body] of [
      [forged, req.body],
      [unsigned, req.body],
      [stale.headers, stale.body],
      [tampered.headers, tampered.body],
    ] as const) {
      const res = await service.app.request('/feishu/events', { method: 'POST', headers, body });
      expect(res.status).toBe(401);
    }
    const wrongKey = feishuRequest('another-key', good.event, clock.now());
    expect((await service.app.request('/feishu/events', { method: 'POST', ...wrongKey })).status).toBe(401);
    await settle();
    expect((await database.db.select({ n: count() }).from(inbox))[0]?.n).toBe(before);
    expect(await database.db.select().from(items).where(eq(items.title, '伪造'))).toEqual([]);
  });

  it('after 500s and 429s for a while, every message arrives exactly once', async () => {
    const sentBefore = fake.messages.length;
    const imCalls = () => fake.calls.filter((c) => c.path.startsWith('/open-apis/im/')).length;
    const callsBefore = imCalls();
    fake.failures = [
      { status: 500 },
      { status: 500 },
      { status: 429 },
      { status: 200, code: 230020 },
      { status: 503 },
      { status: 429 },
    ];
    const r = report('/上报 “平台故障期间的上报” 类别:教育');
    await r.post();
    for (
      let i = 0;
      i < 30 && fake.failures.length + (fake.messages.length - sentBefore < 4 ? 1 : 0) > 0;
      i++
    ) {
      await settle();
      clock.advance(60_000);
    }
    await settle();
    const fresh = fake.messages.slice(sentBefore);
    // The card and the clock card in its thread, the reporter's confirmation, the 抄送 copy.
    expect(fresh.map((m) => m.chatId).sort()).toEqual(['oc_edu', 'oc_edu', 'oc_lobby', 'oc_open']);
    expect(new Set(fresh.map((m) => m.uuid)).size).toBe(4);
    expect(fake.failures).toEqual([]);
    // Six refused attempts and four that went through: nothing was sent twice.
    expect(imCalls() - callsBefore).toBe(10);
  });

  it('a card click is verified, answered with a toast and the redrawn card, and patched for everyone', async () => {
    await report('/上报 “某小学食堂饭菜变质” 类别:教育 级别:较大').post();
    await settle();
    const card = fake.inChat('oc_edu')[0];
    const value = buttonValue(card?.content, '刷新');
    const callback = feishuEnvelope('card-action', {
      header: { event_id: 'card_ev_1' },
      event: {
        operator: { open_id: 'ou_ldr' },
        action: { tag: 'button', value },
        context: { open_message_id: card?.messageId, open_chat_id: 'oc_edu' },
      },
    });
    const res = await service.app.request('/feishu/card', {
      method: 'POST',
      ...feishuRequest(ENCRYPT_KEY, callback, clock.now()),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { toast: unknown; card: { type: string; data: { schema: string } } };
    expect(answer.toast).toEqual({ type: 'success', content: '已是最新状态' });
    expect(answer.card.type).toBe('raw');
    expect(answer.card.data.schema).toBe('2.0');
    await settle();
    expect(fake.patches.at(-1)?.messageId).toBe(card?.messageId);

    const unsigned = await service.app.request('/feishu/card', {
      method: 'POST',
      body: JSON.stringify(callback),
    });
    expect(unsigned.status).toBe(401);
  });

  it('FEISHU_MODE=ws: the SDK event dispatcher feeds the same handlers (message into the inbox, card answered)', async () => {
    const deps = {
      cfg: { ...feishu, mode: 'ws' as const },
      db: database.db,
      dispatcher: service.dispatcher,
      onAccepted: () => service.inbox.wake(),
      log: silentLogger,
      metrics: service.metrics,
      now: () => clock.now(),
      botOpenId: () => fake.botOpenId,
    };
    const sdk = feishuEventDispatcher(deps, silentLogger);
    const id = ++n;
    fake.userMessages.set(`om_ws_${id}`, 'oc_lobby');
    const event = messageEvent({
      eventId: `ev_ws_${id}`,
      messageId: `om_ws_${id}`,
      chatId: 'oc_lobby',
      senderOpenId: 'ou_officer',
      text: '@_user_1 /上报 “长连接上报” 类别:教育',
      mentions: [{ key: '@_user_1', openId: fake.botOpenId, name: '回音' }],
      at: clock.now(),
    });
    await sdk.invoke(event, { needCheck: false });
    await sdk.invoke(event, { needCheck: false }); // redelivered over the connection
    await settle();
    expect(await database.db.select().from(items).where(eq(items.title, '长连接上报'))).toHaveLength(1);
    const card = fake.inChat('oc_edu').find((m) => JSON.stringify(m.content).includes('长连接上报'));
    const value = buttonValue(card?.content, '查看进展');
    const answer = await sdk.invoke(
      feishuEnvelope('card-action', {
        header: { event_id: 'card_ws_1' },
        event: {
          operator: { open_id: 'ou_ldr' },
          action: { tag: 'button', value },
          context: { open_message_id: card?.messageId, open_chat_id: 'oc_edu' },
        },
      }),
      { needCheck: false },
    );
    expect(answer).toEqual({ toast: { type: 'info', content: '处置记录已发到话题中' } });
  });
});

describe('Feishu not configured', () => {
  it('the Feishu routes answer 404', async () => {
    const database = await freshDatabase('pglite');
    const service = await createService({
      env: testEnv({ orgFile: ORG, sandbox: undefined }),
      log: silentLogger,
      database,
    });
    expect((await service.app.request('/feishu/events', { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await service.app.request('/feishu/card', { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await service.app.request('/sandbox')).status).toBe(200);
    await service.close();
    await database.close();
  });
});

describe('Feishu with a verification token and no encrypt key', () => {
  it('plain events must carry the token: right → accepted, wrong or missing → 401 and nothing stored', async () => {
    const fake = await new FakeFeishu().start();
    const database = await freshDatabase('pglite');
    const service = await createService({
      env: testEnv({ orgFile: ORG, sandbox: false }),
      feishu: {
        appId: 'cli_plain',
        appSecret: 's',
        encryptKey: undefined,
        verificationToken: 'vt',
        domain: fake.url,
        mode: 'webhook',
      },
      log: silentLogger,
      database,
    });
    const post = (token: string | undefined, eventId: string) => {
      const event = messageEvent({
        eventId,
        messageId: `om_${eventId}`,
        chatId: 'oc_lobby',
        senderOpenId: 'ou_officer',
        text: '/帮助',
        at: new Date(),
        ...(token ? { token } : {}),
      });
      if (!token) (event.header as { token?: string }).token = undefined;
      return service.app.request('/feishu/events', { method: 'POST', body: JSON.stringify(event) });
    };
    expect((await post('vt', 'plain-1')).status).toBe(200);
    expect((await post('wrong', 'plain-2')).status).toBe(401);
    expect((await post(undefined, 'plain-3')).status).toBe(401);
    const challenge = await service.app.request('/feishu/events', {
      method: 'POST',
      body: JSON.stringify(feishuEnvelope('url-verification', { challenge: 'abc' })),
    });
    expect(await challenge.json()).toEqual({ challenge: 'abc' });
    const stored = await database.db.select({ id: inbox.eventId }).from(inbox);
    expect(stored).toEqual([{ id: 'plain-1' }]);
    await service.close();
    await database.close();
    await fake.stop();
  });
});
