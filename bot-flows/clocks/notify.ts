import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  type ClockRow,
  finishTimers,
  insertTimer,
  itemClocks,
  markBreached,
  type TimerRow,
} from '../../db/repos/clock-repo.js';
import { findItemById, type ItemRow, itemUnitRoles } from '../../db/repos/item-repo.js';
import { platformUserId, unitChat, unitPeople } from '../../db/repos/org-repo.js';
import { enqueue, itemMessage } from '../../db/repos/outbox-repo.js';
import { clocks, memberships, outbox, people } from '../../db/schema.js';
import { postToUnit } from '../../src/bot/outbound.js';
import { type ClockAction, nextBreachAt, timeLeft } from '../../src/core/clocks.js';
import { type OutMessage, type Part, textMessage } from '../../src/core/message.js';
import type { Org } from '../../src/core/org.js';
import { cite, type PolicyPack } from '../../src/core/policy-pack.js';
import { formatDeadline } from '../../src/core/time.js';
import { unknownYearNotice } from '../../src/core/working-days.js';
import type { Logger } from '../../src/log.js';
import { ACTION_COMMANDS, clauseOf, clockCard } from './card.js';

export interface ClockDeps {
  pack: PolicyPack;
  org: Org;
  log?: Logger;
}

const mention = (
  platform: string,
  p: { id: string; name: string; feishuId: string | null; wecomId: string | null },
): Part => {
  const id = platformUserId(platform, p);
  return id ? { t: 'at', id, name: p.name } : { t: 'text', v: `@${p.name}` };
};

/** The person who claimed the item, from whichever unit they are in. */
async function claimer(tx: Db, item: ItemRow) {
  if (!item.claimedByPersonId) return null;
  const [row] = await tx.select().from(people).where(eq(people.id, item.claimedByPersonId));
  return row ?? null;
}

/** Who a reminder is for: the person who claimed the item, else the owner unit's spokespersons. */
async function owners(tx: Db, item: ItemRow): Promise<Part[]> {
  const who = await claimer(tx, item);
  if (who) return [mention(item.platform, who)];
  const spokespersons = await unitPeople(tx, [item.ownerUnitId], ['spokesperson']);
  return spokespersons.map((p) => mention(item.platform, p));
}

/**
 * Where reminders go: the owner unit's group, and the group of the responsible unit whose
 * officer claimed the item when that is another unit (a department under a coordinating office).
 */
async function reminderUnits(tx: Db, item: ItemRow): Promise<string[]> {
  const units = [item.ownerUnitId];
  if (item.claimedByPersonId) {
    const responsible = (await itemUnitRoles(tx, item.id))
      .filter((r) => r.role === 'responsible')
      .map((r) => r.unitId);
    const mine = await tx.select().from(memberships).where(eq(memberships.personId, item.claimedByPersonId));
    for (const m of mine)
      if (responsible.includes(m.unitId) && !units.includes(m.unitId)) units.push(m.unitId);
  }
  return units;
}

/** Posts into the item's thread in each reminder unit's group; says so in the log when none has one. */
async function postReminder(tx: Db, item: ItemRow, message: OutMessage, now: Date, deps: ClockDeps) {
  let delivered = false;
  for (const unitId of await reminderUnits(tx, item)) {
    delivered =
      (await postToUnit(tx, { platform: item.platform, unitId, message, threadItemId: item.id }, now)) ||
      delivered;
  }
  if (!delivered) {
    deps.log?.warn('clock reminder has no group to go to', {
      item: item.number,
      unit: item.ownerUnitId,
      platform: item.platform,
    });
  }
}

const join = (ps: Part[]) => ps.flatMap((p, i) => (i === 0 ? [p] : [{ t: 'text' as const, v: ' ' }, p]));

/**
 * Handles the timers that fell due, clock by clock, in the runner's transaction: one message
 * per clock however many of its reminders were missed (after downtime), 超时 with the leader
 * @-mentioned and a 督办 notice on the first breach, then a repeat at a capped cadence.
 */
export async function handleDueTimers(tx: Db, due: TimerRow[], now: Date, deps: ClockDeps): Promise<void> {
  const byClock = new Map<number, TimerRow[]>();
  for (const t of due) byClock.set(t.clockId ?? 0, [...(byClock.get(t.clockId ?? 0) ?? []), t]);
  const clockRows = await tx
    .select()
    .from(clocks)
    .where(inArray(clocks.id, [...byClock.keys()]));
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
    if (breach) await breach_(tx, item, clock, timers, now, deps, missed);
    else await remind(tx, item, clock, now, deps, missed);
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

function actionHint(clock: ClockRow, item: ItemRow): string {
  const cmd = ACTION_COMMANDS[clock.kind === 'continuing' ? 'continuing' : (clock.action as ClockAction)];
  return `发送「${cmd} ${item.number}」记录完成`;
}

const unknownYears = (clock: ClockRow) => {
  const notice = unknownYearNotice(clock.unknownYears);
  return notice ? `\n⚠️ ${notice}` : '';
};

const missedNote = (missed: number) =>
  missed > 0 ? `\n（服务中断期间有 ${missed} 次提醒未按时发出，已合并为本条。）` : '';

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
  await postReminder(tx, item, message, now, deps);
}

/**
 * The 持续发布 cadence has no legal deadline (seed 000 六: 根据工作进展情况): when it lapses the
 * bot asks for an update once, without 超时, the leader or 督办.
 */
async function askForUpdate(tx: Db, item: ItemRow, clock: ClockRow, now: Date, deps: ClockDeps) {
  const clause = clauseOf(deps.pack, clock.kind);
  const message = textMessage(
    `⏰ ${item.number}《${item.title}》距上次发布已满 ${deps.pack.clocks.continuing.everyHours} 小时，请根据工作进展持续发布权威信息。\n`,
    join(await owners(tx, item)),
    ` ${actionHint(clock, item)}。`,
    clause ? `\n${cite(deps.pack, clause)}` : '',
  );
  await postReminder(tx, item, message, now, deps);
}

async function breach_(
  tx: Db,
  item: ItemRow,
  clock: ClockRow,
  timers: TimerRow[],
  now: Date,
  deps: ClockDeps,
  missed: number,
) {
  if (clock.kind === deps.pack.clocks.continuing.kind) {
    if (clock.breachedAt === null) {
      await markBreached(tx, clock.id, now);
      await askForUpdate(tx, item, clock, now, deps);
    }
    return;
  }
  const leaders = await unitPeople(tx, [item.ownerUnitId], ['leader']);
  const clause = clauseOf(deps.pack, clock.kind);
  const first = clock.breachedAt === null;
  const message = textMessage(
    `🚨 超时：${item.number}《${item.title}》「${clock.label}」已于 ${formatDeadline(clock.dueAt)} 到期，${timeLeft(clock.dueAt, now)}。\n`,
    join([...leaders.map((p) => mention(item.platform, p)), ...(await owners(tx, item))]),
    ` 请立即处置，${actionHint(clock, item)}。`,
    missedNote(missed),
    unknownYears(clock),
    clause ? `\n${cite(deps.pack, clause)}` : '',
  );
  await postReminder(tx, item, message, now, deps);
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

/** Posts the clock card into the item's thread, or redraws it where it already is. */
export async function refreshClockCard(tx: Db, pack: PolicyPack, item: ItemRow, now: Date): Promise<void> {
  const card = clockCard(pack, item, await itemClocks(tx, item.id), now);
  const chatId = await unitChat(tx, item.platform, item.ownerUnitId);
  if (!chatId) return;
  // Not sent yet: the queued card itself is brought up to date.
  const queued = await tx
    .update(outbox)
    .set({ payload: { kind: 'card', card } })
    .where(
      and(
        eq(outbox.anchorItemId, item.id),
        eq(outbox.anchorKind, 'clock'),
        eq(outbox.chatId, chatId),
        eq(outbox.status, 'pending'),
      ),
    )
    .returning({ id: outbox.id });
  if (queued.length > 0) return;
  const existing = await itemMessage(tx, item.id, item.platform, chatId, 'clock');
  if (existing) {
    await enqueue(
      tx,
      [
        {
          platform: item.platform,
          op: 'update',
          chatId,
          targetMessageId: existing,
          payload: { kind: 'card', card },
        },
      ],
      now,
    );
    return;
  }
  await postToUnit(
    tx,
    {
      platform: item.platform,
      unitId: item.ownerUnitId,
      message: { kind: 'card', card },
      threadItemId: item.id,
      anchorItemId: item.id,
      anchorKind: 'clock',
    },
    now,
  );
}
