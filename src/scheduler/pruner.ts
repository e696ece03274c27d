import schedule from 'node-schedule';
import type { Db } from '../../db/client.js';
import { type PruneCounts, pruneQueues } from '../../db/repos/retention-repo.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../log.js';

/**
 * How long handled queue rows are kept, in days: the one place these periods are set
 * (docs/operate lists them). Pending rows are never deleted, whatever their age.
 */
export const RETENTION_DAYS = {
  /**
   * Handled inbox events. Their key refuses a redelivered event at the door; Feishu redelivers
   * an unacknowledged event for about 7 hours (after 15 s, 5 min, 1 h and 6 h), so a week is
   * ample, and it leaves a week of raw events to look into a report that went wrong.
   */
  inboxHandled: 7,
  /** Processed-event marks, the dispatcher's own de-duplication: the same window as the inbox. */
  processedEvents: 7,
  /**
   * Sent outbox messages. Nothing reads them once sent (an item's card and clock-card anchors
   * live in item_messages, the sandbox transcript in sandbox_messages); a month answers "did the
   * bot send this, and when" for a monthly review.
   */
  outboxSent: 30,
  /** Timers done or cancelled, by due time: the clock rows keep each deadline and its breach. */
  timersFinished: 30,
  /**
   * Rows set aside as 'dead' after their last attempt (huiyin_dead_letters): long enough for an
   * operator to be alerted, find the cause and requeue them, and for a quarterly review.
   */
  dead: 90,
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PrunerDeps {
  db: Db;
  clock: Clock;
  log: Logger;
}

/**
 * Deletes handled inbox, processed-event, outbox and timer rows past their retention, at start
 * and every ten minutes (node-schedule), in bounded batches so no delete holds locks for long.
 * Several instances may prune side by side: a row one has deleted the other simply does not find.
 */
export class Pruner {
  private job: schedule.Job | null = null;
  private running: Promise<PruneCounts | null> | null = null;

  constructor(private readonly deps: PrunerDeps) {}

  start(): void {
    this.job = schedule.scheduleJob('*/10 * * * *', () => this.wake());
    this.wake();
  }

  async stop(): Promise<void> {
    this.job?.cancel();
    this.job = null;
    await this.idle();
  }

  /** Resolves when no pruning pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Starts a pass unless one is running; a failure is logged and retried on the next wake. */
  wake(): void {
    if (this.running) return;
    this.running = this.runOnce()
      .catch((err) => {
        this.deps.log.warn('pruning failed, will retry', { err });
        return null;
      })
      .finally(() => {
        this.running = null;
      });
  }

  /** One pass: deletes what is past its retention at the clock's now; returns how many of each. */
  async runOnce(): Promise<PruneCounts> {
    const now = this.deps.clock.now().getTime();
    const ago = (days: number) => new Date(now - days * DAY_MS);
    const counts = await pruneQueues(this.deps.db, {
      inboxHandled: ago(RETENTION_DAYS.inboxHandled),
      processedEvents: ago(RETENTION_DAYS.processedEvents),
      outboxSent: ago(RETENTION_DAYS.outboxSent),
      timersFinished: ago(RETENTION_DAYS.timersFinished),
      dead: ago(RETENTION_DAYS.dead),
    });
    if (Object.values(counts).some((n) => n > 0))
      this.deps.log.info('pruned handled queue rows', { ...counts });
    return counts;
  }
}
