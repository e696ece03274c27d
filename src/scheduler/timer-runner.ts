import { randomUUID } from 'node:crypto';
import schedule from 'node-schedule';
import type { Db } from '../../db/client.js';
import {
  claimDueTimers,
  failTimers,
  nextTimerDue,
  type TimerRow,
  takeClaimedTimers,
} from '../../db/repos/clock-repo.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../log.js';
import { Pump } from './pump.js';

const BATCH = 200;

export interface TimerRunnerDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Turns one clock's due timers into messages and finishes them; runs inside that clock's transaction. */
  handle: (tx: Db, due: TimerRow[], now: Date) => Promise<void>;
  /** Runs before each pass, outside its transactions (an embedded database has one connection). */
  beforePass?: () => Promise<void>;
  /** Called after a pass queued messages. */
  onEnqueued?: () => void;
  workerId?: string;
}

/**
 * Fires response-clock reminders. Due timers are claimed clock by clock (FOR UPDATE SKIP LOCKED,
 * then marked as this worker's), and each clock is handled in a transaction of its own that
 * queues its messages in the outbox and marks its timers done, so a reminder is neither lost nor
 * sent twice across restarts and instances. A clock whose handling throws is rolled back alone:
 * its timers record the attempt and are retried with backoff, then set aside as 'dead' after
 * their last attempt, while the other clocks fire as usual. node-schedule only wakes it: a
 * one-second tick and a one-shot at the next due time.
 */
export class TimerRunner {
  private readonly worker: string;
  private readonly pump: Pump;
  private oneShot: schedule.Job | null = null;
  private started = false;

  constructor(private readonly deps: TimerRunnerDeps) {
    this.worker = deps.workerId ?? `timers-${randomUUID().slice(0, 8)}`;
    this.pump = new Pump('timers', () => this.runOnce(), deps.log);
  }

  start(): void {
    this.started = true;
    this.pump.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.oneShot?.cancel();
    await this.pump.stop();
  }

  wake = () => this.pump.wake();
  drain = () => this.pump.drain();
  idle = () => this.pump.idle();

  /** One claim-and-fire pass; returns how many timers were claimed (fired or failed). */
  async runOnce(): Promise<number> {
    const now = this.deps.clock.now();
    await this.deps.beforePass?.();
    const claimed = await claimDueTimers(this.deps.db, { now, worker: this.worker, limit: BATCH });
    const byClock = new Map<number, TimerRow[]>();
    for (const t of claimed) {
      const clockId = t.clockId as number; // claimed through their clock
      byClock.set(clockId, [...(byClock.get(clockId) ?? []), t]);
    }
    let fired = 0;
    for (const [clockId, timers] of byClock) if (await this.fire(clockId, timers, now)) fired++;
    if (fired > 0) this.deps.onEnqueued?.();
    if (claimed.length === 0 && this.started) await this.armOneShot(now);
    return claimed.length;
  }

  /** Handles one clock's claimed timers in a transaction of its own; false when it threw. */
  private async fire(clockId: number, claimed: TimerRow[], now: Date): Promise<boolean> {
    const ids = claimed.map((t) => t.id);
    try {
      await this.deps.db.transaction(async (tx) => {
        const due = await takeClaimedTimers(tx, clockId, ids, this.worker);
        if (due.length > 0) await this.deps.handle(tx, due, now);
      });
      return true;
    } catch (err) {
      await this.recordFailure(clockId, ids, err as Error, now);
      return false;
    }
  }

  private async recordFailure(clockId: number, ids: number[], err: Error, now: Date): Promise<void> {
    const error = err.message || String(err);
    const failed = await failTimers(this.deps.db, { clockId, ids, worker: this.worker, error, now });
    const itemId = failed[0]?.itemId ?? null;
    const dead = failed.filter((t) => t.status === 'dead');
    const retrying = failed.filter((t) => t.status !== 'dead');
    if (dead.length > 0)
      this.deps.log.error('clock timers set aside after their last attempt', {
        clock: clockId,
        item: itemId,
        timers: dead.map((t) => t.id),
        attempts: Math.max(...dead.map((t) => t.attempts)),
        err,
      });
    if (retrying.length > 0)
      this.deps.log.warn('clock timers failed, will retry', {
        clock: clockId,
        item: itemId,
        timers: retrying.map((t) => t.id),
        attempts: Math.max(...retrying.map((t) => t.attempts)),
        retryAt: new Date(Math.max(...retrying.map((t) => t.nextAttemptAt.getTime()))).toISOString(),
        err,
      });
  }

  private async armOneShot(passStart: Date): Promise<void> {
    const next = await nextTimerDue(this.deps.db, passStart);
    this.oneShot?.cancel();
    this.oneShot = null;
    if (!next) return;
    // Due already (it fell due while this pass ran): look again shortly rather than wait for the tick.
    if (next.getTime() <= this.deps.clock.now().getTime()) setTimeout(() => this.wake(), 50).unref();
    else
      this.oneShot = schedule.scheduleJob(
        new Date(next.getTime() - this.deps.clock.now().getTime() + Date.now()),
        () => this.wake(),
      );
  }
}
