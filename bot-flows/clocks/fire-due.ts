import type { Db } from '../../db/client.js';
import {
  type ClockRow,
  clocksByIds,
  finishTimers,
  markBreached,
  type TimerRow,
} from '../../db/repos/clock-repo.js';
import { findItemById, type ItemRow } from '../../db/repos/item-repo.js';
import { timeLeft } from '../../src/core/clocks.js';
import { textMessage } from '../../src/core/message.js';
import type { Org } from '../../src/core/org.js';
import { cite, type PolicyPack } from '../../src/core/policy-pack.js';
import { formatDeadline } from '../../src/core/time.js';
import type { Logger } from '../../src/log.js';
import { refreshClockCard } from './clock-card.js';
import { actionHint, clauseOf, missedNote, unknownYears } from './clock-text.js';
import { handleBreach } from './escalation.js';
import { join, owners, postReminder } from './recipients.js';

export interface ClockDeps {
  pack: PolicyPack;
  org: Org;
  log?: Logger;
}

/**
 * Handles the timers that fell due in the caller's transaction (the runner gives each clock a
 * transaction of its own, so a clock that throws holds back no other): one message per clock
 * however many of its reminders were missed (after downtime), 超时 with the leader @-mentioned
 * and a 督办 notice on the first breach, then a repeat at a capped cadence. Every timer given is
 * finished, done or cancelled.
 */
export async function handleDueTimers(tx: Db, due: TimerRow[], now: Date, deps: ClockDeps): Promise<void> {
  const byClock = new Map<number, TimerRow[]>();
  for (const t of due) byClock.set(t.clockId ?? 0, [...(byClock.get(t.clockId ?? 0) ?? []), t]);
  const clockRows = await clocksByIds(tx, [...byClock.keys()]);
  const touched = new Set<number>();
  for (const [clockId, timers] of byClock) {
    const clock = clockRows.find((c) => c.id === clockId);
    const item = clock ? await findItemById(tx, clock.itemId) : null;
    if (!clock || !item || clock.status !== 'open') {
      await finishTimers(
        tx,
        timers.map((t) => t.id),
        'cancelled',
      );
      continue;
    }
    const breach = timers.some((t) => t.kind === 'breach') || clock.dueAt <= now;
    const missed = timers.length - 1;
    if (!breach) await remind(tx, item, clock, now, deps, missed);
    else if (clock.kind === deps.pack.clocks.continuing.kind) await askForUpdate(tx, item, clock, now, deps);
    else await handleBreach(tx, item, clock, timers, now, deps, missed);
    await finishTimers(
      tx,
      timers.map((t) => t.id),
      'done',
    );
    touched.add(item.id);
  }
  for (const itemId of touched) {
    const item = await findItemById(tx, itemId);
    if (item) await refreshClockCard(tx, deps.pack, item, now);
  }
}

async function remind(tx: Db, item: ItemRow, clock: ClockRow, now: Date, deps: ClockDeps, missed: number) {
  const clause = clauseOf(deps.pack, clock.kind);
  const message = textMessage(
    `⏰ ${item.number}《${item.title}》「${clock.label}」时限 ${formatDeadline(clock.dueAt)}，${timeLeft(clock.dueAt, now)}。\n`,
    join(await owners(tx, item)),
    ` 请按时完成，${actionHint(clock, item)}。`,
    missedNote(missed),
    unknownYears(clock),
    clause ? `\n${cite(deps.pack, clause)}` : '',
  );
  await postReminder(tx, item, message, now, deps.log);
}

/**
 * The 持续发布 cadence has no legal deadline (seed 000 六: 根据工作进展情况): when it lapses the
 * bot asks for an update once, without 超时, the leader or 督办.
 */
async function askForUpdate(tx: Db, item: ItemRow, clock: ClockRow, now: Date, deps: ClockDeps) {
  if (clock.breachedAt !== null) return;
  await markBreached(tx, clock.id, now);
  const clause = clauseOf(deps.pack, clock.kind);
  const message = textMessage(
    `⏰ ${item.number}《${item.title}》距上次发布已满 ${deps.pack.clocks.continuing.everyHours} 小时，请根据工作进展持续发布权威信息。\n`,
    join(await owners(tx, item)),
    ` ${actionHint(clock, item)}。`,
    clause ? `\n${cite(deps.pack, clause)}` : '',
  );
  await postReminder(tx, item, message, now, deps.log);
}
