/**
 * npm run bench:ack — acknowledgement latency of signed Feishu /上报 webhooks under a burst
 * (BENCH_RATE reports/s for BENCH_SECONDS, open loop: each request leaves on schedule whatever
 * the previous ones are doing), through the real HTTP route with the inbox, outbox and timer
 * runners working, on the embedded default (PGlite in a temporary DATA_DIR) and on Postgres,
 * in one run. Each database takes two bursts: the first on a just-started service (cold: first
 * queries, first cards), the second warm, while the runners (woken by each accepted event, not
 * ticking) still work through the first burst's backlog. Prints ack p50/p99 and the process RSS.
 * HUIYIN_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '../db/client.js';
import { scratchDatabase } from '../db/scratch.js';
import { createLogger } from '../src/log.js';
import { FakeFeishu, feishuRequest, messageEvent } from '../test/helpers/fake-feishu.js';
import { fixtureOrg } from '../test/helpers/fixtures.js';
import { BENCH_KEY, benchFeishuService, listen } from './feishu-bench.js';

const DATABASES = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',');
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ADMIN_URL = process.env.HUIYIN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

interface Result {
  p50: number;
  p99: number;
  max: number;
  non200: number;
  handled: number;
  drainS: number;
  /** Mean time inside the route (the service's huiyin_ack_seconds), without HTTP queueing. */
  routeMeanMs: number;
}

/** The burst against a service on `database`; returns ack latencies (ms) and how long handling took. */
async function burst(database: Database, label: string, runners: boolean): Promise<Result> {
  const fake = await new FakeFeishu().start();
  const service = await benchFeishuService({
    database: database,
    domain: fake.url,
    orgFile: fixtureOrg('feishu-edu'),
    log: createLogger('error'),
  });
  if (runners) await service.start();
  const { server, port } = await listen(service.app.fetch);
  const url = `http://127.0.0.1:${port}/feishu/events`;
  const total = RATE * SECONDS;
  const now = new Date();
  const requests = Array.from({ length: total }, (_, i) =>
    feishuRequest(
      BENCH_KEY,
      messageEvent({
        eventId: `${label}-${i}`,
        messageId: `om_${label}_${i}`,
        chatId: 'oc_lobby',
        senderOpenId: 'ou_officer',
        text: `@_user_1 /上报 “压测舆情${i}” 类别:教育`,
        mentions: [{ key: '@_user_1', openId: fake.botOpenId, name: '回音' }],
        at: now,
      }),
      now,
    ),
  );
  const latencies: number[] = [];
  let non200 = 0;
  const started = performance.now();
  await Promise.all(
    requests.map(async (req, i) => {
      const due = started + (i * 1000) / RATE;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', body: req.body, headers: req.headers });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 200) non200++;
    }),
  );
  // Everything acknowledged: let the runners finish handling the burst, then count.
  // With the runners on, let them finish the burst (BENCH_DRAIN=0: stop when the last is acknowledged).
  if (runners && process.env.BENCH_DRAIN !== '0') await service.inbox.drain();
  const drainS = (performance.now() - started) / 1000;
  // The service's own view: from the request reaching the Feishu route to its acknowledgement.
  const scraped = await service.metrics.render();
  const metric = (name: string) =>
    Number(new RegExp(`^${name}\\{platform="feishu"\\} (\\S+)$`, 'm').exec(scraped)?.[1] ?? Number.NaN);
  const routeMeanMs = (1000 * metric('huiyin_ack_seconds_sum')) / metric('huiyin_ack_seconds_count');
  const cards = fake.inChat('oc_edu').length;
  server.close();
  await service.close();
  await fake.stop();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    p50: pct(50),
    p99: pct(99),
    max: latencies.at(-1) ?? 0,
    non200,
    handled: cards,
    drainS,
    routeMeanMs,
  };
}

async function main() {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(
    `ack latency: ${RATE} signed Feishu /上报 webhooks/s for ${SECONDS} s (${RATE * SECONDS} reports), runners on`,
  );
  out(`RSS at start                 : ${mb(process.memoryUsage().rss)}`);
  const dir = mkdtempSync(join(tmpdir(), 'huiyin-bench-ack-'));
  const results: [string, Result][] = [];
  const report = (entry: [string, Result] | undefined) => {
    if (!entry) return;
    const [name, r] = entry;
    out(
      `${name.padEnd(18)}: ack p50 ${r.p50.toFixed(0)} ms  p99 ${r.p99.toFixed(0)} ms  max ${r.max.toFixed(0)} ms  ` +
        `in route ${r.routeMeanMs.toFixed(0)} ms (mean)  non-200 ${r.non200}  cards sent ${r.handled}  all handled after ${r.drainS.toFixed(1)} s`,
    );
  };
  try {
    if (DATABASES.includes('pglite')) {
      const embedded = await openDatabase({ dataDir: dir });
      await embedded.migrate();
      out(`RSS, embedded database open  : ${mb(process.memoryUsage().rss)}`);
      try {
        results.push(['embedded (PGlite)', await burst(embedded, 'pglite', true)]);
        report(results.at(-1));
        results.push(['embedded, warm', await burst(embedded, 'pglite-ack', false)]);
        report(results.at(-1));
        out(`RSS, after the embedded burst: ${mb(process.memoryUsage().rss)}`);
      } finally {
        await embedded.close();
      }
    }
    if (DATABASES.includes('postgres')) {
      const pg = await scratchDatabase(ADMIN_URL, { prefix: 'huiyin_bench', maxConnections: 10 });
      try {
        results.push(['Postgres', await burst(pg, 'pg', true)]);
        report(results.at(-1));
        results.push(['Postgres, warm', await burst(pg, 'pg-ack', false)]);
        report(results.at(-1));
      } finally {
        await pg.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [e, p] = results.map(([, r]) => r);
  if (e && p)
    out(
      `ratio embedded/Postgres: p99 ${(e.p99 / Math.max(1, p.p99)).toFixed(1)}x   (target: embedded p99 < 1000 ms)`,
    );
  out(`RSS at the end               : ${mb(process.memoryUsage().rss)}`);
}

main().catch((err) => {
  process.stderr.write(`bench:ack failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
