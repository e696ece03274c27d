import { fileURLToPath } from 'node:url';
import { registerFlows } from '../bot-flows/index.js';
import { policyPack } from '../bot-flows/policies/index.js';
import { type Database, openDatabase } from '../db/client.js';
import { readOrgFile } from '../db/org-file.js';
import { importOrg, loadOrg } from '../db/repos/org-repo.js';
import { SandboxSender } from './adapters/sandbox/sender.js';
import { createApp } from './app.js';
import { Dispatcher } from './bot/dispatcher.js';
import type { Org } from './core/org.js';
import { type Clock, systemClock } from './core/time.js';
import type { Env } from './env.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { InboxRunner } from './scheduler/inbox-runner.js';
import { OutboxRunner } from './scheduler/outbox-runner.js';

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
  inbox: InboxRunner;
  /** Starts the inbox and outbox runners; they first catch up on whatever is due. */
  start(): void;
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
    orgSnapshot ??= loadOrg(database.db).catch((err) => {
      orgSnapshot = null; // a database blip must not stick
      throw err;
    });
    return orgSnapshot;
  };
  const metrics = new Metrics();
  const senders = [new SandboxSender(database.db, () => clock.now())];
  const outbox = new OutboxRunner({ db: database.db, senders, clock, log });
  const dispatcher = registerFlows(
    new Dispatcher({ db: database.db, pack, org: currentOrg, clock, log, onEnqueued: () => outbox.wake() }),
  );
  const now = () => clock.now();
  const inbox = new InboxRunner({ db: database.db, dispatcher, clock, log });
  const app = createApp({
    database,
    dispatcher,
    metrics,
    log,
    now,
    sandbox: env.SANDBOX,
    onAccepted: () => inbox.wake(),
  });
  return {
    app,
    database,
    dispatcher,
    inbox,
    outbox,
    metrics,
    start() {
      inbox.start();
      outbox.start();
    },
    async close() {
      await inbox.stop();
      await outbox.stop();
      if (owned) await database.close();
    },
  };
}
