import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket | null;
  /** Bytes held while frozen, each way. */
  toServer: Buffer[];
  toClient: Buffer[];
  /** The server has answered since the client last sent. */
  answered: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a Postgres server, to take the database away under a
 * running service: `freeze()` stops forwarding but keeps every socket open (a stopped process
 * or a dead network: no error ever comes), `stop()` closes every socket and refuses new ones
 * (the server is down), `resume()` and `start()` undo them. It also counts what clients send
 * (`roundTrips`), to see what a piece of work costs in round trips.
 */
export class PgProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private frozen = false;
  private port = 0;
  /** Round trips the clients made: sends to the server, counting those before its next answer as one. */
  roundTrips = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** A postgres:// URL to `database` through the proxy. */
  url(database: string, user = 'postgres'): string {
    return `postgres://${user}@127.0.0.1:${this.port}/${database}`;
  }

  /** Listens (again, on the same port after a stop). */
  async start(): Promise<this> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  freeze(): void {
    this.frozen = true;
  }

  resume(): void {
    this.frozen = false;
    for (const pair of this.pairs) {
      if (!pair.upstream) this.connectUpstream(pair);
      this.flush(pair);
    }
  }

  /** Closes every connection and refuses new ones until `start()`. */
  async stop(): Promise<void> {
    for (const pair of this.pairs) this.drop(pair);
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close = () => this.stop();

  private accept(client: Socket): void {
    const pair: Pair = { client, upstream: null, toServer: [], toClient: [], answered: true };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      // A send after an answer (or the first) begins a round trip; more before the answer join it.
      if (pair.answered) this.roundTrips++;
      pair.answered = false;
      pair.toServer.push(chunk);
      if (!this.frozen) this.flush(pair);
    });
    client.on('error', () => this.drop(pair));
    client.on('close', () => this.drop(pair));
    if (!this.frozen) this.connectUpstream(pair);
  }

  private connectUpstream(pair: Pair): void {
    const upstream = tcpConnect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => {
      pair.answered = true;
      pair.toClient.push(chunk);
      if (!this.frozen) this.flush(pair);
    });
    upstream.on('error', () => this.drop(pair));
    upstream.on('close', () => this.drop(pair));
  }

  private flush(pair: Pair): void {
    if (pair.upstream) for (const chunk of pair.toServer.splice(0)) pair.upstream.write(chunk);
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}
