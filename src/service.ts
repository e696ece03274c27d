import { fileURLToPath } from 'node:url';
import schedule from 'node-schedule';
import { registerFlows } from '../bot-flows/index.js';
import { policyPack } from '../bot-flows/policies/index.js';
import { type Database, openDatabase } from '../db/client.js';
import { readOrgFile } from '../db/org-file.js';
import { importOrg, loadOrg } from '../db/repos/org-repo.js';
import { redeliverSandboxMessages } from './adapters/sandbox/routes.js';
import { SandboxSender } from './adapters/sandbox/sender.js';
import { createApp } from './app.js';
import { Dispatcher } from './bot/dispatcher.js';
import type { Org } from './core/org.js';
import { type Clock, systemClock } from './core/time.js';
import type { Env } from './env.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { OutboxRunner } from './scheduler/outbox-runner.js';

// A message this old with no recorded event is no longer in flight: handle it again.
const REDELIVER_AFTER_MS = 30_000;

export const DEMO_ORG_FILE = fileURLToPath(new URL('../db/org/demo-org.yaml', import.meta.url));

export interface ServiceOptions {
  env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR' | 'ORG_FILE' | 'POLICY_PACK' | 'SANDBOX'>;
  log: Logger;
  clock?: Clock;
  /** An already open database (tests share one per file); opened from env otherwise. */
  database?: Database;
}

export interface Service {
  app: ReturnType<typeof createApp>;
  database: Database;
  dispatcher: Dispatcher;
  outbox: OutboxRunner;
  metrics: Metrics;
  /** Starts the outbox runner and catches up on messages a crash left unhandled. */
  start(): Promise<void>;
  /** Handles sandbox messages that were stored but never handled; returns how many. */
  redeliver(minAgeMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Opens the database, migrates, imports the org directory and wires the bot together. */
export async function createService(opts: ServiceOptions): Promise<Service> {
  const clock = opts.clock ?? systemClock;
  const { env, log } = opts;
  const pack = policyPack(env.POLICY_PACK);
  const orgFile = env.ORG_FILE ?? DEMO_ORG_FILE;
  const org = readOrgFile(orgFile); // fails before touching the database
  const owned = !opts.database;
  const database =
    opts.database ?? (await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR }));
  try {
    await database.migrate();
    const counts = await importOrg(database.db, org, clock.now());
    log.info('org imported', { file: orgFile, ...counts });
  } catch (err) {
    if (owned) await database.close();
    throw err;
  }

  // The org changes only on import, at start: load it once.
  let orgSnapshot: Promise<Org> | null = null;
  const currentOrg = () => {
    orgSnapshot ??= loadOrg(database.db);
    return orgSnapshot;
  };
  const metrics = new Metrics();
  const senders = [new SandboxSender(database.db, () => clock.now())];
  const outbox = new OutboxRunner({ db: database.db, senders, clock, log });
  const dispatcher = registerFlows(
    new Dispatcher({ db: database.db, pack, org: currentOrg, clock, log, onEnqueued: () => outbox.wake() }),
  );
  const now = () => clock.now();
  const app = createApp({ database, dispatcher, metrics, log, now, sandbox: env.SANDBOX });
  const sandboxDeps = { db: database.db, dispatcher, log, metrics, now };
  const redeliver = (minAgeMs: number) =>
    env.SANDBOX ? redeliverSandboxMessages(sandboxDeps, { minAgeMs }) : Promise.resolve(0);
  let sweep: schedule.Job | null = null;
  return {
    app,
    database,
    dispatcher,
    outbox,
    metrics,
    redeliver,
    async start() {
      outbox.start();
      await redeliver(0);
      // Later failures (a database blip mid-request) are swept up once they are a little old.
      sweep = schedule.scheduleJob('*/1 * * * *', () => void redeliver(REDELIVER_AFTER_MS));
    },
    async close() {
      sweep?.cancel();
      await outbox.stop();
      if (owned) await database.close();
    },
  };
}
