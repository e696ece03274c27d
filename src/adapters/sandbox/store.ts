import { and, asc, eq, gt, gte, isNotNull, lte, notExists, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { processedEvents, sandboxMessages } from '../../../db/schema.js';
import { SANDBOX_BOT_NAME } from './sender.js';

export type SandboxRow = typeof sandboxMessages.$inferSelect;

/** The sandbox platform's message store: it plays the chat server the adapter talks to. */
export async function insertSandboxMessage(
  db: Db,
  m: {
    chatId: string;
    senderPersonId: string | null;
    senderName: string;
    replyTo: number | null;
    threadRoot: number | null;
    content: Record<string, unknown>;
    createdAt: Date;
    sendKey: string | null;
  },
): Promise<SandboxRow> {
  const [row] = await db.insert(sandboxMessages).values(m).onConflictDoNothing().returning();
  if (row) return row;
  // Same send key: the outbox retried a send that had already landed.
  const [existing] = await db
    .select()
    .from(sandboxMessages)
    .where(eq(sandboxMessages.sendKey, m.sendKey ?? ''));
  if (!existing) throw new Error('sandbox insert conflicted but no row has its send key');
  return existing;
}

export async function getSandboxMessage(db: Db, id: number): Promise<SandboxRow | null> {
  const [row] = await db.select().from(sandboxMessages).where(eq(sandboxMessages.id, id));
  return row ?? null;
}

export async function updateSandboxMessage(
  db: Db,
  id: number,
  content: Record<string, unknown>,
): Promise<boolean> {
  const rows = await db
    .update(sandboxMessages)
    .set({ content, rev: sql`nextval(pg_get_serial_sequence('sandbox_messages', 'rev'))` })
    .where(eq(sandboxMessages.id, id))
    .returning({ id: sandboxMessages.id });
  return rows.length > 0;
}

/** Messages of a chat changed after revision `after`. */
export async function sandboxMessagesAfter(db: Db, chatId: string, after: number): Promise<SandboxRow[]> {
  return db
    .select()
    .from(sandboxMessages)
    .where(and(eq(sandboxMessages.chatId, chatId), gt(sandboxMessages.rev, after)))
    .orderBy(asc(sandboxMessages.rev))
    .limit(500);
}

export async function latestRev(db: Db): Promise<number> {
  const [row] = await db
    .select({ rev: sql<number>`coalesce(max(${sandboxMessages.rev}), 0)::int` })
    .from(sandboxMessages);
  return row?.rev ?? 0;
}

/**
 * Commands users sent in the window that no event was recorded for. Only text that starts
 * with a command or @-mentions the bot can need handling; other chat is skipped.
 */
export async function unhandledUserMessages(db: Db, w: { after: Date; before: Date }): Promise<SandboxRow[]> {
  const text = sql`${sandboxMessages.content}->'parts'->0->>'v'`;
  return db
    .select()
    .from(sandboxMessages)
    .where(
      and(
        isNotNull(sandboxMessages.senderPersonId),
        gte(sandboxMessages.createdAt, w.after),
        lte(sandboxMessages.createdAt, w.before),
        sql`(${text} ~ '^[[:space:]]*(@[^[:space:]]+[[:space:]]*)*[/／]' or ${text} like ${`%@${SANDBOX_BOT_NAME}%`})`,
        notExists(
          db
            .select({ one: sql`1` })
            .from(processedEvents)
            .where(
              and(
                eq(processedEvents.platform, 'sandbox'),
                eq(processedEvents.eventId, sql`'msg-' || ${sandboxMessages.id}`),
              ),
            ),
        ),
      ),
    )
    .orderBy(asc(sandboxMessages.id))
    .limit(100);
}
