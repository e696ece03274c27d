/**
 * npm run bench:handler — what handling a /上报 costs, and how that depends on how many service
 * processes share the work. BENCH_REPORTS accepted /上报 events (over 50 chats, as in bench:flow)
 * are handled by inbox runners (8 events at a time each, as the service runs them) in one process
 * and then in three, turn about for BENCH_ROUNDS rounds; each prints reports/s and the CPU per
 * report of the Node processes (`process.cpuUsage`) and of the Postgres server (its processes in
 * /proc: only when Postgres runs on this machine), and the three processes' figures as a ratio of
 * the one process's in the same round. No HTTP and no sending: bench:flow measures those.
 * HUIYIN_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { registerFlows } from '../bot-flows/index.js';
import { DEFAULT_POLICY_PACK, policyPack } from '../bot-flows/policies/index.js';
import { openDatabase } from '../db/client.js';
import { readOrgFile } from '../db/org-file.js';
import { acceptEvent } from '../db/repos/inbox-repo.js';
import { importOrg, loadOrg } from '../db/repos/org-repo.js';
import { scratchDatabase } from '../db/scratch.js';
import { Dispatcher } from '../src/bot/dispatcher.js';
import type { InboundMessage } from '../src/bot/event.js';
import { systemClock } from '../src/core/time.js';
import { silentLogger } from '../src/log.js';
import { INBOX_CONCURRENCY, InboxRunner } from '../src/scheduler/inbox-runner.js';
import { benchOrgFile } from './feishu-bench.js';

const REPORTS = Number(process.env.BENCH_REPORTS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CHATS = 50;
const ADMIN_URL = process.env.HUIYIN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** CPU ticks of each Postgres server process on this machine; null when none is visible. */
function postgresTicks(): Map<string, number> | null {
  const ticks = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks.size > 0 ? ticks : null;
}

/**
 * Postgres CPU (ms) between two readings, process by process: a backend that ended meanwhile
 * (its time since the first reading is lost, a few ms) must not take its whole past with it.
 */
function postgresCpuMs(before: Map<string, number> | null, after: Map<string, number> | null): number | null {
  if (!before || !after) return null;
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** A handling process: loads the org, then on each `go` line drains the inbox and prints `done <handled> <cpu ms>`. */
async function child(url: string): Promise<void> {
  const database = await openDatabase({ databaseUrl: url });
  const db = database.db;
  const org = await loadOrg(db);
  const pack = policyPack(DEFAULT_POLICY_PACK);
  const log = silentLogger;
  const dispatcher = registerFlows(
    new Dispatcher({ db, pack, org: async () => org, clock: systemClock, log }),
  );
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 'go') break;
    const concurrency = INBOX_CONCURRENCY.postgres;
    const runner = new InboxRunner({ db, dispatcher, clock: systemClock, log, concurrency });
    const before = process.cpuUsage();
    const handled = await runner.drain();
    const used = process.cpuUsage(before);
    process.stdout.write(`done ${handled} ${(used.user + used.system) / 1000}\n`);
  }
  await database.close();
}

/** A handling process and a way to read its next line. */
function start(url: string): { proc: ChildProcess; next: () => Promise<string> } {
  const script = fileURLToPath(import.meta.url);
  const proc = spawn(process.execPath, ['--import', 'tsx', script, 'child', url], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('a handling process ended early');
    return value as string;
  };
  return { proc, next };
}

interface Figures {
  rate: number;
  node: number;
  pg: number | null;
  total: number;
}

async function main() {
  const scratch = await scratchDatabase(ADMIN_URL, { prefix: 'huiyin_bench' });
  const kids: ChildProcess[] = [];
  try {
    const db = scratch.db;
    await importOrg(db, readOrgFile(benchOrgFile(CHATS)), new Date());
    const procs = [start(scratch.url), start(scratch.url), start(scratch.url)];
    kids.push(...procs.map((p) => p.proc));
    for (const p of procs) if ((await p.next()) !== 'ready') throw new Error('a handling process failed');
    let seq = 0;
    const accept = async () => {
      for (let i = 0; i < REPORTS; i++) {
        const k = seq++;
        const chat = (k % CHATS) + 1;
        const event: InboundMessage = {
          kind: 'message',
          platform: 'feishu',
          eventId: `e${k}`,
          chatId: `oc_u${chat}`,
          chatType: 'group',
          messageId: `om_${k}`,
          sender: { id: `ou_off_${chat}` },
          text: `/上报 “压测事件${k}” 类别:教育 涉事:u${chat}`,
          mentions: [],
          addressed: true,
          sentAt: new Date(),
        };
        await acceptEvent(db, { platform: 'feishu', eventId: event.eventId, payload: event }, new Date());
      }
    };
    const run = async (n: number): Promise<Figures> => {
      await accept();
      const pg0 = postgresTicks();
      const t0 = performance.now();
      for (const p of procs.slice(0, n)) p.proc.stdin?.write('go\n');
      const results = await Promise.all(procs.slice(0, n).map((p) => p.next()));
      const seconds = (performance.now() - t0) / 1000;
      const pg1 = postgresTicks();
      const handled = results.reduce((a, r) => a + Number(r.split(' ')[1]), 0);
      const node = results.reduce((a, r) => a + Number(r.split(' ')[2]), 0) / handled;
      const pgMs = postgresCpuMs(pg0, pg1);
      const pg = pgMs === null ? null : pgMs / handled;
      return { rate: handled / seconds, node, pg, total: node + (pg ?? 0) };
    };
    const f = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(2)} ms`);
    process.stdout.write(
      `/上报 handled by inbox runners (${INBOX_CONCURRENCY.postgres} at a time each), ${REPORTS} reports a round over ${CHATS} chats\n`,
    );
    // The first round of each also compiles the hot paths and opens the connections. The tables
    // grow from run to run: the two go first by turns.
    for (let round = 0; round <= ROUNDS; round++) {
      let one: Figures;
      let three: Figures;
      if (round % 2 === 0) {
        one = await run(1);
        three = await run(3);
      } else {
        three = await run(3);
        one = await run(1);
      }
      if (round === 0) continue;
      for (const [label, r] of [
        ['1 process  ', one],
        ['3 processes', three],
      ] as const)
        process.stdout.write(
          `round ${round} ${label}: ${r.rate.toFixed(0)} reports/s   CPU per report: Node ${f(r.node)}, Postgres ${f(r.pg)}\n`,
        );
      process.stdout.write(
        `round ${round} 3 ÷ 1      : ${(three.rate / one.rate).toFixed(2)}× the rate, ${(three.total / one.total).toFixed(2)}× the CPU per report\n`,
      );
    }
  } finally {
    for (const k of kids) k.kill();
    await scratch.close();
  }
}

if (process.argv[2] === 'child') {
  child(process.argv[3] as string).catch((err) => {
    process.stderr.write(`bench:handler process failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(`bench:handler failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
