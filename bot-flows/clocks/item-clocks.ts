import { type ClockRow, endClocks, insertClocks, openClocks } from '../../db/repos/clock-repo.js';
import type { ItemRow } from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { ClockAction } from '../../src/core/clocks.js';

/** Marks the item's open clocks that `match` selects as met; returns them. */
export async function satisfyClocks(ctx: BotContext, item: ItemRow, match: (c: ClockRow) => boolean) {
  const met = (await openClocks(ctx.tx, item.id)).filter(match);
  await endClocks(
    ctx.tx,
    met.map((c) => c.id),
    { status: 'satisfied', at: ctx.now, by: ctx.actor?.person.id ?? ctx.actorName },
  );
  return met;
}

/** Selects the clocks that one of `actions` meets; 持续发布 is met only by starting the next one. */
export const byAction =
  (...actions: ClockAction[]) =>
  (c: ClockRow) =>
    c.kind !== 'continuing' && actions.includes(c.action as ClockAction);

/** Starts the next 持续发布 clock (after a response, and after each 续报). */
export async function startContinuing(ctx: BotContext, item: ItemRow): Promise<ClockRow> {
  const c = ctx.pack.clocks.continuing;
  const dueAt = new Date(ctx.now.getTime() + c.everyHours * 3_600_000);
  const [row] = await insertClocks(
    ctx.tx,
    item.id,
    [
      {
        kind: c.kind,
        label: c.label,
        action: 'publish',
        startsAt: ctx.now,
        dueAt,
        reminders: [new Date(dueAt.getTime() - 3_600_000)],
        unknownYears: [],
      },
    ],
    ctx.now,
  );
  return row as ClockRow;
}
