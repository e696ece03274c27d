import { and, desc, eq, like } from 'drizzle-orm';
import type { Db } from '../client.js';
import { itemMessages, people, wordingDecisions, wordings } from '../schema.js';
import type { Person } from './org-repo.js';

export type WordingRow = typeof wordings.$inferSelect;
export type WordingDecisionRow = typeof wordingDecisions.$inferSelect;

/** Stores a submitted wording, pending until every unit it names has decided. */
export async function insertWording(
  db: Db,
  row: Omit<typeof wordings.$inferInsert, 'id' | 'status' | 'decidedAt'>,
): Promise<WordingRow> {
  const [created] = await db
    .insert(wordings)
    .values({ ...row, status: 'pending' })
    .returning();
  return created as WordingRow;
}

/** A wording by id, without locking it. */
export async function findWording(db: Db, id: number): Promise<WordingRow | null> {
  const [row] = await db.select().from(wordings).where(eq(wordings.id, id));
  return row ?? null;
}

/**
 * Reads a wording and locks it until the transaction ends, so decisions on it are taken one at a
 * time: the last approver always sees every other unit's decision.
 */
export async function lockWording(db: Db, id: number): Promise<WordingRow | null> {
  const [row] = await db.select().from(wordings).where(eq(wordings.id, id)).for('update');
  return row ?? null;
}

/** The item's most recent wording, whatever its status. */
export async function latestWording(db: Db, itemId: number): Promise<WordingRow | null> {
  const [row] = await db
    .select()
    .from(wordings)
    .where(eq(wordings.itemId, itemId))
    .orderBy(desc(wordings.id))
    .limit(1);
  return row ?? null;
}

/** The decisions units have recorded on a wording so far. */
export const decisionsOf = (db: Db, wordingId: number): Promise<WordingDecisionRow[]> =>
  db.select().from(wordingDecisions).where(eq(wordingDecisions.wordingId, wordingId));

/** Records one unit's decision; false when that unit has already decided (a double click). */
export async function recordDecision(db: Db, row: typeof wordingDecisions.$inferInsert): Promise<boolean> {
  const inserted = await db
    .insert(wordingDecisions)
    .values(row)
    .onConflictDoNothing()
    .returning({ unitId: wordingDecisions.unitId });
  return inserted.length > 0;
}

/** The item's latest approved wording (its 统一口径), if any. */
export async function approvedWording(db: Db, itemId: number): Promise<WordingRow | null> {
  const [row] = await db
    .select()
    .from(wordings)
    .where(and(eq(wordings.itemId, itemId), eq(wordings.status, 'approved')))
    .orderBy(desc(wordings.id))
    .limit(1);
  return row ?? null;
}

/** Closes a pending wording; false when it was no longer pending. */
export async function closeWording(
  db: Db,
  id: number,
  status: 'approved' | 'rejected' | 'withdrawn',
  at: Date,
): Promise<boolean> {
  const updated = await db
    .update(wordings)
    .set({ status, decidedAt: at })
    .where(and(eq(wordings.id, id), eq(wordings.status, 'pending')))
    .returning({ id: wordings.id });
  return updated.length > 0;
}

/** The drafter of a wording, when one was recorded; inactive people too, since they drafted it. */
export async function wordingDrafter(
  db: Db,
  wording: Pick<WordingRow, 'drafterPersonId'>,
): Promise<Person | null> {
  if (!wording.drafterPersonId) return null;
  const [p] = await db
    .select({ id: people.id, name: people.name, feishuId: people.feishuId, wecomId: people.wecomId })
    .from(people)
    .where(eq(people.id, wording.drafterPersonId));
  return p ?? null;
}

/** A sent approval card of a wording and the unit it asks. */
export interface ApprovalCardMessage {
  platform: string;
  chatId: string;
  messageId: string;
  unitId: string;
}

/** Every approval card sent for a wording, one per unit asked, so a decision can redraw them all. */
export async function approvalCardMessages(
  db: Db,
  itemId: number,
  wordingId: number,
): Promise<ApprovalCardMessage[]> {
  // The anchor kind is `approval:<wording>:<unit>`; the colon after the id keeps wording 1 from matching 12.
  const rows = await db
    .select()
    .from(itemMessages)
    .where(and(eq(itemMessages.itemId, itemId), like(itemMessages.kind, `approval:${wordingId}:%`)));
  return rows.map((m) => ({
    platform: m.platform,
    chatId: m.chatId,
    messageId: m.messageId,
    unitId: m.kind.split(':')[2] as string,
  }));
}
