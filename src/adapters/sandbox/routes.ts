import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../../../db/client.js';
import { SANDBOX_LOBBY } from '../../../db/repos/org-repo.js';
import { chatBindings, memberships, people, units } from '../../../db/schema.js';
import type { Dispatcher } from '../../bot/dispatcher.js';
import { type Part, plainText } from '../../bot/message.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import { SANDBOX_BOT_NAME } from './sender.js';
import {
  getSandboxMessage,
  insertSandboxMessage,
  latestRev,
  type SandboxRow,
  sandboxMessagesAfter,
  unhandledUserMessages,
} from './store.js';

const page = readFileSync(new URL('./page.html', import.meta.url), 'utf8');

const postMessage = z.object({
  personId: z.string().min(1),
  chatId: z.string().min(1),
  text: z.string().min(1).max(20_000),
});
const postAction = z.object({
  personId: z.string().min(1),
  messageId: z.union([z.string(), z.number()]).transform(String),
  value: z.record(z.string(), z.unknown()),
});

export interface SandboxDeps {
  db: Db;
  dispatcher: Dispatcher;
  log: Logger;
  metrics: Metrics;
  now: () => Date;
}

/**
 * The sandbox adapter: a local web chat where anyone in the org can be picked as the sender.
 * Like every adapter it only parses, records and dispatches; flows do the rest.
 */
export function sandboxRoutes(deps: SandboxDeps): Hono {
  const app = new Hono();
  const { db } = deps;

  app.get('/', (c) => c.html(page));

  app.get('/api/directory', async (c) => {
    const ps = await db
      .select({ id: people.id, name: people.name })
      .from(people)
      .where(eq(people.active, true));
    const ms = await db
      .select({
        personId: memberships.personId,
        unitId: memberships.unitId,
        roles: memberships.roles,
        name: units.name,
      })
      .from(memberships)
      .innerJoin(units, eq(units.id, memberships.unitId));
    const chats = await sandboxChats(db);
    return c.json({
      people: ps.map((p) => ({
        id: p.id,
        name: p.name,
        units: ms
          .filter((m) => m.personId === p.id)
          .map((m) => ({ id: m.unitId, name: m.name, roles: m.roles })),
      })),
      chats,
    });
  });

  app.get('/api/messages', async (c) => {
    const chatId = c.req.query('chatId') ?? '';
    const after = Number(c.req.query('after') ?? 0) || 0;
    const rows = await sandboxMessagesAfter(db, chatId, after);
    return c.json({ messages: rows.map(toJson), rev: Math.max(after, await latestRev(db)) });
  });

  app.post('/api/messages', async (c) => {
    const body = postMessage.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: '请求格式错误：需要 personId、chatId 和 text。' }, 400);
    const { personId, chatId, text } = body.data;
    const [person] = await db
      .select()
      .from(people)
      .where(and(eq(people.id, personId), eq(people.active, true)));
    if (!person) return c.json({ error: `组织目录中没有人员 ${personId}。` }, 400);
    const chats = await sandboxChats(db);
    if (!chats.some((x) => x.id === chatId)) return c.json({ error: `没有群聊 ${chatId}。` }, 400);

    const row = await insertSandboxMessage(db, {
      chatId,
      senderPersonId: person.id,
      senderName: person.name,
      replyTo: null,
      threadRoot: null,
      content: { kind: 'text', parts: [{ t: 'text', v: text }] },
      createdAt: deps.now(),
      sendKey: null,
    });
    deps.metrics.eventReceived('sandbox');
    try {
      await dispatchMessage(deps, row);
    } catch (err) {
      deps.log.error('sandbox dispatch failed', { err });
      return c.json({ error: '消息已保存，但机器人暂时无法处理；服务恢复后会自动处理，无需重发。' }, 500);
    }
    return c.json({ ok: true, id: String(row.id) });
  });

  app.post('/api/actions', async (c) => {
    const body = postAction.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: '请求格式错误：需要 personId、messageId 和 value。' }, 400);
    const message = await getSandboxMessage(db, Number(body.data.messageId));
    if (!message) return c.json({ error: '卡片不存在。' }, 404);
    const [person] = await db.select().from(people).where(eq(people.id, body.data.personId));
    deps.metrics.eventReceived('sandbox');
    try {
      const result = await deps.dispatcher.dispatch({
        kind: 'card_action',
        platform: 'sandbox',
        eventId: `act-${randomUUID()}`,
        chatId: message.chatId,
        messageId: String(message.id),
        operator: { id: body.data.personId, ...(person ? { name: person.name } : {}) },
        value: body.data.value,
      });
      const toast = 'response' in result ? result.response.toast : undefined;
      return c.json({ toast: toast ?? { type: 'info', content: '已处理' } });
    } catch (err) {
      deps.log.error('sandbox action failed', { err });
      return c.json({ toast: { type: 'error', content: '处理失败（内部错误），请稍后重试。' } }, 500);
    }
  });

  return app;
}

/** Hands a stored sandbox message to the dispatcher, as the platform would deliver it. */
async function dispatchMessage(deps: SandboxDeps, row: SandboxRow) {
  const text = plainText((row.content as { parts: Part[] }).parts);
  await deps.dispatcher.dispatch({
    kind: 'message',
    platform: 'sandbox',
    eventId: `msg-${row.id}`,
    chatId: row.chatId,
    chatType: 'group',
    messageId: String(row.id),
    sender: { id: row.senderPersonId as string, name: row.senderName },
    text,
    mentions: await mentionsIn(deps.db, text),
    addressed: text.includes(`@${SANDBOX_BOT_NAME}`),
  });
}

/**
 * Redelivers user messages that were stored but never handled (the process died or the
 * database failed between the two), as a chat platform redelivers unacknowledged events.
 * Handling is idempotent on the event id, so a message is never handled twice.
 */
export async function redeliverSandboxMessages(
  deps: SandboxDeps,
  opts: { minAgeMs: number },
): Promise<number> {
  const now = deps.now();
  const rows = await unhandledUserMessages(deps.db, {
    after: new Date(now.getTime() - 24 * 3_600_000),
    before: new Date(now.getTime() - opts.minAgeMs),
  });
  let n = 0;
  for (const row of rows) {
    try {
      await dispatchMessage(deps, row);
      n++;
    } catch (err) {
      deps.log.error('sandbox redelivery failed', { err, id: row.id });
      break;
    }
  }
  if (n > 0) deps.log.info('sandbox messages redelivered', { count: n });
  return n;
}

/** The lobby plus one group per unit, with the unit each is bound to. */
async function sandboxChats(db: Db) {
  const rows = await db
    .select({
      chatId: chatBindings.chatId,
      unitId: chatBindings.unitId,
      name: units.name,
      source: chatBindings.source,
    })
    .from(chatBindings)
    .innerJoin(units, eq(units.id, chatBindings.unitId))
    .where(and(eq(chatBindings.platform, 'sandbox'), eq(units.active, true)));
  const lobby = rows.find((r) => r.chatId === SANDBOX_LOBBY);
  return [
    {
      id: SANDBOX_LOBBY,
      name: lobby ? `舆情监测群（已绑定${lobby.name}）` : '舆情监测群（未绑定单位）',
      unitId: lobby?.unitId ?? null,
    },
    ...rows
      .filter((r) => r.chatId !== SANDBOX_LOBBY)
      .map((r) => ({ id: r.chatId, name: `${r.name}舆情工作群`, unitId: r.unitId })),
  ];
}

/** `@名字` in sandbox text, for people in the directory. */
async function mentionsIn(db: Db, text: string) {
  const names = [...text.matchAll(/@([^\s@]+)/gu)].map((m) => m[1] as string);
  if (names.length === 0) return [];
  const ps = await db
    .select({ id: people.id, name: people.name })
    .from(people)
    .where(eq(people.active, true));
  return ps.filter((p) => names.includes(p.name)).map((p) => ({ id: p.id, name: p.name }));
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
