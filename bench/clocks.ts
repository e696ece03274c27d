/**
 * npm run bench:clocks — 100,000 open clocks on real Postgres: how late due reminders go out
 * (p50 / p99) with the timer runner on its real one-second tick and one-shot wake-ups, and how
 * long one claim takes with 1,000 vs 100,000 open clocks (it should not grow with open clocks) and
 * with 100,000 timers already due (it should not grow with the backlog either).
 * HUIYIN_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
 */
import { sql } from 'drizzle-orm';
import { handleDueTimers } from '../bot-flows/clocks/fire-due.js';
import { yn2016106 } from '../bot-flows/policies/yn-2016-106.js';
import type { Db } from '../db/client.js';
import { readOrgFile } from '../db/org-file.js';
import { claimDueTimers } from '../db/repos/clock-repo.js';
import { importOrg, loadOrg } from '../db/repos/org-repo.js';
import { scratchDatabase } from '../db/scratch.js';
import { systemClock } from '../src/core/time.js';
import { createLogger } from '../src/log.js';
import { TimerRunner } from '../src/scheduler/timer-runner.js';
import { DEMO_ORG_FILE } from '../src/service.js';

const OPEN = Number(process.env.BENCH_OPEN_CLOCKS ?? 100_000);
// 15 reminders a second: far above a province's real load (dozens of items a day), still measured.
const DUE = Number(process.env.BENCH_DUE ?? 150);
const WINDOW_S = 10;
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 100_000);

/** Items with four clocks each (as a real item has at most), due between `fromS` and `toS` seconds from now. */
async function seed(db: Db, count: number, fromS: number, toS: number, tag: string) {
  await db.execute(sql`
    with it as (
      insert into items (number, title, category, occurred_at, reported_at, state, owner_unit_id, routing_rule,
        policy_pack, reporter_name, platform, source_chat_id, source_message_id, updated_at)
      select ${`BENCH-${tag}-`} || g, ${`压测${tag}`} || g, '应急管理', now(), now(), 'claimed', 'yjb', 'guikou',
        'yn-2016-106', '压测', 'sandbox', 'sb-lobby', 'm' || g, now()
      from generate_series(1, ${Math.ceil(count / 4)}) g
      returning id
    ), c as (
      insert into clocks (item_id, kind, label, action, starts_at, due_at)
      select it.id, 'bench_' || k, '压测时限' || k, 'publish', now(),
        now() + (${fromS} + random() * ${toS - fromS}) * interval '1 second' + interval '1 hour'
      from it, generate_series(1, 4) k
      returning id, item_id, due_at
    )
    -- A reminder one hour before each clock's deadline.
    insert into timers (key, item_id, clock_id, kind, due_at, next_attempt_at, payload)
    select ${`bench:${tag}:`} || c.id, c.item_id, c.id, 'reminder', c.due_at - interval '1 hour',
      c.due_at - interval '1 hour', '{}'::jsonb
    from c limit ${count}`);
}

/** Median time of one claim of `limit` due timers; the claimed rows are released after each run. */
async function claimMs(db: Db): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await claimDueTimers(db, { now: new Date(), worker: 'bench', limit: 200 });
    runs.push(performance.now() - t0);
    await db.execute(sql`update timers set locked_at = null, locked_by = null where locked_by = 'bench'`);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)] as number;
}

const ADMIN_URL = process.env.HUIYIN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main() {
  const database = await scratchDatabase(ADMIN_URL, { prefix: 'huiyin_bench', maxConnections: 10 });
  const log = createLogger('error');
  try {
    await importOrg(database.db, readOrgFile(DEMO_ORG_FILE), new Date());
    const { db } = database;

    // The claim, timed with 200 reminders already due, once among 1,000 open clocks and once
    // among all of them: it should cost the same (it reads due rows only).
    await seed(db, 200, -60, -1, 'overdue');
    await seed(db, 800, 3_600, 86_400, 'small');
    await db.execute(sql`analyze`);
    const small = await claimMs(db);
    await seed(db, OPEN - 1_000, 3_600, 86_400, 'large');
    await db.execute(sql`analyze`);
    const large = await claimMs(db);
    // And with a backlog of due timers (after downtime): it should cost O(batch), not O(backlog).
    await seed(db, BACKLOG, -3_600, -61, 'backlog');
    await db.execute(sql`analyze`);
    const backlog = await claimMs(db);
    await db.execute(
      sql`update timers set status = 'done' where key like 'bench:overdue:%' or key like 'bench:backlog:%'`,
    );
    // As autovacuum would, before the lateness run: the index entries of the rows just marked
    // done are cleared, so the runner is measured, not the bloat this set-up left behind.
    await db.execute(sql`vacuum analyze timers`);

    // Reminders due over the next few seconds, measured when their messages are committed to
    // the outbox (the runner's transaction has ended) against when they were due.
    const lateness: number[] = [];
    const org = await loadOrg(db);
    await seed(db, DUE, 2, 2 + WINDOW_S, 'due');
    let batch: Date[] = [];
    const runner = new TimerRunner({
      db,
      clock: systemClock,
      log,
      handle: async (tx, due, now) => {
        batch.push(...due.map((t) => t.dueAt));
        await handleDueTimers(tx, due, now, { pack: yn2016106, org });
      },
      onEnqueued: () => {
        const committed = Date.now();
        for (const d of batch) lateness.push(committed - d.getTime());
        batch = [];
      },
    });
    runner.start();
    await new Promise((r) => setTimeout(r, (WINDOW_S + 4) * 1000));
    await runner.stop();
    lateness.sort((a, b) => a - b);
    const pct = (p: number) =>
      lateness[Math.min(lateness.length - 1, Math.floor((p / 100) * lateness.length))] ?? Number.NaN;
    process.stdout.write(`Response clocks, ${OPEN.toLocaleString()} open clocks on Postgres\n`);
    process.stdout.write(
      `reminders fired     : ${lateness.length} of ${DUE} due in a ${WINDOW_S} s window (${(DUE / WINDOW_S).toFixed(0)}/s)\n`,
    );
    process.stdout.write(
      `lateness            : p50 ${pct(50).toFixed(0)} ms   p99 ${pct(99).toFixed(0)} ms   (target p99 ≤ 1000 ms)\n`,
    );
    process.stdout.write(
      `claim of 200 due    : ${small.toFixed(2)} ms among 1,000 open   ${large.toFixed(2)} ms among ${OPEN.toLocaleString()} open   ratio ${(large / small).toFixed(2)}x\n`,
    );
    process.stdout.write(
      `claim at a backlog  : ${backlog.toFixed(2)} ms with ${(BACKLOG + 200).toLocaleString()} due   ratio ${(backlog / small).toFixed(2)}x to 200 due\n`,
    );
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:clocks failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
