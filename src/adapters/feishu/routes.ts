import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { Db } from '../../../db/client.js';
import { acceptEvent } from '../../../db/repos/inbox-repo.js';
import type { Dispatcher } from '../../bot/dispatcher.js';
import type { FeishuConfig } from '../../env.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import { DEFAULT_REQUEST_DEADLINE_MS, type Outcome, withinDeadline } from '../deadline.js';
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
  /** A request not done within this (ms) is answered 503; Feishu sends it again. */
  deadlineMs?: number;
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

/**
 * Feishu waits 3 s, then sends the event again (webhook and long connection alike): an answer we
 * cannot give in time (the database is away) is an error within that window, and Feishu's retry
 * decides. An event stored after its error is harmless: the retry carries the same event_id and
 * is refused as a copy; a click handled late is not done twice for the same reason.
 */
export function withinFeishuDeadline<T>(
  deps: FeishuDeps,
  what: string,
  work: () => Promise<T>,
): Promise<Outcome<T>> {
  return withinDeadline(deps.deadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS, work, (late) =>
    deps.log.warn(`feishu ${what} finished after it was answered as unavailable`, {
      ok: late.ok,
      ...(late.ok ? {} : { err: late.error }),
    }),
  );
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

  const deadline = <T>(c: Context, what: string, work: () => Promise<T>): Promise<Outcome<T>> =>
    withinFeishuDeadline(deps, `${what} (${c.req.path})`, work);
  const unavailable = (c: Context, what: string, outcome: Outcome<unknown>) => {
    deps.log.error(`feishu ${what} not accepted, answered 503`, {
      reason: outcome.ok ? 'ok' : outcome.reason,
      ...(!outcome.ok && outcome.reason === 'error' ? { err: outcome.error } : {}),
    });
    return c.json({ error: 'service unavailable, retry later' }, 503);
  };

  app.post('/events', async (c) => {
    const acked = deps.metrics.ackTimer('feishu');
    const opened = await open(c);
    if (!opened.ok) return c.json({ error: opened.reason }, opened.status);
    if (opened.challenge !== undefined) return c.json({ challenge: opened.challenge });
    const { type, data } = flatten(opened.body);
    const accepted = await deadline(c, 'event', () => acceptFeishuEvent(deps, type, data));
    if (!accepted.ok) return unavailable(c, 'event', accepted);
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
    // A click handled after its 503 is not done twice: the retry has the same event_id.
    const answer = await deadline(c, 'card action', () => handleFeishuCard(deps, data));
    if (!answer.ok) return unavailable(c, 'card action', answer);
    acked();
    return c.json(answer.value);
  });

  return app;
}
