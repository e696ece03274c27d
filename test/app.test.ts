import { describe, expect, it } from 'vitest';
import { DB_KINDS, freshDatabase } from './helpers/databases.js';
import { startHarness, useHarness } from './helpers/harness.js';
import { sample, scrape } from './helpers/metrics.js';

describe.each(DB_KINDS)('health and metrics (%s)', (kind) => {
  const t = useHarness(kind);

  it('GET /healthz says the database is reachable', async () => {
    const res = await t.h.service.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: 'reachable', kind });
  });

  it('GET /metrics counts events, items by state and the outbox backlog', async () => {
    const before = await scrape(t.h.service.app);
    await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “指标测试” 类别:扶贫');
    await t.h.say('cac-ofc-1', 'sb-lobby', '聊天消息也是收到的事件');
    const res = await t.h.service.app.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('huiyin_events_received_total{platform="sandbox"} 2\n');
    expect(text).toContain('huiyin_items{state="reported"} 1\n');
    expect(text).toContain('huiyin_items{state="closed"} 0\n');
    expect(text).toContain('huiyin_outbox_backlog 0\n');

    // Each sandbox request is timed from its arrival to its acknowledgement.
    expect(text).toContain('# TYPE huiyin_ack_seconds histogram\n');
    const acks = 'huiyin_ack_seconds_count{platform="sandbox"}';
    expect(sample(text, acks)).toBe(sample(before, acks) + 2);
    expect(sample(text, 'huiyin_ack_seconds_bucket{le="+Inf",platform="sandbox"}')).toBe(sample(text, acks));
    // The report's card, confirmation and copies went out: each is timed from the /上报 event.
    expect(text).toContain('# TYPE huiyin_event_to_send_seconds histogram\n');
    const sends = 'huiyin_event_to_send_seconds_count{platform="sandbox"}';
    expect(sample(text, sends)).toBeGreaterThan(sample(before, sends));
    // The process metrics of prom-client's collectDefaultMetrics.
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter\n');
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('huiyin_event_to_send_seconds measures from the event that caused a message to its send', async () => {
    const other = await freshDatabase(kind);
    const h2 = await startHarness(other);
    try {
      const count = 'huiyin_event_to_send_seconds_count{platform="sandbox"}';
      expect(sample(await scrape(h2.service.app), count)).toBe(0);
      // Accepted now; the bot answers once the test clock has moved on 5 s.
      const res = await h2.service.app.request('/sandbox/api/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personId: 'cac-ofc-1', chatId: 'sb-lobby', text: '/帮助' }),
      });
      expect(res.status).toBe(200);
      h2.clock.advance(5_000);
      await h2.settle();
      expect(await h2.botMessages('sb-lobby')).not.toHaveLength(0);
      const text = await scrape(h2.service.app);
      const sent = sample(text, count);
      expect(sent).toBe((await h2.botMessages('sb-lobby')).length);
      expect(sample(text, 'huiyin_event_to_send_seconds_sum{platform="sandbox"}')).toBe(5 * sent);
      expect(sample(text, 'huiyin_event_to_send_seconds_bucket{le="2.5",platform="sandbox"}')).toBe(0);
      expect(sample(text, 'huiyin_event_to_send_seconds_bucket{le="5",platform="sandbox"}')).toBe(sent);
      expect(sample(text, 'huiyin_ack_seconds_count{platform="sandbox"}')).toBe(1);
    } finally {
      await h2.close();
      await other.close();
    }
  });

  it('the sandbox page is served at /sandbox and / leads there', async () => {
    const page = await t.h.service.app.request('/sandbox');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('回音 Huiyin · 沙盒');
    const root = await t.h.service.app.request('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/sandbox');
  });

  it('GET /healthz answers 503 when the database is gone', async () => {
    const other = await freshDatabase(kind);
    const h2 = await startHarness(other);
    await other.close();
    const res = await h2.service.app.request('/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, database: 'unreachable', kind });
    await h2.close();
  });

  it('a database outage makes the runners log and retry, never crash the process', async () => {
    const other = await freshDatabase(kind);
    const h2 = await startHarness(other);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      await h2.service.start();
      await other.close();
      h2.service.inbox.wake();
      h2.service.outbox.wake();
      await h2.service.inbox.idle();
      await h2.service.outbox.idle();
      await h2.close();
      // Node reports an unhandled rejection once the microtasks have run, before the next
      // macrotask: one turn is that boundary, whatever the machine's load.
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
