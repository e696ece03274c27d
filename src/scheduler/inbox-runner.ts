import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { MAX_ATTEMPTS } from '../../db/repos/backoff.js';
import {
  type ChatCursor,
  claimInbox,
  type InboxRow,
  markHandled,
  markInboxFailed,
  releaseInbox,
  setAsideEvent,
} from '../../db/repos/inbox-repo.js';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
import type { Dispatcher } from '../bot/dispatcher.js';
import { type InboundEvent, inboundEventSchema } from '../bot/event.js';
import { setAsideNotice } from '../bot/set-aside.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../log.js';
import { Pump } from './pump.js';

/** Most events claimed at a time: one claim (one commit) serves up to this many. */
const BATCH = 16;

/**
 * Events of different chats handled at once. Postgres: each holds a pool connection for its
 * transaction, leaving the rest of the pool (10) to the other runners and the adapters' acks.
 * PGlite has one connection and runs one transaction at a time: a second event can still be
 * read, parsed and prepared while the first one's transaction runs.
 */
export const INBOX_CONCURRENCY = { postgres: 8, pglite: 2 } as const;

export interface InboxRunnerDeps {
  db: Db;
  dispatcher: Pick<Dispatcher, 'dispatch'>;
  clock: Clock;
  log: Logger;
  workerId?: string;
  /** Events (of different chats) handled at once; 1 when not given. */
  concurrency?: number;
}

/**
 * Handles accepted events after the platform has been acknowledged. The claim gives at most one
 * event per chat (the oldest pending one), so a chat's commands run one at a time and in order,
 * even across instances, while other chats' events run beside it: nobody waits behind a
 * stranger's slow command. A claimed event is marked handled in the dispatcher's own transaction
 * (one commit per event); the dispatcher's event-id check makes a second handling a no-op.
 *
 * An event whose handling fails stays pending and is retried with backoff, holding its chat's
 * later events. After MAX_ATTEMPTS failures it is set aside as 'dead' (kept, logged at error,
 * its sender told) and the chat moves on. A failure because the database could not be reached
 * is not counted: while the database is down every event fails, and none of them is at fault.
 */
export class InboxRunner {
  private readonly worker: string;
  private readonly pump: Pump;
  private readonly concurrency: number;
  private readonly batch: number;
  /** Claimed by this worker, not started yet. */
  private readonly queue: InboxRow[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private handledCount = 0;
  /** Where the last claim's walk over the chats stopped. */
  private cursor: ChatCursor | null = null;
  private filling: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(private readonly deps: InboxRunnerDeps) {
    this.worker = deps.workerId ?? `inbox-${randomUUID().slice(0, 8)}`;
    this.concurrency = Math.max(1, deps.concurrency ?? 1);
    // Enough to keep every slot busy for about two events: more would only make a newly
    // arrived chat wait behind events this worker holds.
    this.batch = Math.min(BATCH, this.concurrency * 2);
    this.pump = new Pump('inbox', () => this.fill(), deps.log);
  }

  start = () => {
    this.stopping = false;
    this.pump.start();
  };

  /** Stops claiming, lets the events in hand finish and gives back the ones not started. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.pump.stop();
    await this.idle();
    const unstarted = this.queue.splice(0);
    await releaseInbox(this.deps.db, unstarted, this.worker).catch((err) =>
      this.deps.log.warn('inbox events not released', { count: unstarted.length, error: String(err) }),
    );
  }

  wake = () => this.pump.wake();

  /** Resolves when no pass is running and no event is being handled. */
  async idle(): Promise<void> {
    for (;;) {
      await this.pump.idle();
      if (this.inFlight.size === 0) return;
      await Promise.all(this.inFlight);
    }
  }

  /** Handles every due event (throws when the claim fails); returns how many were handled meanwhile. */
  async drain(): Promise<number> {
    const before = this.handledCount;
    for (;;) {
      await this.pump.idle();
      const started = await this.fill();
      if (this.inFlight.size > 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      if (started === 0) break;
    }
    return this.handledCount - before;
  }

  /** Claims and starts events while a slot is free; returns how many it started. Runs one at a time. */
  private fill(): Promise<number> {
    const run = this.filling.then(() => this.fillOnce());
    this.filling = run.catch(() => undefined);
    return run;
  }

  private async fillOnce(): Promise<number> {
    let started = 0;
    while (!this.stopping && this.inFlight.size < this.concurrency) {
      if (this.queue.length === 0) {
        const rows = await claimInbox(this.deps.db, {
          now: this.deps.clock.now(),
          worker: this.worker,
          limit: this.batch,
          after: this.cursor,
        });
        // A short claim walked every chat: the next one starts from the first again.
        const last = rows.at(-1);
        this.cursor =
          rows.length === this.batch && last?.chatId
            ? { platform: last.platform, chatId: last.chatId }
            : null;
        if (rows.length === 0) break;
        this.queue.push(...rows);
      }
      this.begin(this.queue.shift() as InboxRow);
      started++;
    }
    return started;
  }

  private begin(row: InboxRow): void {
    const done: Promise<void> = this.handle(row)
      .then((handled) => {
        if (handled) this.handledCount++;
      })
      .catch((err) =>
        // Recording the outcome failed too (the database is away): the row's lock runs out and
        // the event is claimed again.
        this.deps.log.error('inbox event outcome not recorded', {
          platform: row.platform,
          eventId: row.eventId,
          err,
        }),
      )
      .finally(() => {
        this.inFlight.delete(done);
        // A slot is free: take the next event (this chat's next one too, now that it may go).
        if (!this.stopping) this.pump.wake();
      });
    this.inFlight.add(done);
  }

  private async handle(row: InboxRow): Promise<boolean> {
    const event = inboundEventSchema.safeParse(row.payload);
    if (!event.success) {
      await setAsideEvent(this.deps.db, row, `invalid event: ${event.error.message}`, this.deps.clock.now(), {
        counted: true,
        notice: null,
      });
      this.deps.log.error('inbox event invalid, set aside', { platform: row.platform, eventId: row.eventId });
      return false;
    }
    let marked = false;
    try {
      await this.deps.dispatcher.dispatch(event.data, {
        inTransaction: async (tx) => {
          await markHandled(tx, row, this.deps.clock.now());
          marked = true;
        },
      });
      // An event ignored before any transaction (plain chat) is marked on its own.
      if (!marked) await markHandled(this.deps.db, row, this.deps.clock.now());
      return true;
    } catch (err) {
      await this.failed(row, event.data, err);
      return false;
    }
  }

  private async failed(row: InboxRow, event: InboundEvent, err: unknown): Promise<void> {
    const error = err instanceof Error ? err.message : String(err);
    const counted = !isDatabaseUnavailable(err);
    const attempts = row.attempts + (counted ? 1 : 0);
    const now = this.deps.clock.now();
    const fields = { platform: row.platform, eventId: row.eventId, chatId: row.chatId, attempts, error };
    if (counted && attempts >= MAX_ATTEMPTS) {
      await setAsideEvent(this.deps.db, row, error, now, { counted, notice: setAsideNotice(event) });
      this.deps.log.error('inbox event failed on its last attempt, set aside', fields);
      return;
    }
    await markInboxFailed(this.deps.db, row, error, now, counted);
    this.deps.log.warn(
      counted ? 'inbox event failed, will retry' : 'inbox event failed: database unreachable, will retry',
      fields,
    );
  }
}
