/**
 * npm run bench:inbox — the inbox claim (the oldest pending event of each chat) and markHandled
 * on real Postgres, at a backlog of 1,000 and of 100,000 pending events, in one run; prints the
 * milliseconds, their ratio, and the plan of the claim at 100,000 (EXPLAIN ANALYZE).
 * HUIYIN_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { claimInbox, claimInboxQuery, markHandled } from '../db/repos/inbox-repo.js';
import { scratchDatabase } from '../db/scratch.js';

const ADMIN_URL = process.env.HUIYIN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Events already handled, in the table at every backlog (what a day or two of traffic leaves). */
const HANDLED = Number(process.env.BENCH_HANDLED ?? 200_000);
const CHATS = Number(process.env.BENCH_CHATS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const BATCH = 16;

/** Empties the inbox and fills it with `handled` done rows and `pending` due rows over `chats` chats. */
async function fill(db: Db, pending: number, chats: number): Promise<void> {
  await db.execute(sql`truncate inbox`);
  const rows = (status: string, prefix: string, n: number) => sql`
    insert into inbox (platform, event_id, chat_id, payload, status, next_attempt_at, received_at, handled_at)
    select 'feishu', ${prefix} || g, 'oc_' || (g % ${chats}),
           jsonb_build_object('kind', 'message', 'chatId', 'oc_' || (g % ${chats}), 'text', '/上报 “压测” 类别:教育'),
           ${status}, now() - interval '1 minute', now() - interval '1 minute',
           case when ${status} = 'done' then now() end
      from generate_series(1, ${n}::int) g`;
  await db.execute(rows('done', 'done-', HANDLED));
  await db.execute(rows('pending', 'pending-', pending));
  await db.execute(sql`vacuum analyze inbox`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Median ms of one claim of a batch, and of marking one claimed row handled; the table is restored after each run. */
async function measure(db: Db): Promise<{ claim: number; mark: number; claimed: number }> {
  const claims: number[] = [];
  const marks: number[] = [];
  let claimed = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const rows = await claimInbox(db, { now: new Date(), worker: 'bench', limit: BATCH });
    claims.push(performance.now() - t0);
    claimed = rows.length;
    const first = rows[0];
    if (first) {
      const t1 = performance.now();
      await markHandled(db, first, new Date());
      marks.push(performance.now() - t1);
    }
    const ids = sql.join(
      rows.map((r) => sql`${r.id}`),
      sql`, `,
    );
    if (rows.length > 0)
      await db.execute(
        sql`update inbox set status = 'pending', handled_at = null, locked_at = null, locked_by = null where id in (${ids})`,
      );
  }
  return { claim: median(claims), mark: median(marks), claimed };
}

/** EXPLAIN ANALYZE of the claim statement, rolled back. */
async function explain(db: Db): Promise<string[]> {
  const q = claimInboxQuery(db, { now: new Date(), worker: 'bench', limit: BATCH }).toSQL();
  const literal = (v: unknown) =>
    typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`;
  const text = q.sql.replace(/\$(\d+)/g, (_, n) => literal(q.params[Number(n) - 1]));
  let plan: string[] = [];
  await db
    .transaction(async (tx) => {
      const result = await tx.execute(sql.raw(`explain (analyze, buffers, costs off) ${text}`));
      plan = (result as unknown as Record<string, string>[]).map((r) => Object.values(r)[0] ?? '');
      throw new Error('rollback');
    })
    .catch((err) => {
      if ((err as Error).message !== 'rollback') throw err;
    });
  return plan;
}

async function main() {
  const database = await scratchDatabase(ADMIN_URL, { prefix: 'huiyin_bench', maxConnections: 2 });
  const { db } = database;
  try {
    const out = (s: string) => process.stdout.write(`${s}\n`);
    const fmt = (r: { claim: number; mark: number; claimed: number }) =>
      `claim ${r.claim.toFixed(2).padStart(7)} ms (${r.claimed} rows)   markHandled ${r.mark.toFixed(2).padStart(6)} ms`;
    out(
      `Inbox claim on Postgres: batch ${BATCH}, ${HANDLED.toLocaleString('en')} handled rows in the table, median of ${RUNS}`,
    );
    const executor = (plan: string[]) =>
      Number(plan.find((l) => l.startsWith('Execution Time'))?.match(/[\d.]+/)?.[0] ?? Number.NaN);
    const scenario = async (label: string, pending: number, chats: number) => {
      await fill(db, pending, chats);
      const r = await measure(db);
      // The executor's own time, without the round trip and the commit: median of 7 plans.
      const plans: string[][] = [];
      for (let i = 0; i < 7; i++) plans.push(await explain(db));
      const plan = [...plans].sort((a, b) => executor(a) - executor(b))[3] as string[];
      out(`${label} : ${fmt(r)}   executor ${executor(plan).toFixed(2).padStart(5)} ms`);
      return { ...r, executor: executor(plan), plan };
    };
    const small = await scenario(`  1,000 pending over ${CHATS} chats  `, 1_000, CHATS);
    const large = await scenario(`100,000 pending over ${CHATS} chats  `, 100_000, CHATS);
    const manyChats = await scenario('100,000 pending over 5,000 chats', 100_000, 5_000);
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    out(
      `ratio 100,000 / 1,000             : claim ${x(large.claim, small.claim)} (executor ${x(large.executor, small.executor)}; over 5,000 chats ${x(manyChats.claim, small.claim)}, executor ${x(manyChats.executor, small.executor)})   markHandled ${x(large.mark, small.mark)}`,
    );
    const plan = manyChats.plan;
    out('');
    out('EXPLAIN ANALYZE of the claim, 100,000 pending over 5,000 chats:');
    for (const line of plan) out(`  ${line}`);
    const seqScans = plan.filter((l) => /Seq Scan on inbox/.test(l));
    out(seqScans.length === 0 ? 'no sequential scan of inbox' : `SEQUENTIAL SCANS: ${seqScans.join(' | ')}`);
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:inbox failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
