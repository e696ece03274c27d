import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itemEvents, items, outbox } from '../../../db/schema.js';
import { FakeClock } from '../../helpers/clock.js';
import { DB_KINDS, useDatabase } from '../../helpers/databases.js';
import {
  ENCRYPT_KEY,
  feishuRequest,
  messageEvent,
  type SentMessage,
  startFeishuService,
} from '../../helpers/fake-feishu.js';
import { feishuEnvelope, fixtureOrg } from '../../helpers/fixtures.js';

// People outside the org directory can only reach the bot on a real platform (the sandbox lets
// one speak only as someone in the directory), so this drives the Feishu webhook.
const ORG = fixtureOrg('feishu-edu');
const TITLE = '某小学食堂饭菜变质';
const STRANGER = 'ou_stranger';

/** The callback value of the button labelled `label` on a Feishu card. */
function buttonValue(card: SentMessage, label: string): Record<string, unknown> {
  const elements = (card.content as { body: { elements: { tag: string; columns?: unknown[] }[] } }).body
    .elements;
  const columns = elements.find((e) => e.tag === 'column_set')?.columns as {
    elements: { text: { content: string }; behaviors: { value: Record<string, unknown> }[] }[];
  }[];
  const button = columns.map((c) => c.elements[0]).find((b) => b?.text.content === label);
  if (!button) throw new Error(`no button ${label}`);
  return button.behaviors[0]?.value as Record<string, unknown>;
}

describe.each(DB_KINDS)('people outside the org directory (%s)', (kind) => {
  const db = useDatabase(kind);
  let started: Awaited<ReturnType<typeof startFeishuService>>;
  let clock: FakeClock;
  let n = 0;
  beforeEach(async () => {
    clock = new FakeClock('2026-11-22T03:00:00Z');
    started = await startFeishuService(db.database, ORG, 'cli_test', clock);
  });
  afterEach(() => started?.close());

  const settle = async () => {
    for (;;) {
      if ((await started.service.inbox.drain()) + (await started.service.outbox.drain()) > 0) continue;
      const [held] = await db.database.db
        .select({ n: count() })
        .from(outbox)
        .where(eq(outbox.status, 'pending'));
      if (!held?.n) return;
      clock.advance(1000);
    }
  };
  const say = async (openId: string, chatId: string, text: string) => {
    const id = ++n;
    const messageId = `om_out_${id}`;
    started.fake.userMessages.set(messageId, chatId);
    const event = messageEvent({
      eventId: `ev_out_${id}`,
      messageId,
      chatId,
      senderOpenId: openId,
      text: `@_user_1 ${text}`,
      mentions: [{ key: '@_user_1', openId: started.fake.botOpenId, name: '回音' }],
      at: clock.now(),
    });
    const res = await started.service.app.request('/feishu/events', {
      method: 'POST',
      ...feishuRequest(ENCRYPT_KEY, event, clock.now()),
    });
    expect(res.status).toBe(200);
    await settle();
    return started.fake.messages
      .filter((m) => m.replyTo === messageId)
      .map((m) => String(m.content.text))
      .join('\n');
  };
  /** Everything in the database that a command could change. */
  const snapshot = async () => ({
    items: await db.database.db.select().from(items),
    events: (await db.database.db.select({ n: count() }).from(itemEvents))[0]?.n,
  });

  it('/查询, /列表 全部 and /上报 are refused with how to be added, and reveal and change nothing', async () => {
    await say('ou_officer', 'oc_lobby', `/上报 “${TITLE}” 类别:教育`);
    const before = await snapshot();
    const sentBefore = started.fake.messages.length;

    for (const [chat, command] of [
      ['oc_lobby', '/查询 YQ20261122-001'],
      ['oc_edu', '/查询 YQ20261122-001'],
      ['oc_lobby', '/列表 全部'],
      ['oc_edu', '/列表'],
      ['oc_lobby', `/上报 “外人上报的舆情” 类别:教育`],
      ['oc_lobby', '你好'],
    ] as const) {
      const reply = await say(STRANGER, chat, command);
      expect(reply, command).toContain('你不在回音的组织目录中');
      expect(reply, command).toContain('政务公开办公室或回音管理员');
      expect(reply, command).toContain(`用户 ID：${STRANGER}`);
      expect(reply, command).not.toContain(TITLE);
      expect(reply, command).not.toContain('用法');
    }
    // Only the refusals were sent, each as a reply to the stranger.
    const sent = started.fake.messages.slice(sentBefore);
    expect(sent).toHaveLength(6);
    expect(sent.every((m) => m.replyTo?.startsWith('om_out_'))).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('/帮助 still answers them', async () => {
    const reply = await say(STRANGER, 'oc_lobby', '/帮助');
    expect(reply).toContain('回音舆情助手 · 命令');
  });

  it('a click on an item card is refused with a toast, and changes and reveals nothing', async () => {
    await say('ou_officer', 'oc_lobby', `/上报 “${TITLE}” 类别:教育`);
    const card = started.fake.inChat('oc_edu').find((m) => m.msgType === 'interactive');
    if (!card) throw new Error('no item card');
    const before = await snapshot();
    const sentBefore = started.fake.messages.length;
    const patchesBefore = started.fake.patches.length;

    for (const label of ['认领', '刷新']) {
      const callback = feishuEnvelope('card-action', {
        header: { event_id: `card_out_${label}` },
        event: {
          operator: { open_id: STRANGER },
          action: { tag: 'button', value: buttonValue(card, label) },
          context: { open_message_id: card.messageId, open_chat_id: 'oc_edu' },
        },
      });
      const res = await started.service.app.request('/feishu/card', {
        method: 'POST',
        ...feishuRequest(ENCRYPT_KEY, callback, clock.now()),
      });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { toast: { type: string; content: string }; card?: unknown };
      expect(answer.toast.type).toBe('error');
      expect(answer.toast.content).toContain('你不在回音的组织目录中');
      expect(answer.card).toBeUndefined();
      await settle();
    }
    expect(started.fake.messages.length).toBe(sentBefore);
    expect(started.fake.patches.length).toBe(patchesBefore);
    expect(await snapshot()).toEqual(before);
  });
});
