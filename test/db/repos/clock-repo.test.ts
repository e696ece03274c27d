import { asc, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  claimDueTimers,
  failTimers,
  finishTimers,
  insertClocks,
  nextTimerDue,
  takeClaimedTimers,
} from '../../../db/repos/clock-repo.js';
import { timers, units } from '../../../db/schema.js';
import { bareItem } from '../../helpers/bare-item.js';
import { DB_KINDS, useDatabase } from '../../helpers/databases.js';

const at = new Date('2026-11-22T03:00:00Z');
const min = (m: number) => new Date(at.getTime() + m * 60_000);

describe.each(DB_KINDS)('claiming due timers (%s)', (kind) => {
  const t = useDatabase(kind);

  /** An item with one clock due in an hour, reminded at 30, 48 and 50 minutes. */
  async function clockWithReminders() {
    const { db } = t.database;
    await db.insert(units).values({ id: 'edu', name: '省教育厅', updatedAt: at }).onConflictDoNothing();
    const item = await bareItem(db, 'edu');
    const [clock] = await insertClocks(
      db,
      item.id,
      [
        {
          kind: 'respond',
          label: '回应',
          action: 'publish',
          startsAt: at,
          dueAt: min(60),
          reminders: [min(30), min(48), min(50)],
          unknownYears: [],
        },
      ],
      at,
    );
    return clock?.id as number;
  }

  it('takes every due timer of a clock for one worker; a lock gone stale is taken over, and the first worker then finds nothing', async () => {
    const { db } = t.database;
    const clockId = await clockWithReminders();
    const claimedByA = await claimDueTimers(db, { now: min(55), worker: 'a', limit: 1 });
    // The limit counts timers read, but a clock is never split: all three due reminders come.
    expect(claimedByA.map((x) => x.key)).toEqual([
      `clock:${clockId}:r0`,
      `clock:${clockId}:r1`,
      `clock:${clockId}:r2`,
    ]);
    expect(claimedByA.every((x) => x.lockedBy === 'a' && x.lockedAt?.getTime() === min(55).getTime())).toBe(
      true,
    );
    // Worker a dies holding them: nobody else takes them until the lock is a minute old.
    expect(await claimDueTimers(db, { now: min(55.9), worker: 'b', limit: 10 })).toEqual([]);
    const claimedByB = await claimDueTimers(db, { now: min(56), worker: 'b', limit: 10 });
    expect(claimedByB.map((x) => x.id)).toEqual(claimedByA.map((x) => x.id));
    // Worker a was only slow: its transaction for the clock finds its timers gone to b.
    const ids = claimedByA.map((x) => x.id);
    expect(await db.transaction((tx) => takeClaimedTimers(tx, clockId, ids, 'a'))).toEqual([]);
    await db.transaction(async (tx) => {
      const mine = await takeClaimedTimers(tx, clockId, ids, 'b');
      expect(mine).toHaveLength(3);
      await finishTimers(
        tx,
        mine.map((x) => x.id),
        'done',
      );
    });
    // The deadline is not due yet; the one-shot wake-up is armed for it.
    expect(await claimDueTimers(db, { now: min(57), worker: 'a', limit: 10 })).toEqual([]);
    expect(await nextTimerDue(db, min(57))).toEqual(min(60));
  });

  it('a failed clock waits for its retry as a whole: a timer of it falling due meanwhile waits too', async () => {
    const { db } = t.database;
    const clockId = await clockWithReminders();
    const claimed = await claimDueTimers(db, { now: min(59), worker: 'a', limit: 10 });
    expect(claimed).toHaveLength(3);
    // Seven failures so far: the next retry is 2^7 s = 128 s away, past the deadline at 60 min.
    await db
      .update(timers)
      .set({ attempts: 7 })
      .where(
        inArray(
          timers.id,
          claimed.map((x) => x.id),
        ),
      );
    const failed = await failTimers(db, {
      clockId,
      ids: claimed.map((x) => x.id),
      worker: 'a',
      error: 'boom',
      now: min(59),
    });
    const retry = new Date(min(59).getTime() + 128_000);
    expect(failed.map((x) => [x.status, x.attempts, x.nextAttemptAt])).toEqual([
      ['pending', 8, retry],
      ['pending', 8, retry],
      ['pending', 8, retry],
    ]);
    const rows = await db.select().from(timers).where(eq(timers.clockId, clockId)).orderBy(asc(timers.id));
    expect(rows.map((x) => [x.kind, x.attempts, x.lastError, x.lockedBy, x.dueAt, x.nextAttemptAt])).toEqual([
      ['reminder', 8, 'boom', null, min(30), retry],
      ['reminder', 8, 'boom', null, min(48), retry],
      ['reminder', 8, 'boom', null, min(50), retry],
      // The deadline's own timer keeps its due time and no attempt, but waits for the retry.
      ['breach', 0, null, null, min(60), retry],
    ]);
    expect(await claimDueTimers(db, { now: min(61), worker: 'a', limit: 10 })).toEqual([]);
    expect((await claimDueTimers(db, { now: retry, worker: 'a', limit: 10 })).map((x) => x.kind)).toEqual([
      'reminder',
      'reminder',
      'reminder',
      'breach',
    ]);
  });
});
