import type * as lark from '@larksuiteoapi/node-sdk';
import { type OutboundMessage, type PlatformSender, SendError } from '../../bot/sender.js';
import { renderContent } from './render.js';

// Feishu allows 5 messages a second per chat.
const PER_CHAT = 5;
const WINDOW_MS = 1_000;
// Codes that mean "later": rate limits and a token being refreshed.
const RETRYABLE_CODES = new Set([230020, 99991400, 99991661, 99991663, 99991668]);

interface ApiReply {
  code?: number;
  msg?: string;
  data?: { message_id?: string };
}

/** Sends outbox messages through the official SDK client, idempotently on the outbox key. */
export class FeishuSender implements PlatformSender {
  readonly platform = 'feishu';
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly client: lark.Client,
    private readonly now: () => Date,
  ) {}

  async send(m: OutboundMessage): Promise<{ messageId: string }> {
    this.takeSlot(m.chatId);
    const { msgType, content } = renderContent(m.message);
    let res: ApiReply;
    try {
      if (m.op === 'update') {
        if (!m.targetMessageId) throw new SendError('update without a target message', false);
        res = await this.client.im.message.patch({
          path: { message_id: m.targetMessageId },
          data: { content },
        });
      } else if (m.op === 'reply' && m.replyTo) {
        res = await this.client.im.message.reply({
          path: { message_id: m.replyTo },
          data: { msg_type: msgType, content, reply_in_thread: m.inThread, uuid: m.key },
        });
      } else {
        res = await this.client.im.message.create({
          params: { receive_id_type: 'chat_id' },
          data: { receive_id: m.chatId, msg_type: msgType, content, uuid: m.key },
        });
      }
    } catch (err) {
      throw asSendError(err);
    }
    if (res.code !== 0) {
      throw new SendError(
        `feishu code ${res.code}: ${res.msg ?? ''}`,
        RETRYABLE_CODES.has(res.code ?? -1),
        String(res.code),
      );
    }
    const messageId = m.op === 'update' ? m.targetMessageId : res.data?.message_id;
    if (!messageId) throw new SendError('feishu answered without a message_id', true);
    return { messageId };
  }

  /** Keeps each chat under its rate limit; a message over it waits without counting a failure. */
  private takeSlot(chatId: string): void {
    const now = this.now().getTime();
    const times = (this.recent.get(chatId) ?? []).filter((t) => now - t < WINDOW_MS);
    if (times.length >= PER_CHAT) {
      throw new SendError(
        'per-chat rate limit',
        true,
        'local_rate_limit',
        (times[0] as number) + WINDOW_MS - now,
      );
    }
    times.push(now);
    this.recent.set(chatId, times);
  }
}

/** Non-2xx answers arrive as thrown AxiosErrors: 429 and 5xx (and no answer) are worth a retry. */
function asSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  const e = err as { response?: { status?: number; data?: ApiReply }; message?: string };
  const status = e.response?.status;
  const code = e.response?.data?.code;
  if (status === undefined)
    return new SendError(`feishu unreachable: ${e.message ?? String(err)}`, true, 'network');
  const retryable = status === 429 || status >= 500 || (code !== undefined && RETRYABLE_CODES.has(code));
  return new SendError(
    `feishu HTTP ${status}${code !== undefined ? ` code ${code}: ${e.response?.data?.msg ?? ''}` : ''}`,
    retryable,
    String(code ?? status),
  );
}
