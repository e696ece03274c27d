import { inArray, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.js';
import { sendWindows } from '../schema.js';

/** The sliding window a rate limit is counted over when its platform gives none. */
export const WINDOW_MS = 1_000;

export interface SlotScope {
  /** 'feishu:app', 'feishu:chat:<id>' */
  scope: string;
  /** Sends allowed in any window of `windowMs`. */
  limit: number;
  /** The window (ms), WINDOW_MS when not given. */
  windowMs?: number;
}

/**
 * The earliest time (ms) a window of `window` ms holding `times` (ascending) has room for one
 * more under `limit`.
 */
function roomAt(times: number[], limit: number, t: number, window: number): number {
  const recent = times.filter((at) => at > t - window);
  // The window ending then holds limit - 1 sends once the (n - limit)th has left it.
  return recent.length >= limit ? (recent[recent.length - limit] as number) + window : t;
}

/**
 * How much a scope can take at `now`: free slots, or (fewer than its wave free) when it has room
 * for a wave again.
 */
export type ScopeRoom = { free: number; until: null } | { free: 0; until: Date };

/**
 * The time (ms) the window holding `times` has room for `wave` more sends under `limit`: then
 * at most `limit - wave` of them are less than `window` ms old.
 */
const roomForWave = (times: number[], limit: number, wave: number, t: number, window: number): number =>
  roomAt(times, limit - Math.min(wave, limit) + 1, t, window);

/**
 * The room of each scope at `now`, read without locking (a hint: a runner claims no more than
 * the app can send and skips what cannot go; takeSlotsFor decides). A scope with fewer than
 * `wave` slots free counts as full until it has room for `wave`: at the app's limit a slot frees
 * every few milliseconds, and instances racing for each one spent more than the sends.
 */
export async function scopeRoom(
  db: Db,
  scopes: (SlotScope & { wave?: number })[],
  now: Date,
): Promise<Map<string, ScopeRoom>> {
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
    const s = scopes.find((x) => x.scope === row.scope);
    if (!s) continue;
    const window = s.windowMs ?? WINDOW_MS;
    const at = roomForWave(row.recent, s.limit, s.wave ?? 1, t, window);
    const inWindow = row.recent.filter((x) => x > t - window).length;
    room.set(
      row.scope,
      at > t ? { free: 0, until: new Date(at) } : { free: s.limit - inWindow, until: null },
    );
  }
  return room;
}

/** What takeSlotsFor decided for one chat: sent now, or held (its chat or the app full) until when. */
export type SlotGrant = { taken: true } | { taken: false; until: Date; appFull: boolean };

/**
 * Takes send slots for messages to several chats (each at most once) of one app at `now`, in one
 * statement: it locks the scope rows (in one order, so two takers never deadlock) and, in the
 * order given, grants each chat whose own window has room until the app's window is full,
 * appending `now` to the windows of the app and of every chat granted. The locks last as long as
 * that statement, so the limits hold across every instance while the rows (the app's is shared
 * by every send) are held for an instant. Returns a grant per chat, in order.
 */
export async function takeSlotsFor(
  db: Db,
  app: SlotScope,
  chats: SlotScope[],
  now: Date,
  wave = 1,
): Promise<SlotGrant[]> {
  if (chats.length === 0) return [];
  if (new Set(chats.map((c) => c.scope)).size !== chats.length)
    throw new Error('takeSlotsFor: a chat may be asked for once per statement');
  if (chats.some((c) => (c.windowMs ?? WINDOW_MS) !== (app.windowMs ?? WINDOW_MS)))
    throw new Error("takeSlotsFor: a platform's chats are counted over its app's window");
  const t = now.getTime();
  const window = app.windowMs ?? WINDOW_MS;
  const wanted = JSON.stringify([app, ...chats].map((s, ord) => ({ ord, scope: s.scope, limit: s.limit })));
  const take = async () =>
    rowsOf<{ ord: number; at: string; present: boolean; granted: boolean; times: string[] }>(
      db,
      sql`
        with want as (
          select * from jsonb_to_recordset(${wanted}::jsonb) as w(ord int, scope text, "limit" int)
        ), locked as (
          select s.scope, s.recent from send_windows s
          where s.scope in (select scope from want) order by s.scope for update
        ), win as (
          select w.ord, w.scope, w."limit", l.scope is not null as present,
            coalesce(array(
              select x::bigint from jsonb_array_elements_text(l.recent) x
              where x::bigint > ${t}::bigint - ${window}::bigint order by 1
            ), '{}') as times
          from want w left join locked l on l.scope = w.scope
        ), room as (
          select ord, scope, present, times, case when cardinality(times) >= "limit"
            then times[cardinality(times) - "limit" + 1] + ${window}::bigint else ${t}::bigint end as at,
            "limit" - cardinality(times) as free
          from win
        ), ready as (
          select ord, scope, row_number() over (order by ord) as n from room
          where ord > 0 and at <= ${t}::bigint
        ), granted as (
          select r.ord, r.scope from ready r
          where (select bool_and(present) from room)
            and r.n <= (select greatest(free, 0) from room where ord = 0)
        ), taken as (
          update send_windows s set recent = to_jsonb(r.times || case when r.ord = 0
              then array_fill(${t}::bigint, array[(select count(*)::int from granted)])
              else array[${t}::bigint] end)
          from room r
          where s.scope = r.scope and exists (select 1 from granted)
            and (r.ord = 0 or r.ord in (select ord from granted))
          returning s.scope
        )
        select r.ord, r.at::text as at, r.present, g.ord is not null as granted,
          case when r.ord = 0 then array(select x::text from unnest(r.times) x) else '{}' end as times
        from room r left join granted g on g.ord = r.ord order by r.ord`,
    );
  let found = await take();
  if (found.some((r) => !r.present)) {
    // A scope's first send: its row is made once and kept (one per chat and platform).
    await db
      .insert(sendWindows)
      .values([app, ...chats].map(({ scope }) => ({ scope })))
      .onConflictDoNothing();
    found = await take();
  }
  const appRow = found[0] as (typeof found)[number];
  // The app's window with the sends granted here: a chat that had room but found the app full
  // waits until the app has room for a wave.
  const appTimes = [...appRow.times.map(Number), ...found.filter((r) => r.granted).map(() => t)];
  const appRoom = new Date(roomForWave(appTimes, app.limit, wave, t, window));
  return found.slice(1).map((r): SlotGrant => {
    if (r.granted) return { taken: true };
    const chatAt = Number(r.at);
    if (chatAt > t) return { taken: false, until: new Date(chatAt), appFull: false };
    return { taken: false, until: appRoom, appFull: true };
  });
}
