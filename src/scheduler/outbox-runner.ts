import { randomUUID } from 'node:crypto';
import schedule from 'node-schedule';
import type { Db } from '../../db/client.js';
import {
  claimDue,
  markFailed,
  markSent,
  type OutboxRow,
  release,
  threadRoot,
} from '../../db/repos/outbox-repo.js';
import { outMessageSchema } from '../bot/message.js';
import { type PlatformSender, SendError } from '../bot/sender.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../log.js';

const BATCH = 50;
// A thread reply waits this long for its card to be sent first.
const THREAD_WAIT_MS = 1_000;

export interface OutboxRunnerDeps {
  db: Db;
  senders: PlatformSender[];
  clock: Clock;
  log: Logger;
  workerId?: string;
}

/**
 * Sends queued messages through the platform adapters. Rows are claimed with SKIP LOCKED, so
 * several instances can run side by side; a failed send stays queued with a backoff and is
 * never dropped. node-schedule only wakes it: the rows are the source of truth.
 */
export class OutboxRunner {
  private readonly worker: string;
  private readonly senders: Map<string, PlatformSender>;
  private running: Promise<number> | null = null;
  private again = false;
  private job: schedule.Job | null = null;

  constructor(private readonly deps: OutboxRunnerDeps) {
    this.worker = deps.workerId ?? `outbox-${randomUUID().slice(0, 8)}`;
    this.senders = new Map(deps.senders.map((s) => [s.platform, s]));
  }

  /** Ticks every second and whenever wake() is called. */
  start(): void {
    this.job = schedule.scheduleJob('* * * * * *', () => this.wake());
    this.wake();
  }

  async stop(): Promise<void> {
    this.job?.cancel();
    this.job = null;
    await this.running;
  }

  /** Sends everything due soon; passes never overlap within one process. */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sendAllDue()
      .catch((err) => {
        this.deps.log.error('outbox pass failed', { err });
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Waits for a running pass, then sends every due row; returns how many were sent. */
  async drain(): Promise<number> {
    await this.running;
    return this.sendAllDue();
  }

  /** Each pass sends the head of every chat's queue, so repeat until nothing more goes out. */
  private async sendAllDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) return total;
    }
  }

  /** One claim-and-send pass; returns how many messages went out. */
  async runOnce(): Promise<number> {
    const now = this.deps.clock.now();
    const rows = await claimDue(this.deps.db, { now, worker: this.worker, limit: BATCH });
    let sent = 0;
    for (const row of rows) if (await this.sendRow(row, now)) sent++;
    return sent;
  }

  private async sendRow(row: OutboxRow, now: Date): Promise<boolean> {
    const sender = this.senders.get(row.platform);
    if (!sender) {
      await markFailed(this.deps.db, row, `no adapter for platform ${row.platform}`, now, false);
      this.deps.log.warn('outbox row has no adapter', { id: row.id, platform: row.platform });
      return false;
    }
    let replyTo = row.replyTo;
    if (row.threadItemId !== null) {
      replyTo = await threadRoot(this.deps.db, row.threadItemId, row.platform, row.chatId);
      if (!replyTo) {
        await release(this.deps.db, row, new Date(now.getTime() + THREAD_WAIT_MS));
        return false;
      }
    }
    const message = outMessageSchema.safeParse(row.payload);
    if (!message.success) {
      await markFailed(this.deps.db, row, `invalid payload: ${message.error.message}`, now, true);
      this.deps.log.error('outbox payload invalid', { id: row.id });
      return false;
    }
    let messageId: string;
    try {
      ({ messageId } = await sender.send({
        key: `outbox-${row.id}`,
        op: row.op as 'send' | 'reply' | 'update',
        chatId: row.chatId,
        replyTo,
        inThread: row.inThread,
        targetMessageId: row.targetMessageId,
        message: message.data,
      }));
    } catch (err) {
      const permanent = err instanceof SendError && !err.retryable;
      await markFailed(this.deps.db, row, (err as Error).message, now, permanent);
      this.deps.log.warn('outbox send failed', {
        id: row.id,
        platform: row.platform,
        attempts: row.attempts + 1,
        permanent,
        code: err instanceof SendError ? err.code : undefined,
        error: (err as Error).message,
      });
      return false;
    }
    // Outside the try: a database error here must not be mistaken for a failed send. If it
    // happens the row is retried after the lock timeout, and the key keeps the resend idempotent.
    await markSent(this.deps.db, row, messageId, this.deps.clock.now());
    return true;
  }
}
