/**
 * npm run bench:org — start-up with the demo org and with a generated province-sized org
 * (3,000 units, 30,000 people), on the embedded default (PGlite in a data directory) and on
 * Postgres: the first start (empty database), a restart with the same file, and a restart after
 * one change (a person moved to another unit). A start is the service's own start-up (open,
 * migrate, org import) plus the routing snapshot the first event loads.
 * HUIYIN_BENCH_PG_URL (else HUIYIN_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 * must allow CREATE DATABASE. Knobs: BENCH_ORG_UNITS (3000), BENCH_ORG_PER_UNIT (10 people).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_PACK } from '../bot-flows/policies/index.js';
import { type Database, openDatabase } from '../db/client.js';
import { type OrgFile, parseOrgFile } from '../db/org-file.js';
import { importOrg, loadOrg } from '../db/repos/org-repo.js';
import { scratchDatabase } from '../db/scratch.js';
import { createLogger } from '../src/log.js';
import { createService, DEMO_ORG_FILE } from '../src/service.js';
import { largeOrg, orgYaml } from '../test/helpers/large-org.js';

const UNITS = Number(process.env.BENCH_ORG_UNITS ?? 3_000);
const PER_UNIT = Number(process.env.BENCH_ORG_PER_UNIT ?? 10);
const ADMIN_URL =
  process.env.HUIYIN_BENCH_PG_URL ||
  process.env.HUIYIN_TEST_PG_URL ||
  'postgres://postgres@127.0.0.1:5432/postgres';
const TARGET_RESTART_S = 5;

type Kind = 'pglite' | 'postgres';
interface OrgCase {
  label: string;
  text: string;
  /** The same org with one person moved to another unit. */
  changed: string;
}
interface Figures {
  first: number;
  restart: number;
  changed: number;
  /** importOrg of the already parsed, unchanged org: the comparison a restart skips. */
  compare: number;
  /** Opening and migrating the database alone, with no org work: the baseline of a restart. */
  bare: number;
}

const log = createLogger('error');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** One start of the service on `kind` with the org file `file`, as far as the first event's org snapshot. */
function starter(kind: Kind, dir: string, file: string, database: Database | undefined) {
  return async () => {
    const service = await createService({
      env: { DATA_DIR: join(dir, 'data'), ORG_FILE: file, POLICY_PACK: DEFAULT_POLICY_PACK, SANDBOX: true },
      log,
      ...(kind === 'postgres' ? { database } : {}),
    });
    try {
      await loadOrg(service.database.db);
    } finally {
      await service.close();
    }
  };
}

async function measure(kind: Kind, org: OrgCase, parsed: OrgFile): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'huiyin-bench-org-'));
  // Postgres: a scratch database, its pool shared by the starts; PGlite: reopened from disk each time.
  const pg = kind === 'postgres' ? await scratchDatabase(ADMIN_URL, { prefix: 'huiyin_bench' }) : undefined;
  try {
    const file = join(dir, 'org.yaml');
    const start = starter(kind, dir, file, pg);
    writeFileSync(file, org.text);
    const first = await timed(start);
    const restarts = [await timed(start), await timed(start), await timed(start)].sort((a, b) => a - b);
    writeFileSync(file, org.changed);
    const changed = await timed(start);
    // Back to the original, imported without its digest: what comparing costs when it is not skipped.
    writeFileSync(file, org.text);
    await start();
    const compare = await withDatabase(dir, pg, (db) => timed(() => importOrg(db.db, parsed, new Date())));
    const bare = await timed(() =>
      withDatabase(dir, pg, async (db) => {
        await db.migrate();
      }),
    );
    return { first, restart: restarts[1] as number, changed, compare, bare };
  } finally {
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withDatabase<T>(
  dir: string,
  pg: Database | undefined,
  fn: (db: Database) => Promise<T>,
): Promise<T> {
  if (pg) return fn(pg);
  const db = await openDatabase({ dataDir: join(dir, 'data') });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function demoCase(): OrgCase {
  const text = readFileSync(DEMO_ORG_FILE, 'utf8');
  // 王敏 moves from 省教育厅 to 省公安厅.
  const line = '      - { id: jyt-spk, name: 王敏, roles: [spokesperson] }\n';
  const anchor = '      - { id: gat-spk, name: 何永刚, roles: [spokesperson] }\n';
  if (!text.includes(line) || !text.includes(anchor))
    throw new Error('the demo org no longer has 王敏 or 何永刚');
  return { label: 'demo org', text, changed: text.replace(line, '').replace(anchor, anchor + line) };
}

function largeCase(): OrgCase {
  const org = largeOrg({ units: UNITS, perUnit: PER_UNIT });
  const changed = structuredClone(org);
  const [from, to] = [changed.units[5], changed.units[7]];
  if (from && to) to.members.push(...from.members.splice(3, 1));
  return {
    label: `${UNITS.toLocaleString()} units / ${(UNITS * PER_UNIT).toLocaleString()} people`,
    text: orgYaml(org),
    changed: orgYaml(changed),
  };
}

async function main() {
  const cases = [demoCase(), largeCase()];
  const parsed: OrgFile[] = [];
  const parseMs: number[] = [];
  for (const c of cases) {
    parseOrgFile(c.changed); // the changed file must be valid too
    const t0 = performance.now();
    parsed.push(parseOrgFile(c.text));
    parseMs.push(performance.now() - t0);
  }
  const results = new Map<string, Figures>();
  for (const kind of ['pglite', 'postgres'] as const)
    for (const [i, c] of cases.entries())
      results.set(`${kind}/${i}`, await measure(kind, c, parsed[i] as OrgFile));

  const out = (s: string) => process.stdout.write(`${s}\n`);
  const row = (name: string, cell: (kind: Kind) => string) =>
    out(`${name.padEnd(36)}${cell('pglite').padEnd(36)}${cell('postgres')}`);
  out('Org directory start-up (service start-up + first routing snapshot)');
  row('', (k) => (k === 'pglite' ? 'PGlite (data dir)' : 'Postgres'));
  for (const [i, c] of cases.entries()) {
    const f = (k: Kind) => results.get(`${k}/${i}`) as Figures;
    const demo = (k: Kind) => results.get(`${k}/0`) as Figures;
    const vsDemo = (k: Kind, key: keyof Figures) =>
      i === 0 ? '' : `  ${(f(k)[key] / demo(k)[key]).toFixed(1)}× demo`;
    out(`${c.label} (${parsed[i]?.units.length} units, file parsed in ${seconds(parseMs[i] as number)})`);
    row('  open + migrate only (baseline)', (k) => seconds(f(k).bare));
    row('  first start (empty database)', (k) => `${seconds(f(k).first)}${vsDemo(k, 'first')}`);
    row(
      '  restart, same file',
      (k) =>
        `${seconds(f(k).restart)}  ${(f(k).restart / f(k).bare).toFixed(1)}× baseline${vsDemo(k, 'restart')}`,
    );
    row('  restart, one person moved', (k) => `${seconds(f(k).changed)}${vsDemo(k, 'changed')}`);
    row('  compare only (parsed, unchanged)', (k) => `${seconds(f(k).compare)}${vsDemo(k, 'compare')}`);
  }
  const worst = Math.max(
    ...(['pglite', 'postgres'] as const).map((k) => (results.get(`${k}/1`) as Figures).restart),
  );
  out(
    `restart with the large org, same file: worst ${seconds(worst)} (target ≤ ${TARGET_RESTART_S} s) ${worst <= TARGET_RESTART_S * 1000 ? 'met' : 'NOT met'}`,
  );
}

main().catch((err) => {
  process.stderr.write(`bench:org failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
