import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { findItemById } from '../../db/repos/item-repo.js';
import { claimDue } from '../../db/repos/outbox-claim-repo.js';
import { foldCopies } from '../../db/repos/outbox-digest-repo.js';
import {
  deferRows,
  deliveredSince,
  markFailed,
  markSent,
  type OutboxRow,
  type SentRow,
  threadRoots,
} from '../../db/repos/outbox-repo.js';
import { type PlatformSender, SendError } from '../bot/sender.js';
import { copyDigest } from '../core/copy-digest.js';
import { outMessageSchema } from '../core/message.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { Batcher } from './batcher.js';
import { Pump } from './pump.js';
import { SendSlots } from './send-slots.js';

const BATCH = 50;
// Sends in flight at once, each to a different chat (a claim takes one message per chat).
const IN_FLIGHT = 10;
// A thread reply waits for its card this many times (1 + 2 + 4 + 8 + 16 s with the backoff).
const THREAD_WAITS = 5;
// A 抄送 group with this many copies waiting gets one digest instead (at most DIGEST_MAX items each).
const DIGEST_MIN = 3;
const DIGEST_MAX = 100;
// How often a runner records that a platform delivers (see sendRow).
const DELIVERY_EVERY_MS = 1_000;
// Waiting for an app to have room for a wave (SendSlots), a runner wakes up to this much later,
// so instances do not all wake for the same slots.
const WAVE_JITTER_MS = 20;

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
 * several instances can run side by side; a failed send stays queued with a backoff, and is set
 * aside ('dead') only after its last attempt. The platforms' rate limits are kept in the database,
 * shared by every instance; a message over a limit waits for its slot and the runner wakes then.
 * node-schedule only wakes it: the rows are the source of truth.
 */
export class OutboxRunner {
  private readonly worker: string;
  private readonly senders: Map<string, PlatformSender>;
  private readonly pump: Pump;
  /** The earliest time a message held by a rate limit in this pass may go. */
  private heldUntil: number | null = null;
  /** Rows claimed in this pass and left unsent: their platform's app limit was reached. */
  private unsent: OutboxRow[] = [];
  /** The app limits this runner knows are reached, and its lanes' slot statements. */
  private readonly slots: SendSlots;
  /** The lanes' sent messages, recorded together one statement at a time. */
  private readonly sentRows = new Batcher<SentRow, undefined>((sent) => this.recordSent(sent));
  /** When this runner last recorded that each platform delivers (ms). */
  private readonly recordedDelivery = new Map<string, number>();

  constructor(private readonly deps: OutboxRunnerDeps) {
    this.worker = deps.workerId ?? `outbox-${randomUUID().slice(0, 8)}`;
    this.senders = new Map(deps.senders.map((s) => [s.platform, s]));
    this.pump = new Pump('outbox', () => this.runOnce(), deps.log);
    this.slots = new SendSlots(deps.db, deps.clock, IN_FLIGHT);
  }

  start = () => this.pump.start();
  stop = () => this.pump.stop();
  wake = () => this.pump.wake();
  drain = () => this.pump.drain();
  idle = () => this.pump.idle();

  /**
   * One claim-and-send pass; returns how many messages went out. A platform whose app limit is
   * reached is left alone until it has room: its messages are not claimed, and those claimed
   * before it filled up wait for it in one statement, instead of each taking and failing its
   * slot (at the limit, that was most of what every instance did).
   */
  async runOnce(): Promise<number> {
    const now = this.deps.clock.now();
    this.heldUntil = null;
    this.unsent = [];
    const senders = [...this.senders.values()];
    const full = () => this.slots.fullNow(now.getTime());
    for (const [, until] of full()) this.heldUntil = Math.min(this.heldUntil ?? until, until);
    // Every platform's app full: nothing can go before the earliest has room (no statement).
    if (senders.every((s) => s.limits && this.slots.fullUntil(s.platform, now.getTime()))) {
      this.wakeWhenHeld();
      return 0;
    }
    // No more than the apps can send now: what is claimed beyond that only waits, claimed again
    // pass after pass.
    const room = await this.slots.room(senders, now);
    for (const [, until] of full()) this.heldUntil = Math.min(this.heldUntil ?? until, until);
    if (room === 0) {
      this.wakeWhenHeld();
      return 0;
    }
    const rows = await claimDue(this.deps.db, {
      now,
      worker: this.worker,
      limit: Math.min(BATCH, room ?? BATCH),
      skipPlatforms: full().map(([platform]) => platform),
    });
    // The cards the pass's thread replies hang from, in one statement.
    const roots = await threadRoots(
      this.deps.db,
      rows.filter((r) => r.threadItemId !== null && this.senders.get(r.platform)?.threads !== false),
    );
    let sent = 0;
    let next = 0;
    // Rows come in priority order, each of a different chat: up to IN_FLIGHT sends at once.
    const lane = async () => {
      while (next < rows.length) {
        const row = rows[next++] as OutboxRow;
        if (await this.sendRow(row, now, roots)) sent++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, rows.length) }, lane));
    // What was left for a full app waits for it in one statement per platform (never stays locked).
    for (const platform of new Set(this.unsent.map((r) => r.platform))) {
      const waiting = this.unsent.filter((r) => r.platform === platform);
      const until = this.slots.fullUntil(platform) || this.deps.clock.now().getTime();
      await deferRows(this.deps.db, waiting, new Date(until));
    }
    this.wakeWhenHeld();
    return sent;
  }

  /** Wakes the runner when the earliest message held in this pass may go. */
  private wakeWhenHeld(): void {
    if (this.heldUntil === null) return;
    const wait = this.heldUntil - this.deps.clock.now().getTime();
    // Waiting for an app's room, instances wake a little apart (the first takes the wave).
    const appWait = this.slots.fullNow(0).some(([, until]) => until === this.heldUntil);
    this.pump.wakeIn(wait + (appWait ? Math.random() * WAVE_JITTER_MS : 0));
  }

  private async sendRow(claimed: OutboxRow, now: Date, roots: Map<number, string>): Promise<boolean> {
    let row = claimed;
    if (this.slots.fullUntil(row.platform)) {
      this.unsent.push(row);
      return false;
    }
    const sender = this.senders.get(row.platform);
    if (!sender) {
      await this.failed(row, `no adapter for platform ${row.platform}`, now, {
        permanent: false,
        strike: true,
      });
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
      replyTo = roots.get(row.id) ?? null;
      if (!replyTo) {
        if (row.attempts < THREAD_WAITS) {
          await markFailed(this.deps.db, row, 'waiting for the item card to be sent', now, {
            permanent: false,
            strike: false,
          });
          return false;
        }
        // The card never went out (it failed for good): deliver into the chat rather than hold
        // back every later message of the chat behind this one.
        op = 'send';
        inThread = false;
      }
    }
    if (!(await this.takeSlot(sender, row))) return false;
    // A 抄送 group behind on its copies gets them as one digest (the slot is already taken).
    row = await foldCopies(this.deps.db, row, { min: DIGEST_MIN, max: DIGEST_MAX, digest: copyDigest });
    if (row !== claimed) item = null;
    const message = outMessageSchema.safeParse(row.payload);
    if (!message.success) {
      await this.failed(row, `invalid payload: ${message.error.message}`, now, {
        permanent: true,
        strike: true,
      });
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
        await this.hold(row, this.deps.clock.now().getTime() + err.retryAfterMs);
        return false;
      }
      const permanent = err instanceof SendError && !err.retryable;
      // A platform failing as a whole counts toward setting the message aside only while the
      // platform delivers other messages: an outage must not kill what people sent.
      const outage = err instanceof SendError && err.outage;
      const strike =
        !outage || (await deliveredSince(this.deps.db, row.platform, row.lastFailedAt ?? row.createdAt));
      await this.failed(row, (err as Error).message, now, { permanent, strike }, err);
      return false;
    }
    // Outside the try: a database error here must not be mistaken for a failed send. If it
    // happens the row is retried after the lock timeout, and the key keeps the resend idempotent.
    const sentAt = this.deps.clock.now();
    await this.sentRows.add({ row, messageId, at: sentAt });
    // The row was queued at the time of the event that caused it (see enqueue's callers).
    this.deps.metrics?.messageSent(row.platform, row.createdAt, sentAt);
    return true;
  }

  /** Takes the platform's per-chat and per-app slots; false when the row was held for its slot instead. */
  private async takeSlot(sender: PlatformSender, row: OutboxRow): Promise<boolean> {
    if (!sender.limits) return true;
    const grant = await this.slots.take(row, sender.limits);
    if (grant.taken) return true;
    if (grant.appFull) {
      // Every message of the platform waits for the app (this one with the rest of the pass, and
      // every pass before then leaves the platform alone).
      const until = grant.until.getTime();
      this.slots.fillsUp(row.platform, until);
      this.heldUntil = Math.min(this.heldUntil ?? until, until);
      this.unsent.push(row);
    } else {
      await this.hold(row, grant.until.getTime());
    }
    return false;
  }

  /**
   * Records messages sent together, and (at most once a second per runner) that their platforms
   * deliver: that only tells an outage from a message's own failure (deliveredSince), and the
   * row is shared by every send.
   */
  private async recordSent(sent: SentRow[]): Promise<undefined[]> {
    const delivered: { platform: string; at: Date }[] = [];
    for (const { row, at } of sent) {
      if (delivered.some((d) => d.platform === row.platform)) continue;
      if (at.getTime() - (this.recordedDelivery.get(row.platform) ?? 0) < DELIVERY_EVERY_MS) continue;
      this.recordedDelivery.set(row.platform, at.getTime());
      delivered.push({ platform: row.platform, at });
    }
    await markSent(this.deps.db, sent, { delivered });
    return sent.map(() => undefined);
  }

  /** Holds a row until `at` without counting an attempt, and wakes the runner then. */
  private async hold(row: OutboxRow, at: number): Promise<void> {
    await deferRows(this.deps.db, [row], new Date(at));
    this.heldUntil = Math.min(this.heldUntil ?? at, at);
  }

  private async failed(
    row: OutboxRow,
    error: string,
    now: Date,
    how: { permanent: boolean; strike: boolean },
    err?: unknown,
  ): Promise<void> {
    const status = await markFailed(this.deps.db, row, error, now, how);
    const fields = {
      id: row.id,
      platform: row.platform,
      chat: row.chatId,
      attempts: row.attempts + 1,
      strikes: row.strikes + (how.strike ? 1 : 0),
      code: err instanceof SendError ? err.code : undefined,
      error,
    };
    if (status === 'dead') this.deps.log.error('outbox message set aside: no further attempts', fields);
    else this.deps.log.warn('outbox send failed', fields);
  }
}
