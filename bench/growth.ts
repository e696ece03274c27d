/**
 * npm run bench:growth — /查询, /列表 全部, /列表 本单位 and /上报 handled through the dispatcher
 * (one transaction per event, as the inbox runner runs them) with 1,000 and with 1,000,000 items
 * on real Postgres, p50 / p99 and the ratio of the two; the items gauge of /metrics too. The
 * open items are the same few hundred in both databases: what grows is what years of work leave
 * behind, closed items with their units, audit events, clocks and timers. The two databases are
 * measured turn about, event by event, so a busy machine slows both alike.
 * HUIYIN_BENCH_PG_URL (or BENCH_PG_URL, HUIYIN_TEST_PG_URL; default postgres://postgres@127.0.0.1:5432/postgres)
 * must allow CREATE DATABASE. Knobs: BENCH_ITEMS (1000000), BENCH_OPEN (500), BENCH_RUNS (200),
 * BENCH_EXPLAIN=1 prints the plans of the list and gauge queries at the large size.
 */
import { sql } from 'drizzle-orm';
import { registerFlows } from '../bot-flows/index.js';
import { DEFAULT_POLICY_PACK, policyPack } from '../bot-flows/policies/index.js';
import type { Db } from '../db/client.js';
import { readOrgFile } from '../db/org-file.js';
import { itemCountsByState, itemCountsQuery, listOpenItems } from '../db/repos/item-repo.js';
import { importOrg, loadOrg } from '../db/repos/org-repo.js';
import { scratchDatabase } from '../db/scratch.js';
import { Dispatcher } from '../src/bot/dispatcher.js';
import type { InboundMessage } from '../src/bot/event.js';
import { systemClock } from '../src/core/time.js';
import { createLogger } from '../src/log.js';
import { DEMO_ORG_FILE } from '../src/service.js';

const LARGE = Number(process.env.BENCH_ITEMS ?? 1_000_000);
const SMALL = 1_000;
// Open items (not 已办结): the same in both runs, the newest ones.
const OPEN = Number(process.env.BENCH_OPEN ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const EXPLAIN = process.env.BENCH_EXPLAIN === '1';
// Owners the seeded items cycle through; 省教育厅 (jyt) is the unit /列表 本单位 asks for.
const OWNERS = ['jyt', 'gat', 'rst', 'wjw', 'zjt', 'spjgj', 'km-jyj', 'qj-gaj', 'yjb', 'yn-gov-office'];

/**
 * Items g = from … to (g = 1 is the newest), each with a responsible unit and a 抄送 office,
 * its 上报 event, one clock and its timer; g ≤ OPEN is open, the rest closed. Numbers and the
 * day counters are written as /上报 would have left them.
 */
async function seed(db: Db, from: number, to: number) {
  const owners = sql.raw(`array[${OWNERS.map((o) => `'${o}'`).join(',')}]`);
  // 999 items a day, numbered -001 … -999, on the days before 2026-01-01.
  const day = sql`to_char(date '2026-01-01' - ((g - 1) / 999), 'YYYYMMDD')`;
  await db.execute(sql`
    with i as (
      insert into items (number, title, category, occurred_at, reported_at, state, owner_unit_id, routing_rule,
        policy_pack, reporter_name, platform, source_chat_id, source_message_id, updated_at)
      select 'YQ' || ${day} || '-' || lpad(((g - 1) % 999 + 1)::text, 3, '0'), '压测舆情' || g, '教育', r, r,
        case when g <= ${OPEN} then 'claimed' else 'closed' end, (${owners})[1 + g % ${OWNERS.length}],
        'guikou', 'yn-2016-106', '压测', 'sandbox', 'sb-lobby', 'm' || g, r
      from generate_series(${from}::int, ${to}::int) g,
        lateral (select timestamptz '2026-01-01' - g * interval '1 minute' as r) t
      returning id, owner_unit_id, state, reported_at
    ), u as (
      insert into item_units (item_id, unit_id, role)
      select id, owner_unit_id, 'responsible' from i union all select id, 'cac', 'cc' from i
    ), e as (
      insert into item_events (item_id, kind, actor_name, at, data)
      select id, 'reported', '压测', reported_at, '{}'::jsonb from i
    ), c as (
      insert into clocks (item_id, kind, label, action, starts_at, due_at, status)
      select id, 'respond', '回应', 'publish', reported_at, reported_at + interval '1 day',
        case when state = 'closed' then 'satisfied' else 'open' end
      from i
      returning id, item_id, due_at, status
    )
    insert into timers (key, item_id, clock_id, kind, due_at, payload, status)
    select 'clock:' || c.id || ':breach:0', c.item_id, c.id, 'breach', c.due_at + interval '1 year', '{}'::jsonb,
      case when c.status = 'open' then 'pending' else 'done' end
    from c`);
  await db.execute(sql`
    insert into item_counters (day, last)
    select ${day}, count(*) from generate_series(${from}::int, ${to}::int) g group by 1
    on conflict (day) do update set last = item_counters.last + excluded.last`);
  // What autovacuum does on a live server: statistics, and the visibility map for index-only scans.
  await db.execute(sql`vacuum analyze`);
}

interface Figures {
  p50: number;
  p99: number;
}

function percentiles(ms: number[]): Figures {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return { p50: at(50), p99: at(99) };
}

let events = 0;
const message = (chatId: string, sender: string, text: string): InboundMessage => {
  const id = `bench-${++events}`;
  return {
    kind: 'message',
    platform: 'sandbox',
    eventId: id,
    chatId,
    chatType: 'group',
    messageId: `m-${id}`,
    sender: { id: sender },
    text,
    mentions: [],
    addressed: true,
    sentAt: new Date(),
  };
};

interface Side {
  db: Db;
  dispatcher: Dispatcher;
  items: number;
}

/** Latency of `RUNS` events on each side, dispatched alone and turn about, after a short warm-up. */
async function time(sides: Side[], make: (side: Side, i: number) => InboundMessage): Promise<Figures[]> {
  const ms = sides.map(() => [] as number[]);
  for (let i = -20; i < RUNS; i++) {
    for (const [n, side] of sides.entries()) {
      const event = make(side, i);
      const t0 = performance.now();
      const result = await side.dispatcher.dispatch(event);
      if (i >= 0) ms[n]?.push(performance.now() - t0);
      if (result.status !== 'handled')
        throw new Error(`${event.kind === 'message' ? event.text : ''}: ${result.status}`);
    }
  }
  return ms.map(percentiles);
}

async function timeQuery(sides: Side[], fn: (side: Side) => Promise<unknown>): Promise<Figures[]> {
  const ms = sides.map(() => [] as number[]);
  for (let i = -20; i < RUNS; i++) {
    for (const [n, side] of sides.entries()) {
      const t0 = performance.now();
      await fn(side);
      if (i >= 0) ms[n]?.push(performance.now() - t0);
    }
  }
  return ms.map(percentiles);
}

const numberOf = (g: number) => {
  const day = new Date(Date.UTC(2026, 0, 1) - Math.floor((g - 1) / 999) * 86_400_000);
  const ymd = day.toISOString().slice(0, 10).replaceAll('-', '');
  return `YQ${ymd}-${String(((g - 1) % 999) + 1).padStart(3, '0')}`;
};

async function measure(sides: Side[]) {
  return {
    query: await time(sides, (side) =>
      message('sb-lobby', 'cac-ofc-1', `/查询 ${numberOf(1 + Math.floor(Math.random() * side.items))}`),
    ),
    listAll: await time(sides, () => message('sb-lobby', 'cac-ofc-1', '/列表 全部')),
    listUnit: await time(sides, () => message('sb-jyt', 'jyt-spk', '/列表 本单位')),
    report: await time(sides, (_side, i) =>
      message('sb-lobby', 'cac-ofc-1', `/上报 “压测上报${events}-${i}” 类别:教育 来源:微博`),
    ),
    gauge: await timeQuery(sides, (side) => itemCountsByState(side.db)),
  };
}

/** A scratch database with the demo org and `items` seeded items, and a dispatcher on it. */
async function side(items: number): Promise<Side & { close(): Promise<void>; seconds: number }> {
  // Seeding a million items is one statement of a few minutes, and its vacuum another: past the
  // service's statement timeout and its silence limit, which are for a live service's statements.
  const database = await scratchDatabase(ADMIN_URL, {
    prefix: 'huiyin_bench',
    maxConnections: 4,
    timeouts: { statementMs: 30 * 60_000, silenceMs: 31 * 60_000 },
  });
  const { db } = database;
  await importOrg(db, readOrgFile(DEMO_ORG_FILE), new Date());
  const org = await loadOrg(db);
  const dispatcher = registerFlows(
    new Dispatcher({
      db,
      pack: policyPack(DEFAULT_POLICY_PACK),
      org: async () => org,
      clock: systemClock,
      log: createLogger('error'),
    }),
  );
  const t0 = performance.now();
  await seed(db, 1, items);
  return { db, dispatcher, items, seconds: (performance.now() - t0) / 1000, close: () => database.close() };
}

async function explain(db: Db, label: string, query: { getSQL(): ReturnType<typeof sql> }) {
  const result = await db.execute(sql`explain (analyze, costs off, timing off, summary on) ${query}`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<
    string,
    string
  >[];
  const lines = rows.map((r) => Object.values(r)[0] as string);
  process.stdout.write(`\n-- ${label}\n${lines.map((l) => `   ${l}`).join('\n')}\n`);
}

/** Pads to a terminal width, counting a CJK character as two columns. */
const padWide = (text: string, width: number) =>
  text +
  ' '.repeat(Math.max(0, width - [...text].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));

const ADMIN_URL =
  process.env.HUIYIN_BENCH_PG_URL ??
  process.env.BENCH_PG_URL ??
  process.env.HUIYIN_TEST_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

async function main() {
  const small = await side(SMALL);
  const large = await side(LARGE).catch(async (err) => {
    await small.close();
    throw err;
  });
  try {
    const figures = await measure([small, large]);
    const k = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`);
    process.stdout.write(
      `Growth: ${OPEN} open items among ${k(SMALL)} and among ${k(LARGE)} items on Postgres (${LARGE.toLocaleString()} seeded in ${large.seconds.toFixed(0)} s), ${RUNS} runs each through the dispatcher, the two databases turn about\n`,
    );
    process.stdout.write(
      `${''.padEnd(16)}${`${k(SMALL)} p50`.padStart(10)}${`${k(SMALL)} p99`.padStart(10)}${`${k(LARGE)} p50`.padStart(10)}${`${k(LARGE)} p99`.padStart(10)}   ratio p50 / p99 (target ≤ 2x)\n`,
    );
    const rows: [string, keyof typeof figures][] = [
      ['/查询 <编号>', 'query'],
      ['/列表 全部', 'listAll'],
      ['/列表 本单位', 'listUnit'],
      ['/上报', 'report'],
      ['items gauge', 'gauge'],
    ];
    const ms = (x: number) => `${x.toFixed(2)} ms`.padStart(10);
    for (const [label, key] of rows) {
      const [a, b] = figures[key] as [Figures, Figures];
      process.stdout.write(
        `${padWide(label, 16)}${ms(a.p50)}${ms(a.p99)}${ms(b.p50)}${ms(b.p99)}   ${(b.p50 / a.p50).toFixed(2)}x / ${(b.p99 / a.p99).toFixed(2)}x\n`,
      );
    }
    if (EXPLAIN) {
      const { db } = large;
      await explain(db, '/列表 全部', listOpenItems(db, { limit: 20 }));
      await explain(db, '/列表 本单位 (省教育厅)', listOpenItems(db, { unitIds: ['jyt'], limit: 20 }));
      await explain(db, '/列表 我的', listOpenItems(db, { reporterPersonId: 'cac-ofc-1', limit: 20 }));
      await explain(db, 'items gauge', itemCountsQuery(db));
    }
  } finally {
    await small.close();
    await large.close();
  }
}

main().catch((err) => {
  process.stderr.write(
    `bench:growth failed: ${(err as Error).stack ?? err}\n${(err as Error).cause ?? ''}\n`,
  );
  process.exit(1);
});
