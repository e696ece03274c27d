import { afterEach, beforeEach } from 'vitest';
import { DEFAULT_POLICY_PACK } from '../../bot-flows/policies/index.js';
import type { Database } from '../../db/client.js';
import type { Part } from '../../src/core/message.js';
import { type Logger, silentLogger } from '../../src/log.js';
import { createService, type Service } from '../../src/service.js';
import { FakeClock } from './clock.js';
import { type DbKind, useDatabase } from './databases.js';

/** The service settings tests run with: embedded or given database, the demo org unless named. */
export const testEnv = (o: { orgFile?: string | undefined; sandbox?: boolean | undefined } = {}) => ({
  DATA_DIR: '',
  POLICY_PACK: DEFAULT_POLICY_PACK,
  SANDBOX: o.sandbox,
  DATABASE_URL: undefined,
  ORG_FILE: o.orgFile,
  // A request answers 503 after its deadline (2.5 s by default): on a loaded test machine that
  // would be the machine's speed showing, so tests wait as long as the test itself may run.
  REQUEST_DEADLINE_MS: 60_000,
  HEALTHZ_DEADLINE_MS: 60_000,
});

export interface SandboxMessage {
  id: string;
  rev: number;
  chatId: string;
  sender: { kind: 'user'; personId: string; name: string } | { kind: 'bot'; name: string };
  replyTo: string | null;
  threadRoot: string | null;
  content:
    | { kind: 'text'; parts: Part[] }
    | {
        kind: 'card';
        card: {
          title: string;
          fields: { label: string; value: string }[];
          body: Part[];
          note?: Part[];
          buttons: { label: string; value: Record<string, unknown> }[];
          selects?: { placeholder: string; options: { value: string }[]; value: Record<string, unknown> }[];
          forms?: {
            name: string;
            fields: { name: string }[];
            buttons: { label: string; value: Record<string, unknown> }[];
          }[];
        };
      };
}

/** The text a person reads in a message (a card's title, fields, body and note). */
export function textOf(m: SandboxMessage): string {
  const flat = (ps: Part[] = []) => ps.map((p) => (p.t === 'text' ? p.v : `@${p.name}`)).join('');
  if (m.content.kind === 'text') return flat(m.content.parts);
  const c = m.content.card;
  return [c.title, ...c.fields.map((f) => `${f.label}：${f.value}`), flat(c.body), flat(c.note)].join('\n');
}

/** The people a message @-mentions, by platform user id. */
export function mentionsOf(m: SandboxMessage): string[] {
  const ps =
    m.content.kind === 'text' ? m.content.parts : [...m.content.card.body, ...(m.content.card.note ?? [])];
  return ps.flatMap((p) => (p.t === 'at' ? [p.id] : []));
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** The service on a test database, driven through the sandbox adapter's HTTP API. */
export async function startHarness(
  database: Database,
  opts: { clock?: FakeClock; orgFile?: string; log?: Logger } = {},
) {
  const clock = opts.clock ?? new FakeClock('2026-11-22T03:00:00Z');
  const service: Service = await createService({
    env: testEnv({ orgFile: opts.orgFile, sandbox: true }),
    log: opts.log ?? silentLogger,
    clock,
    database,
  });
  const post = async (path: string, body: unknown) => {
    const res = await service.app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** Lets the bot handle every accepted event and deliver every message. */
  const settle = async () => {
    while (
      (await service.inbox.drain()) + (await service.timers.drain()) + (await service.outbox.drain()) >
      0
    );
  };
  const messages = async (chatId: string, after = 0): Promise<SandboxMessage[]> => {
    const res = await service.app.request(
      `/sandbox/api/messages?chatId=${encodeURIComponent(chatId)}&after=${after}`,
    );
    return ((await res.json()) as { messages: SandboxMessage[] }).messages;
  };
  return {
    service,
    clock,
    db: database.db,
    /** Sends a message as a person in a sandbox group, then lets the outbox deliver. */
    async say(personId: string, chatId: string, text: string) {
      const res = await post('/sandbox/api/messages', { personId, chatId, text });
      await settle();
      return res;
    },
    /** Clicks a card button as a person (a select's `option`, a form's fields with its button). */
    async click(
      personId: string,
      messageId: string,
      value: Record<string, unknown>,
      input: { option?: string; form?: Record<string, string | boolean> } = {},
    ) {
      const res = await post('/sandbox/api/actions', { personId, messageId, value, ...input });
      await settle();
      return res as { status: number; body: { toast: { type: string; content: string } } };
    },
    settle,
    messages,
    /** The bot's messages in a chat whose text contains `needle`. */
    async botMessages(chatId: string, needle = ''): Promise<SandboxMessage[]> {
      return (await messages(chatId)).filter((m) => m.sender.kind === 'bot' && textOf(m).includes(needle));
    },
    /** The item card (not the clock card) for an item number in a chat. */
    async itemCards(chatId: string, number: string): Promise<SandboxMessage[]> {
      return (await messages(chatId)).filter(
        (m) => m.content.kind === 'card' && m.content.card.title.startsWith(`舆情 ${number}`),
      );
    },
    /** The bot's reply to a given user message. */
    async replyTo(chatId: string, messageId: string): Promise<SandboxMessage> {
      const found = (await messages(chatId)).filter(
        (m) => m.sender.kind === 'bot' && m.replyTo === messageId,
      );
      if (found.length !== 1)
        throw new Error(`expected one reply to ${messageId} in ${chatId}, got ${found.length}`);
      return found[0] as SandboxMessage;
    },
    close: () => service.close(),
  };
}

/**
 * The service for each test of a describe block, on a database of `kind` that is emptied before
 * every test: each test starts from the org file alone, with its own clock and metrics, whatever
 * ran before it. Read `.h` and `.database` inside tests.
 */
export function useHarness(kind: DbKind, opts: { orgFile?: string; log?: Logger } = {}) {
  const db = useDatabase(kind);
  const ctx = {} as { h: Harness; database: Database };
  beforeEach(async () => {
    ctx.database = db.database;
    ctx.h = await startHarness(ctx.database, opts);
  });
  afterEach(async () => {
    await ctx.h?.close();
  });
  return ctx;
}
