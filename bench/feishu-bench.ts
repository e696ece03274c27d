/** What the Feishu benchmarks share: the app config, the service on a database, a loopback listener. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A province of `chats` units, each in its own Feishu group with an officer and a spokesperson, and a 抄送 office. */
export function benchOrgFile(chats: number): string {
  const lines = [
    'units:',
    '  - id: gov',
    '    name: 压测省人民政府',
    '    handles: [统筹]',
    '    feishu_chat: oc_gov',
    '    members:',
    '      - { id: gov-spk, name: 省政府发言人, roles: [spokesperson], feishu: ou_gov_spk }',
    '  - id: open',
    '    name: 压测省政务公开办',
    '    parent: gov',
    '    feishu_chat: oc_open',
    '    members:',
    '      - { id: open-off, name: 公开办干部, roles: [officer], feishu: ou_open_off }',
  ];
  for (let i = 1; i <= chats; i++) {
    lines.push(
      `  - id: u${i}`,
      `    name: 压测单位${i}号`,
      '    parent: gov',
      `    feishu_chat: oc_u${i}`,
      '    members:',
      `      - { id: u${i}-spk, name: 发言人${i}号, roles: [spokesperson], feishu: ou_spk_${i} }`,
      `      - { id: u${i}-ldr, name: 负责人${i}号, roles: [leader], feishu: ou_ldr_${i} }`,
      `      - { id: u${i}-off, name: 干部${i}号, roles: [officer], feishu: ou_off_${i} }`,
    );
  }
  lines.push('cc: [open]');
  const dir = mkdtempSync(join(tmpdir(), 'huiyin-bench-flow-'));
  const file = join(dir, 'org.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
