import { and, asc, eq, gt, gte, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { chatBindings, memberships, people, sandboxMessages, units } from '../schema.js';

export type SandboxRow = typeof sandboxMessages.$inferSelect;

/** Stores a message of the sandbox chat server, once per send key (the outbox may retry a send). */
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

/** One sandbox message by id. */
export async function getSandboxMessage(db: Db, id: number): Promise<SandboxRow | null> {
  const [row] = await db.select().from(sandboxMessages).where(eq(sandboxMessages.id, id));
  return row ?? null;
}

/** Replaces a message's content (a redrawn card) under a new revision; false when there is no such message. */
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

/** A person the sandbox knows, with their units and roles. */
export interface SandboxPerson {
  id: string;
  name: string;
  units: { id: string; name: string; roles: string[] }[];
}

/** Everyone the sandbox lets you be (the active people), with their units and roles. */
export async function sandboxPeople(db: Db): Promise<SandboxPerson[]> {
  const ps = await db
    .select({ id: people.id, name: people.name })
    .from(people)
    .where(eq(people.active, true));
  const ms = await db
    .select({
      personId: memberships.personId,
      unitId: memberships.unitId,
      roles: memberships.roles,
      name: units.name,
    })
    .from(memberships)
    .innerJoin(units, eq(units.id, memberships.unitId));
  return ps.map((p) => ({
    id: p.id,
    name: p.name,
    units: ms.filter((m) => m.personId === p.id).map((m) => ({ id: m.unitId, name: m.name, roles: m.roles })),
  }));
}

/**
 * A person by id, for a sandbox sender; `activeOnly` for a new message, which only someone in
 * the directory may write, but not for a click on a card, whose operator the flow judges.
 */
export async function sandboxPerson(
  db: Db,
  id: string,
  opts: { activeOnly: boolean },
): Promise<{ id: string; name: string } | null> {
  const [p] = await db
    .select({ id: people.id, name: people.name })
    .from(people)
    .where(opts.activeOnly ? and(eq(people.id, id), eq(people.active, true)) : eq(people.id, id));
  return p ?? null;
}

/** The active people with one of these names, for `@名字` in sandbox text. */
export async function activePeopleNamed(db: Db, names: string[]): Promise<{ id: string; name: string }[]> {
  if (names.length === 0) return [];
  return db
    .select({ id: people.id, name: people.name })
    .from(people)
    .where(and(eq(people.active, true), inArray(people.name, names)));
}

/** The sandbox groups bound to active units, with each unit's name. */
export async function sandboxBoundChats(db: Db): Promise<{ chatId: string; unitId: string; name: string }[]> {
  return db
    .select({ chatId: chatBindings.chatId, unitId: chatBindings.unitId, name: units.name })
    .from(chatBindings)
    .innerJoin(units, eq(units.id, chatBindings.unitId))
    .where(and(eq(chatBindings.platform, 'sandbox'), eq(units.active, true)));
}
