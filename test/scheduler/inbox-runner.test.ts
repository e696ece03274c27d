import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { acceptEvent } from '../../db/repos/inbox-repo.js';
import { insertSandboxMessage } from '../../db/repos/sandbox-repo.js';
import { inbox, items } from '../../db/schema.js';
import type { InboundEvent, InboundMessage } from '../../src/bot/event.js';
import { silentLogger } from '../../src/log.js';
import { InboxRunner } from '../../src/scheduler/inbox-runner.js';
import { DB_KINDS } from '../helpers/databases.js';
import { textOf, useHarness } from '../helpers/harness.js';

describe.each(DB_KINDS)('inbox: events accepted, then handled (%s)', (kind) => {
  const t = useHarness(kind);

  /** A sandbox message and its event as the adapter stores them, as if the process died right after. */
  async function acceptedOnly(text: string, sentAt: Date, eventId?: string): Promise<InboundMessage> {
    const row = await insertSandboxMessage(t.h.db, {
      chatId: 'sb-lobby',
      senderPersonId: 'cac-ofc-1',
      senderName: '李自林',
      replyTo: null,
      threadRoot: null,
      content: { kind: 'text', parts: [{ t: 'text', v: text }] },
      createdAt: sentAt,
      sendKey: null,
    });
    const event: InboundMessage = {
      kind: 'message',
      platform: 'sandbox',
      eventId: eventId ?? `msg-${row.id}`,
      chatId: 'sb-lobby',
      chatType: 'group',
      messageId: String(row.id),
      sender: { id: 'cac-ofc-1', name: '李自林' },
      text,
      mentions: [],
      addressed: false,
      sentAt,
    };
    expect(
      await acceptEvent(t.h.db, { platform: 'sandbox', eventId: event.eventId, payload: event }, sentAt),
    ).toBe(true);
    return event;
  }

  it('an event accepted before a crash is handled once when the runner catches up; a redelivery is refused', async () => {
    const { h } = t;
    const event = await acceptedOnly('/上报 “崩溃前的上报” 类别:教育', h.clock.now());
    expect(
      await acceptEvent(h.db, { platform: 'sandbox', eventId: event.eventId, payload: event }, h.clock.now()),
    ).toBe(false);
    await h.settle();
    expect(textOf(await h.replyTo('sb-lobby', event.messageId))).toContain('《崩溃前的上报》');
    await h.settle();
    expect(await h.db.select().from(items).where(eq(items.title, '崩溃前的上报'))).toHaveLength(1);
    const [row] = await h.db.select().from(inbox).where(eq(inbox.eventId, event.eventId));
    expect(row).toMatchObject({ status: 'done', attempts: 0 });
  });

  it('an event handled late counts from when it was sent: 事发, report time and item number', async () => {
    const { h } = t;
    const sentAt = new Date('2026-11-21T15:50:00Z'); // 23:50 on 11-21 in Shanghai
    const event = await acceptedOnly('/上报 “深夜上报” 类别:价格 事发:30分钟前', sentAt);
    await h.settle(); // the clock says 11-22 11:00 by now
    const reply = textOf(await h.replyTo('sb-lobby', event.messageId));
    expect(reply).toContain('已上报 YQ20261121-001《深夜上报》');
    const [item] = await h.db.select().from(items).where(eq(items.title, '深夜上报'));
    expect(item?.occurredAt).toEqual(new Date('2026-11-21T15:20:00Z'));
    expect(item?.reportedAt).toEqual(sentAt);
  });

  it('plain chat is marked handled and never looked at again', async () => {
    const { h } = t;
    const event = await acceptedOnly('大家辛苦了', h.clock.now());
    await h.settle();
    const [row] = await h.db.select().from(inbox).where(eq(inbox.eventId, event.eventId));
    expect(row?.status).toBe('done');
    expect((await h.messages('sb-lobby')).filter((m) => m.replyTo === event.messageId)).toEqual([]);
  });

  it('a failed handling is retried with backoff until it succeeds', async () => {
    const { h } = t;
    const event = await acceptedOnly('/帮助', h.clock.now(), 'flaky-1');
    const seen: InboundEvent[] = [];
    let failures = 1;
    const runner = new InboxRunner({
      db: h.db,
      clock: h.clock,
      log: silentLogger,
      dispatcher: {
        async dispatch(e) {
          if (failures-- > 0) throw new Error('connection terminated');
          seen.push(e);
          return { status: 'ignored' };
        },
      },
    });
    expect(await runner.drain()).toBe(0);
    let [row] = await h.db.select().from(inbox).where(eq(inbox.eventId, 'flaky-1'));
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'connection terminated' });
    expect(await runner.drain()).toBe(0); // not due yet
    h.clock.advance(1_000);
    expect(await runner.drain()).toBe(1);
    [row] = await h.db.select().from(inbox).where(eq(inbox.eventId, 'flaky-1'));
    expect(row?.status).toBe('done');
    expect(seen).toEqual([{ ...event, sentAt: event.sentAt }]);
  });

  it('an event that can never be read is set aside as dead, with the reason', async () => {
    const { h } = t;
    await acceptEvent(
      h.db,
      { platform: 'sandbox', eventId: 'garbled-1', payload: { kind: 'message' } },
      h.clock.now(),
    );
    await h.settle();
    const [row] = await h.db.select().from(inbox).where(eq(inbox.eventId, 'garbled-1'));
    expect(row?.status).toBe('dead');
    expect(row?.lastError).toContain('invalid event');
  });
});
