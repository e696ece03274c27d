import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { readOrgFile } from '../../db/org-file.js';
import { importOrg } from '../../db/repos/org-repo.js';
import { claimDue } from '../../db/repos/outbox-claim-repo.js';
import { enqueue } from '../../db/repos/outbox-repo.js';
import { items, outbox } from '../../db/schema.js';
import { silentLogger } from '../../src/log.js';
import { OutboxRunner } from '../../src/scheduler/outbox-runner.js';
import { bareItem } from '../helpers/bare-item.js';
import { FakeClock } from '../helpers/clock.js';
import { DB_KINDS, useDatabase } from '../helpers/databases.js';
import { fixtureOrg } from '../helpers/fixtures.js';
import { fakeMessage, RecordingPlatform } from '../helpers/recording-platform.js';

const T0 = new Date('2026-11-22T03:00:00Z');
const ORG = readOrgFile(fixtureOrg('repo-units'));

describe.each(DB_KINDS)('outbox priorities and 抄送 digests (%s)', (kind) => {
  const ctx = useDatabase(kind);
  const runner = (clock: FakeClock, platform: RecordingPlatform) =>
    new OutboxRunner({ db: ctx.database.db, senders: [platform], clock, log: silentLogger, workerId: 'w1' });

  it('the claim takes messages someone must act on before copies, however long the copies waited', async () => {
    const db = ctx.database.db;
    await enqueue(
      db,
      Array.from({ length: 8 }, (_, i) => fakeMessage(`cc${i}`, `copy${i}`, { priority: 'copy' })),
      T0,
    );
    await enqueue(
      db,
      Array.from({ length: 3 }, (_, i) => fakeMessage(`unit${i}`, `act${i}`)),
      new Date(T0.getTime() + 5_000),
    );
    const claimed = await claimDue(db, { now: new Date(T0.getTime() + 6_000), worker: 'w', limit: 4 });
    expect(claimed.map((r) => (r.payload as { parts: { v: string }[] }).parts[0]?.v)).toEqual([
      'act0',
      'act1',
      'act2',
      'copy0',
    ]);
  });

  it('with the app at its 50/s limit, act-on messages go out before copies queued earlier', async () => {
    const db = ctx.database.db;
    const clock = new FakeClock(T0);
    const platform = new RecordingPlatform(clock, { perChat: 5, perApp: 50 });
    await enqueue(
      db,
      Array.from({ length: 60 }, (_, i) => fakeMessage(`cc${i}`, `copy${i}`, { priority: 'copy' })),
      clock.now(),
    );
    await enqueue(
      db,
      Array.from({ length: 10 }, (_, i) => fakeMessage(`unit${i}`, `act${i}`)),
      clock.now(),
    );
    await runner(clock, platform).drain();
    expect(platform.sends).toHaveLength(50);
    const first = platform.sends.map((s) => s.text);
    for (let i = 0; i < 10; i++) expect(first).toContain(`act${i}`);
    clock.advance(1_000);
    await runner(clock, platform).drain();
    expect(platform.sends).toHaveLength(70);
  });

  it('a lagging 抄送 group gets one digest naming every copy that waited; act-on messages are never folded or passed', async () => {
    const db = ctx.database.db;
    await importOrg(db, ORG, T0);
    const made: { id: number }[] = [];
    for (let i = 1; i <= 15; i++) {
      const item = await bareItem(db, 'edu');
      await db
        .update(items)
        .set({ title: `标题${i}` })
        .where(eq(items.id, item.id));
      made.push(item);
    }
    const copy = (i: number) =>
      fakeMessage('cc', `【抄送】${i}`, { priority: 'copy', itemId: made[i - 1]?.id ?? null });
    await enqueue(
      db,
      [
        ...Array.from({ length: 12 }, (_, i) => copy(i + 1)),
        fakeMessage('cc', '请处置'),
        copy(13),
        copy(14),
        fakeMessage('cc', '再请处置'),
        copy(15),
      ],
      T0,
    );
    const clock = new FakeClock(T0);
    const platform = new RecordingPlatform(clock);
    await runner(clock, platform).drain();

    const texts = platform.textsIn('cc');
    expect(texts).toHaveLength(6);
    const digest = texts[0] as string;
    expect(digest.startsWith('【抄送汇总】 12 条新舆情：')).toBe(true);
    for (let i = 1; i <= 12; i++)
      expect(digest).toContain(`YQ20261122-${String(i).padStart(3, '0')}《标题${i}》`);
    // Two copies are not a backlog: they go as they are, in their place.
    expect(texts.slice(1)).toEqual(['请处置', '【抄送】13', '【抄送】14', '再请处置', '【抄送】15']);

    const rows = await db.select().from(outbox).orderBy(outbox.id);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const digestId = platform.sends[0]?.messageId;
    const folded = rows.slice(0, 12);
    expect(folded.every((r) => r.sentMessageId === digestId)).toBe(true);
    expect(folded.slice(1).every((r) => r.foldedInto === folded[0]?.id)).toBe(true);
    const others = await db
      .select()
      .from(outbox)
      .where(
        inArray(
          outbox.id,
          rows.slice(12).map((r) => r.id),
        ),
      );
    expect(new Set(others.map((r) => r.sentMessageId)).has(digestId as string)).toBe(false);
  });

  it('a digest that fails is retried as the same digest, and its copies are sent only with it', async () => {
    const db = ctx.database.db;
    await importOrg(db, ORG, T0);
    const ids = [];
    for (let i = 1; i <= 4; i++) ids.push((await bareItem(db, 'edu')).id);
    await enqueue(
      db,
      ids.map((itemId, i) => fakeMessage('cc', `【抄送】${i}`, { priority: 'copy', itemId })),
      T0,
    );
    const clock = new FakeClock(T0);
    const platform = new RecordingPlatform(clock);
    platform.fail = () => new Error('down');
    await runner(clock, platform).drain();
    let rows = await db.select().from(outbox).orderBy(outbox.id);
    expect(rows.map((r) => r.status)).toEqual(['pending', 'folded', 'folded', 'folded']);
    // A copy queued meanwhile waits behind the digest rather than changing it.
    await enqueue(
      db,
      [fakeMessage('cc', '【抄送】late', { priority: 'copy', itemId: ids[0] as number })],
      T0,
    );
    platform.fail = () => null;
    clock.advance(1_000);
    await runner(clock, platform).drain();
    expect(platform.textsIn('cc')).toHaveLength(2);
    expect(platform.textsIn('cc')[0]).toMatch(/^【抄送汇总】 4 条新舆情：/);
    expect(platform.textsIn('cc')[1]).toBe('【抄送】late');
    rows = await db.select().from(outbox).orderBy(outbox.id);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
  });
});
