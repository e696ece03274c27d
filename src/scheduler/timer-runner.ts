import schedule from 'node-schedule';
import type { Db } from '../../db/client.js';
import { claimDueTimers, nextTimerDue, type TimerRow } from '../../db/repos/clock-repo.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../log.js';
import { Pump } from './pump.js';

const BATCH = 200;

export interface TimerRunnerDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Turns due timers into messages; runs inside the claiming transaction. */
  handle: (tx: Db, due: TimerRow[], now: Date) => Promise<void>;
  /** Runs before each pass, outside its transaction (an embedded database has one connection). */
  beforePass?: () => Promise<void>;
  /** Called after a pass queued messages. */
  onEnqueued?: () => void;
}

/**
 * Fires response-clock reminders. Due timer rows are claimed with FOR UPDATE SKIP LOCKED, their
 * messages queued in the outbox and the rows marked done in one transaction, so a reminder is
 * neither lost nor sent twice across restarts and instances. node-schedule only wakes it: a
 * one-second tick and a one-shot at the next due time.
 */
export class TimerRunner {
  private readonly pump: Pump;
  private oneShot: schedule.Job | null = null;
  private started = false;

  constructor(private readonly deps: TimerRunnerDeps) {
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

  /** One claim-and-fire pass; returns how many timers were handled. */
  async runOnce(): Promise<number> {
    const now = this.deps.clock.now();
    await this.deps.beforePass?.();
    const n = await this.deps.db.transaction(async (tx) => {
      const due = await claimDueTimers(tx, now, BATCH);
      if (due.length > 0) await this.deps.handle(tx, due, now);
      return due.length;
    });
    if (n > 0) this.deps.onEnqueued?.();
    else if (this.started) await this.armOneShot();
    return n;
  }

  private async armOneShot(): Promise<void> {
    const next = await nextTimerDue(this.deps.db);
    this.oneShot?.cancel();
    this.oneShot = null;
    if (!next) return;
    // Due already (it fell due while this pass ran, or another instance holds it): look again
    // shortly rather than wait for the tick.
    if (next.getTime() <= this.deps.clock.now().getTime()) setTimeout(() => this.wake(), 50).unref();
    else
      this.oneShot = schedule.scheduleJob(
        new Date(next.getTime() - this.deps.clock.now().getTime() + Date.now()),
        () => this.wake(),
      );
  }
}
