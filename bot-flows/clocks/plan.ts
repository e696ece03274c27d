import type { Db } from '../../db/client.js';
import {
  type ClockRow,
  endClocks,
  insertClocks,
  insertClocksThenTimers,
  itemClocks,
  openClocks,
} from '../../db/repos/clock-repo.js';
import type { ItemRow, UnnumberedItem } from '../../db/repos/item-repo.js';
import { type ClockFacts, type NetizenMessageType, planClocks } from '../../src/core/clocks.js';
import type { PolicyPack } from '../../src/core/policy-pack.js';
import { createCalendar, unknownYearNotice } from '../../src/core/working-days.js';
import type { Logger } from '../../src/log.js';
import { OVERRIDES } from '../calendar/overrides.js';

/** The official working-day calendar: chinese-days plus the project's overrides. */
export const calendar = createCalendar(OVERRIDES);

export function factsOf(item: UnnumberedItem): ClockFacts {
  return {
    kind: item.kind,
    // Until 研判 decides, the reporter's proposal counts: a proposed 重大 starts its 1 h clock.
    level: item.level ?? item.proposedLevel,
    emergency: item.emergency,
    casualties: item.casualties,
    largeImpact: item.largeImpact,
    netizenMessageType: (item.netizenMessageType as NetizenMessageType | null) ?? null,
    occurredAt: item.occurredAt,
    acceptedAt: item.acceptedAt,
  };
}

/** Says in the log when a deadline was counted through a year with no holiday data. */
function warnUnknownYears(log: Logger | undefined, item: UnnumberedItem, rows: ClockRow[]) {
  const years = [...new Set(rows.flatMap((c) => c.unknownYears))];
  if (years.length > 0) {
    log?.warn('deadline counted without holiday data', {
      itemId: item.id,
      years,
      notice: unknownYearNotice(years),
    });
  }
}

/**
 * Plans and stores the clocks of a new item. Resolves once the clocks are stored; the caller runs
 * `writeTimers` before its transaction ends, beside its next statements (insertClocksThenTimers).
 */
export async function startClocks(
  tx: Db,
  pack: PolicyPack,
  item: UnnumberedItem,
  now: Date,
  log?: Logger,
): Promise<{ rows: ClockRow[]; writeTimers: () => Promise<void> }> {
  const planned = planClocks(pack.clocks.rules, factsOf(item), calendar, item.extendedWorkingDays);
  const started = await insertClocksThenTimers(tx, item.id, planned, now);
  warnUnknownYears(log, item, started.rows);
  return started;
}

/**
 * Re-plans after the facts changed (研判, 延期): clocks that no longer apply are cancelled,
 * new ones start (measured from 事发, so they may already be late), and a clock whose deadline
 * moved is replaced. Satisfied clocks stay satisfied. Returns the clocks added.
 */
export async function replanClocks(
  tx: Db,
  pack: PolicyPack,
  item: ItemRow,
  now: Date,
  by: string,
  log?: Logger,
): Promise<ClockRow[]> {
  const planned = planClocks(pack.clocks.rules, factsOf(item), calendar, item.extendedWorkingDays);
  const open = (await openClocks(tx, item.id)).filter((c) => c.kind !== pack.clocks.continuing.kind);
  // What the item has already done meets a new clock at once: a clock added by 研判 after a
  // response must not start counting (and escalating) as if nothing had been published.
  const satisfied = (await itemClocks(tx, item.id)).filter((c) => c.status === 'satisfied');
  const doneActions = new Set(satisfied.map((c) => c.action));
  if (doneActions.has('press_conference')) doneActions.add('publish');
  const done = new Set(satisfied.map((c) => c.kind));
  const stale = open.filter((c) => {
    const p = planned.find((x) => x.kind === c.kind);
    return !p || p.dueAt.getTime() !== c.dueAt.getTime();
  });
  await endClocks(
    tx,
    stale.map((c) => c.id),
    { status: 'cancelled', at: now, by, reason: 'replanned' },
  );
  const keep = new Set(open.filter((c) => !stale.includes(c)).map((c) => c.kind));
  const fresh = planned.filter((p) => !keep.has(p.kind) && !done.has(p.kind) && !doneActions.has(p.action));
  const rows = await insertClocks(tx, item.id, fresh, now);
  warnUnknownYears(log, item, rows);
  return rows;
}
