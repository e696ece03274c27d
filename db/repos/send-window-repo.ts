import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { sendWindows } from '../schema.js';

/** The sliding window every rate limit is counted over. */
export const WINDOW_MS = 1_000;

export interface SlotScope {
  /** 'feishu:app', 'feishu:chat:<id>' */
  scope: string;
  /** Sends allowed in any window of WINDOW_MS. */
  limit: number;
}

/**
 * Takes one send slot in every scope at `now`, or none: under the scope rows' locks (taken in
 * one order, so two takers never deadlock) in one short transaction, so the limits hold across
 * every instance. Returns null when taken, else the earliest time all the scopes have room.
 */
export async function takeSlots(db: Db, scopes: SlotScope[], now: Date): Promise<Date | null> {
  if (scopes.length === 0) return null;
  const t = now.getTime();
  const names = scopes.map((s) => s.scope);
  return db.transaction(async (tx) => {
    const lock = () =>
      tx
        .select()
        .from(sendWindows)
        .where(inArray(sendWindows.scope, names))
        .orderBy(sendWindows.scope)
        .for('update');
    let rows = await lock();
    if (rows.length < names.length) {
      // A scope's first send: its row is made once and kept (one per chat and platform).
      await tx
        .insert(sendWindows)
        .values(names.map((scope) => ({ scope })))
        .onConflictDoNothing();
      rows = await lock();
    }
    const recent = new Map(rows.map((r) => [r.scope, r.recent.filter((at) => at > t - WINDOW_MS)]));
    let freeAt = t;
    for (const { scope, limit } of scopes) {
      const times = recent.get(scope) ?? [];
      // The window ending at freeAt holds limit - 1 sends once the (n - limit)th has left it.
      if (times.length >= limit)
        freeAt = Math.max(freeAt, (times[times.length - limit] as number) + WINDOW_MS);
    }
    if (freeAt > t) return new Date(freeAt);
    const updated = scopes.map(({ scope }) => ({
      scope,
      recent: JSON.stringify([...(recent.get(scope) ?? []), t].sort((a, b) => a - b)),
    }));
    const values = sql.join(
      updated.map((u) => sql`(${u.scope}, ${u.recent}::jsonb)`),
      sql`, `,
    );
    await tx.execute(
      sql`update send_windows set recent = v.recent from (values ${values}) as v(scope, recent) where send_windows.scope = v.scope`,
    );
    return null;
  });
}
