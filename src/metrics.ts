import type { Db } from '../db/client.js';
import { countByState } from '../db/repos/item-repo.js';
import { backlog } from '../db/repos/outbox-repo.js';
import { ITEM_STATES } from './core/item-state.js';

/** Process-local counters; the gauges are read from the database at scrape time. */
export class Metrics {
  private readonly received = new Map<string, number>();

  eventReceived(platform: string): void {
    this.received.set(platform, (this.received.get(platform) ?? 0) + 1);
  }

  /** Prometheus text exposition format 0.0.4. */
  async render(db: Db): Promise<string> {
    const out: string[] = [];
    out.push('# HELP huiyin_events_received_total Inbound platform events received by this process.');
    out.push('# TYPE huiyin_events_received_total counter');
    for (const [platform, n] of this.received)
      out.push(`huiyin_events_received_total{platform="${platform}"} ${n}`);

    out.push('# HELP huiyin_items Items by state.');
    out.push('# TYPE huiyin_items gauge');
    const counts = new Map((await countByState(db)).map((r) => [r.state, r.n]));
    for (const state of Object.keys(ITEM_STATES))
      out.push(`huiyin_items{state="${state}"} ${counts.get(state) ?? 0}`);

    out.push('# HELP huiyin_outbox_backlog Outbound messages waiting to be sent.');
    out.push('# TYPE huiyin_outbox_backlog gauge');
    out.push(`huiyin_outbox_backlog ${await backlog(db)}`);
    return `${out.join('\n')}\n`;
  }
}
