import { and, asc, eq, gt, gte, or, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { sandboxMessages } from '../../../db/schema.js';

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
  const [row] = await db
    .insert(sandboxMessages)
    .values({ ...m, updatedAt: m.createdAt })
    .onConflictDoNothing()
    .returning();
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
  now: Date,
): Promise<boolean> {
  const rows = await db
    .update(sandboxMessages)
    .set({ content, updatedAt: now, rev: sql`nextval(pg_get_serial_sequence('sandbox_messages', 'rev'))` })
    .where(eq(sandboxMessages.id, id))
    .returning({ id: sandboxMessages.id });
  return rows.length > 0;
}

/**
 * Messages of a chat changed after revision `after`, plus any changed since `recentSince`:
 * revisions are taken when a transaction writes but seen when it commits, so a lower one can
 * appear after a higher one was read. The page de-duplicates by id and revision.
 */
export async function sandboxMessagesAfter(
  db: Db,
  chatId: string,
  after: number,
  recentSince: Date,
): Promise<SandboxRow[]> {
  return db
    .select()
    .from(sandboxMessages)
    .where(
      and(
        eq(sandboxMessages.chatId, chatId),
        or(gt(sandboxMessages.rev, after), gte(sandboxMessages.updatedAt, recentSince)),
      ),
    )
    .orderBy(asc(sandboxMessages.rev))
    .limit(500);
}
