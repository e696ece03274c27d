import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { registerFlows } from '../../bot-flows/index.js';
import { DEFAULT_POLICY_PACK, policyPack } from '../../bot-flows/policies/index.js';
import { type Database, openDatabase } from '../../db/client.js';
import { readOrgFile } from '../../db/org-file.js';
import { importOrg, loadOrg } from '../../db/repos/org-repo.js';
import { items } from '../../db/schema.js';
import { scratchDatabase } from '../../db/scratch.js';
import { Dispatcher } from '../../src/bot/dispatcher.js';
import type { InboundMessage } from '../../src/bot/event.js';
import { silentLogger } from '../../src/log.js';
import { DEMO_ORG_FILE } from '../../src/service.js';
import { FakeClock } from '../helpers/clock.js';
import { PgProxy } from '../helpers/pg-proxy.js';

// Postgres only: round trips are what a networked database charges for. The service's own
// client (db/client.ts) reaches the server through a proxy that counts what the client sends.

const now = new Date('2026-11-22T03:00:00Z');

const report = (eventId: string): InboundMessage => ({
  kind: 'message',
  platform: 'sandbox',
  eventId,
  chatId: 'sb-cac',
  chatType: 'group',
  messageId: `m-${eventId}`,
  sender: { id: 'cac-ofc-2' },
  text: `/上报 “校园周边治安${eventId}” 涉事:省教育厅、省公安厅 级别:重大 突发`,
  mentions: [],
  addressed: true,
  sentAt: now,
});

describe('round trips to Postgres', () => {
  let scratch: Database & { url: string };
  let proxy: PgProxy;
  let database: Database;

  beforeEach(async () => {
    scratch = await scratchDatabase(inject('pgUrl'), { prefix: 'huiyin_t' });
    const pg = new URL(inject('pgUrl'));
    proxy = await new PgProxy({ host: pg.hostname, port: Number(pg.port || 5432) }).start();
    // One connection, so every statement below goes over the one counted socket.
    database = await openDatabase({
      databaseUrl: proxy.url(new URL(scratch.url).pathname.slice(1)),
      maxConnections: 1,
    });
  });
  afterEach(async () => {
    await database?.close();
    await proxy?.close();
    await scratch?.close();
  });

  it('a statement with parameters takes one round trip once the connection has prepared it', async () => {
    const find = () => database.db.select().from(items).where(eq(items.number, 'YQ20261122-001'));
    await find();
    proxy.roundTrips = 0;
    await find();
    await find();
    // Unprepared, postgres.js would first ask the server to describe it: two each.
    expect(proxy.roundTrips).toBe(2);
  });

  it('a /上报 takes at most 7 round trips: its independent statements go out together, the COMMIT behind the numbering', async () => {
    await importOrg(database.db, readOrgFile(DEMO_ORG_FILE), now);
    const org = await loadOrg(database.db);
    const dispatcher = registerFlows(
      new Dispatcher({
        db: database.db,
        pack: policyPack(DEFAULT_POLICY_PACK),
        org: async () => org,
        clock: new FakeClock(now),
        log: silentLogger,
      }),
    );
    // The first one prepares the statements on the connection.
    expect(await dispatcher.dispatch(report('ev-1'))).toMatchObject({ status: 'handled' });
    proxy.roundTrips = 0;
    expect(await dispatcher.dispatch(report('ev-2'))).toMatchObject({ status: 'handled' });
    // BEGIN; the de-duplication mark, the sender and the savepoint; the item; the units' groups,
    // the people to @-mention, the item's units and its clocks; the audit event, the clocks'
    // timers and the messages; the number with the COMMIT right behind it. That is six waits; the
    // proxy counts seven, as postgres.js writes a statement past 1 KB out at once and the server
    // answers the timers before the messages (15 KB here) reach it. One after another these were 15.
    expect(proxy.roundTrips).toBeLessThanOrEqual(7);
    const numbers = (await database.db.select({ number: items.number }).from(items)).map((r) => r.number);
    expect(numbers.sort()).toEqual(['YQ20261122-001', 'YQ20261122-002']);
  });
});
