import { z } from 'zod';
import type { CardActionEvent, InboundMessage } from '../../bot/event.js';
import { cleanStrings } from '../../core/clean-text.js';

const mention = z.object({
  key: z.string(),
  id: z.object({ open_id: z.string().optional() }).passthrough(),
  name: z.string(),
});

/** im.message.receive_v1 as the SDK flattens it (event fields plus event_id). */
export const messageEventSchema = z.object({
  event_id: z.string().min(1),
  sender: z.object({
    sender_id: z.object({ open_id: z.string().min(1) }).passthrough(),
    sender_type: z.string().optional(),
  }),
  message: z.object({
    message_id: z.string().min(1),
    create_time: z.string().optional(),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    mentions: z.array(mention).optional(),
  }),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

/** card.action.trigger as the SDK flattens it. */
export const cardEventSchema = z.object({
  event_id: z.string().optional(),
  operator: z.object({ open_id: z.string().min(1) }).passthrough(),
  action: z
    .object({
      value: z.record(z.string(), z.unknown()),
      option: z.string().optional(),
      form_value: z.record(z.string(), z.unknown()).optional(),
    })
    .passthrough(),
  context: z.object({ open_message_id: z.string().min(1), open_chat_id: z.string().min(1) }).passthrough(),
});

/** A webhook body (schema 2.0: header + event) as the same flat shape the SDK gives handlers. */
export function flatten(body: Record<string, unknown>): {
  type: string | undefined;
  data: Record<string, unknown>;
} {
  const header = body.header as Record<string, unknown> | undefined;
  if (header) {
    return {
      type: header.event_type as string | undefined,
      data: {
        ...(body.event as Record<string, unknown>),
        event_id: header.event_id,
        create_time: header.create_time,
      },
    };
  }
  return { type: (body.event_type ?? body.type) as string | undefined, data: body };
}

/**
 * A received message as Huiyin's normalised event: `@_user_N` keys become `@名字`, the bot's own
 * mention marks the message as addressed, and everyone else mentioned is kept for commands that
 * name people.
 */
export function toInboundMessage(e: MessageEvent, botOpenId: string | null, now: Date): InboundMessage {
  const m = e.message;
  let text = '';
  if (m.message_type === 'text') {
    try {
      text = String((JSON.parse(m.content) as { text?: unknown }).text ?? '');
    } catch {
      text = '';
    }
  }
  const mentions = m.mentions ?? [];
  // Without the bot's own id, the mention the message starts with is taken to be the bot's.
  const leading = text.trimStart();
  const isBot = (x: z.infer<typeof mention>) =>
    botOpenId ? x.id.open_id === botOpenId : leading.startsWith(x.key);
  for (const x of mentions) text = text.split(x.key).join(`@${x.name}`);
  const sentMs = Number(m.create_time);
  // Cleaned before it is stored: a NUL would make the insert fail, and the sender never hear back.
  return cleanStrings<InboundMessage>({
    kind: 'message',
    platform: 'feishu',
    eventId: e.event_id,
    chatId: m.chat_id,
    chatType: m.chat_type === 'p2p' ? 'p2p' : 'group',
    messageId: m.message_id,
    sender: { id: e.sender.sender_id.open_id },
    text,
    mentions: mentions
      .filter((x) => !isBot(x) && x.id.open_id)
      .map((x) => ({ id: x.id.open_id as string, name: x.name })),
    addressed: m.chat_type === 'p2p' || mentions.some(isBot),
    sentAt: Number.isFinite(sentMs) && sentMs > 0 ? new Date(sentMs) : now,
  });
}

/** Form fields as text or check marks: a checker may arrive as a boolean or as "true". */
function formFields(raw: Record<string, unknown>): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'boolean' || typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map(String).join(',');
    else if (typeof v === 'number') out[k] = String(v);
  }
  return out;
}

/** A card click as Huiyin's normalised event, its values and form fields cleaned like messages. */
export function toCardAction(e: z.infer<typeof cardEventSchema>, eventId: string): CardActionEvent {
  return cleanStrings<CardActionEvent>({
    kind: 'card_action',
    platform: 'feishu',
    eventId,
    chatId: e.context.open_chat_id,
    messageId: e.context.open_message_id,
    operator: { id: e.operator.open_id },
    value: e.action.value,
    ...(e.action.option !== undefined ? { option: e.action.option } : {}),
    ...(e.action.form_value ? { form: formFields(e.action.form_value) } : {}),
  });
}
