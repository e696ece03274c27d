import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { registerFlows } from '../../../bot-flows/index.js';
import { DEFAULT_POLICY_PACK, policyPack } from '../../../bot-flows/policies/index.js';
import { readOrgFile } from '../../../db/org-file.js';
import { importOrg, loadOrg } from '../../../db/repos/org-repo.js';
import { clocks, items, outbox } from '../../../db/schema.js';
import { Dispatcher } from '../../../src/bot/dispatcher.js';
import type { InboundMessage } from '../../../src/bot/event.js';
import { silentLogger } from '../../../src/log.js';
import { DEMO_ORG_FILE } from '../../../src/service.js';
import { FakeClock } from '../../helpers/clock.js';
import { type CountingDatabase, useCountingDatabase } from '../../helpers/counting-database.js';
import { DB_KINDS } from '../../helpers/databases.js';

const now = new Date('2026-11-22T03:00:00Z');

// The statements of one /上报's handling, whatever its units and clocks: the de-duplication
// mark, the sender and chat, the day's counter, the item, its units, its clocks, their timers,
// the units' groups, the people to @-mention, every outbound message in one insert, the audit
// event. (Transaction control comes on top: BEGIN, SAVEPOINT, RELEASE, COMMIT.)
const MAX_STATEMENTS = 11;
const TRANSACTION_CONTROL = /^\s*(begin|commit|savepoint|release savepoint)\b/i;

const message = (eventId: string, chatId: string, sender: string, text: string): InboundMessage => ({
  kind: 'message',
  platform: 'sandbox',
  eventId,
  chatId,
  chatType: 'group',
  messageId: `m-${eventId}`,
  sender: { id: sender },
  text,
  mentions: [],
  addressed: true,
  sentAt: now,
});

describe.each(DB_KINDS)('the statements of one /上报 (%s)', (kind) => {
  const ctx = useCountingDatabase(kind);
  let c: CountingDatabase;
  let dispatcher: Dispatcher;

  beforeEach(async () => {
    c = ctx.c;
    await importOrg(c.db, readOrgFile(DEMO_ORG_FILE), now);
    const org = await loadOrg(c.db);
    dispatcher = registerFlows(
      new Dispatcher({
        db: c.db,
        pack: policyPack(DEFAULT_POLICY_PACK),
        org: async () => org,
        clock: new FakeClock(now),
        log: silentLogger,
      }),
    );
  });

  /** Dispatches one event and returns the statements its handling sent (transaction control aside). */
  const handled = async (event: InboundMessage) => {
    c.reset();
    expect(await dispatcher.dispatch(event)).toMatchObject({ status: 'handled' });
    const own = c.statements.filter((s) => !TRANSACTION_CONTROL.test(s));
    return { own, wire: c.wire ? [...c.wire] : null };
  };

  it.each([
    [
      'a plain report from an unbound group',
      'sb-lobby',
      'cac-ofc-1',
      '/上报 “某小学食堂饭菜变质” 类别:教育 级别:较大',
    ],
    [
      'a 重大 report with two departments, their coordinators, three 抄送 offices and several clocks',
      'sb-cac',
      'cac-ofc-2',
      '/上报 “校园周边治安” 涉事:省教育厅、省公安厅 级别:重大 突发 伤亡',
    ],
  ])('%s takes at most a fixed number of statements and one commit', async (_name, chatId, sender, text) => {
    const { own, wire } = await handled(message('ev-1', chatId, sender, text));
    expect(own.length, own.join('\n')).toBeLessThanOrEqual(MAX_STATEMENTS);
    if (wire) {
      const commits = wire.filter((s) => /^\s*commit\b/i.test(s));
      expect(commits).toHaveLength(1);
      expect(wire.length, wire.join('\n')).toBeLessThanOrEqual(MAX_STATEMENTS + 4);
    }
    // And it did the whole job: the item, its clocks and every message, in those statements.
    const [item] = await c.db.select().from(items);
    expect(item?.number).toBe('YQ20261122-001');
    expect(
      (
        await c.db
          .select()
          .from(clocks)
          .where(eq(clocks.itemId, item?.id as number))
      ).length,
    ).toBeGreaterThan(0);
    const queued = await c.db.select().from(outbox);
    // A card per responsible unit, a notice per other unit, the clock card and the confirmation.
    expect(queued.length).toBeGreaterThanOrEqual(4);
  });

  it('costs the same for an item with many units and clocks as for a plain one', async () => {
    const plain = await handled(message('ev-1', 'sb-lobby', 'cac-ofc-1', '/上报 “食堂饭菜变质” 类别:教育'));
    const large = await handled(
      message(
        'ev-2',
        'sb-cac',
        'cac-ofc-2',
        '/上报 “校园周边治安” 涉事:省教育厅、省公安厅 级别:重大 突发 伤亡',
      ),
    );
    expect(large.own.length).toBe(plain.own.length);
  });
});
