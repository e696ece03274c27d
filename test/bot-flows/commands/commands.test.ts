import { count, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { readOrgFile } from '../../../db/org-file.js';
import { chatUnit, importOrg } from '../../../db/repos/org-repo.js';
import { itemEvents, items, outbox } from '../../../db/schema.js';
import { DEMO_ORG_FILE } from '../../../src/service.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { mentionsOf, textOf, useHarness } from '../../helpers/harness.js';

describe.each(DB_KINDS)('commands and card buttons (%s)', (kind) => {
  const t = useHarness(kind);
  let number: string;

  beforeEach(async () => {
    const r = await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “公租房分配不公” 类别:住房 级别:一般 来源:论坛');
    number = /YQ\d{8}-\d{3}/.exec(textOf(await t.h.replyTo('sb-lobby', r.body.id as string)))?.[0] as string;
  });

  it('/查询 and /query show the item and its audit trail; sloppy numbers are accepted', async () => {
    for (const text of [`/查询 ${number}`, `/query ${number.toLowerCase().replace('-001', '-1')}`]) {
      const r = await t.h.say('zjt-spk', 'sb-zjt', text);
      const reply = textOf(await t.h.replyTo('sb-zjt', r.body.id as string));
      expect(reply).toContain(`📋 ${number}《公租房分配不公》`);
      expect(reply).toContain('状态：待认领｜级别：一般（上报人建议，待研判）｜类别：住房');
      expect(reply).toContain('责任单位：省住房城乡建设厅');
      expect(reply).toContain('2026-11-22 11:00 李自林 上报');
    }
  });

  it('/列表 lists open items of the group unit, mine, or all', async () => {
    const unit = await t.h.say('zjt-spk', 'sb-zjt', '/列表');
    const unitReply = textOf(await t.h.replyTo('sb-zjt', unit.body.id as string));
    expect(unitReply).toContain('省住房城乡建设厅的未办结舆情（最近 1 条）');
    expect(unitReply).toContain(`${number}《公租房分配不公》待认领`);

    const other = await t.h.say('jyt-spk', 'sb-jyt', '/列表 本单位');
    expect(textOf(await t.h.replyTo('sb-jyt', other.body.id as string))).toBe('省教育厅的未办结舆情：暂无。');

    const mine = await t.h.say('cac-ofc-1', 'sb-lobby', '/list mine');
    expect(textOf(await t.h.replyTo('sb-lobby', mine.body.id as string))).toContain(number);

    const all = await t.h.say('jyt-spk', 'sb-jyt', '/列表 全部');
    expect(textOf(await t.h.replyTo('sb-jyt', all.body.id as string))).toContain(number);
  });

  it('/帮助 lists every command; /帮助 上报 shows its usage', async () => {
    const r = await t.h.say('jyt-spk', 'sb-jyt', '/帮助');
    const reply = textOf(await t.h.replyTo('sb-jyt', r.body.id as string));
    for (const c of [
      '/上报（/report）',
      '/查询（/query）',
      '/列表（/list）',
      '/绑定（/bind）',
      '/帮助（/help）',
    ]) {
      expect(reply).toContain(c);
    }
    const one = await t.h.say('jyt-spk', 'sb-jyt', '/help 上报');
    expect(textOf(await t.h.replyTo('sb-jyt', one.body.id as string))).toContain(
      '用法：/上报 <标题> [类别:<类别>]',
    );
  });

  it('/绑定 by an admin makes the group the unit group: cards arrive there and its reports carry the unit', async () => {
    const r = await t.h.say('yn-gov-admin', 'sb-lobby', '/绑定 单位:省网信办');
    expect(textOf(await t.h.replyTo('sb-lobby', r.body.id as string))).toContain(
      '本群已绑定为省网信办的舆情工作群',
    );

    const rep = await t.h.say('cac-ofc-2', 'sb-lobby', '/上报 “境外账号散布谣言” 类别:其他');
    const confirm = textOf(await t.h.replyTo('sb-lobby', rep.body.id as string));
    expect(confirm).not.toContain('本群未绑定单位');
    const n = /YQ\d{8}-\d{3}/.exec(confirm)?.[0] as string;
    const [card] = await t.h.botMessages('sb-yn-gov-office', n);
    const fields = card?.content.kind === 'card' ? card.content.card.fields : [];
    expect(fields.find((f) => f.label === '上报人')?.value).toBe('杨光荣（省网信办）');
    // 网信办 is copied on every report: the copy now lands in the bound group.
    expect((await t.h.botMessages('sb-lobby', n)).map((m) => textOf(m).split('\n')[0])).toContain(
      `【抄送】${n}《境外账号散布谣言》`,
    );
  });

  it('/绑定 of a unit group to another unit warns that the first unit is left without a group, and reports say so', async () => {
    const r = await t.h.say('yn-gov-admin', 'sb-swt', '/绑定 单位:省物价局');
    const reply = textOf(await t.h.replyTo('sb-swt', r.body.id as string));
    expect(reply).toContain('本群已绑定为省物价局的舆情工作群');
    expect(reply).toContain(
      '⚠️ 本群原为省商务厅的工作群，省商务厅在本平台已没有其他工作群，其舆情卡片将无法送达。',
    );

    const rep = await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “外资企业撤离传言” 涉事:省商务厅');
    const confirm = textOf(await t.h.replyTo('sb-lobby', rep.body.id as string));
    expect(confirm).not.toContain('并@其新闻发言人');
    expect(confirm).toContain('⚠️ 以下单位在本平台尚未绑定群聊，消息未能送达：省商务厅。');

    // A restart re-imports the org file; the admin's binding stands.
    await importOrg(t.h.db, readOrgFile(DEMO_ORG_FILE), t.h.clock.now());
    expect(await chatUnit(t.h.db, 'sandbox', 'sb-swt')).toBe('wjj');
  });

  it('the 刷新 button redraws the card in place and 查看进展 posts the trail into its thread', async () => {
    const [card] = await t.h.itemCards('sb-zjt', number);
    if (card?.content.kind !== 'card') throw new Error('expected a card');
    const button = (label: string) =>
      card.content.kind === 'card' ? card.content.card.buttons.find((b) => b.label === label) : undefined;
    const [refresh, detail] = [button('刷新'), button('查看进展')];
    expect(refresh?.value).toEqual({ a: 'refresh', item: expect.any(Number), v: 1 });

    const clicked = await t.h.click('zjt-ldr', card.id, refresh?.value as Record<string, unknown>);
    expect(clicked.body.toast).toEqual({ type: 'success', content: '已是最新状态' });
    const again = (await t.h.messages('sb-zjt')).find((m) => m.id === card.id);
    expect(again?.id).toBe(card.id);
    expect(again?.rev).toBeGreaterThan(card.rev);
    expect(mentionsOf(again as never)).toEqual(['zjt-spk']);

    const d = await t.h.click('zjt-ldr', card.id, detail?.value as Record<string, unknown>);
    expect(d.body.toast).toEqual({ type: 'info', content: '处置记录已发到话题中' });
    const thread = (await t.h.messages('sb-zjt')).filter(
      (m) => m.threadRoot === card.id && m.content.kind === 'text',
    );
    expect(thread.map((m) => textOf(m).split('\n')[0])).toEqual([`📋 ${number}《公租房分配不公》`]);
  });

  it('the 认领 button: only a spokesperson or officer of the unit, once; an outdated card answers 已过期', async () => {
    const r = await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “二手房交易纠纷” 类别:住房');
    const n = /YQ\d{8}-\d{3}/.exec(textOf(await t.h.replyTo('sb-lobby', r.body.id as string)))?.[0] as string;
    const [card] = await t.h.itemCards('sb-zjt', n);
    if (card?.content.kind !== 'card') throw new Error('expected a card');
    const claim = card.content.card.buttons.find((b) => b.label === '认领')?.value as Record<string, unknown>;
    expect(claim).toEqual({ a: 'claim', item: expect.any(Number), v: 1 });

    const refused = await t.h.click('zjt-ldr', card.id, claim);
    expect(refused.body.toast).toEqual({
      type: 'error',
      content: '只有省住房城乡建设厅的新闻发言人、工作人员可以认领。',
    });
    const [before] = await t.database.db.select().from(items).where(eq(items.number, n));
    expect(before).toMatchObject({ state: 'reported', version: 1, claimedByPersonId: null });

    // A double click: both arrive with the card's version; one claims, the other is stale.
    const both = await Promise.all([
      t.h.click('zjt-spk', card.id, claim),
      t.h.click('zjt-spk', card.id, claim),
    ]);
    expect(both.map((x) => x.body.toast.content).sort()).toEqual(['已认领', '已过期，请查看最新卡片。']);
    const [after] = await t.database.db.select().from(items).where(eq(items.number, n));
    expect(after).toMatchObject({ state: 'claimed', version: 2, claimedByPersonId: 'zjt-spk' });
    const events = await t.database.db
      .select()
      .from(itemEvents)
      .where(eq(itemEvents.itemId, after?.id as number));
    expect(events.map((e) => [e.kind, e.actorPersonId])).toEqual([
      ['reported', 'cac-ofc-1'],
      ['claimed', 'zjt-spk'],
    ]);
    // The card now shows the new state and no 认领 button; the old one is refused as outdated.
    const [redrawn] = await t.h.itemCards('sb-zjt', n);
    if (redrawn?.content.kind !== 'card') throw new Error('expected a card');
    expect(redrawn.content.card.buttons.map((b) => b.label)).toEqual(['已发布', '刷新', '查看进展']);
    const stale = await t.h.click('zjt-spk', card.id, claim);
    expect(stale.body.toast).toEqual({ type: 'error', content: '已过期，请查看最新卡片。' });

    // 已发布 records the response like /发布: the 48 h clock is met.
    const publish = redrawn.content.card.buttons.find((b) => b.label === '已发布')?.value as Record<
      string,
      unknown
    >;
    const published = await t.h.click('zjt-ldr', card.id, publish);
    expect(published.body.toast).toEqual({ type: 'success', content: '已记录发布' });
    const [done] = await t.database.db.select().from(items).where(eq(items.number, n));
    expect(done).toMatchObject({ state: 'responding', version: 3 });
    const thread = (await t.h.messages('sb-zjt')).filter(
      (m) => m.threadRoot === card.id && m.content.kind === 'text',
    );
    expect(thread.map((m) => textOf(m).split('\n')[0])).toContain(
      `✅ ${n} 已记录发布（袁媛）。已完成时限：「予以回应」。`,
    );
    const again = await t.h.click('zjt-ldr', card.id, publish);
    expect(again.body.toast).toEqual({ type: 'error', content: '已过期，请查看最新卡片。' });
  });

  it('a click by someone outside the org, or on a button the card does not have, changes nothing', async () => {
    const [card] = await t.h.itemCards('sb-zjt', number);
    if (card?.content.kind !== 'card') throw new Error('expected a card');
    const refresh = card.content.card.buttons.find((b) => b.label === '刷新')?.value as Record<
      string,
      unknown
    >;
    const stranger = await t.h.click('nobody', card.id, refresh);
    expect(stranger.body.toast).toEqual({
      type: 'error',
      content: expect.stringContaining('你不在回音的组织目录中，不能查看、上报或处理舆情。'),
    });

    const snapshot = async () => ({
      outbox: (await t.database.db.select({ n: count() }).from(outbox))[0]?.n,
      messages: await t.h.messages('sb-lobby'),
    });
    const before = await snapshot();
    // A forged action name, another item's value, and a "button" on a plain text message.
    const userMessage = (await t.h.messages('sb-lobby')).find((m) => m.sender.kind === 'user');
    for (const [messageId, value] of [
      [card.id, { a: 'delete-everything' }],
      [card.id, { ...refresh, item: 999 }],
      [userMessage?.id as string, refresh],
    ] as const) {
      const res = await t.h.click('zjt-ldr', messageId, value);
      expect(res).toEqual({ status: 400, body: { error: '卡片上没有这个按钮。' } });
    }
    const bad = await t.h.click('zjt-ldr', 'abc', refresh);
    expect(bad.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('a redelivered event is handled once', async () => {
    const event = {
      kind: 'message' as const,
      platform: 'sandbox',
      eventId: 'redelivered-1',
      chatId: 'sb-lobby',
      chatType: 'group' as const,
      messageId: '1',
      sender: { id: 'cac-ofc-1' },
      text: '/上报 “重复投递测试” 类别:价格',
      mentions: [],
      addressed: false,
      sentAt: new Date('2026-11-22T03:00:00Z'),
    };
    const results = await Promise.all([1, 2, 3].map(() => t.h.service.dispatcher.dispatch(event)));
    results.push(await t.h.service.dispatcher.dispatch(event));
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'handled']);
    const rows = await t.database.db.select().from(items).where(eq(items.title, '重复投递测试'));
    expect(rows).toHaveLength(1);
  });
});
