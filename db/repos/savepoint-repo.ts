import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';

/** Takes a savepoint in the open transaction `tx` (a statement the caller may send with others). */
export async function setSavepoint(tx: Db, name: string): Promise<void> {
  await tx.execute(sql.raw(`savepoint ${name}`));
}

/**
 * Runs `fn` under the savepoint `name`, already set, and rolls back to it when `fn` throws.
 * Unlike a nested transaction it is not released on success: the commit releases it, one round
 * trip fewer at the end of the transaction (where a report holds the day's item counter).
 */
export async function underSavepoint<T>(tx: Db, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // When even this fails (the connection is gone), the transaction is lost anyway: the
    // original error is the one to report.
    await tx.execute(sql.raw(`rollback to savepoint ${name}`)).catch(() => undefined);
    throw err;
  }
}
