import * as lark from '@larksuiteoapi/node-sdk';
import type { FeishuConfig } from '../../env.js';
import type { Logger } from '../../log.js';

/** A token cache of this client's own: the SDK's default one is shared by the whole process. */
function ownCache(): lark.Cache {
  const entries = new Map<string | symbol, { value: unknown; expire: number }>();
  return {
    async set(key, value, expire) {
      entries.set(key as string | symbol, { value, expire: expire ?? Number.POSITIVE_INFINITY });
      return true;
    },
    async get(key) {
      const e = entries.get(key as string | symbol);
      if (!e) return undefined;
      if (e.expire <= Date.now()) {
        entries.delete(key as string | symbol);
        return undefined;
      }
      return e.value;
    },
  };
}

/** The official SDK client for the configured app, logging through Huiyin's logger. */
export function feishuClient(cfg: FeishuConfig, log: Logger): lark.Client {
  return new lark.Client({
    appId: cfg.appId,
    appSecret: cfg.appSecret,
    domain: cfg.domain,
    cache: ownCache(),
    loggerLevel: lark.LoggerLevel.warn,
    logger: sdkLogger(log),
  });
}

export function sdkLogger(log: Logger): lark.Logger {
  const line = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    error: (...m) => log.error('feishu sdk', { detail: line(m) }),
    warn: (...m) => log.warn('feishu sdk', { detail: line(m) }),
    info: (...m) => log.info('feishu sdk', { detail: line(m) }),
    debug: (...m) => log.debug('feishu sdk', { detail: line(m) }),
    trace: (...m: unknown[]) => log.debug('feishu sdk', { detail: line(m) }),
  } as lark.Logger;
}

/** The bot's own open_id, to tell its @-mention from other people's; null when unavailable. */
export async function botOpenId(client: lark.Client, log: Logger): Promise<string | null> {
  try {
    const res = (await client.request({ method: 'GET', url: '/open-apis/bot/v3/info' })) as {
      code?: number;
      bot?: { open_id?: string };
    };
    if (res.code === 0 && res.bot?.open_id) return res.bot.open_id;
    log.warn('feishu bot info without open_id', { code: res.code });
  } catch (err) {
    log.warn('feishu bot info failed; the leading @-mention is taken as the bot', {
      error: (err as Error).message,
    });
  }
  return null;
}
