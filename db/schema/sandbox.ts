import { bigserial, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';

/** The sandbox platform's own message store: what each sandbox group shows. */
export const sandboxMessages = pgTable(
  'sandbox_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Revision, bumped on every edit so pollers see card updates. */
    rev: bigserial('rev', { mode: 'number' }).notNull(),
    chatId: text('chat_id').notNull(),
    senderPersonId: text('sender_person_id'),
    senderName: text('sender_name').notNull(),
    replyTo: integer('reply_to'),
    threadRoot: integer('thread_root'),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    /** Idempotency key from the outbox row, so a retried send never doubles a message. */
    sendKey: text('send_key'),
  },
  (t) => [
    index('sandbox_messages_chat_rev').on(t.chatId, t.rev),
    uniqueIndex('sandbox_messages_send_key').on(t.sendKey),
  ],
);
