import type { Db } from '../../../db/client.js';
import {
  getSandboxMessage,
  insertSandboxMessage,
  updateSandboxMessage,
} from '../../../db/repos/sandbox-repo.js';
import { type OutboundMessage, type PlatformSender, SendError } from '../../bot/sender.js';

export const SANDBOX_BOT_NAME = '回音';

/** Delivers outbox messages into the sandbox store, idempotently on the outbox key. */
export class SandboxSender implements PlatformSender {
  readonly platform = 'sandbox';

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  async send(m: OutboundMessage): Promise<{ messageId: string }> {
    const content = m.message as unknown as Record<string, unknown>;
    if (m.op === 'update') {
      const target = Number(m.targetMessageId);
      if (
        !Number.isSafeInteger(target) ||
        !(await updateSandboxMessage(this.db, target, content, this.now()))
      )
        throw new SendError(`sandbox message ${m.targetMessageId} not found`, false, 'not_found');
      return { messageId: String(target) };
    }
    let replyTo: number | null = null;
    let threadRoot: number | null = null;
    if (m.op === 'reply') {
      const parentId = Number(m.replyTo);
      const parent = Number.isSafeInteger(parentId) ? await getSandboxMessage(this.db, parentId) : null;
      if (!parent) throw new SendError(`sandbox message ${m.replyTo} not found`, false, 'not_found');
      replyTo = parent.id;
      threadRoot = m.inThread ? (parent.threadRoot ?? parent.id) : null;
    }
    const row = await insertSandboxMessage(this.db, {
      chatId: m.chatId,
      senderPersonId: null,
      senderName: SANDBOX_BOT_NAME,
      replyTo,
      threadRoot,
      content,
      createdAt: this.now(),
      sendKey: m.key,
    });
    return { messageId: String(row.id) };
  }
}
