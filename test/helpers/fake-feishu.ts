import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../db/client.js';
import { signFeishu } from '../../src/adapters/feishu/verify.js';
import type { Clock } from '../../src/core/time.js';
import type { FeishuConfig } from '../../src/env.js';
import { silentLogger } from '../../src/log.js';
import { createService } from '../../src/service.js';
import { type DbKind, freshDatabase } from './databases.js';
import { feishuEnvelope } from './fixtures.js';
import { testEnv } from './harness.js';

export interface FeishuCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  authorization: string | undefined;
}

export interface SentMessage {
  messageId: string;
  chatId: string;
  msgType: string;
  content: Record<string, unknown>;
  uuid: string | undefined;
  replyTo: string | null;
  replyInThread: boolean;
}

type Failure = { status: number; code?: number };

/** Feishu's send limits, enforced like Feishu does: beyond them it answers code 230020. */
export interface FeishuLimits {
  perChat: number;
  perApp: number;
  /** How long each call takes to answer, as a real Open API would. */
  latencyMs?: number;
}

/**
 * A fake Feishu Open API on 127.0.0.1 that the real SDK talks to: tenant token, bot info,
 * message create / reply / patch (idempotent on uuid, like Feishu) and slash commands. It
 * records every call and can be told to fail for a while.
 */
export class FakeFeishu {
  readonly botOpenId = 'ou_bot';
  calls: FeishuCall[] = [];
  /** Messages as delivered, one per uuid. */
  messages: SentMessage[] = [];
  patches: { messageId: string; content: Record<string, unknown> }[] = [];
  slashCommands = new Map<string, Record<string, unknown>>();
  failures: Failure[] = [];
  /** Messages users sent, so replies to them land in the right chat. */
  userMessages = new Map<string, string>();
  /** Calls refused with 230020 because a limit was reached. */
  refused = 0;
  /** When each accepted send happened (ms), by chat and for the whole app. */
  readonly sendTimes = new Map<string, number[]>();
  readonly appSendTimes: number[] = [];
  private server: Server | null = null;
  private seq = 0;

  constructor(private readonly limits?: FeishuLimits) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('fake Feishu is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The messages in a chat, in the order they arrived. */
  inChat(chatId: string): SentMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const call: FeishuCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      authorization: req.headers.authorization,
    };
    this.calls.push(call);
    if (call.path === '/open-apis/auth/v3/tenant_access_token/internal') {
      return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: 't-fake', expire: 7200 } };
    }
    if (call.authorization !== 'Bearer t-fake')
      return { status: 401, body: { code: 99991663, msg: 'bad token' } };
    const failure = call.path.startsWith('/open-apis/im/') ? this.failures.shift() : undefined;
    if (failure)
      return {
        status: failure.status,
        body: { code: failure.code ?? failure.status, msg: 'injected failure' },
      };

    if (call.path === '/open-apis/bot/v3/info')
      return { status: 200, body: { code: 0, bot: { open_id: this.botOpenId } } };
    const reply = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(call.path);
    if (call.method === 'POST' && (call.path === '/open-apis/im/v1/messages' || reply)) {
      if (this.limits?.latencyMs) await new Promise((r) => setTimeout(r, this.limits?.latencyMs));
      const chatId = reply ? this.chatOf(reply[1] as string) : String(call.body.receive_id);
      if (!this.admit(chatId)) {
        this.refused++;
        return { status: 400, body: { code: 230020, msg: 'rate limited' } };
      }
      return this.deliver(call, reply ? (reply[1] as string) : null);
    }
    const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(call.path);
    if (call.method === 'PATCH' && patch) {
      this.patches.push({ messageId: patch[1] as string, content: JSON.parse(String(call.body.content)) });
      return { status: 200, body: { code: 0, msg: 'ok', data: {} } };
    }
    if (call.path.startsWith('/open-apis/application/v7/app_slash_commands')) return this.slash(call);
    return { status: 404, body: { code: 404, msg: `fake has no ${call.method} ${call.path}` } };
  }

  /** The most sends to one chat, and to the app, within any one second. */
  busiestSecond(): { chat: number; app: number } {
    const most = (times: number[]) => {
      let best = 0;
      for (let i = 0, j = 0; j < times.length; j++) {
        while ((times[j] as number) - (times[i] as number) >= 1000) i++;
        best = Math.max(best, j - i + 1);
      }
      return best;
    };
    let chat = 0;
    for (const times of this.sendTimes.values()) chat = Math.max(chat, most(times));
    return { chat, app: most(this.appSendTimes) };
  }

  private chatOf(messageId: string): string {
    return (
      this.messages.find((m) => m.messageId === messageId)?.chatId ??
      this.userMessages.get(messageId) ??
      `unknown-${messageId}`
    );
  }

  /** Counts a send against the limits (a sliding second); false when Feishu would refuse it. */
  private admit(chatId: string): boolean {
    if (!this.limits) return true;
    const now = Date.now();
    const chat = this.sendTimes.get(chatId) ?? [];
    const within = (times: number[]) => times.filter((t) => now - t < 1000).length;
    if (within(chat) >= this.limits.perChat || within(this.appSendTimes) >= this.limits.perApp) return false;
    chat.push(now);
    this.sendTimes.set(chatId, chat);
    this.appSendTimes.push(now);
    return true;
  }

  private deliver(call: FeishuCall, replyTo: string | null) {
    const b = call.body;
    const uuid = b.uuid as string | undefined;
    const same = uuid ? this.messages.find((m) => m.uuid === uuid) : undefined;
    if (same) return { status: 200, body: { code: 0, msg: 'ok', data: { message_id: same.messageId } } };
    const parent = replyTo ? this.messages.find((m) => m.messageId === replyTo) : undefined;
    const message: SentMessage = {
      messageId: `om_${++this.seq}`,
      chatId: replyTo
        ? (parent?.chatId ?? this.userMessages.get(replyTo) ?? `unknown-${replyTo}`)
        : String(b.receive_id),
      msgType: String(b.msg_type),
      content: JSON.parse(String(b.content)),
      uuid,
      replyTo,
      replyInThread: b.reply_in_thread === true,
    };
    this.messages.push(message);
    return { status: 200, body: { code: 0, msg: 'ok', data: { message_id: message.messageId } } };
  }

  private slash(call: FeishuCall) {
    if (call.method === 'GET') {
      return {
        status: 200,
        body: {
          code: 0,
          data: { items: [...this.slashCommands.entries()].map(([id, c]) => ({ ...c, id })) },
        },
      };
    }
    const id = /app_slash_commands\/([^/]+)$/.exec(call.path)?.[1];
    const key = id ?? `sc_${this.slashCommands.size + 1}`;
    this.slashCommands.set(key, call.body);
    return { status: 200, body: { code: 0, data: { command_id: key } } };
  }
}

/** Encrypts like Feishu: AES-256-CBC, key = SHA-256(encryptKey), a random IV in front, base64. */
export function encryptFeishu(encryptKey: string, payload: unknown): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]).toString(
    'base64',
  );
}

/** A request as Feishu would send it: encrypted body and signature headers. */
export function feishuRequest(encryptKey: string, payload: unknown, at: Date, opts: { nonce?: string } = {}) {
  const body = JSON.stringify({ encrypt: encryptFeishu(encryptKey, payload) });
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonce = opts.nonce ?? randomBytes(8).toString('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signFeishu(timestamp, nonce, encryptKey, body),
    } as Record<string, string>,
  };
}

/** im.message.receive_v1 for a group text message: the envelope fixture with this message in it. */
export function messageEvent(o: {
  eventId: string;
  messageId: string;
  chatId: string;
  senderOpenId: string;
  text: string;
  mentions?: { key: string; openId: string; name: string }[];
  chatType?: 'group' | 'p2p';
  token?: string;
  at: Date;
}) {
  return feishuEnvelope('message', {
    header: {
      event_id: o.eventId,
      create_time: String(o.at.getTime()),
      token: o.token ?? 'vt',
    },
    event: {
      sender: { sender_id: { open_id: o.senderOpenId } },
      message: {
        message_id: o.messageId,
        create_time: String(o.at.getTime()),
        update_time: String(o.at.getTime()),
        chat_id: o.chatId,
        chat_type: o.chatType ?? 'group',
        content: JSON.stringify({ text: o.text }),
        mentions: (o.mentions ?? []).map((m) => ({
          key: m.key,
          id: { open_id: m.openId },
          name: m.name,
          tenant_key: 'tk',
        })),
      },
    },
  }) as { schema: string; header: Record<string, unknown>; event: Record<string, unknown> };
}

/** The encrypt key the Feishu tests' app is configured with. */
export const ENCRYPT_KEY = 'test-encrypt-key';

/**
 * The service with a Feishu app whose Open API is a fake one, on `db` (a database of that kind,
 * or a fresh one of that kind, closed with the service).
 */
export async function startFeishuService(
  db: DbKind | Database,
  orgFile: string,
  appId: string,
  clock: Clock,
) {
  const fake = await new FakeFeishu().start();
  const owned = typeof db === 'string';
  const database = owned ? await freshDatabase(db) : db;
  const feishu: FeishuConfig = {
    appId,
    appSecret: 'secret',
    encryptKey: ENCRYPT_KEY,
    verificationToken: 'vt',
    domain: fake.url,
    mode: 'webhook',
  };
  const service = await createService({
    env: testEnv({ orgFile, sandbox: false }),
    feishu,
    log: silentLogger,
    clock,
    database,
  });
  await service.start();
  return {
    fake,
    database,
    feishu,
    service,
    async close() {
      await service.close();
      if (owned) await database.close();
      await fake.stop();
    },
  };
}
