import { COMMAND_INFO } from '../bot-flows/index.js';
import { feishuClient } from './adapters/feishu/client.js';
import { registerSlashCommands } from './adapters/feishu/slash-commands.js';
import { feishuConfig, loadEnv } from './env.js';
import { createLogger } from './log.js';

/** `npm run feishu:commands`: registers the bot's slash commands with the configured Feishu app. */
async function main() {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL);
  const cfg = feishuConfig(env);
  if (!cfg) throw new Error('set FEISHU_APP_ID and FEISHU_APP_SECRET first');
  // Feishu command names are registered by their English alias; the description names the Chinese one.
  const commands = COMMAND_INFO.map((c) => ({
    command: c.aliases[0] as string,
    description: `${c.summary}（也可输入 /${c.name}）`,
  }));
  const result = await registerSlashCommands(feishuClient(cfg, log), commands);
  for (const [command, what] of Object.entries(result)) process.stdout.write(`/${command}: ${what}\n`);
}

main().catch((err) => {
  process.stderr.write(`feishu:commands failed: ${(err as Error).message}\n`);
  process.exit(1);
});
