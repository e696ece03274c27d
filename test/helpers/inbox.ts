import { expect } from 'vitest';
import type { Db } from '../../db/client.js';
import { acceptEvent } from '../../db/repos/inbox-repo.js';
import { insertSandboxMessage } from '../../db/repos/sandbox-repo.js';
import type { InboundMessage } from '../../src/bot/event.js';

/** A sandbox message and its event as the adapter stores them (accepted, not yet handled). */
export async function acceptedMessage(
  db: Db,
  o: { chatId: string; personId: string; text: string; sentAt: Date; eventId?: string },
): Promise<InboundMessage> {
  const row = await insertSandboxMessage(db, {
    chatId: o.chatId,
    senderPersonId: o.personId,
    senderName: o.personId,
    replyTo: null,
    threadRoot: null,
    content: { kind: 'text', parts: [{ t: 'text', v: o.text }] },
    createdAt: o.sentAt,
    sendKey: null,
  });
  const event: InboundMessage = {
    kind: 'message',
    platform: 'sandbox',
    eventId: o.eventId ?? `msg-${row.id}`,
    chatId: o.chatId,
    chatType: 'group',
    messageId: String(row.id),
    sender: { id: o.personId, name: o.personId },
    text: o.text,
    mentions: [],
    addressed: false,
    sentAt: o.sentAt,
  };
  expect(
    await acceptEvent(db, { platform: 'sandbox', eventId: event.eventId, payload: event }, o.sentAt),
  ).toBe(true);
  return event;
}
