import type { OutMessage } from './message.js';

/** One outbound message as an adapter's API client receives it from the outbox runner. */
export interface OutboundMessage {
  /** Stable per outbox row: platforms that support idempotent sends use it as their key. */
  key: string;
  op: 'send' | 'reply' | 'update';
  chatId: string;
  /** The message to reply to (op reply). */
  replyTo: string | null;
  inThread: boolean;
  /** The message to replace (op update). */
  targetMessageId: string | null;
  message: OutMessage;
}

/** An adapter's outbound side. */
export interface PlatformSender {
  readonly platform: string;
  send(message: OutboundMessage): Promise<{ messageId: string }>;
}

/** A failed send; `retryable` false marks errors that no retry can fix. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: string,
    /** Set when the platform asks to wait: the message is held this long, not counted as failed. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}
