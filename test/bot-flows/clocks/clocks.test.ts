import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { clocks, items, timers } from '../../../db/schema.js';
import { createLogger } from '../../../src/log.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { type Harness, mentionsOf, type SandboxMessage, textOf, useHarness } from '../../helpers/harness.js';

const numberIn = (text: string) => /YQ\d{8}-\d{3}/.exec(text)?.[0] as string;

/** The bot's messages in the thread of the item's card in a unit chat, after `since` (a rev). */
async function thread(h: Harness, chat: string, number: string, since = 0): Promise<SandboxMessage[]> {
  const [card] = await h.itemCards(chat, number);
  return (await h.messages(chat)).filter(
    (m) => m.threadRoot === card?.id && m.sender.kind === 'bot' && m.rev > since && m.content.kind === 'text',
  );
}
const maxRev = async (h: Harness, chat: string) => Math.max(0, ...(await h.messages(chat)).map((m) => m.rev));

describe.each(DB_KINDS)('response clocks in the thread (%s)', (kind) => {
  const logged: string[] = [];
  const t = useHarness(kind, { log: createLogger('warn', (line) => logged.push(line)) });

  it('the full timeline of a 重大 突发 item: countdown card, reminders, claim, report, breach, 督办, responses, close', async () => {
    const { h } = t;
    // 11:00 in Shanghai; the event happened at 10:40.
    const r = await h.say(
      'cac-ofc-1',
      'sb-lobby',
      '/上报 “化工厂爆炸” 类别:应急管理 级别:重大 突发 事发:今天10:40',
    );
    const number = numberIn(textOf(await h.replyTo('sb-lobby', r.body.id as string)));
    const chat = 'sb-yjb';

    // The clock card hangs in the card's thread with every clock and its deadline.
    const clockCard = (await h.messages(chat)).find(
      (m) => m.content.kind === 'card' && m.content.card.title.startsWith('⏱'),
    );
    if (clockCard?.content.kind !== 'card') throw new Error('no clock card');
    const [itemCard] = await h.itemCards(chat, number);
    expect(clockCard.threadRoot).toBe(itemCard?.id);
    expect(clockCard.content.card.fields).toEqual([
      { label: '报告上级（报告）', value: '⏳ 2026-11-22 11:40 前｜还剩 40 分钟' },
      { label: '发布已掌握的事实（发布）', value: '⏳ 2026-11-22 11:40 前｜还剩 40 分钟' },
      { label: '举行新闻发布会（发布会）', value: '⏳ 2026-11-23 10:40 前｜还剩 23 小时 40 分钟' },
    ]);

    // 11:10 is half way through the 1 h clocks: a reminder each, @ the spokesperson.
    h.clock.set('2026-11-22T03:10:00Z');
    await h.settle();
    let msgs = await thread(h, chat, number);
    expect(msgs.map((m) => textOf(m).split('\n')[0])).toEqual([
      `⏰ ${number}《化工厂爆炸》「报告上级」时限 2026-11-22 11:40，还剩 30 分钟。`,
      `⏰ ${number}《化工厂爆炸》「发布已掌握的事实」时限 2026-11-22 11:40，还剩 30 分钟。`,
    ]);
    expect(msgs.map(mentionsOf)).toEqual([['yjb-spk'], ['yjb-spk']]);
    expect(textOf(msgs[0] as SandboxMessage)).toContain('依据云政办发〔2016〕106号 五：重大政务舆情报告时限');
    const updated = (await h.messages(chat)).find((m) => m.id === clockCard.id);
    expect(updated?.content.kind === 'card' && updated.content.card.fields[0]?.value).toBe(
      '⏳ 2026-11-22 11:40 前｜还剩 30 分钟',
    );

    // The spokesperson claims it and reports to the superior: that clock stops.
    h.clock.set('2026-11-22T03:15:00Z');
    const claim = await h.say('yjb-spk', chat, `/认领 ${number}`);
    expect(textOf(await h.replyTo(chat, claim.body.id as string))).toContain('已由');
    const report = await h.say('yjb-spk', chat, `/报告 ${number} 已电话报告省政府总值班室`);
    expect(textOf(await h.replyTo(chat, report.body.id as string))).toContain('已完成时限：「报告上级」');

    // 11:28 (80 %) and 11:30 (10 min before): only the facts clock still reminds.
    let since = await maxRev(h, chat);
    h.clock.set('2026-11-22T03:31:00Z');
    await h.settle();
    msgs = await thread(h, chat, number, since);
    expect(msgs.map((m) => textOf(m).split('\n')[0])).toEqual([
      `⏰ ${number}《化工厂爆炸》「发布已掌握的事实」时限 2026-11-22 11:40，还剩 9 分钟。`,
    ]);
    expect(textOf(msgs[0] as SandboxMessage)).toContain('有 1 次提醒未按时发出，已合并为本条');

    // 11:41: the facts clock is breached: 超时 @ leader, and a 督办 notice to the 政府办公厅 and 政务公开.
    since = await maxRev(h, chat);
    h.clock.set('2026-11-22T03:41:00Z');
    await h.settle();
    msgs = await thread(h, chat, number, since);
    expect(msgs.map((m) => textOf(m).split('\n')[0])).toEqual([
      `🚨 超时：${number}《化工厂爆炸》「发布已掌握的事实」已于 2026-11-22 11:40 到期，已超时 1 分钟。`,
    ]);
    expect(mentionsOf(msgs[0] as SandboxMessage)).toEqual(['yjb-ldr', 'yjb-spk']);
    for (const office of ['sb-yn-gov-office', 'sb-gov-open']) {
      const notices = (await h.botMessages(office, '【督办】')).filter((m) => textOf(m).includes(number));
      expect(notices).toHaveLength(1);
    }
    // It comes again an hour later, not before.
    since = await maxRev(h, chat);
    h.clock.set('2026-11-22T04:30:00Z');
    await h.settle();
    expect(await thread(h, chat, number, since)).toEqual([]);
    h.clock.set('2026-11-22T04:42:00Z');
    await h.settle();
    expect((await thread(h, chat, number, since)).map((m) => textOf(m).split('\n')[0])).toEqual([
      `🚨 超时：${number}《化工厂爆炸》「发布已掌握的事实」已于 2026-11-22 11:40 到期，已超时 1 小时 2 分钟。`,
    ]);

    // Publishing meets the facts clock and starts the 持续发布 cadence; the press conference meets its clock.
    const pub = await h.say('yjb-spk', chat, `/发布 ${number} 渠道:微博`);
    expect(textOf(await h.replyTo(chat, pub.body.id as string))).toContain(
      '已完成时限：「发布已掌握的事实」',
    );
    const press = await h.say('yjb-ldr', chat, `/发布会 ${number}`);
    expect(textOf(await h.replyTo(chat, press.body.id as string))).toContain(
      '已完成时限：「举行新闻发布会」',
    );
    const close = await h.say('yjb-spk', chat, `/办结 ${number} 事故原因已查明并公布`);
    expect(textOf(await h.replyTo(chat, close.body.id as string))).toContain('已办结：事故原因已查明并公布');

    const [item] = await h.db.select().from(items).where(eq(items.number, number));
    expect(item?.state).toBe('closed');
    const rows = await h.db
      .select()
      .from(clocks)
      .where(eq(clocks.itemId, item?.id as number));
    expect(rows.map((c) => [c.kind, c.status]).sort()).toEqual(
      [
        ['continuing', 'cancelled'],
        ['press_conference', 'satisfied'],
        ['publish_facts', 'satisfied'],
        ['escalate', 'satisfied'],
      ].sort(),
    );
    const pending = await h.db
      .select()
      .from(timers)
      .where(and(eq(timers.itemId, item?.id as number), eq(timers.status, 'pending')));
    expect(pending).toEqual([]);
  });

  it('an upgrade to 重大 by /研判 adds the 1 h clock from 事发 and says at once that it is already late', async () => {
    const { h } = t;
    h.clock.set('2026-11-22T06:00:00Z'); // 14:00
    const r = await h.say('cac-ofc-1', 'sb-lobby', '/上报 “学校食堂卫生问题” 类别:教育 事发:今天12:00');
    const number = numberIn(textOf(await h.replyTo('sb-lobby', r.body.id as string)));
    const refused = await h.say('jyt-spk', 'sb-jyt', `/研判 ${number} 级别:重大`);
    expect(textOf(await h.replyTo('sb-jyt', refused.body.id as string))).toContain(
      '只有省教育厅的领导、审核人可以研判定级',
    );
    const graded = await h.say('jyt-ldr', 'sb-jyt', `/研判 ${number} 级别:重大`);
    const reply = textOf(await h.replyTo('sb-jyt', graded.body.id as string));
    expect(reply).toContain('新增时限「报告上级」：2026-11-22 13:00 前（已超时 1 小时），自事发起算已经超时');
    const breach = (await thread(h, 'sb-jyt', number)).map((m) => textOf(m).split('\n')[0]);
    expect(breach).toContain(
      `🚨 超时：${number}《学校食堂卫生问题》「报告上级」已于 2026-11-22 13:00 到期，已超时 1 小时。`,
    );
  });

  it('commands refuse with the reason when the state or the role does not allow them', async () => {
    const { h } = t;
    const r = await h.say('cac-ofc-1', 'sb-lobby', '/上报 “物价上涨” 类别:价格');
    const number = numberIn(textOf(await h.replyTo('sb-lobby', r.body.id as string)));
    const cases: [string, string, string][] = [
      ['jyt-spk', `/认领 ${number}`, '只有省物价局的新闻发言人、工作人员可以认领'],
      ['wjj-spk', `/续报 ${number} 进展`, '当前状态为「待认领」，不能续报'],
      ['wjj-spk', `/延期 ${number} 复杂`, '只有网民留言可以延期'],
      ['wjj-spk', `/办结 ${number}`, '缺少办理结果'],
    ];
    for (const [who, text, expected] of cases) {
      const res = await h.say(who, 'sb-wjj', text);
      expect(textOf(await h.replyTo('sb-wjj', res.body.id as string))).toContain(expected);
    }
  });

  it('网民留言 count working days across the National Day holiday, remind on working days, and extend once', async () => {
    const { h } = t;
    h.clock.set('2026-09-30T02:00:00Z'); // 10:00 on Wednesday 30 September
    const r = await h.say('jyt-spk', 'sb-jyt', '/留言 表扬感谢 “感谢老师们的付出”');
    const reply = textOf(await h.replyTo('sb-jyt', r.body.id as string));
    const number = numberIn(reply);
    // 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13: 24:00 on 13 October.
    expect(reply).toContain('办结并回复时限：2026-10-13 24:00 前');
    const [item] = await h.db.select().from(items).where(eq(items.number, number));
    const [clock] = await h.db
      .select()
      .from(clocks)
      .where(eq(clocks.itemId, item?.id as number));
    expect(clock?.dueAt).toEqual(new Date('2026-10-13T16:00:00Z'));
    const reminders = await h.db
      .select()
      .from(timers)
      .where(eq(timers.clockId, clock?.id as number));
    // 3 and 1 working days before and on the day, at 09:00: 10-09, 10-12, 10-13.
    expect(reminders.map((x) => x.dueAt.toISOString()).sort()).toEqual([
      '2026-10-09T01:00:00.000Z',
      '2026-10-12T01:00:00.000Z',
      '2026-10-13T01:00:00.000Z',
      '2026-10-13T16:00:00.000Z',
    ]);

    const refused = await h.say('jyt-spk', 'sb-jyt', `/延期 ${number} 情况复杂`);
    expect(textOf(await h.replyTo('sb-jyt', refused.body.id as string))).toContain(
      '只有省教育厅的审核人可以批准延期',
    );
    const ok = await h.say('jyt-apv', 'sb-jyt', `/延期 ${number} 情况复杂`);
    // Ten more working days: 10-14 … 10-27.
    expect(textOf(await h.replyTo('sb-jyt', ok.body.id as string))).toContain(
      '新的办结时限：2026-10-27 24:00 前',
    );
    const again = await h.say('jyt-apv', 'sb-jyt', `/延期 ${number} 还要延`);
    expect(textOf(await h.replyTo('sb-jyt', again.body.id as string))).toContain('已延期过一次');
  });

  it('a deadline in a year without holiday data says so', async () => {
    const { h } = t;
    h.clock.set('2026-12-28T02:00:00Z');
    const r = await h.say('jyt-spk', 'sb-jyt', '/留言 申诉求助 “冬季供暖不足”');
    expect(textOf(await h.replyTo('sb-jyt', r.body.id as string))).toContain(
      '⚠️ 2027年节假日安排尚未配置，按普通工作日计算',
    );
    const warning = logged
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'deadline counted without holiday data');
    expect(warning).toMatchObject({
      level: 'warn',
      years: [2027],
      notice: '2027年节假日安排尚未配置，按普通工作日计算',
    });
  });

  it('every clock command works by its English alias and is written to the audit trail', async () => {
    const { h } = t;
    h.clock.set('2026-11-22T03:00:00Z');
    const r = await h.say('cac-ofc-1', 'sb-lobby', '/report “英文命令测试” category:education');
    const number = numberIn(textOf(await h.replyTo('sb-lobby', r.body.id as string)));
    for (const [who, text, expected] of [
      ['jyt-spk', `/claim ${number}`, '已由王敏认领'],
      ['jyt-ldr', `/grade ${number} level:major emergency`, '研判为「重大」，并确认：突发'],
      ['jyt-spk', `/escalate ${number} 已报告`, '已记录向上级报告'],
      ['jyt-spk', `/publish ${number} channel:weibo`, '已记录发布'],
      ['jyt-ldr', `/press ${number}`, '已记录新闻发布会'],
      ['jyt-spk', `/update ${number} 伤员已转运`, '已续报：伤员已转运'],
      ['jyt-spk', `/close ${number} 已处置完毕`, '已办结：已处置完毕'],
    ] as const) {
      const res = await h.say(who, 'sb-jyt', text);
      expect(textOf(await h.replyTo('sb-jyt', res.body.id as string))).toContain(expected);
    }
    const q = await h.say('jyt-spk', 'sb-jyt', `/query ${number}`);
    const trail = textOf(await h.replyTo('sb-jyt', q.body.id as string)).split('进展：')[1];
    expect(
      trail
        ?.trim()
        .split('\n')
        .map((l) => l.replace(/^· \S+ \S+ /, '')),
    ).toEqual([
      '李自林 上报',
      '王敏 认领',
      '李强 研判为「重大」',
      '王敏 报告上级',
      '王敏 发布',
      '李强 举行新闻发布会',
      '王敏 续报',
      '王敏 办结',
    ]);
    const m = await h.say('jyt-spk', 'sb-jyt', '/message advice “英文留言” accepted:今天');
    const mn = numberIn(textOf(await h.replyTo('sb-jyt', m.body.id as string)));
    const e = await h.say('jyt-apv', 'sb-jyt', `/extend ${mn} 情况复杂`);
    expect(textOf(await h.replyTo('sb-jyt', e.body.id as string))).toContain('已延期 10 个工作日');
  });

  it('a 网民留言 reminder goes out on its working day, and /延期 replaces the old reminders', async () => {
    const { h } = t;
    h.clock.set('2026-09-30T02:00:00Z');
    const r = await h.say('jyt-spk', 'sb-jyt', '/留言 谏言咨询 “建议增加校车班次”');
    const number = numberIn(textOf(await h.replyTo('sb-jyt', r.body.id as string)));
    const [item] = await h.db.select().from(items).where(eq(items.number, number));
    // Due 24:00 on 10-20; 3 working days before is 10-15, at 09:00.
    h.clock.set('2026-10-15T01:00:00Z');
    await h.settle();
    const sent = (await thread(h, 'sb-jyt', number)).map((m) => textOf(m).split('\n')[0]);
    expect(sent).toEqual([
      `⏰ ${number}《建议增加校车班次》「办结并回复网民」时限 2026-10-20 24:00，还剩 5 天 15 小时。`,
    ]);

    const ok = await h.say('jyt-apv', 'sb-jyt', `/延期 ${number} 需要多部门会商`);
    expect(textOf(await h.replyTo('sb-jyt', ok.body.id as string))).toContain(
      '新的办结时限：2026-11-03 24:00 前',
    );
    const all = await h.db
      .select()
      .from(clocks)
      .where(eq(clocks.itemId, item?.id as number));
    expect(all.map((c) => [c.status, c.endReason, c.dueAt.toISOString()])).toEqual([
      ['cancelled', 'replanned', '2026-10-20T16:00:00.000Z'],
      ['open', null, '2026-11-03T16:00:00.000Z'],
    ]);
    const pending = await h.db
      .select()
      .from(timers)
      .where(and(eq(timers.itemId, item?.id as number), eq(timers.status, 'pending')));
    expect(pending.every((x) => x.clockId === all[1]?.id)).toBe(true);
    expect(pending.map((x) => x.dueAt.toISOString()).sort()).toEqual([
      '2026-10-29T01:00:00.000Z',
      '2026-11-02T01:00:00.000Z',
      '2026-11-03T01:00:00.000Z',
      '2026-11-03T16:00:00.000Z',
    ]);
  });
});
