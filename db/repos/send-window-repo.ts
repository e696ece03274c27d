import { inArray, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.js';
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

/** How much a scope can take at `now`: free slots, or (none free) when it has room again. */
export type ScopeRoom = { free: number; until: null } | { free: 0; until: Date };

/**
 * The room of each scope at `now`, read without locking (a hint: a runner claims no more than
 * the app can send and skips what cannot go; takeSlots decides).
 */
export async function scopeRoom(db: Db, scopes: SlotScope[], now: Date): Promise<Map<string, ScopeRoom>> {
  const room = new Map<string, ScopeRoom>();
  if (scopes.length === 0) return room;
  const t = now.getTime();
  for (const s of scopes) room.set(s.scope, { free: s.limit, until: null });
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
    const inWindow = row.recent.filter((x) => x > t - WINDOW_MS).length;
    room.set(row.scope, at > t ? { free: 0, until: new Date(at) } : { free: limit - inWindow, until: null });
  }
  return room;
}

/**
 * Takes one send slot in every scope at `now`, or none, in one statement: it locks the scope rows
 * (in one order, so two takers never deadlock), and only when every scope has room appends `now`
 * to each window. The locks last as long as that statement, so the limits hold across every
 * instance while the rows (the app's row is shared by every send) are held for an instant.
 * Returns null when taken, else when all the scopes have room and which were full.
 */
export async function takeSlots(db: Db, scopes: SlotScope[], now: Date): Promise<SlotWait | null> {
  if (scopes.length === 0) return null;
  const t = now.getTime();
  const wanted = JSON.stringify(scopes);
  const take = async () =>
    rowsOf<{ scope: string; at: string; present: boolean }>(
      db,
      sql`
        with want as (
          select * from jsonb_to_recordset(${wanted}::jsonb) as w(scope text, "limit" int)
        ), locked as (
          select s.scope, s.recent from send_windows s
          where s.scope in (select scope from want) order by s.scope for update
        ), win as (
          select w.scope, w."limit", l.scope is not null as present,
            coalesce(array(
              select x::bigint from jsonb_array_elements_text(l.recent) x
              where x::bigint > ${t}::bigint - ${WINDOW_MS} order by 1
            ), '{}') as times
          from want w left join locked l on l.scope = w.scope
        ), room as (
          select scope, present, times, case when cardinality(times) >= "limit"
            then times[cardinality(times) - "limit" + 1] + ${WINDOW_MS} else ${t}::bigint end as at
          from win
        ), taken as (
          update send_windows s set recent = to_jsonb(r.times || ${t}::bigint)
          from room r
          where s.scope = r.scope
            and (select bool_and(present) and max(at) <= ${t}::bigint from room)
          returning s.scope
        )
        select scope, at::text as at, present from room`,
    );
  let found = await take();
  if (found.some((r) => !r.present)) {
    // A scope's first send: its row is made once and kept (one per chat and platform).
    await db
      .insert(sendWindows)
      .values(scopes.map(({ scope }) => ({ scope })))
      .onConflictDoNothing();
    found = await take();
  }
  const full = found.filter((r) => Number(r.at) > t).map((r) => r.scope);
  if (full.length === 0) return null;
  const until = Math.max(...found.map((r) => Number(r.at)));
  return { until: new Date(until), full: scopes.map((s) => s.scope).filter((s) => full.includes(s)) };
}
