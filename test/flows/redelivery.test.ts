import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { items } from '../../db/schema.js';
import { insertSandboxMessage } from '../../src/adapters/sandbox/store.js';
import { DB_KINDS } from '../helpers/databases.js';
import { textOf, useHarness } from '../helpers/harness.js';

describe.each(DB_KINDS)('a message stored but never handled (%s)', (kind) => {
  const t = useHarness(kind);

  it('is handled once when the service catches up, and plain chat is left alone', async () => {
    const { h } = t;
    // The process died after the sandbox stored the messages and before the bot handled them.
    const stored = (text: string) =>
      insertSandboxMessage(h.db, {
        chatId: 'sb-lobby',
        senderPersonId: 'cac-ofc-1',
        senderName: '李自林',
        replyTo: null,
        threadRoot: null,
        content: { kind: 'text', parts: [{ t: 'text', v: text }] },
        createdAt: h.clock.now(),
        sendKey: null,
      });
    const lost = await stored('/上报 “崩溃前的上报” 类别:教育');
    await stored('大家好');

    // Too recent to be anything but in flight.
    expect(await h.service.redeliver(30_000)).toBe(0);

    h.clock.advance(60_000);
    expect(await h.service.redeliver(30_000)).toBe(1);
    await h.service.outbox.drain();
    expect(textOf(await h.replyTo('sb-lobby', String(lost.id)))).toContain(
      '已上报 YQ20261122-001《崩溃前的上报》',
    );

    expect(await h.service.redeliver(0)).toBe(0);
    const rows = await h.db.select().from(items).where(eq(items.title, '崩溃前的上报'));
    expect(rows).toHaveLength(1);
  });
});
