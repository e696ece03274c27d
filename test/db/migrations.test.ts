import { rmSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { claimDueTimers } from '../../db/repos/clock-repo.js';
import { clocks, itemEvents, items, timers, units } from '../../db/schema.js';
import { bareItem } from '../helpers/bare-item.js';
import { DB_KINDS } from '../helpers/databases.js';
import { firstMigrations, unmigratedDatabase } from '../helpers/migrations.js';

describe.each(DB_KINDS)('migration 0002 renames what databases made before it stored (%s)', (kind) => {
  const at = new Date('2026-11-22T03:00:00Z');
  let database: Database;
  let dir: string;
  afterAll(async () => {
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('/报告 clocks and events become escalate, 网民留言 items and clocks netizen_message; others stay', async () => {
    const empty = await unmigratedDatabase(kind);
    database = empty.database;
    dir = firstMigrations(2);
    await empty.migrateFrom(dir);
    const { db } = database;
    await db.insert(units).values({ id: 'edu', name: '省教育厅', updatedAt: at });
    const opinion = await bareItem(db, 'edu');
    const netizen = await bareItem(db, 'edu');
    // As 0001's code wrote them.
    await db.execute(
      sql`update items set kind = 'message', message_type = '表扬感谢' where id = ${netizen.id}`,
    );
    const clock = (itemId: number, kind: string, action: string) => ({
      itemId,
      kind,
      label: kind,
      action,
      startsAt: at,
      dueAt: at,
    });
    await db
      .insert(clocks)
      .values([
        clock(opinion.id, 'report_superior', 'report'),
        clock(opinion.id, 'respond', 'publish'),
        clock(netizen.id, 'message_praise', 'close'),
        clock(netizen.id, 'message_advice', 'close'),
        clock(netizen.id, 'message_appeal', 'close'),
      ]);
    const event = (itemId: number, kind: string) => ({ itemId, kind, actorName: '王敏', at, data: {} });
    await db
      .insert(itemEvents)
      .values([
        event(opinion.id, 'reported_superior'),
        event(opinion.id, 'claimed'),
        event(netizen.id, 'message_registered'),
      ]);

    await database.migrate();

    const kindOf = async (id: number) => (await db.select().from(items).where(eq(items.id, id)))[0]?.kind;
    expect([await kindOf(opinion.id), await kindOf(netizen.id)]).toEqual(['opinion', 'netizen_message']);
    const clockRows = await db
      .select({ kind: clocks.kind, action: clocks.action })
      .from(clocks)
      .orderBy(clocks.id);
    expect(clockRows).toEqual([
      { kind: 'escalate', action: 'escalate' },
      { kind: 'respond', action: 'publish' },
      { kind: 'netizen_message_praise', action: 'close' },
      { kind: 'netizen_message_advice', action: 'close' },
      { kind: 'netizen_message_appeal', action: 'close' },
    ]);
    const eventKinds = (await db.select().from(itemEvents).orderBy(itemEvents.id)).map((e) => e.kind);
    expect(eventKinds).toEqual(['escalated', 'claimed', 'netizen_message_registered']);
  });
});

describe.each(DB_KINDS)('timers.next_attempt_at on timers made before it existed (%s)', (kind) => {
  const at = new Date('2026-11-22T03:00:00Z');
  // Later than any real time the migration runs at (the new column's default for old rows).
  const due = new Date('2100-01-01T00:00:00Z');
  let database: Database;
  let dir: string;
  afterAll(async () => {
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a pending timer still fires at its due time, not when the migration ran: 0004 sets its retry time to it', async () => {
    const empty = await unmigratedDatabase(kind);
    database = empty.database;
    dir = firstMigrations(4);
    await empty.migrateFrom(dir);
    const { db } = database;
    await db.insert(units).values({ id: 'edu', name: '省教育厅', updatedAt: at });
    const item = await bareItem(db, 'edu');
    const [clock] = await db
      .insert(clocks)
      .values({
        itemId: item.id,
        kind: 'respond',
        label: '回应',
        action: 'publish',
        startsAt: at,
        dueAt: due,
      })
      .returning();
    // As 0003's code wrote it: no next_attempt_at.
    await db.execute(sql`insert into timers (key, item_id, clock_id, kind, due_at, payload)
      values ('clock:1:r0', ${item.id}, ${clock?.id}, 'reminder', ${due.toISOString()}, '{}'::jsonb)`);

    await database.migrate();
    const claim = (now: Date) => claimDueTimers(db, { now, worker: 'w', limit: 10 });
    const [row] = await db.select().from(timers);
    expect(row?.nextAttemptAt).toEqual(due);
    expect(await claim(new Date(due.getTime() - 1000))).toEqual([]);
    expect((await claim(due)).map((t) => t.key)).toEqual(['clock:1:r0']);
  });
});
