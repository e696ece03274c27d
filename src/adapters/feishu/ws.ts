import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../../log.js';
import { sdkLogger } from './client.js';
import { acceptFeishuEvent, type FeishuDeps, handleFeishuCard, withinFeishuDeadline } from './routes.js';

/**
 * The SDK's event dispatcher wired to the same handlers as the webhook routes: with the long
 * connection the SDK verifies and decrypts, and hands over flattened events. Each has the
 * webhook's deadline: past it the handler fails, the SDK answers Feishu with an error, and
 * Feishu sends the event again.
 */
export function feishuEventDispatcher(deps: FeishuDeps, log: Logger): lark.EventDispatcher {
  const inTime = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const outcome = await withinFeishuDeadline(deps, what, work);
    if (outcome.ok) return outcome.value;
    log.error(`feishu ${what} not accepted over the long connection, answered with an error`, {
      reason: outcome.reason,
      ...(outcome.reason === 'error' ? { err: outcome.error } : {}),
    });
    throw outcome.reason === 'error' ? outcome.error : new Error(`feishu ${what} not accepted in time`);
  };
  return new lark.EventDispatcher({ logger: sdkLogger(log), loggerLevel: lark.LoggerLevel.warn }).register({
    'im.message.receive_v1': (data: unknown) =>
      inTime('event', () => acceptFeishuEvent(deps, 'im.message.receive_v1', data)),
    'card.action.trigger': (data: unknown) => inTime('card action', () => handleFeishuCard(deps, data)),
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
