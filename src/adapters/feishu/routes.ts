import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { Db } from '../../../db/client.js';
import { acceptEvent } from '../../../db/repos/inbox-repo.js';
import type { Dispatcher } from '../../bot/dispatcher.js';
import type { FeishuConfig } from '../../env.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import { cardEventSchema, flatten, messageEventSchema, toCardAction, toInboundMessage } from './parse.js';
import { renderCard } from './render.js';
import { openFeishuRequest } from './verify.js';

export interface FeishuDeps {
  cfg: FeishuConfig;
  db: Db;
  dispatcher: Dispatcher;
  /** Wakes the inbox runner once an event is accepted. */
  onAccepted: () => void;
  log: Logger;
  metrics: Metrics;
  now: () => Date;
  /** The bot's open_id once known. */
  botOpenId: () => string | null;
}

/**
 * Accepts one Feishu event: a message for the bot is stored in the inbox (its event_id makes a
 * redelivery a no-op, hours later or racing the first copy) and handled after the ack.
 */
export async function acceptFeishuEvent(
  deps: FeishuDeps,
  type: string | undefined,
  data: unknown,
): Promise<void> {
  deps.metrics.eventReceived('feishu');
  if (type !== 'im.message.receive_v1') return;
  const parsed = messageEventSchema.safeParse(data);
  if (!parsed.success) {
    deps.log.warn('feishu message event not understood', { error: parsed.error.message });
    return;
  }
  if (parsed.data.sender.sender_type === 'app') return; // the bot's own messages
  const event = toInboundMessage(parsed.data, deps.botOpenId(), deps.now());
  if (
    await acceptEvent(deps.db, { platform: 'feishu', eventId: event.eventId, payload: event }, deps.now())
  ) {
    deps.onAccepted();
  }
}

/** Runs a card click at once (Feishu waits up to 3 s for the toast and the new card). */
export async function handleFeishuCard(deps: FeishuDeps, data: unknown, eventId?: string) {
  deps.metrics.eventReceived('feishu');
  const parsed = cardEventSchema.safeParse(data);
  if (!parsed.success) return { toast: { type: 'error', content: '无法识别的卡片操作。' } };
  const result = await deps.dispatcher.dispatch(
    toCardAction(parsed.data, eventId ?? parsed.data.event_id ?? `card-${randomUUID()}`),
  );
  if (!('response' in result)) return {};
  const { toast, card } = result.response;
  return { ...(toast ? { toast } : {}), ...(card ? { card: { type: 'raw', data: renderCard(card) } } : {}) };
}

/** POST /feishu/events and /feishu/card: verify, open, accept, acknowledge. */
export function feishuRoutes(deps: FeishuDeps): Hono {
  const app = new Hono();

  const open = async (c: Context) => {
    const raw = await c.req.text();
    const opened = openFeishuRequest(deps.cfg, raw, (name) => c.req.header(name), deps.now());
    if (!opened.ok) deps.log.warn('feishu request refused', { path: c.req.path, reason: opened.reason });
    return opened;
  };

  app.post('/events', async (c) => {
    const acked = deps.metrics.ackTimer('feishu');
    const opened = await open(c);
    if (!opened.ok) return c.json({ error: opened.reason }, opened.status);
    if (opened.challenge !== undefined) return c.json({ challenge: opened.challenge });
    const { type, data } = flatten(opened.body);
    await acceptFeishuEvent(deps, type, data);
    acked();
    return c.json({});
  });

  app.post('/card', async (c) => {
    const acked = deps.metrics.ackTimer('feishu');
    const opened = await open(c);
    if (!opened.ok) return c.json({ error: opened.reason }, opened.status);
    if (opened.challenge !== undefined) return c.json({ challenge: opened.challenge });
    const { type, data } = flatten(opened.body);
    if (type !== 'card.action.trigger') return c.json({});
    const answer = await handleFeishuCard(deps, data);
    acked();
    return c.json(answer);
  });

  return app;
}
