import { fileURLToPath } from 'node:url';
import { handleDueTimers } from '../bot-flows/clocks/fire-due.js';
import { registerFlows } from '../bot-flows/index.js';
import { DEFAULT_POLICY_PACK, policyPack } from '../bot-flows/policies/index.js';
import { type Database, type DatabaseTimeouts, openDatabase } from '../db/client.js';
import { readOrgSource } from '../db/org-file.js';
import { importOrgSource, loadOrg } from '../db/repos/org-repo.js';
import { botOpenId, feishuClient } from './adapters/feishu/client.js';
import type { FeishuDeps } from './adapters/feishu/routes.js';
import { FeishuSender } from './adapters/feishu/sender.js';
import { startFeishuWs } from './adapters/feishu/ws.js';
import { SandboxSender } from './adapters/sandbox/sender.js';
import { WecomAdapter } from './adapters/wecom/adapter.js';
import { createApp } from './app.js';
import { Dispatcher } from './bot/dispatcher.js';
import type { PlatformSender } from './bot/sender.js';
import type { Org } from './core/org.js';
import { type Clock, systemClock } from './core/time.js';
import type { Env, FeishuConfig, WecomConfig } from './env.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { INBOX_CONCURRENCY, InboxRunner } from './scheduler/inbox-runner.js';
import { OutboxRunner } from './scheduler/outbox-runner.js';
import { Pruner } from './scheduler/pruner.js';
import { TimerRunner } from './scheduler/timer-runner.js';

export const DEMO_ORG_FILE = fileURLToPath(new URL('../db/org/demo-org.yaml', import.meta.url));

export interface ServiceOptions {
  env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR' | 'ORG_FILE' | 'POLICY_PACK' | 'SANDBOX'> &
    Partial<Pick<Env, 'REQUEST_DEADLINE_MS' | 'HEALTHZ_DEADLINE_MS'>>;
  /** The Feishu app; none means the Feishu routes answer 404. */
  feishu?: FeishuConfig | null;
  /** The WeCom bot through wechaty; none means no WeCom. */
  wecom?: WecomConfig | null;
  /** Runs a WeCom restart after a pause (tests run it themselves). */
  wecomSchedule?: (fn: () => void, ms: number) => void;
  log: Logger;
  clock?: Clock;
  /** Postgres timeouts when the service opens the database (from the DATABASE_*_MS settings). */
  timeouts?: Partial<DatabaseTimeouts>;
  /** An already open database (tests share one per file); opened from env otherwise. */
  database?: Database;
}

export interface Service {
  app: ReturnType<typeof createApp>;
  database: Database;
  dispatcher: Dispatcher;
  /** The WeCom adapter, when configured. */
  wecom: WecomAdapter | null;
  outbox: OutboxRunner;
  metrics: Metrics;
  inbox: InboxRunner;
  timers: TimerRunner;
  /** Deletes handled queue rows past their retention. */
  pruner: Pruner;
  /** Connects to the platforms and starts the runners; they first catch up on whatever is due. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the database, migrates, imports the org directory and wires the bot together. */
export async function createService(opts: ServiceOptions): Promise<Service> {
  const clock = opts.clock ?? systemClock;
  const { env, log } = opts;
  const pack = policyPack(env.POLICY_PACK ?? DEFAULT_POLICY_PACK);
  const orgFile = env.ORG_FILE ?? DEMO_ORG_FILE;
  // Read now, parsed at import unless it is the file imported last (parsing a large org takes seconds).
  const orgSource = readOrgSource(orgFile);
  const owned = !opts.database;
  const database =
    opts.database ??
    (await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, timeouts: opts.timeouts }));
  try {
    await database.migrate();
    const counts = await importOrgSource(database.db, orgSource, clock.now());
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
  const metrics = new Metrics(database.db);
  const now = () => clock.now();
  const feishu = opts.feishu ? feishuClient(opts.feishu, log) : null;
  const senders: PlatformSender[] = [new SandboxSender(database.db, now)];
  if (feishu) senders.push(new FeishuSender(feishu));
  let inboxWake = () => {};
  const wecom = opts.wecom
    ? new WecomAdapter({
        cfg: opts.wecom,
        db: database.db,
        log,
        metrics,
        now,
        onAccepted: () => inboxWake(),
        ...(opts.wecomSchedule ? { schedule: opts.wecomSchedule } : {}),
      })
    : null;
  if (wecom) senders.push(wecom);
  const outbox = new OutboxRunner({ db: database.db, senders, clock, log, metrics });
  const dispatcher = registerFlows(
    new Dispatcher({ db: database.db, pack, org: currentOrg, clock, log, onEnqueued: () => outbox.wake() }),
  );
  const inbox = new InboxRunner({
    db: database.db,
    dispatcher,
    clock,
    log,
    concurrency: INBOX_CONCURRENCY[database.kind],
  });
  inboxWake = () => inbox.wake();
  let orgNow: Org | null = null;
  const timers = new TimerRunner({
    db: database.db,
    clock,
    log,
    // Loaded before the pass's transaction: an embedded database has a single connection.
    beforePass: async () => {
      orgNow = await currentOrg();
    },
    handle: (tx, due, at) => handleDueTimers(tx, due, at, { pack, org: orgNow as Org }),
    onEnqueued: () => outbox.wake(),
  });
  const pruner = new Pruner({ db: database.db, clock, log });
  let botId: string | null = null;
  const feishuDeps: FeishuDeps | null =
    opts.feishu && feishu
      ? {
          cfg: opts.feishu,
          // Acknowledging goes before the runners' waiting work on the embedded database.
          db: database.urgent,
          dispatcher,
          onAccepted: () => inbox.wake(),
          log,
          metrics,
          now,
          botOpenId: () => botId,
          ...(env.REQUEST_DEADLINE_MS ? { deadlineMs: env.REQUEST_DEADLINE_MS } : {}),
        }
      : null;
  const app = createApp({
    database,
    dispatcher,
    metrics,
    log,
    now,
    sandbox: env.SANDBOX ?? !(opts.feishu || opts.wecom),
    onAccepted: () => inbox.wake(),
    feishu: opts.feishu?.mode === 'webhook' ? feishuDeps : null,
    deadlines: { requestMs: env.REQUEST_DEADLINE_MS, healthzMs: env.HEALTHZ_DEADLINE_MS },
  });
  let ws: { close(): void } | null = null;
  return {
    app,
    database,
    dispatcher,
    wecom,
    inbox,
    outbox,
    timers,
    pruner,
    metrics,
    async start() {
      if (feishu && feishuDeps) {
        botId = await botOpenId(feishu, log);
        if (feishuDeps.cfg.mode === 'ws') ws = startFeishuWs(feishuDeps, log);
      }
      inbox.start();
      timers.start();
      outbox.start();
      pruner.start();
      // In the background: a puppet that is slow to log in (or fails) must not hold up the service.
      void wecom?.start();
    },
    async close() {
      ws?.close();
      await wecom?.stop();
      await inbox.stop();
      await timers.stop();
      await outbox.stop();
      await pruner.stop();
      if (owned) await database.close();
    },
  };
}
