import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { claimInbox, type InboxRow, markHandled, markInboxFailed } from '../../db/repos/inbox-repo.js';
import type { Dispatcher } from '../bot/dispatcher.js';
import { inboundEventSchema } from '../bot/event.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../log.js';
import { Pump } from './pump.js';

const BATCH = 20;

export interface InboxRunnerDeps {
  db: Db;
  dispatcher: Pick<Dispatcher, 'dispatch'>;
  clock: Clock;
  log: Logger;
  workerId?: string;
}

/**
 * Handles accepted events after the platform has been acknowledged. An event whose handling
 * fails (the database was away) stays pending and is retried with backoff; the dispatcher's
 * event-id check makes a second handling of the same event a no-op.
 */
export class InboxRunner {
  private readonly worker: string;
  private readonly pump: Pump;

  constructor(private readonly deps: InboxRunnerDeps) {
    this.worker = deps.workerId ?? `inbox-${randomUUID().slice(0, 8)}`;
    this.pump = new Pump('inbox', () => this.runOnce(), deps.log);
  }

  start = () => this.pump.start();
  stop = () => this.pump.stop();
  wake = () => this.pump.wake();
  drain = () => this.pump.drain();
  idle = () => this.pump.idle();

  /** One claim-and-handle pass; returns how many events were handled. */
  async runOnce(): Promise<number> {
    const rows = await claimInbox(this.deps.db, {
      now: this.deps.clock.now(),
      worker: this.worker,
      limit: BATCH,
    });
    let handled = 0;
    for (const row of rows) if (await this.handle(row)) handled++;
    return handled;
  }

  private async handle(row: InboxRow): Promise<boolean> {
    const event = inboundEventSchema.safeParse(row.payload);
    if (!event.success) {
      await markInboxFailed(
        this.deps.db,
        row,
        `invalid event: ${event.error.message}`,
        this.deps.clock.now(),
        true,
      );
      this.deps.log.error('inbox event invalid', { platform: row.platform, eventId: row.eventId });
      return false;
    }
    try {
      await this.deps.dispatcher.dispatch(event.data);
    } catch (err) {
      await markInboxFailed(this.deps.db, row, (err as Error).message, this.deps.clock.now(), false);
      this.deps.log.warn('inbox event failed, will retry', {
        platform: row.platform,
        eventId: row.eventId,
        attempts: row.attempts + 1,
        error: (err as Error).message,
      });
      return false;
    }
    await markHandled(this.deps.db, row, this.deps.clock.now());
    return true;
  }
}
