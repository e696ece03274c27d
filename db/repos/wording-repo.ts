import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { wordingDecisions, wordings } from '../schema.js';

export type WordingRow = typeof wordings.$inferSelect;
export type WordingDecisionRow = typeof wordingDecisions.$inferSelect;

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
