import { serve } from '@hono/node-server';
import { OrgFileError } from '../db/org-file.js';
import { feishuConfig, loadEnv, wecomConfig } from './env.js';
import { createLogger } from './log.js';
import { createService } from './service.js';

/** Node entry: `npm start`. */
async function main() {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL);
  let service: Awaited<ReturnType<typeof createService>>;
  try {
    service = await createService({
      env,
      log,
      feishu: feishuConfig(env),
      wecom: wecomConfig(env),
      timeouts: {
        connectMs: env.DATABASE_CONNECT_TIMEOUT_MS,
        statementMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
        idleInTransactionMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
        silenceMs: env.DATABASE_SILENCE_TIMEOUT_MS,
      },
    });
  } catch (err) {
    if (err instanceof OrgFileError) {
      log.error('org file rejected', { error: err.message });
      process.stderr.write(`\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  await service.start();
  const server = serve({ fetch: service.app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
    log.info('huiyin listening', {
      port: info.port,
      database: service.database.kind,
      sandbox:
        (env.SANDBOX ?? !(feishuConfig(env) || wecomConfig(env)))
          ? `http://localhost:${info.port}/sandbox`
          : 'off',
      feishu: feishuConfig(env)?.mode ?? 'off',
      wecom: env.WECHATY_PUPPET ?? 'off',
    });
  });
  const shutdown = async (signal: string) => {
    log.info('shutting down', { signal });
    server.close();
    await service.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(
    `huiyin failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
