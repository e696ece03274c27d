import { eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { itemCounters, itemEvents, items, itemUnits, outbox } from '../../../db/schema.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { fixtureOrg } from '../../helpers/fixtures.js';
import { mentionsOf, textOf, useHarness } from '../../helpers/harness.js';

const itemNumberIn = (text: string) => /YQ\d{8}-\d{3}/.exec(text)?.[0] as string;

describe.each(DB_KINDS)('/上报 through the sandbox (%s)', (kind) => {
  const t = useHarness(kind);

  it('posts the card into the responsible unit group, @-mentions its spokesperson, copies the cc offices and confirms in the thread', async () => {
    const sent = await t.h.say(
      'cac-ofc-1',
      'sb-lobby',
      '/上报 “某小学食堂饭菜变质” 类别:教育 级别:较大 来源:微博 链接:https://weibo.com/1/abc 事发:今天09:10',
    );
    expect(sent).toEqual({ status: 200, body: { ok: true, id: expect.any(String) } });
    const msgId = sent.body.id as string;

    const confirm = await t.h.replyTo('sb-lobby', msgId);
    expect(confirm.threadRoot).toBe(msgId);
    const number = itemNumberIn(textOf(confirm));
    expect(number).toBe('YQ20261122-001');
    expect(textOf(confirm)).toContain('责任单位：省教育厅');
    expect(textOf(confirm)).toContain('已抄送：省政务公开领导小组办公室、省新闻办、省网信办');
    expect(textOf(confirm)).toContain('本群未绑定单位');

    const cards = await t.h.itemCards('sb-jyt', number);
    expect(cards).toHaveLength(1);
    const card = cards[0];
    if (card?.content.kind !== 'card') throw new Error('expected a card');
    expect(mentionsOf(card)).toEqual(['jyt-spk']);
    const fields = Object.fromEntries(card.content.card.fields.map((f) => [f.label, f.value]));
    expect(fields).toMatchObject({
      编号: number,
      状态: '待认领',
      类别: '教育',
      级别: '较大（上报人建议，待研判）',
      事发时间: '2026-11-22 09:10',
      上报时间: '2026-11-22 11:00',
      上报人: '李自林（上报单位未知：本群未绑定单位）',
      责任单位: '省教育厅',
      来源: '微博',
      链接: 'https://weibo.com/1/abc',
    });
    expect(textOf(card)).toContain('依据云政办发〔2016〕106号 三(三)');

    for (const cc of ['sb-gov-open', 'sb-news-office', 'sb-cac']) {
      const copies = await t.h.botMessages(cc, number);
      expect(copies).toHaveLength(1);
      expect(textOf(copies[0] as never)).toContain('【抄送】');
      expect(mentionsOf(copies[0] as never)).toEqual([]);
    }
    // Units with no part in the item hear nothing.
    expect(await t.h.botMessages('sb-gat', number)).toEqual([]);

    const [item] = await t.database.db.select().from(items).where(eq(items.number, number));
    expect(item).toMatchObject({
      state: 'reported',
      ownerUnitId: 'jyt',
      routingRule: 'guikou',
      reporterPersonId: 'cac-ofc-1',
    });
    const events = await t.database.db
      .select()
      .from(itemEvents)
      .where(eq(itemEvents.itemId, item?.id as number));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'reported',
      actorPersonId: 'cac-ofc-1',
      actorName: '李自林',
      at: new Date('2026-11-22T03:00:00Z'),
      data: {
        title: '某小学食堂饭菜变质',
        category: '教育',
        proposedLevel: '较大',
        routingRule: 'guikou',
        owner: 'jyt',
      },
    });
    const roles = await t.database.db
      .select()
      .from(itemUnits)
      .where(eq(itemUnits.itemId, item?.id as number));
    expect(roles.map((r) => [r.unitId, r.role]).sort()).toEqual(
      [
        ['jyt', 'responsible'],
        ['gov-open', 'cc'],
        ['news-office', 'cc'],
        ['cac', 'cc'],
      ].sort(),
    );
  });

  it('mentions the leader too for 重大, and the government principal leader for 特别重大', async () => {
    const major = await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “校车侧翻” 类别:教育 级别:重大');
    const majorNo = itemNumberIn(textOf(await t.h.replyTo('sb-lobby', major.body.id as string)));
    const [majorCard] = await t.h.itemCards('sb-jyt', majorNo);
    expect(mentionsOf(majorCard as never)).toEqual(['jyt-spk', 'jyt-ldr']);
    expect(textOf(majorCard as never)).toContain('重大政务舆情报告时限，最迟不得晚于事发后1小时');

    const critical = await t.h.say(
      'cac-ofc-1',
      'sb-lobby',
      '/上报 “多所学校食物中毒” 类别:教育 级别:特别重大 突发',
    );
    const criticalNo = itemNumberIn(textOf(await t.h.replyTo('sb-lobby', critical.body.id as string)));
    const [criticalCard] = await t.h.itemCards('sb-jyt', criticalNo);
    expect(mentionsOf(criticalCard as never)).toEqual(['jyt-spk', 'jyt-ldr', 'yn-gov-ldr']);
    expect(textOf(criticalCard as never)).toContain('突发事件：是');
  });

  it('a named 涉事 unit is first responsible and its government office and publicity department coordinate', async () => {
    const r = await t.h.say('cac-ofc-2', 'sb-lobby', '/上报 “派出所办事难” 涉事:昆明市公安局 类别:社会稳定');
    const number = itemNumberIn(textOf(await t.h.replyTo('sb-lobby', r.body.id as string)));
    const [card] = await t.h.itemCards('sb-km-gaj', number);
    expect(mentionsOf(card as never)).toEqual(['km-gaj-spk']);
    expect(textOf(card as never)).toContain('涉事责任部门是第一责任主体');
    for (const chat of ['sb-km-gov-office', 'sb-km-xcb']) {
      const [notice] = await t.h.botMessages(chat, number);
      expect(textOf(notice as never)).toContain('【协调】');
      expect(mentionsOf(notice as never)).toEqual([`${chat.slice(3)}-spk`]);
    }
    // 归口 alone would have sent it to 省公安厅: the named unit wins.
    expect(await t.h.botMessages('sb-gat', number)).toEqual([]);
  });

  it('several departments: each gets the card and the government office coordinates', async () => {
    const r = await t.h.say('cac-ofc-2', 'sb-lobby', '/上报 “校园周边治安” 涉事:省教育厅、省公安厅');
    const confirm = textOf(await t.h.replyTo('sb-lobby', r.body.id as string));
    const number = itemNumberIn(confirm);
    expect(confirm).toContain(
      '责任单位：省教育厅、省公安厅（涉及多个部门，按职责分工回应），省政府办公厅、省委宣传部组织协调。',
    );
    expect(confirm).toContain('已将卡片发至省政府办公厅、省教育厅、省公安厅工作群，并@其新闻发言人。');
    for (const [chat, spk, ask] of [
      ['sb-jyt', 'jyt-spk', '请省教育厅认领并组织处置。'],
      ['sb-gat', 'gat-spk', '请省公安厅认领并组织处置。'],
      [
        'sb-yn-gov-office',
        'yn-gov-office-spk',
        '请省政府办公厅会同有关部门做好组织协调、督促指导工作，必要时确定牵头部门。',
      ],
    ]) {
      const cards = await t.h.itemCards(chat as string, number);
      expect(cards).toHaveLength(1);
      expect(mentionsOf(cards[0] as never)).toEqual([spk]);
      expect(textOf(cards[0] as never)).toContain(ask as string);
      expect(textOf(cards[0] as never)).toContain('责任单位：省教育厅、省公安厅');
    }
    const [publicity] = await t.h.botMessages('sb-xcb', number);
    expect(textOf(publicity as never)).toContain(
      `【协调】${number}《校园周边治安》\n类别：其他｜责任单位：省教育厅、省公安厅｜`,
    );
    const [item] = await t.database.db.select().from(items).where(eq(items.number, number));
    expect(item).toMatchObject({ ownerUnitId: 'yn-gov-office', routingRule: 'multi_department' });
  });

  it('several regions: the common superior competent department is responsible, the regions are notified', async () => {
    const r = await t.h.say(
      'cac-ofc-2',
      'sb-lobby',
      '/上报 “两地学校招生争议” 涉事:昆明市教育局、曲靖市教育局 类别:教育',
    );
    const number = itemNumberIn(textOf(await t.h.replyTo('sb-lobby', r.body.id as string)));
    const [card] = await t.h.itemCards('sb-jyt', number);
    expect(card?.content.kind).toBe('card');
    expect(textOf(card as never)).toContain('上级政府主管部门是舆情回应的第一责任主体');
    for (const chat of ['sb-km-jyj', 'sb-qj-jyj']) {
      const [notice] = await t.h.botMessages(chat, number);
      expect(textOf(notice as never)).toContain('【通报涉事地区】');
      expect(mentionsOf(notice as never)).toEqual([`${chat.slice(3)}-spk`]);
    }
  });

  it('a report from a bound group records the reporter unit, and a report routes at that level', async () => {
    const r = await t.h.say('km-gov-spk', 'sb-km-gov', '/上报 学区划片不公 类别:教育');
    const confirm = textOf(await t.h.replyTo('sb-km-gov', r.body.id as string));
    const number = itemNumberIn(confirm);
    expect(confirm).not.toContain('本群未绑定单位');
    const [card] = await t.h.itemCards('sb-km-jyj', number);
    const fields = Object.fromEntries(
      (card?.content.kind === 'card' ? card.content.card.fields : []).map((f) => [f.label, f.value]),
    );
    expect(fields.上报人).toBe('赵明华（昆明市人民政府）');
    expect(fields.责任单位).toBe('昆明市教育局');
  });

  it('concurrent reports get distinct numbers', async () => {
    const before = await t.database.db.select({ number: items.number }).from(items);
    // Straight to the dispatcher, all at once: on Postgres these are concurrent transactions
    // (the sandbox's inbox would hand them over one by one).
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.h.service.dispatcher.dispatch({
          kind: 'message',
          platform: 'sandbox',
          eventId: `concurrent-${i}`,
          chatId: 'sb-lobby',
          chatType: 'group',
          messageId: `concurrent-${i}`,
          sender: { id: 'cac-ofc-1' },
          text: `/上报 并发上报测试${i} 类别:价格`,
          mentions: [],
          addressed: false,
          sentAt: t.h.clock.now(),
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('handled'));
    const after = await t.database.db.select({ number: items.number }).from(items);
    const fresh = after.map((r) => r.number).filter((n) => !before.some((b) => b.number === n));
    expect(fresh).toHaveLength(6);
    expect(new Set(fresh).size).toBe(6);
    // Numbers continue the day's sequence without gaps.
    const seqs = after.map((r) => Number(r.number.slice(-3))).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // Their confirmations answer messages the sandbox never stored: drop them, deliver the rest.
    await t.h.service.outbox.idle();
    await t.database.db.delete(outbox).where(like(outbox.replyTo, 'concurrent-%'));
    await t.h.settle();
  });

  it('numbers past the 999th item of a day keep every digit', async () => {
    await t.database.db.insert(itemCounters).values({ day: '20261122', last: 999 });
    const sent = await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “第一千条” 类别:教育');
    const confirm = await t.h.replyTo('sb-lobby', sent.body.id as string);
    expect(textOf(confirm)).toContain('YQ20261122-1000');
    const [item] = await t.database.db.select().from(items).where(eq(items.title, '第一千条'));
    expect(item?.number).toBe('YQ20261122-1000');
  });

  it('a report that fails after it was numbered gives its number back: no gap, no provisional number', async () => {
    let failing = true;
    // Fails each report's transaction once the flow has done everything (numbering included).
    t.h.service.dispatcher.use(async (_ctx, next) => {
      await next();
      if (failing) throw new Error('the database failed at the last moment');
    });
    const event = (id: string) => ({
      kind: 'message' as const,
      platform: 'sandbox',
      eventId: id,
      chatId: 'sb-lobby',
      chatType: 'group' as const,
      messageId: id,
      sender: { id: 'cac-ofc-1' },
      text: `/上报 回滚测试${id} 类别:价格`,
      mentions: [],
      addressed: true,
      sentAt: t.h.clock.now(),
    });
    await expect(t.h.service.dispatcher.dispatch(event('rolled-back'))).rejects.toThrow('last moment');
    expect(await t.database.db.select().from(items)).toEqual([]);
    failing = false;
    expect(await t.h.service.dispatcher.dispatch(event('next'))).toMatchObject({ status: 'handled' });
    const numbers = (await t.database.db.select({ number: items.number }).from(items)).map((r) => r.number);
    expect(numbers).toEqual(['YQ20261122-001']);
    await t.h.service.outbox.idle();
    await t.database.db.delete(outbox).where(eq(outbox.replyTo, 'next'));
    await t.h.settle();
  });

  it('every message about a new item carries its number, none the provisional one it was written with', async () => {
    // Held back from sending, to read what was queued.
    await t.h.service.outbox.stop();
    await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “编号替换测试” 类别:教育 级别:较大');
    const [item] = await t.database.db.select().from(items).where(eq(items.title, '编号替换测试'));
    expect(item?.number).toMatch(/^YQ20261122-\d{3}$/);
    const queued = await t.database.db
      .select()
      .from(outbox)
      .where(eq(outbox.itemId, item?.id as number));
    // The item card to each group, the 抄送 copies, the clock card, the confirmation.
    expect(queued.length).toBeGreaterThanOrEqual(4);
    for (const row of queued) {
      const text = JSON.stringify(row.payload);
      expect(text).toContain(item?.number);
      expect(text).not.toContain('~');
    }
    t.h.service.outbox.start();
    await t.h.settle();
  });

  it('when the numbering, sent with the commit, fails, the report fails whole: no item, no message, the event is not handled', async () => {
    // The day's counter is at its limit: the numbering statement fails (integer out of range),
    // after every other statement of the report and with the COMMIT already behind it.
    await t.database.db.insert(itemCounters).values({ day: '20261122', last: 2_147_483_647 });
    const event = {
      kind: 'message' as const,
      platform: 'sandbox',
      eventId: 'counter-full',
      chatId: 'sb-lobby',
      chatType: 'group' as const,
      messageId: 'counter-full',
      sender: { id: 'cac-ofc-1' },
      text: '/上报 “计数器已满” 类别:价格',
      mentions: [],
      addressed: true,
      sentAt: t.h.clock.now(),
    };
    // Postgres answers the failed statement (drizzle: "Failed query"), PGlite the commit that rolled back.
    await expect(t.h.service.dispatcher.dispatch(event)).rejects.toThrow(/Failed query|rolled back/);
    expect(await t.database.db.select().from(items)).toEqual([]);
    expect(await t.database.db.select().from(outbox)).toEqual([]);
    // Not marked as processed either: a redelivery is handled, not refused as a copy.
    await t.database.db.update(itemCounters).set({ last: 0 });
    expect(await t.h.service.dispatcher.dispatch(event)).toMatchObject({ status: 'handled' });
    const [item] = await t.database.db.select().from(items);
    expect(item?.number).toBe('YQ20261122-001');
    await t.h.service.outbox.idle();
    await t.database.db.delete(outbox).where(eq(outbox.replyTo, 'counter-full'));
    await t.h.settle();
  });

  it('nothing is left in the outbox once delivered', async () => {
    // A report with a card, cc copies and a confirmation, each its own outbox row.
    await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “某小学食堂饭菜变质” 类别:教育 级别:较大');
    const pending = await t.database.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    expect(pending).toEqual([]);
  });
});

describe.each(DB_KINDS)('a unit with no registered spokesperson (%s)', (kind) => {
  const t = useHarness(kind, { orgFile: fixtureOrg('no-spokesperson') });

  it('the card still goes to the group, and the reporter is told that nobody was @-mentioned', async () => {
    const r = await t.h.say('officer', 'sb-lobby', '/上报 “校服价格过高” 类别:教育');
    const confirm = textOf(await t.h.replyTo('sb-lobby', r.body.id as string));
    expect(confirm).not.toContain('并@其新闻发言人');
    expect(confirm).toContain('⚠️ 以下单位未登记新闻发言人，卡片已送达但无人被@：测试市教育局。');
    const [card] = await t.h.botMessages('sb-edu', '校服价格过高');
    expect(card?.content.kind).toBe('card');
    expect(mentionsOf(card as never)).toEqual([]);
  });
});
