import { Hono } from 'hono';
import { type Database, isReachable } from '../db/client.js';
import {
  DEFAULT_HEALTHZ_DEADLINE_MS,
  DEFAULT_REQUEST_DEADLINE_MS,
  withinDeadline,
} from './adapters/deadline.js';
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
  /** How long a platform request and /healthz may take before they answer 503 (ms). */
  deadlines?: { requestMs?: number | undefined; healthzMs?: number | undefined };
}

/** The HTTP surface: health, metrics and each enabled adapter's routes. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const { urgent } = deps.database;

  app.get('/healthz', async (c) => {
    // A frozen database never answers: say 503 in time for a load balancer's probe.
    const reached = await withinDeadline(
      deps.deadlines?.healthzMs ?? DEFAULT_HEALTHZ_DEADLINE_MS,
      () => isReachable(urgent),
      () => {},
    );
    const ok = reached.ok && reached.value;
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
    app.route(
      '/sandbox',
      sandboxRoutes({
        ...deps,
        db: urgent,
        deadlineMs: deps.deadlines?.requestMs ?? DEFAULT_REQUEST_DEADLINE_MS,
      }),
    );
    app.get('/', (c) => c.redirect('/sandbox'));
  }

  app.onError((err, c) => {
    deps.log.error('request failed', { err, path: c.req.path });
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
