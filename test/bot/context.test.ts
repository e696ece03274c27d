import { asc } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_PACK, policyPack } from '../../bot-flows/policies/index.js';
import { readOrgFile } from '../../db/org-file.js';
import { findActor, importOrg, loadOrg } from '../../db/repos/org-repo.js';
import { outbox } from '../../db/schema.js';
import { BotContext } from '../../src/bot/context.js';
import type { CardActionEvent, InboundEvent, InboundMessage } from '../../src/bot/event.js';
import { type CardSpec, textMessage } from '../../src/core/message.js';
import { useDatabase } from '../helpers/databases.js';
import { fixtureOrg } from '../helpers/fixtures.js';

const now = new Date('2026-11-22T03:00:00Z');

const message: InboundMessage = {
  kind: 'message',
  platform: 'feishu',
  eventId: 'ev-1',
  chatId: 'oc_lobby',
  chatType: 'group',
  messageId: 'om_user_1',
  sender: { id: 'ou_officer', name: '李自林' },
  text: '/帮助',
  mentions: [],
  addressed: true,
  sentAt: now,
};

const click: CardActionEvent = {
  kind: 'card_action',
  platform: 'feishu',
  eventId: 'card-1',
  chatId: 'oc_edu',
  messageId: 'om_card_1',
  operator: { id: 'ou_ldr' },
  value: { a: 'refresh', item: 1, v: 1 },
};

const card: CardSpec = { title: '舆情 YQ20261122-001｜标题', fields: [], body: [], buttons: [] };

describe('BotContext verbs (queued in the outbox, in the event transaction)', () => {
  const t = useDatabase('pglite');

  beforeEach(async () => {
    await importOrg(t.database.db, readOrgFile(fixtureOrg('feishu-edu')), now);
  });

  async function contextFor<E extends InboundEvent>(event: E): Promise<BotContext<E>> {
    const db = t.database.db;
    const actorId = event.kind === 'message' ? event.sender.id : event.operator.id;
    return new BotContext(
      event,
      db,
      now,
      await loadOrg(db),
      policyPack(DEFAULT_POLICY_PACK),
      await findActor(db, event.platform, actorId),
      null,
    );
  }
  const queued = () => t.database.db.select().from(outbox).orderBy(asc(outbox.id));

  it('reply answers the triggering message; replyInThread answers it in its thread', async () => {
    const ctx = await contextFor(message);
    await ctx.reply(textMessage('一'));
    await ctx.replyInThread(textMessage('二'));
    const rows = await queued();
    expect(rows.map((r) => [r.platform, r.op, r.chatId, r.replyTo, r.inThread, r.payload])).toEqual([
      ['feishu', 'reply', 'oc_lobby', 'om_user_1', false, textMessage('一')],
      ['feishu', 'reply', 'oc_lobby', 'om_user_1', true, textMessage('二')],
    ]);
    expect(rows.every((r) => r.status === 'pending' && r.nextAttemptAt.getTime() === now.getTime())).toBe(
      true,
    );
    expect(ctx.response).toEqual({});
  });

  it('the actor is the person behind the platform id; actorName falls back to the name the platform gave', async () => {
    expect((await contextFor(message)).actorName).toBe('李自林');
    const stranger = await contextFor({ ...message, sender: { id: 'ou_nobody', name: '路人' } });
    expect(stranger.actor).toBeNull();
    expect(stranger.actorName).toBe('路人');
    const nameless = await contextFor({ ...click, operator: { id: 'ou_nobody' } });
    expect(nameless.actorName).toBe('ou_nobody');
  });

  it('mention is a platform mention when the person has an id there, plain text otherwise', async () => {
    const ctx = await contextFor(message);
    const spk = (await findActor(t.database.db, 'feishu', 'ou_spk'))?.person;
    expect(ctx.mention(spk as NonNullable<typeof spk>)).toEqual({ t: 'at', id: 'ou_spk', name: '王敏' });
    expect(ctx.mention({ id: 'x', name: '无账号', feishuId: null, wecomId: null })).toEqual({
      t: 'text',
      v: '@无账号',
    });
  });

  it('sendToUnit posts to the unit group (as an item card, or into its thread); false for a unit without one', async () => {
    const ctx = await contextFor(message);
    expect(await ctx.sendToUnit('edu', textMessage('卡片'), { anchorItemId: 7 })).toBe(true);
    expect(await ctx.sendToUnit('office', textMessage('话题'), { threadItemId: 7 })).toBe(true);
    expect(await ctx.sendToUnit('gov', textMessage('无群'))).toBe(false);
    const rows = await queued();
    expect(
      rows.map((r) => [r.op, r.chatId, r.anchorItemId, r.anchorKind, r.threadItemId, r.inThread]),
    ).toEqual([
      ['send', 'oc_edu', 7, 'card', null, false],
      ['reply', 'oc_office', null, 'card', 7, true],
    ]);
  });

  it('sendToUnit queues act-on messages unless the flow says copy; both record the item the event is about', async () => {
    const ctx = await contextFor(message);
    ctx.about({ id: 9 });
    expect(await ctx.sendToUnit('edu', textMessage('请处置'))).toBe(true);
    expect(await ctx.sendToUnit('office', textMessage('【抄送】'), { copy: true })).toBe(true);
    const rows = await queued();
    expect(rows.map((r) => [r.chatId, r.priority, r.itemId])).toEqual([
      ['oc_edu', 0, 9],
      ['oc_office', 1, 9],
    ]);
  });

  it('postInItemThread replies in the thread of the item card in the current chat', async () => {
    const ctx = await contextFor(click);
    await ctx.postInItemThread(7, textMessage('进展'));
    const [row] = await queued();
    expect(row).toMatchObject({
      op: 'reply',
      chatId: 'oc_edu',
      inThread: true,
      threadItemId: 7,
      replyTo: null,
    });
  });

  it('updateCard answers the click with the card and queues the update for everyone; toast answers it', async () => {
    const ctx = await contextFor(click);
    await ctx.updateCard(card);
    ctx.toast('success', '已是最新状态');
    expect(ctx.response).toEqual({ card, toast: { type: 'success', content: '已是最新状态' } });
    const rows = await queued();
    expect(rows.map((r) => [r.op, r.chatId, r.targetMessageId, r.payload])).toEqual([
      ['update', 'oc_edu', 'om_card_1', { kind: 'card', card }],
    ]);
  });

  it('queuedMessageIds lists what the context queued; after commitWith nothing more may be queued', async () => {
    const ctx = await contextFor(message);
    await ctx.reply(textMessage('一'));
    await ctx.batch(async () => {
      await ctx.replyInThread(textMessage('二'));
      await ctx.replyInThread(textMessage('三'));
    });
    expect(ctx.queuedMessageIds).toEqual((await queued()).map((r) => r.id));
    const last = Promise.resolve('done');
    ctx.commitWith(last);
    expect(ctx.lastStatement).toBe(last);
    await expect(ctx.reply(textMessage('四'))).rejects.toThrow(
      'nothing may be queued after ctx.commitWith()',
    );
    expect(() => ctx.commitWith(Promise.resolve())).toThrow('once per event');
    expect(await queued()).toHaveLength(3);
  });

  it('a verb that does not apply to the event throws a clear error and queues nothing', async () => {
    const onMessage = await contextFor(message);
    await expect(onMessage.updateCard(card)).rejects.toThrow(
      'ctx.updateCard() needs a card action, got message',
    );
    expect(() => onMessage.toast('info', '提示')).toThrow('ctx.toast() needs a card action, got message');
    expect(onMessage.response).toEqual({});

    const onClick = await contextFor(click);
    expect(() => onClick.reply(textMessage('回复'))).toThrow(
      'ctx.reply() needs a message event, got card_action',
    );
    expect(() => onClick.replyInThread(textMessage('回复'))).toThrow(
      'ctx.replyInThread() needs a message event, got card_action',
    );
    expect(await queued()).toEqual([]);
  });
});
