import type { PGlite, QueryOptions, Transaction } from '@electric-sql/pglite';

export type Lane = 'urgent' | 'background';

// PGlite runs each statement synchronously on the main thread, and a statement's promise is
// settled before any I/O is read: a runner chaining transactions by promises alone keeps the
// event loop from ever reaching the network, so webhooks are not even read until the backlog is
// gone. Each statement therefore first lets the loop turn once.
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The one embedded connection, shared by two lanes: a statement or transaction of the urgent
 * lane (acknowledging a platform request) runs as soon as the current one ends, before any
 * background work (the runners) that is waiting. Nothing is reordered within a lane.
 */
export class PgliteLanes {
  private busy = false;
  private readonly waiting: Record<Lane, (() => void)[]> = { urgent: [], background: [] };

  constructor(private readonly pg: PGlite) {}

  /** A client for drizzle's PGlite driver whose statements and transactions queue in `lane`. */
  client(lane: Lane): PGlite {
    const client = {
      query: (query: string, params?: unknown[], options?: object) =>
        this.run(lane, () => this.pg.query(query, params, options)),
      transaction: <T>(fn: (tx: Transaction) => Promise<T>) =>
        this.run(lane, () =>
          this.pg.transaction(async (tx) => {
            const lane = yielding(tx);
            // Statements a flow issued and did not wait for (ctx.commitWith) end before the
            // COMMIT or ROLLBACK, inside the transaction, as on Postgres where they precede it on the wire.
            try {
              return await fn(lane.tx);
            } finally {
              await lane.settled();
            }
          }),
        ),
    };
    // drizzle's driver only calls query() and transaction().
    return client as unknown as PGlite;
  }

  private async run<T>(lane: Lane, work: () => Promise<T>): Promise<T> {
    // Queued in call order; the turn comes once it is this one's go.
    await this.acquire(lane);
    try {
      await turn();
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(lane: Lane): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting[lane].push(resolve));
  }

  private release(): void {
    const next = this.waiting.urgent.shift() ?? this.waiting.background.shift();
    if (next) next();
    else this.busy = false;
  }
}

/**
 * A transaction whose statements each let the event loop turn first (see `turn`), one after
 * the other: a flow may issue several at once (on Postgres they share a round trip).
 */
function yielding(tx: Transaction): { tx: Transaction; settled: () => Promise<unknown> } {
  let last: Promise<unknown> = Promise.resolve();
  const query: Transaction['query'] = <T>(q: string, params?: unknown[], options?: QueryOptions) => {
    const run = last.then(turn).then(() => tx.query<T>(q, params, options));
    last = run.catch(() => undefined);
    return run;
  };
  return {
    tx: new Proxy(tx, { get: (target, key) => (key === 'query' ? query : Reflect.get(target, key)) }),
    settled: () => last,
  };
}
