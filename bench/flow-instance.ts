/**
 * One service instance of bench:flow, in a process of its own as in a deployment: opens the
 * database at BENCH_DB_URL, talks to the fake Open API at BENCH_FAKE_URL, listens on a free
 * loopback port and prints it (`port <n>`); ends cleanly on SIGTERM.
 */
import { openDatabase } from '../db/client.js';
import { silentLogger } from '../src/log.js';
import { benchFeishuService, listen } from './feishu-bench.js';

async function main() {
  const url = process.env.BENCH_DB_URL;
  const domain = process.env.BENCH_FAKE_URL;
  if (!url || !domain) throw new Error('BENCH_DB_URL and BENCH_FAKE_URL are required');
  const database = await openDatabase({ databaseUrl: url });
  const service = await benchFeishuService({
    database,
    domain,
    orgFile: process.env.BENCH_ORG_FILE,
    log: silentLogger,
  });
  await service.start();
  const { server, port } = await listen(service.app.fetch);
  process.stdout.write(`port ${port}\n`);
  process.once('SIGTERM', async () => {
    server.close();
    await service.close();
    await database.close();
    process.exit(0);
  });
}

main().catch((err) => {
  process.stderr.write(`bench:flow instance failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
