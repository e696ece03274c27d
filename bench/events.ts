/**
 * npm run bench:events — the Feishu event path (verify + decrypt + dedupe + parse + inbox write)
 * on real Postgres, against a bare Hono handler on the same server stack, in one run.
 * HUIYIN_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
 */
import { Hono } from 'hono';
import { scratchDatabase } from '../db/scratch.js';
import { createLogger } from '../src/log.js';
import { FakeFeishu, feishuRequest, messageEvent } from '../test/helpers/fake-feishu.js';
import { BENCH_KEY, benchFeishuService, listen } from './feishu-bench.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

async function load(url: string, bodies: { body: string; headers: Record<string, string> }[]) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const req = bodies[next++] as (typeof bodies)[number];
        const t0 = performance.now();
        const res = await fetch(url, { method: 'POST', body: req.body, headers: req.headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { rate: latencies.length / seconds, p50: pct(50), p95: pct(95), p99: pct(99) };
}

const ADMIN_URL = process.env.HUIYIN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main() {
  const fake = await new FakeFeishu().start();
  const database = await scratchDatabase(ADMIN_URL, { prefix: 'huiyin_bench', maxConnections: 20 });
  try {
    const service = await benchFeishuService({
      database: database,
      domain: fake.url,
      orgFile: undefined,
      log: createLogger('error'),
    });
    const huiyin = await listen(service.app.fetch);
    const bare = new Hono().post('/feishu/events', async (c) => {
      await c.req.text();
      return c.json({});
    });
    const baseline = await listen(bare.fetch);
    const port = (s: typeof huiyin) => s.port;

    const now = new Date();
    const requests = (prefix: string) =>
      Array.from({ length: EVENTS }, (_, i) =>
        feishuRequest(
          BENCH_KEY,
          messageEvent({
            eventId: `${prefix}-${i}`,
            messageId: `om_${prefix}_${i}`,
            chatId: 'oc_bench',
            senderOpenId: 'ou_bench',
            text: `@_user_1 /上报 “压测事件${i}” 类别:教育`,
            mentions: [{ key: '@_user_1', openId: fake.botOpenId, name: '回音' }],
            at: now,
          }),
          now,
        ),
      );
    // Warm both servers up before measuring.
    await load(`http://127.0.0.1:${port(baseline)}/feishu/events`, requests('warm-bare').slice(0, 300));
    await load(`http://127.0.0.1:${port(huiyin)}/feishu/events`, requests('warm').slice(0, 300));

    const b = await load(`http://127.0.0.1:${port(baseline)}/feishu/events`, requests('bare'));
    const h = await load(`http://127.0.0.1:${port(huiyin)}/feishu/events`, requests('run'));
    const fmt = (x: typeof b) =>
      `${x.rate.toFixed(0).padStart(6)} events/s   p50 ${x.p50.toFixed(1)} ms   p95 ${x.p95.toFixed(1)} ms   p99 ${x.p99.toFixed(1)} ms`;
    process.stdout.write(
      `Feishu event ack path, ${EVENTS} signed+encrypted /上报 events, ${CONCURRENCY} concurrent\n`,
    );
    process.stdout.write(`bare Hono handler : ${fmt(b)}\n`);
    process.stdout.write(`Huiyin /feishu    : ${fmt(h)}\n`);
    process.stdout.write(
      `ratio Huiyin/bare : rate ${(h.rate / b.rate).toFixed(2)}x   p99 ${(h.p99 / b.p99).toFixed(1)}x   (target ≥ 1,000 events/s, p99 < 100 ms)\n`,
    );
    huiyin.server.close();
    baseline.server.close();
    await service.close();
  } finally {
    await database.close();
    await fake.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:events failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
