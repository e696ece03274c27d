import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { findItemById } from '../../db/repos/item-repo.js';
import {
  claimDue,
  deferRow,
  markFailed,
  markSent,
  type OutboxRow,
  threadRoot,
} from '../../db/repos/outbox-repo.js';
import { type PlatformSender, SendError } from '../bot/sender.js';
import { outMessageSchema } from '../core/message.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { Pump } from './pump.js';

const BATCH = 50;
// A thread reply waits for its card this many times (1 + 2 + 4 + 8 + 16 s with the backoff).
const THREAD_WAITS = 5;

export interface OutboxRunnerDeps {
  db: Db;
  senders: PlatformSender[];
  clock: Clock;
  log: Logger;
  /** Observes event-to-send latency; the service passes its own. */
  metrics?: Metrics;
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
  private readonly pump: Pump;

  constructor(private readonly deps: OutboxRunnerDeps) {
    this.worker = deps.workerId ?? `outbox-${randomUUID().slice(0, 8)}`;
    this.senders = new Map(deps.senders.map((s) => [s.platform, s]));
    this.pump = new Pump('outbox', () => this.runOnce(), deps.log);
  }

  start = () => this.pump.start();
  stop = () => this.pump.stop();
  wake = () => this.pump.wake();
  drain = () => this.pump.drain();
  idle = () => this.pump.idle();

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
    let { op, replyTo, inThread } = row;
    let item: { number: string; title: string } | null = null;
    if (sender.threads === false) {
      // The item the message is about, as the flow that queued it recorded.
      const found = row.itemId !== null ? await findItemById(this.deps.db, row.itemId) : null;
      item = found ? { number: found.number, title: found.title } : null;
      inThread = false;
    } else if (row.threadItemId !== null) {
      replyTo = await threadRoot(this.deps.db, row.threadItemId, row.platform, row.chatId);
      if (!replyTo) {
        if (row.attempts < THREAD_WAITS) {
          await markFailed(this.deps.db, row, 'waiting for the item card to be sent', now, false);
          return false;
        }
        // The card never went out (it failed for good): deliver into the chat rather than hold
        // back every later message of the chat behind this one.
        op = 'send';
        inThread = false;
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
        key: row.key,
        op: op as 'send' | 'reply' | 'update',
        chatId: row.chatId,
        replyTo,
        inThread,
        targetMessageId: row.targetMessageId,
        message: message.data,
        item,
      }));
    } catch (err) {
      if (err instanceof SendError && err.retryAfterMs !== undefined) {
        await deferRow(this.deps.db, row, new Date(now.getTime() + err.retryAfterMs));
        return false;
      }
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
    const sentAt = this.deps.clock.now();
    await markSent(this.deps.db, row, messageId, sentAt);
    // The row was queued at the time of the event that caused it (see enqueue's callers).
    this.deps.metrics?.messageSent(row.platform, row.createdAt, sentAt);
    return true;
  }
}
