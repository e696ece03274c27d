import { eq, min, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { enqueue } from '../../db/repos/outbox-repo.js';
import { outbox, sendWindows } from '../../db/schema.js';
import type { OutboundMessage, PlatformSender } from '../../src/bot/sender.js';
import { silentLogger } from '../../src/log.js';
import { OutboxRunner } from '../../src/scheduler/outbox-runner.js';
import { FakeClock } from '../helpers/clock.js';
import { DB_KINDS, useDatabase } from '../helpers/databases.js';
import { busiestWindow, fakeMessage, RecordingPlatform } from '../helpers/recording-platform.js';

const T0 = new Date('2026-11-22T03:00:00Z').getTime();
const FEISHU_LIMITS = { perChat: 5, perApp: 50 };

/**
 * Moves the clock to the earliest time a held message may go; false when none is held. Messages
 * left due but unclaimed (a runner that found the app's window full claims nothing and waits for
 * it) go a second later, when the window has moved on.
 */
async function toNextHeld(db: Db, clock: FakeClock): Promise<boolean> {
  const [row] = await db
    .select({ at: min(outbox.nextAttemptAt) })
    .from(outbox)
    .where(eq(outbox.status, 'pending'));
  if (!row?.at) return false;
  if (row.at > clock.now()) clock.set(row.at);
  else clock.advance(1_000);
  return true;
}

describe.each(DB_KINDS)('outbox rate limits and concurrency (%s)', (kind) => {
  const ctx = useDatabase(kind);
  const runner = (clock: FakeClock, platform: PlatformSender, workerId: string, db = ctx.database.db) =>
    new OutboxRunner({ db, senders: [platform], clock, log: silentLogger, workerId });

  it('two instances sharing one database keep 5 a second per chat and 50 for the app, each chat in order, each message once', async () => {
    const db = ctx.database.db;
    const clock = new FakeClock(new Date(T0));
    const platform = new RecordingPlatform(clock, FEISHU_LIMITS);
    const expected = new Map<string, string[]>();
    const rows = [];
    // A few busy chats and many quiet ones, interleaved as reports would queue them.
    for (let i = 0; i < 20; i++) {
      for (const chat of ['busy-a', 'busy-b', 'busy-c']) rows.push(fakeMessage(chat, `${chat}#${i}`));
      for (let q = 0; q < 3; q++) rows.push(fakeMessage(`quiet-${(i * 3 + q) % 60}`, `q${i}-${q}`));
    }
    for (const r of rows) {
      const text = (r.payload as { parts: { v: string }[] }).parts[0]?.v as string;
      expected.set(r.chatId, [...(expected.get(r.chatId) ?? []), text]);
    }
    await enqueue(db, rows, clock.now());
    const one = runner(clock, platform, 'instance-1');
    const two = runner(clock, platform, 'instance-2');
    do {
      await Promise.all([one.drain(), two.drain()]);
    } while (await toNextHeld(db, clock));

    expect(platform.sends).toHaveLength(rows.length);
    expect(new Set(platform.sends.map((s) => s.key)).size).toBe(rows.length);
    for (const [chat, texts] of expected) {
      expect(platform.textsIn(chat)).toEqual(texts);
      expect(
        busiestWindow(platform.sends.filter((s) => s.chat === chat).map((s) => s.at)),
      ).toBeLessThanOrEqual(5);
    }
    expect(busiestWindow(platform.sends.map((s) => s.at))).toBeLessThanOrEqual(50);
    const left = await db.select().from(outbox).where(eq(outbox.status, 'pending'));
    expect(left).toEqual([]);
    // Nothing held by a limit counted as a failed attempt.
    expect((await db.select().from(outbox)).every((r) => r.attempts === 0)).toBe(true);
  });

  it('a busy chat gets 5 messages a second: a held message goes exactly when its slot frees', async () => {
    const db = ctx.database.db;
    const clock = new FakeClock(new Date(T0));
    const platform = new RecordingPlatform(clock, FEISHU_LIMITS);
    await enqueue(
      db,
      Array.from({ length: 20 }, (_, i) => fakeMessage('busy', `m${i}`)),
      clock.now(),
    );
    // The first five go at once; the sixth is held to exactly one second after the first.
    const r = runner(clock, platform, 'w1');
    await r.drain();
    expect(platform.sends.map((s) => s.at - T0)).toEqual([0, 0, 0, 0, 0]);
    const [held] = await db.select().from(outbox).where(eq(outbox.status, 'pending')).orderBy(outbox.id);
    expect(held?.nextAttemptAt).toEqual(new Date(T0 + 1_000));
    while (await toNextHeld(db, clock)) await r.drain();
    expect(platform.sends.map((s) => s.at - T0)).toEqual(
      [0, 1_000, 2_000, 3_000].flatMap((t) => [t, t, t, t, t]),
    );
    expect(platform.textsIn('busy')).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it('sends to different chats go out together (up to 10 at once), each chat still in order', async () => {
    const db = ctx.database.db;
    const clock = new FakeClock(new Date(T0));
    const gate = new GatedPlatform();
    const chats = Array.from({ length: 15 }, (_, i) => `c${i}`);
    await enqueue(
      db,
      [1, 2, 3].flatMap((n) => chats.map((c) => fakeMessage(c, `${c}/${n}`))),
      clock.now(),
    );
    const r = runner(clock, gate, 'w1');
    const pass = r.runOnce();
    // Ten sends are in flight before any of them has answered.
    await gate.inFlightReached(10);
    expect(gate.inFlight).toBe(10);
    gate.open();
    expect(await pass).toBe(15);
    await r.drain();
    expect(gate.most).toBe(10);
    for (const c of chats)
      expect(gate.texts.filter((t) => t.startsWith(`${c}/`))).toEqual([`${c}/1`, `${c}/2`, `${c}/3`]);
  });

  it("a runner's lanes take their send slots (and record their sends) together, one statement at a time: its own sends never queue on the app's window row", async () => {
    const clock = new FakeClock(new Date(T0));
    const platform = new RecordingPlatform(clock, FEISHU_LIMITS);
    const chats = Array.from({ length: 20 }, (_, i) => `c${i}`);
    await enqueue(
      ctx.database.db,
      chats.map((c) => fakeMessage(c, c)),
      clock.now(),
    );
    // Every scope has sent before (its window row exists: a first send makes it, then asks again).
    await ctx.database.db
      .insert(sendWindows)
      .values([{ scope: 'fake:app' }, ...chats.map((c) => ({ scope: `fake:chat:${c}` }))]);
    const watched = watchStatements(ctx.database.db, /send_windows s\s+set recent/);
    const marks = watchStatements(watched.db, /update outbox o set status = 'sent'/);
    const r = runner(clock, platform, 'w1', marks.db);
    expect(await r.runOnce()).toBe(20);
    expect(platform.sends).toHaveLength(20);
    // The sends are recorded together too: the ten that went at once in one statement.
    expect(marks.count).toBeLessThanOrEqual(10);
    expect(marks.most).toBe(1);
    expect(await ctx.database.db.select().from(outbox).where(eq(outbox.status, 'sent'))).toHaveLength(20);
    // The ten lanes asked at once and went in one statement; later asks joined the next one.
    expect(watched.asked[0]).toBe(10);
    expect(watched.asked.reduce((a, b) => a + b, 0)).toBe(20);
    expect(watched.count).toBeLessThanOrEqual(10);
    expect(watched.most).toBe(1);
  });

  it('once another instance fills the app, the messages of the pass wait for it after one statement', async () => {
    const db = ctx.database.db;
    const clock = new FakeClock(new Date(T0));
    const platform = new RecordingPlatform(clock, FEISHU_LIMITS);
    const chats = Array.from({ length: 10 }, (_, i) => `c${i}`);
    await enqueue(
      db,
      chats.map((c) => fakeMessage(c, c)),
      clock.now(),
    );
    // Every scope has sent before (its window row exists), and another instance takes the app's
    // 50 slots between this runner's read of the window and its first slot statement.
    await db
      .insert(sendWindows)
      .values([{ scope: 'fake:app' }, ...chats.map((c) => ({ scope: `fake:chat:${c}` }))]);
    const watched = watchStatements(db, /send_windows s\s+set recent/, async () => {
      await db
        .insert(sendWindows)
        .values({ scope: 'fake:app', recent: Array.from({ length: 50 }, () => T0) })
        .onConflictDoUpdate({
          target: sendWindows.scope,
          set: { recent: Array.from({ length: 50 }, () => T0) },
        });
    });
    const r = runner(clock, platform, 'w1', watched.db);
    expect(await r.runOnce()).toBe(0);
    // The ten lanes asked in one statement, which found the app full.
    expect(watched.count).toBe(1);
    expect(watched.asked).toEqual([10]);
    expect(platform.sends).toEqual([]);
    const rows = await db.select().from(outbox);
    expect(rows).toHaveLength(10);
    expect(
      rows.every((row) => row.lockedBy === null && row.attempts === 0 && +row.nextAttemptAt === T0 + 1_000),
    ).toBe(true);
  });
});

/**
 * `db` whose statements matching `pattern` are counted, with the most in flight at once. Only
 * raw statements (db.execute), which is how the send windows are written.
 */
const dialect = new PgDialect();

function watchStatements(db: Db, pattern: RegExp, beforeFirst?: () => Promise<void>) {
  // `asked`: how many chats each slot statement asked for (its scopes, less the app's).
  const watch = { count: 0, most: 0, inFlight: 0, asked: [] as number[], db };
  const textOf = (q: unknown) => dialect.sqlToQuery(q as SQL).sql;
  const askedIn = (q: unknown) => {
    const param = dialect
      .sqlToQuery(q as SQL)
      .params.find((p) => typeof p === 'string' && p.includes('"scope"'));
    return param ? (JSON.parse(param as string) as unknown[]).length - 1 : 0;
  };
  watch.db = new Proxy(db, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key !== 'execute') return value;
      return async (q: unknown) => {
        if (!pattern.test(textOf(q))) return value.call(target, q);
        if (watch.count === 0) await beforeFirst?.();
        watch.count++;
        watch.asked.push(askedIn(q));
        watch.most = Math.max(watch.most, ++watch.inFlight);
        try {
          return await value.call(target, q);
        } finally {
          watch.inFlight--;
        }
      };
    },
  });
  return watch;
}

/** A platform whose sends wait until the test opens the gate; it counts the sends in flight. */
class GatedPlatform implements PlatformSender {
  readonly platform = 'fake';
  inFlight = 0;
  most = 0;
  texts: string[] = [];
  private opened = false;
  private waiting: (() => void)[] = [];
  private watchers: { n: number; resolve: () => void }[] = [];
  private n = 0;

  async send(m: OutboundMessage) {
    this.inFlight++;
    this.most = Math.max(this.most, this.inFlight);
    for (const w of this.watchers.filter((w) => this.inFlight >= w.n)) w.resolve();
    if (!this.opened) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight--;
    this.texts.push(m.message.kind === 'text' ? (m.message.parts[0] as { v: string }).v : '');
    return { messageId: `g${++this.n}` };
  }

  inFlightReached(n: number): Promise<void> {
    if (this.inFlight >= n) return Promise.resolve();
    return new Promise((resolve) => this.watchers.push({ n, resolve }));
  }

  open(): void {
    this.opened = true;
    for (const w of this.waiting.splice(0)) w();
  }
}
