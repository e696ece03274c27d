import type { Db } from '../../db/client.js';
import { type ClockRow, insertTimer, markBreached, type TimerRow } from '../../db/repos/clock-repo.js';
import { type ItemRow, itemUnitRoles } from '../../db/repos/item-repo.js';
import { postToUnit } from '../../src/bot/outbound.js';
import { nextBreachAt, timeLeft } from '../../src/core/clocks.js';
import { textMessage } from '../../src/core/message.js';
import { cite } from '../../src/core/policy-pack.js';
import { formatDeadline } from '../../src/core/time.js';
import { actionHint, clauseOf, missedNote, unknownYears } from './clock-text.js';
import type { ClockDeps } from './fire-due.js';
import { join, leaders, owners, postReminder } from './recipients.js';

/**
 * A breached clock (not the 持续发布 cadence): 超时 with the leader @-mentioned, a 督办 notice on
 * the first breach, and the next re-reminder queued, each twice as far out as the one before.
 */
export async function handleBreach(
  tx: Db,
  item: ItemRow,
  clock: ClockRow,
  timers: TimerRow[],
  now: Date,
  deps: ClockDeps,
  missed: number,
): Promise<void> {
  const clause = clauseOf(deps.pack, clock.kind);
  const first = clock.breachedAt === null;
  const message = textMessage(
    `🚨 超时：${item.number}《${item.title}》「${clock.label}」已于 ${formatDeadline(clock.dueAt)} 到期，${timeLeft(clock.dueAt, now)}。\n`,
    join([...(await leaders(tx, item)), ...(await owners(tx, item))]),
    ` 请立即处置，${actionHint(clock, item)}。`,
    missedNote(missed),
    unknownYears(clock),
    clause ? `\n${cite(deps.pack, clause)}` : '',
  );
  await postReminder(tx, item, message, now, deps.log);
  if (first) {
    await markBreached(tx, clock.id, now);
    await supervise(tx, item, clock, now, deps);
  }
  // Again later, further apart each time, until the clock is met.
  const repeats = timers.filter((t) => t.kind === 'breach').map((t) => Number(t.key.split(':').at(-1)));
  const k = repeats.length > 0 ? Math.max(...repeats) : -1;
  await insertTimer(tx, {
    key: `clock:${clock.id}:breach:${k + 1}`,
    itemId: item.id,
    clockId: clock.id,
    kind: 'breach',
    // The first repeat comes firstMinutes after the breach, each later one twice as far.
    dueAt: nextBreachAt(clock.dueAt, Math.max(k, 0), deps.pack.clocks.breach, now),
  });
}

/** 督办: the government office of the owner's region and the 政务公开 (抄送) offices hear of it. */
async function supervise(tx: Db, item: ItemRow, clock: ClockRow, now: Date, deps: ClockDeps) {
  const owner = deps.org.units.get(item.ownerUnitId);
  const region = owner ? deps.org.regionOf(owner) : undefined;
  const office = region ? deps.org.handlerIn(region, '统筹') : undefined;
  const cc = (await itemUnitRoles(tx, item.id)).filter((r) => r.role === 'cc').map((r) => r.unitId);
  const targets = [...new Set([...(office && office.id !== item.ownerUnitId ? [office.id] : []), ...cc])];
  const text = `【督办】${item.number}《${item.title}》「${clock.label}」已超时（时限 ${formatDeadline(clock.dueAt)}），责任单位：${owner?.name ?? item.ownerUnitId}。请督促落实。\n${cite(deps.pack, deps.pack.clocks.breach.superviseClause)}`;
  for (const unitId of targets) {
    await postToUnit(tx, { platform: item.platform, unitId, message: textMessage(text) }, now);
  }
}
