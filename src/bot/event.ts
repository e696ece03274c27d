import { z } from 'zod';

const sender = z.object({ id: z.string().min(1), name: z.string().optional() });

/** A chat message, normalised from any platform. */
export const inboundMessageSchema = z.object({
  kind: z.literal('message'),
  platform: z.string().min(1),
  eventId: z.string().min(1),
  chatId: z.string().min(1),
  chatType: z.enum(['group', 'p2p']),
  messageId: z.string().min(1),
  sender,
  /** The text with platform mention keys already replaced by `@名字`. */
  text: z.string(),
  /** People the message @-mentions, other than the bot. */
  mentions: z.array(z.object({ id: z.string(), name: z.string() })),
  /** True when the message @-mentions the bot (or is a p2p message to it). */
  addressed: z.boolean(),
  /** When the user sent it: relative times (30分钟前) and the report time count from here. */
  sentAt: z.coerce.date(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

/** A click on a card button, normalised from any platform. */
export const cardActionEventSchema = z.object({
  kind: z.literal('card_action'),
  platform: z.string().min(1),
  eventId: z.string().min(1),
  chatId: z.string().min(1),
  messageId: z.string().min(1),
  operator: sender,
  value: z.record(z.string(), z.unknown()),
  /** The option chosen in a select. */
  option: z.string().optional(),
  /** A submitted form's fields: text as strings, check boxes as booleans. */
  form: z.record(z.string(), z.union([z.string(), z.boolean()])).optional(),
});
export type CardActionEvent = z.infer<typeof cardActionEventSchema>;

export const inboundEventSchema = z.discriminatedUnion('kind', [inboundMessageSchema, cardActionEventSchema]);
export type InboundEvent = InboundMessage | CardActionEvent;
