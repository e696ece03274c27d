import type { OutMessage } from '../core/message.js';

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
  /** The item the message is about (its card, or a message in its thread), for platforms without threads. */
  item?: { number: string; title: string } | null;
}

export interface SendLimits {
  perChat: number;
  perApp: number;
  /**
   * The window (ms) both limits are counted over; a second when not given. The platform counts a
   * send when it arrives, which is later than when we took its slot by a varying delay: counted
   * over a window a little longer than the platform's, a send taken as the window frees does not
   * arrive before the one it replaces has left the platform's window.
   */
  windowMs?: number;
}

/** An adapter's outbound side. */
export interface PlatformSender {
  readonly platform: string;
  /**
   * False for platforms without threads (WeCom): thread messages go straight to the chat,
   * without waiting for the item card, and carry the item so they can name it.
   */
  readonly threads?: boolean;
  /**
   * Messages the platform accepts per second, per chat and for the whole app; the outbox runner
   * holds these in the database, so they hold across every instance. None: no limit.
   */
  readonly limits?: SendLimits;
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
    /**
     * The platform as a whole is failing (unreachable, 5xx, rate limited), not this message: such a
     * failure counts toward setting the message aside only while the platform delivers others.
     */
    readonly outage = false,
  ) {
    super(message);
    this.name = 'SendError';
  }
}
