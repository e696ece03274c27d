import { Hono } from 'hono';
import { type Database, isReachable } from '../db/client.js';
import { type FeishuDeps, feishuRoutes } from './adapters/feishu/routes.js';
import { sandboxRoutes } from './adapters/sandbox/routes.js';
import type { Dispatcher } from './bot/dispatcher.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

export interface AppDeps {
  database: Database;
  dispatcher: Dispatcher;
  metrics: Metrics;
  log: Logger;
  now: () => Date;
  sandbox: boolean;
  /** Called when an adapter has accepted an inbound event. */
  onAccepted: () => void;
  /** Feishu webhook routes, when a Feishu app is configured in webhook mode. */
  feishu: FeishuDeps | null;
}

/** The HTTP surface: health, metrics and each enabled adapter's routes. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const { db } = deps.database;

  app.get('/healthz', async (c) => {
    const ok = await isReachable(db);
    return c.json(
      { ok, database: ok ? 'reachable' : 'unreachable', kind: deps.database.kind },
      ok ? 200 : 503,
    );
  });

  app.get('/metrics', async (c) => {
    c.header('content-type', deps.metrics.register.contentType);
    return c.body(await deps.metrics.render());
  });

  if (deps.feishu) app.route('/feishu', feishuRoutes(deps.feishu));

  if (deps.sandbox) {
    app.route('/sandbox', sandboxRoutes({ db, ...deps }));
    app.get('/', (c) => c.redirect('/sandbox'));
  }

  app.onError((err, c) => {
    deps.log.error('request failed', { err, path: c.req.path });
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
