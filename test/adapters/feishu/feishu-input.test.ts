import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inbox, items, outbox } from '../../../db/schema.js';
import { FakeClock } from '../../helpers/clock.js';
import { DB_KINDS, useDatabase } from '../../helpers/databases.js';
import { ENCRYPT_KEY, feishuRequest, messageEvent, startFeishuService } from '../../helpers/fake-feishu.js';
import { fixtureOrg } from '../../helpers/fixtures.js';
import { activeMarkdown, decodeEntities } from '../../helpers/markdown.js';

const ORG = fixtureOrg('feishu-edu');

describe.each(DB_KINDS)('what users type, through the Feishu webhook (%s)', (kind) => {
  const db = useDatabase(kind);
  let started: Awaited<ReturnType<typeof startFeishuService>>;
  let clock: FakeClock;
  let n = 0;
  beforeEach(async () => {
    clock = new FakeClock('2026-11-22T03:00:00Z');
    started = await startFeishuService(db.database, ORG, 'cli_test', clock);
  });
  afterEach(() => started?.close());

  /** Delivers everything; messages held back by the 5-per-second chat limit go a second later. */
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
  /** Sends `text` as `openId` in `chatId`, @-mentioning the bot; then lets the bot answer. */
  const say = async (openId: string, chatId: string, text: string) => {
    const id = ++n;
    const messageId = `om_in_${id}`;
    started.fake.userMessages.set(messageId, chatId);
    const event = messageEvent({
      eventId: `ev_in_${id}`,
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
    await settle();
    const replies = started.fake.messages.filter((m) => m.replyTo === messageId);
    return {
      status: res.status,
      messageId,
      replies,
      text: replies.map((r) => String(r.content.text)).join('\n'),
    };
  };

  it.each([
    ['a NUL', '食堂\u0000饭菜变质', '食堂饭菜变质'],
    ['other control characters', '食堂\u0007饭菜\u001B变质\u007F', '食堂饭菜变质'],
    ['a lone surrogate', '食堂\uD800饭菜变质', '食堂\uFFFD饭菜变质'],
  ])('a report with %s in it is accepted, stored and answered', async (_name, typed, stored) => {
    const r = await say('ou_officer', 'oc_lobby', `/上报 “${typed}” 类别:教育`);
    expect(r.status).toBe(200);
    expect(r.text).toContain(`✅ 已上报 YQ20261122-001《${stored}》`);
    const [item] = await db.database.db.select().from(items);
    expect(item?.title).toBe(stored);
    const [row] = await db.database.db
      .select()
      .from(inbox)
      .where(eq(inbox.eventId, `ev_in_${n}`));
    expect(JSON.stringify(row?.payload)).not.toMatch(/\\u0000|\\ud800/i);
  });

  it('a title with bidi overrides and zero-width characters is stored and shown as it reads', async () => {
    const r = await say('ou_officer', 'oc_lobby', '/上报 “某校\u202E知通课停\u202C\u200B通报” 类别:教育');
    expect(r.text).toContain('《某校知通课停通报》');
    const [card] = started.fake.inChat('oc_edu');
    if (!card) throw new Error('no item card');
    const header = (card.content as { header: { title: { content: string } } }).header.title.content;
    expect(header).toBe('舆情 YQ20261122-001｜某校知通课停通报');
    expect(JSON.stringify(card.content)).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200D\uFEFF]/);
  });

  it('a 150,000-character message with unclosed quotes is answered 消息过长 with the usage of /上报', async () => {
    const r = await say('ou_officer', 'oc_lobby', `/上报 ${'“ '.repeat(75_000)}`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('❌ 消息过长（150');
    expect(r.text).toContain('单条命令不能超过 2000 字');
    expect(r.text).toContain('用法：/上报');
    expect(await db.database.db.select().from(items)).toEqual([]);
  });

  it('a multi-line 口径 with headings, rules and a link shows as literal text on the approval card', async () => {
    await say('ou_officer', 'oc_lobby', '/上报 “食堂饭菜变质” 类别:教育');
    expect((await say('ou_spk', 'oc_edu', '/认领 YQ20261122-001')).text).not.toContain('❌');
    const wording = '经核查，网传不实。\n# 标题\n---\n[点我](https://evil.example)\n1. 一\n- 二';
    const r = await say('ou_spk', 'oc_edu', `/口径 YQ20261122-001 ${wording}`);
    expect(r.text).not.toContain('❌');
    const approval = started.fake
      .inChat('oc_edu')
      .find((m) => m.msgType === 'interactive' && JSON.stringify(m.content).includes('口径审核'));
    if (!approval) throw new Error('no approval card');
    const elements = (approval.content as { body: { elements: { tag: string; content: string }[] } }).body
      .elements;
    const markdown = elements.filter((e) => e.tag === 'markdown').map((e) => e.content);
    expect(markdown.some((md) => decodeEntities(md).includes(wording))).toBe(true);
    for (const md of markdown) expect(activeMarkdown(md)).toEqual([]);
  });
});
