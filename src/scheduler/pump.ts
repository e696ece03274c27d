import schedule from 'node-schedule';
import type { Logger } from '../log.js';

/**
 * Runs `pass` (claim due rows, handle them, return how many) until nothing is due, whenever
 * woken and on a one-second tick. Passes never overlap within a process; a failing pass is
 * logged and retried on the next tick, never thrown at the caller.
 */
export class Pump {
  private running: Promise<number> | null = null;
  private again = false;
  private job: schedule.Job | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly name: string,
    private readonly pass: () => Promise<number>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.job = schedule.scheduleJob('* * * * * *', () => this.wake());
    this.wake();
  }

  async stop(): Promise<void> {
    this.job?.cancel();
    this.job = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.idle();
  }

  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    void this.run().catch((err) => {
      this.log.error(`${this.name} pass failed`, { err });
    });
  }

  /** Runs passes until nothing is due, as the one running (a wake meanwhile runs them again after). */
  private run(): Promise<number> {
    const passes = this.untilDone();
    this.running = passes
      .catch(() => 0)
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
    return passes;
  }

  /** Wakes once `ms` from now (a row held until then), unless an earlier such wake is set; only while started. */
  wakeIn(ms: number): void {
    if (!this.job) return;
    const at = Date.now() + Math.max(0, ms);
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, at - Date.now());
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Waits for a running pass, then handles every due row; returns how many. Throws on failure.
   * Its passes count as running: a wake meanwhile (a new message queued) never starts another
   * pass beside them.
   */
  async drain(): Promise<number> {
    do await this.idle();
    while (this.running);
    return this.run();
  }

  private async untilDone(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.pass();
      total += n;
      if (n === 0) return total;
    }
  }
}
