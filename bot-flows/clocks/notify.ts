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
import { clocks, outbox } from '../../db/schema.js';
import { type Part, textMessage } from '../../src/bot/message.js';
import { postToUnit } from '../../src/bot/outbound.js';
import { type ClockAction, nextBreachAt, timeLeft } from '../../src/core/clocks.js';
import type { Org } from '../../src/core/org.js';
import { formatShanghai } from '../../src/core/time.js';
import { cite, type PolicyPack } from '../policies/types.js';
import { ACTION_COMMANDS, clauseOf, clockCard } from './card.js';

export interface ClockDeps {
  pack: PolicyPack;
  org: Org;
}

const mention = (
  platform: string,
  p: { id: string; name: string; feishuId: string | null; wecomId: string | null },
): Part => {
  const id = platformUserId(platform, p);
  return id ? { t: 'at', id, name: p.name } : { t: 'text', v: `@${p.name}` };
};

/** Who a reminder is for: the officer who claimed the item, else the unit's spokespersons. */
async function owners(tx: Db, item: ItemRow): Promise<Part[]> {
  const people = await unitPeople(tx, [item.ownerUnitId], ['spokesperson', 'officer', 'leader', 'approver']);
  const claimed = people.find((p) => p.id === item.claimedByPersonId);
  const chosen = claimed ? [claimed] : people.filter((p) => (p.roles as string[]).includes('spokesperson'));
  return chosen.map((p) => mention(item.platform, p));
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

async function remind(tx: Db, item: ItemRow, clock: ClockRow, now: Date, deps: ClockDeps, missed: number) {
  const clause = clauseOf(deps.pack, clock.kind);
  const message = textMessage(
    `⏰ ${item.number}《${item.title}》「${clock.label}」时限 ${formatShanghai(clock.dueAt)}，${timeLeft(clock.dueAt, now)}。\n`,
    join(await owners(tx, item)),
    ` 请按时完成，${actionHint(clock, item)}。`,
    missed > 0 ? `\n（服务中断期间有 ${missed} 次提醒未按时发出，已合并为本条。）` : '',
    clause ? `\n${cite(deps.pack, clause)}` : '',
  );
  await postToUnit(
    tx,
    { platform: item.platform, unitId: item.ownerUnitId, message, threadItemId: item.id },
    now,
  );
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
  const leaders = await unitPeople(tx, [item.ownerUnitId], ['leader']);
  const clause = clauseOf(deps.pack, clock.kind);
  const first = clock.breachedAt === null;
  const message = textMessage(
    `🚨 超时：${item.number}《${item.title}》「${clock.label}」已于 ${formatShanghai(clock.dueAt)} 到期，${timeLeft(clock.dueAt, now)}。\n`,
    join([...leaders.map((p) => mention(item.platform, p)), ...(await owners(tx, item))]),
    ` 请立即处置，${actionHint(clock, item)}。`,
    missed > 0 ? `\n（服务中断期间有 ${missed} 次提醒未按时发出，已合并为本条。）` : '',
    clause ? `\n${cite(deps.pack, clause)}` : '',
  );
  await postToUnit(
    tx,
    { platform: item.platform, unitId: item.ownerUnitId, message, threadItemId: item.id },
    now,
  );
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
  const text = `【督办】${item.number}《${item.title}》「${clock.label}」已超时（时限 ${formatShanghai(clock.dueAt)}），责任单位：${owner?.name ?? item.ownerUnitId}。请督促落实。\n${cite(deps.pack, deps.pack.clocks.breach.superviseClause)}`;
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
