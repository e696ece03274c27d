import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../../../db/client.js';
import { acceptEvent } from '../../../db/repos/inbox-repo.js';
import {
  getSandboxMessage,
  insertSandboxMessage,
  type SandboxRow,
  sandboxMessagesAfter,
  sandboxPeople,
  sandboxPerson,
} from '../../../db/repos/sandbox-repo.js';
import type { Dispatcher } from '../../bot/dispatcher.js';
import type { InboundMessage } from '../../bot/event.js';
import { cleanStrings, cleanText } from '../../core/clean-text.js';
import type { CardSpec } from '../../core/message.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import { DEFAULT_REQUEST_DEADLINE_MS, DeadlinePassed, type Outcome, withinDeadline } from '../deadline.js';
import { sandboxAssets, sandboxPage } from './assets.js';
import { mentionsIn, sandboxChats } from './directory.js';
import { SANDBOX_BOT_NAME } from './sender.js';

// Writes commit within this long, so a poll that looks back this far misses none.
const POLL_LOOKBACK_MS = 10_000;

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const postMessage = z.object({
  personId: z.string().min(1),
  chatId: z.string().min(1),
  text: z.string().min(1).max(20_000),
});
const postAction = z.object({
  personId: z.string().min(1),
  messageId: id,
  value: z.record(z.string(), z.unknown()),
  option: z.string().max(200).optional(),
  form: z.record(z.string(), z.union([z.string().max(5000), z.boolean()])).optional(),
});
const pollQuery = z.object({ chatId: z.string().min(1), after: z.coerce.number().int().min(0).default(0) });

export interface SandboxDeps {
  db: Db;
  dispatcher: Dispatcher;
  /** Wakes the inbox runner once an event is accepted. */
  onAccepted: () => void;
  log: Logger;
  metrics: Metrics;
  now: () => Date;
  /** A post not done within this (ms) is answered 503 and leaves nothing behind. */
  deadlineMs?: number;
}

/**
 * The sandbox adapter: a local web chat where anyone in the org can be picked as the sender.
 * Like every adapter it only validates, records and hands events on; flows do the rest.
 */
export function sandboxRoutes(deps: SandboxDeps): Hono {
  const app = new Hono();
  const { db } = deps;
  const deadline = <T>(work: (signal: AbortSignal) => Promise<T>): Promise<Outcome<T>> =>
    withinDeadline(deps.deadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS, work, (late) => {
      if (!late.ok && !(late.error instanceof DeadlinePassed))
        deps.log.warn('sandbox post failed after its 503', { err: late.error });
    });
  const unavailable = (c: Context, outcome: Outcome<unknown>) => {
    deps.log.error('sandbox post answered 503', {
      ...(!outcome.ok && outcome.reason === 'error' ? { err: outcome.error } : { reason: 'deadline' }),
    });
    return c.json({ error: '数据库暂时不可用，请稍后重试。' }, 503);
  };

  app.get('/', (c) => c.html(sandboxPage));

  // Read at start like the page; not versioned, so the browser revalidates on each load.
  app.get('/assets/:file', (c) => {
    const asset = sandboxAssets.get(c.req.param('file'));
    if (!asset) return c.text('沙盒没有这个文件。', 404);
    return c.body(asset.body, 200, { 'content-type': asset.contentType, 'cache-control': 'no-cache' });
  });

  app.get('/api/directory', async (c) =>
    c.json({ people: await sandboxPeople(db), chats: await sandboxChats(db) }),
  );

  app.get('/api/messages', async (c) => {
    const q = pollQuery.safeParse(c.req.query());
    if (!q.success) return c.json({ error: '请求格式错误：需要 chatId 和整数 after。' }, 400);
    const since = new Date(deps.now().getTime() - POLL_LOOKBACK_MS);
    const rows = await sandboxMessagesAfter(db, q.data.chatId, q.data.after, since);
    const rev = rows.reduce((max, r) => Math.max(max, r.rev), q.data.after);
    return c.json({ messages: rows.map(toJson), rev });
  });

  app.post('/api/messages', async (c) => {
    const acked = deps.metrics.ackTimer('sandbox');
    const body = postMessage.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: '请求格式错误：需要 personId、chatId 和 text。' }, 400);
    const { personId, chatId } = body.data;
    // Cleaned before anything is stored: what is kept and shown is what the bot reads.
    const text = cleanText(body.data.text);
    if (text.trim() === '') return c.json({ error: '消息为空：只含控制字符或不可见字符。' }, 400);
    const outcome = await deadline((signal) => acceptMessage(personId, chatId, text, signal));
    if (!outcome.ok) return unavailable(c, outcome);
    const answer = outcome.value;
    if ('error' in answer) return c.json(answer, 400);
    deps.metrics.eventReceived('sandbox');
    acked();
    deps.onAccepted();
    return c.json(answer);
  });

  /** Validates and stores a user's message with its event; an error when it cannot be posted. */
  const acceptMessage = async (personId: string, chatId: string, text: string, signal: AbortSignal) => {
    const person = await sandboxPerson(db, personId, { activeOnly: true });
    if (!person) return { error: `组织目录中没有人员 ${personId}。` };
    if (!(await sandboxChats(db)).some((x) => x.id === chatId)) return { error: `没有群聊 ${chatId}。` };

    const now = deps.now();
    const mentions = await mentionsIn(db, text);
    // The message and the event that carries it to the bot are stored together: once the
    // user sees their message, the bot will handle it, whatever fails afterwards.
    const row = await db.transaction(async (tx) => {
      const message = await insertSandboxMessage(tx, {
        chatId,
        senderPersonId: person.id,
        senderName: person.name,
        replyTo: null,
        threadRoot: null,
        content: { kind: 'text', parts: [{ t: 'text', v: text }] },
        createdAt: now,
        sendKey: null,
      });
      const event: InboundMessage = {
        kind: 'message',
        platform: 'sandbox',
        eventId: `msg-${message.id}`,
        chatId,
        chatType: 'group',
        messageId: String(message.id),
        sender: { id: person.id, name: person.name },
        text,
        mentions,
        addressed: text.includes(`@${SANDBOX_BOT_NAME}`),
        sentAt: now,
      };
      await acceptEvent(tx, { platform: 'sandbox', eventId: event.eventId, payload: event }, now);
      // Answered 503 already: the user will send it again, so this copy must not appear.
      if (signal.aborted) throw new DeadlinePassed();
      return message;
    });
    return { ok: true as const, id: String(row.id) };
  };

  app.post('/api/actions', async (c) => {
    const acked = deps.metrics.ackTimer('sandbox');
    const body = postAction.safeParse(cleanStrings(await c.req.json().catch(() => null)));
    if (!body.success)
      return c.json({ error: '请求格式错误：需要 personId、整数 messageId 和 value。' }, 400);
    const outcome = await deadline(() => runAction(body.data));
    if (!outcome.ok) return unavailable(c, outcome);
    if ('error' in outcome.value) return c.json(outcome.value, 400);
    acked();
    return c.json(outcome.value);
  });

  /** Runs a click on a card control; an error when the control is not on the card. */
  const runAction = async (action: z.infer<typeof postAction>) => {
    const message = await getSandboxMessage(db, action.messageId);
    // Like a real platform, only a button that is on the card can be clicked.
    if (!message || !hasControl(message, action)) return { error: '卡片上没有这个按钮。' };
    const person = await sandboxPerson(db, action.personId, { activeOnly: false });
    deps.metrics.eventReceived('sandbox');
    const result = await deps.dispatcher.dispatch({
      kind: 'card_action',
      platform: 'sandbox',
      eventId: `act-${randomUUID()}`,
      chatId: message.chatId,
      messageId: String(message.id),
      operator: { id: action.personId, ...(person ? { name: person.name } : {}) },
      value: action.value,
      ...(action.option !== undefined ? { option: action.option } : {}),
      ...(action.form ? { form: action.form } : {}),
    });
    const toast = 'response' in result ? result.response.toast : undefined;
    return { toast: toast ?? { type: 'info', content: '已处理' } };
  };

  return app;
}

type SandboxCard = Pick<CardSpec, 'buttons' | 'selects' | 'forms'>;

/** Like a real platform, only a control on the card can be used: a button, a select option or a form button. */
function hasControl(row: SandboxRow, action: z.infer<typeof postAction>): boolean {
  const content = row.content as { kind?: string; card?: SandboxCard };
  if (content.kind !== 'card' || !content.card) return false;
  const card = content.card;
  const values =
    action.option !== undefined
      ? (card.selects ?? [])
          .filter((s) => s.options.some((o) => o.value === action.option))
          .map((s) => s.value)
      : action.form
        ? (card.forms ?? []).flatMap((f) => f.buttons.map((b) => b.value))
        : card.buttons.map((b) => b.value);
  // A card's controls change with its item (认领 goes once claimed); a click from an older
  // rendering of this item's card still reaches the flow, which answers 已过期.
  const value = action.value;
  return values.some(
    (current) =>
      isDeepStrictEqual(current, value) || (value.item !== undefined && current.item === value.item),
  );
}

function toJson(row: SandboxRow) {
  return {
    id: String(row.id),
    rev: row.rev,
    chatId: row.chatId,
    sender: row.senderPersonId
      ? { kind: 'user', personId: row.senderPersonId, name: row.senderName }
      : { kind: 'bot', name: row.senderName },
    createdAt: row.createdAt.toISOString(),
    replyTo: row.replyTo === null ? null : String(row.replyTo),
    threadRoot: row.threadRoot === null ? null : String(row.threadRoot),
    content: row.content,
  };
}
