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

/** Why a slot was not taken: the earliest time all the scopes have room, and which were full. */
export interface SlotWait {
  until: Date;
  full: string[];
}

/** The earliest time (ms) a window holding `times` (ascending) has room for one more under `limit`. */
function roomAt(times: number[], limit: number, t: number): number {
  const recent = times.filter((at) => at > t - WINDOW_MS);
  // The window ending then holds limit - 1 sends once the (n - limit)th has left it.
  return recent.length >= limit ? (recent[recent.length - limit] as number) + WINDOW_MS : t;
}

/**
 * The scopes that are full at `now`, each with when it has room again, read without locking
 * (a hint: a runner skips what cannot go, takeSlots decides).
 */
export async function fullScopes(db: Db, scopes: SlotScope[], now: Date): Promise<Map<string, Date>> {
  const full = new Map<string, Date>();
  if (scopes.length === 0) return full;
  const t = now.getTime();
  const rows = await db
    .select()
    .from(sendWindows)
    .where(
      inArray(
        sendWindows.scope,
        scopes.map((s) => s.scope),
      ),
    );
  for (const row of rows) {
    const limit = scopes.find((s) => s.scope === row.scope)?.limit ?? Number.POSITIVE_INFINITY;
    const at = roomAt(row.recent, limit, t);
    if (at > t) full.set(row.scope, new Date(at));
  }
  return full;
}

/**
 * Takes one send slot in every scope at `now`, or none: under the scope rows' locks (taken in
 * one order, so two takers never deadlock) in one short transaction, so the limits hold across
 * every instance. Returns null when taken, else when all the scopes have room and which were full.
 */
export async function takeSlots(db: Db, scopes: SlotScope[], now: Date): Promise<SlotWait | null> {
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
    const full: string[] = [];
    for (const { scope, limit } of scopes) {
      const at = roomAt(recent.get(scope) ?? [], limit, t);
      if (at > t) full.push(scope);
      freeAt = Math.max(freeAt, at);
    }
    if (freeAt > t) return { until: new Date(freeAt), full };
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
