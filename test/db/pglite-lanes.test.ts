import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { acceptEvent } from '../../db/repos/inbox-repo.js';
import { freshDatabase } from '../helpers/databases.js';

// The embedded database only: it has one connection shared by the acknowledgements and the
// runners (on Postgres `urgent` is the same pool of connections as `db`, nothing queues).
describe('the embedded database: acknowledgements before background work (pglite)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase('pglite');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('an urgent statement runs as soon as the running transaction ends, before background transactions that queued earlier', async () => {
    const order: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const first = database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      started();
      await gate;
      order.push('background 1');
    });
    await running;
    const second = database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      order.push('background 2');
    });
    const third = database.db.execute(sql`select 1`).then(() => order.push('background 3'));
    const ack = acceptEvent(
      database.urgent,
      { platform: 'test', eventId: 'e1', payload: {} },
      new Date(),
    ).then(() => order.push('urgent'));
    release();
    await Promise.all([first, second, third, ack]);
    expect(order).toEqual(['background 1', 'urgent', 'background 2', 'background 3']);
  });

  it('a long run of statements lets the event loop read the network between them', async () => {
    let looped = false;
    let statementsBefore = -1;
    let done = 0;
    const work = database.db.transaction(async (tx) => {
      for (let i = 0; i < 50; i++) {
        await tx.execute(sql`select 1`);
        done++;
      }
    });
    // An I/O callback (what reads a webhook) wants to run meanwhile.
    setImmediate(() => {
      looped = true;
      statementsBefore = done;
    });
    await work;
    expect(looped).toBe(true);
    expect(statementsBefore).toBeLessThan(50);
  });
});
