/** What the Feishu benchmarks share: the app config, the service on a database, a loopback listener. */
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { DEFAULT_POLICY_PACK } from '../bot-flows/policies/index.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../src/log.js';
import { createService, type Service } from '../src/service.js';

export const BENCH_KEY = 'bench-encrypt-key';

/** The service with a Feishu webhook app whose Open API is the fake at `domain`. */
export function benchFeishuService(o: {
  database: Database;
  domain: string;
  orgFile?: string | undefined;
  log: Logger;
}): Promise<Service> {
  return createService({
    env: {
      DATA_DIR: '',
      POLICY_PACK: DEFAULT_POLICY_PACK,
      SANDBOX: false,
      DATABASE_URL: undefined,
      ORG_FILE: o.orgFile,
    },
    feishu: {
      appId: 'cli_bench',
      appSecret: 's',
      encryptKey: BENCH_KEY,
      verificationToken: 'vt',
      domain: o.domain,
      mode: 'webhook',
    },
    log: o.log,
    database: o.database,
  });
}

/** An HTTP server on a free loopback port, once it is listening. */
export function listen(fetch: Hono['fetch']): Promise<{ server: ReturnType<typeof serve>; port: number }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ server, port: info.port }),
    );
  });
}
