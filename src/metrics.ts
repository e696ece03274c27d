import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import { itemCountsByState } from '../db/repos/item-repo.js';
import { backlog } from '../db/repos/outbox-repo.js';
import { countDeadLetters } from '../db/repos/retention-repo.js';
import { ITEM_STATES } from './core/item-state.js';

// The process metrics (CPU, memory, event loop, GC) exist once per process: collected into one
// registry and shared by every service's registry. Calling collectDefaultMetrics per service
// would add a GC observer and an event-loop monitor each time, and tests start many services.
let processMetrics: Registry | null = null;
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/**
 * One service's Prometheus metrics, in a registry of its own (not prom-client's global one):
 * counters and latency histograms kept in this process, gauges read from the database at scrape time.
 */
export class Metrics {
  /** This service's metrics and the process metrics. */
  readonly register: Registry;
  private readonly received: Counter<'platform'>;
  private readonly ack: Histogram<'platform'>;
  private readonly eventToSend: Histogram<'platform'>;

  constructor(db: Db) {
    const own = new Registry();
    const registers = [own];
    this.received = new Counter({
      name: 'huiyin_events_received_total',
      help: 'Inbound platform events received by this process.',
      labelNames: ['platform'],
      registers,
    });
    this.ack = new Histogram({
      name: 'huiyin_ack_seconds',
      help: 'From an inbound platform request or event reaching its adapter to its acknowledgement.',
      labelNames: ['platform'],
      // Feishu re-sends what is not acknowledged within 3 s.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers,
    });
    this.eventToSend = new Histogram({
      name: 'huiyin_event_to_send_seconds',
      help: 'From the event that caused an outbound message (its sent time) to the message being sent.',
      labelNames: ['platform'],
      // Seconds normally; minutes when a platform rate-limits or a send is retried with backoff.
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    new Gauge({
      name: 'huiyin_items',
      // The open states are counted through an index; 已办结 is derived (see itemCountsByState).
      help: 'Items by state.',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = new Map((await itemCountsByState(db)).map((r) => [r.state, r.n]));
        for (const state of Object.keys(ITEM_STATES)) this.set({ state }, counts.get(state) ?? 0);
      },
    });
    new Gauge({
      name: 'huiyin_outbox_backlog',
      help: 'Outbound messages waiting to be sent.',
      registers,
      async collect() {
        this.set(await backlog(db));
      },
    });
    new Gauge({
      name: 'huiyin_dead_letters',
      help: "Rows set aside as 'dead' after their last attempt, by queue (timers, outbox, inbox): each needs an operator.",
      labelNames: ['queue'],
      registers,
      async collect() {
        const dead = await countDeadLetters(db);
        for (const queue of ['timers', 'outbox', 'inbox'] as const) this.set({ queue }, dead[queue]);
      },
    });
    this.register = Registry.merge([own, processRegistry()]);
  }

  eventReceived(platform: string): void {
    this.received.inc({ platform });
  }

  /** Starts timing an inbound event's acknowledgement (a monotonic timer); call the result once acknowledged. */
  ackTimer(platform: string): () => void {
    const end = this.ack.startTimer({ platform });
    return () => {
      end();
    };
  }

  /** A queued message went out at `sentAt`; `eventAt` is the time of the event that caused it. */
  messageSent(platform: string, eventAt: Date, sentAt: Date): void {
    this.eventToSend.observe({ platform }, Math.max(0, sentAt.getTime() - eventAt.getTime()) / 1000);
  }

  /** Prometheus text exposition format 0.0.4 (`register.contentType`). */
  render(): Promise<string> {
    return this.register.metrics();
  }
}
