import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../../log.js';
import { sdkLogger } from './client.js';
import { acceptFeishuEvent, type FeishuDeps, handleFeishuCard } from './routes.js';

/**
 * The SDK's event dispatcher wired to the same handlers as the webhook routes: with the long
 * connection the SDK verifies and decrypts, and hands over flattened events.
 */
export function feishuEventDispatcher(deps: FeishuDeps, log: Logger): lark.EventDispatcher {
  return new lark.EventDispatcher({ logger: sdkLogger(log), loggerLevel: lark.LoggerLevel.warn }).register({
    'im.message.receive_v1': async (data: unknown) => {
      await acceptFeishuEvent(deps, 'im.message.receive_v1', data);
    },
    'card.action.trigger': async (data: unknown) => handleFeishuCard(deps, data),
  } as lark.EventHandles);
}

/** FEISHU_MODE=ws: receive events and card callbacks over the SDK's long connection. */
export function startFeishuWs(deps: FeishuDeps, log: Logger): { close(): void } {
  const ws = new lark.WSClient({
    appId: deps.cfg.appId,
    appSecret: deps.cfg.appSecret,
    domain: deps.cfg.domain,
    logger: sdkLogger(log),
    loggerLevel: lark.LoggerLevel.warn,
  });
  ws.start({ eventDispatcher: feishuEventDispatcher(deps, log) }).catch((err) =>
    log.error('feishu long connection failed to start', { error: (err as Error).message }),
  );
  return { close: () => ws.close({ force: true }) };
}
