import type { OutboxInsert } from '../../db/repos/outbox-repo.js';
import type { OutboundMessage, PlatformSender, SendLimits } from '../../src/bot/sender.js';
import { plainText, textMessage } from '../../src/core/message.js';
import type { Clock } from '../../src/core/time.js';

export interface RecordedSend {
  chat: string;
  /** The injected time of the send, in epoch milliseconds. */
  at: number;
  text: string;
  key: string;
  messageId: string;
}

/**
 * A platform that records every send with the injected time it happened at; `fail` decides per
 * message whether the send throws (and what), `limits` are what it declares to the outbox runner.
 */
export class RecordingPlatform implements PlatformSender {
  readonly platform = 'fake';
  sends: RecordedSend[] = [];
  fail: (m: OutboundMessage) => Error | null = () => null;
  private n = 0;

  constructor(
    private readonly clock: Clock,
    readonly limits?: SendLimits,
  ) {}

  async send(m: OutboundMessage) {
    const failure = this.fail(m);
    if (failure) throw failure;
    const messageId = `m${++this.n}`;
    const text = m.message.kind === 'text' ? plainText(m.message.parts) : '(card)';
    this.sends.push({ chat: m.chatId, at: this.clock.now().getTime(), text, key: m.key, messageId });
    return { messageId };
  }

  textsIn(chat: string): string[] {
    return this.sends.filter((s) => s.chat === chat).map((s) => s.text);
  }
}

/** A text message for the fake platform. */
export const fakeMessage = (
  chatId: string,
  text: string,
  extra: Partial<OutboxInsert> = {},
): OutboxInsert => ({
  platform: 'fake',
  op: 'send',
  chatId,
  payload: textMessage(text),
  ...extra,
});

/** The most sends in any window of `windowMs` among `times` (epoch ms). */
export function busiestWindow(times: number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[j] as number) <= (sorted[i] as number) - windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}
