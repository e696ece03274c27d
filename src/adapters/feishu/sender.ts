import type * as lark from '@larksuiteoapi/node-sdk';
import { type OutboundMessage, type PlatformSender, SendError } from '../../bot/sender.js';
import { renderContent } from './render.js';

// Codes that mean "later": rate limits and a token being refreshed.
const RETRYABLE_CODES = new Set([230020, 99991400, 99991661, 99991663, 99991668]);
// Feishu's rate limit: the message waits a window without counting a failure (the limits the
// outbox keeps in the database make this rare: another app sharing the quota, clock skew).
const RATE_LIMITED = 230020;
const WAIT_MS = 1_000;

interface ApiReply {
  code?: number;
  msg?: string;
  data?: { message_id?: string };
}

/** Sends outbox messages through the official SDK client, idempotently on the outbox key. */
export class FeishuSender implements PlatformSender {
  readonly platform = 'feishu';
  // Feishu accepts 5 messages a second in one chat and 50 for the app; beyond that it answers
  // 230020. Counted here over 1.05 s: a send reaches Feishu some tens of milliseconds after its
  // slot was taken, and not always the same tens (本系统默认规则 for the margin).
  readonly limits = { perChat: 5, perApp: 50, windowMs: 1_050 };

  constructor(private readonly client: lark.Client) {}

  async send(m: OutboundMessage): Promise<{ messageId: string }> {
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
      const later = RETRYABLE_CODES.has(res.code ?? -1);
      throw new SendError(
        `feishu code ${res.code}: ${res.msg ?? ''}`,
        later,
        String(res.code),
        res.code === RATE_LIMITED ? WAIT_MS : undefined,
        later,
      );
    }
    const messageId = m.op === 'update' ? m.targetMessageId : res.data?.message_id;
    if (!messageId) throw new SendError('feishu answered without a message_id', true);
    return { messageId };
  }
}

/** Non-2xx answers arrive as thrown AxiosErrors: 429 and 5xx (and no answer) are worth a retry. */
function asSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  const e = err as { response?: { status?: number; data?: ApiReply }; message?: string };
  const status = e.response?.status;
  const code = e.response?.data?.code;
  if (status === undefined)
    return new SendError(`feishu unreachable: ${e.message ?? String(err)}`, true, 'network', undefined, true);
  // The platform failing as a whole, not this message: unreachable, overloaded, rate limited.
  const outage = status === 429 || status >= 500 || (code !== undefined && RETRYABLE_CODES.has(code));
  return new SendError(
    `feishu HTTP ${status}${code !== undefined ? ` code ${code}: ${e.response?.data?.msg ?? ''}` : ''}`,
    outage,
    String(code ?? status),
    status === 429 || code === RATE_LIMITED ? WAIT_MS : undefined,
    outage,
  );
}
