import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { itemEvents, items, itemUnits, wordings } from '../../../db/schema.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { fixtureOrg } from '../../helpers/fixtures.js';
import { mentionsOf, type SandboxMessage, textOf, useHarness } from '../../helpers/harness.js';

/**
 * The workflow between report and close by text commands in the sandbox: the twin of every card
 * action, for platforms without cards.
 */
describe.each(DB_KINDS)('口径 approval, release stages and 转办 by text (%s)', (kind) => {
  const t = useHarness(kind);

  /** Sends a command and returns the bot's reply text. */
  async function ask(personId: string, chatId: string, text: string): Promise<string> {
    const r = await t.h.say(personId, chatId, text);
    return textOf(await t.h.replyTo(chatId, r.body.id as string));
  }
  async function report(title: string): Promise<string> {
    const reply = await ask('cac-ofc-1', 'sb-lobby', `/上报 “${title}” 类别:教育`);
    return /YQ\d{8}-\d{3}/.exec(reply)?.[0] as string;
  }
  const item = async (number: string) => {
    const [row] = await t.database.db.select().from(items).where(eq(items.number, number));
    if (!row) throw new Error(`no item ${number}`);
    return row;
  };
  const cardsTitled = async (chatId: string, title: string) =>
    (await t.h.messages(chatId)).filter(
      (m) => m.content.kind === 'card' && m.content.card.title.startsWith(title),
    );
  const texts = async (chatId: string, needle: string) =>
    (await t.h.messages(chatId)).filter((m) => m.content.kind === 'text' && textOf(m).includes(needle));

  it('口径 → 退回 → 口径 → 同意 by both agencies → 统一口径; stages in order; 发布; 办结', async () => {
    const number = await report('某中学食堂疑似食物中毒');

    // Bad input changes nothing and says what would have worked.
    const early = await ask('jyt-spk', 'sb-jyt', `/口径 ${number} 经核查情况属实`);
    expect(early).toContain('该舆情当前状态为「待认领」，不能提交口径');
    expect(early).toContain('用法：/口径 <编号> <口径内容>');
    await ask('jyt-spk', 'sb-jyt', `/认领 ${number}`);
    await ask('jyt-ldr', 'sb-jyt', `/研判 ${number} 级别:重大`);
    expect(await ask('jyt-spk', 'sb-jyt', `/口径 ${number}`)).toBe(
      '❌ 缺少口径内容。\n用法：/口径 <编号> <口径内容>，例：/口径 YQ20261122-003 经核查，网传“某校停课”不实，该校教学秩序正常。',
    );
    expect(await ask('gat-spk', 'sb-gat', `/口径 ${number} 由我厅发布`)).toContain(
      '❌ 只有省教育厅的新闻发言人、工作人员、领导可以提交口径。',
    );
    expect(await t.database.db.select().from(wordings)).toEqual([]);

    // A wording that names 省公安厅 asks its approver too; line breaks are kept.
    const draft1 = '经核查，该校食堂已停业整顿；\n省公安厅已介入调查。';
    const submitted = await ask('jyt-spk', 'sb-jyt', `/口径 ${number} ${draft1}`);
    expect(submitted).toContain(
      `✅ ${number} 口径已提交审核（拟稿：王敏），审核卡片已发至省教育厅、省公安厅并@其审核人。`,
    );
    expect(submitted).toContain('口径涉及省公安厅，已同时请其审核人确认。');
    const [jytCard] = await cardsTitled('sb-jyt', `口径审核 ${number}`);
    const [gatCard] = await cardsTitled('sb-gat', `口径审核 ${number}`);
    expect(mentionsOf(jytCard as SandboxMessage)).toEqual(['jyt-apv']);
    expect(mentionsOf(gatCard as SandboxMessage)).toEqual(['gat-apv']);
    expect(textOf(jytCard as SandboxMessage)).toContain(draft1);
    const [root] = await t.h.itemCards('sb-jyt', number);
    expect(jytCard?.threadRoot).toBe(root?.id);

    expect(await ask('jyt-apv', 'sb-jyt', `/同意 ${number}`)).toBe(
      `❌ 同意前须确认已完成保密审查。\n用法：/同意 <编号> 保密审查，例：/同意 YQ20261122-003 保密审查（写明“保密审查”即确认已完成保密审查）`,
    );
    expect(await ask('jyt-spk', 'sb-jyt', `/同意 ${number} 保密审查`)).toContain(
      '❌ 只有省教育厅、省公安厅的审核人、领导可以审核此口径。',
    );
    expect(await ask('jyt-apv', 'sb-jyt', `/退回 ${number}`)).toContain('❌ 缺少退回理由。');
    expect((await item(number)).state).toBe('awaiting_approval');

    // 退回 by the other agency: the drafter is @-mentioned in the item's thread with the reason.
    expect(await ask('gat-apv', 'sb-gat', `/退回 ${number} 案件仍在侦办，请勿提及公安机关`)).toBe(
      `↩️ 已退回 ${number} 的口径（省公安厅），理由：案件仍在侦办，请勿提及公安机关。已通知拟稿人王敏。`,
    );
    expect((await item(number)).state).toBe('claimed');
    const [back] = await texts('sb-jyt', '的口径被省公安厅高志峰退回');
    expect(mentionsOf(back as SandboxMessage)).toEqual(['jyt-spk']);
    expect(back?.threadRoot).toBe(root?.id);
    expect(textOf(back as SandboxMessage)).toContain(`请修改后重新提交：/口径 ${number} <修改后的口径>`);
    expect(await ask('jyt-apv', 'sb-jyt', `/同意 ${number} 保密审查`)).toContain(
      `❌ ${number} 当前没有待审核的口径。`,
    );

    // The second draft names 公安厅 by its short name: both must agree, each once.
    const draft2 = '经核查，该校食堂已停业整顿，公安厅已介入。';
    await ask('jyt-spk', 'sb-jyt', `/口径 ${number} ${draft2}`);
    expect(await ask('jyt-apv', 'sb-jyt', `/同意 ${number} 保密审查`)).toBe(
      `✅ 省教育厅赵丽已同意 ${number} 的口径（已完成保密审查），尚待省公安厅审核。`,
    );
    expect(await ask('jyt-apv', 'sb-jyt', `/同意 ${number} 保密审查`)).toContain(
      '❌ 省教育厅已审核过此口径，正等待其他单位审核。',
    );
    expect((await item(number)).state).toBe('awaiting_approval');
    expect(await ask('gat-ldr', 'sb-gat', `/approve ${number} 已保密审查`)).toBe(
      `✅ ${number} 的口径已审定（林雪娇），已作为统一口径发至各有关单位。`,
    );
    expect((await item(number)).state).toBe('responding');

    // 统一口径: in the item's thread where it has a card, in the groups of the others.
    for (const chat of ['sb-jyt', 'sb-gat', 'sb-gov-open', 'sb-news-office', 'sb-cac']) {
      const unified = await texts(chat, `【统一口径】${number}`);
      expect(unified, chat).toHaveLength(1);
      expect(textOf(unified[0] as SandboxMessage)).toContain(draft2);
      expect(textOf(unified[0] as SandboxMessage)).toContain(
        '省教育厅：已同意（赵丽）；省公安厅：已同意（林雪娇）',
      );
    }
    expect((await texts('sb-jyt', `【统一口径】${number}`))[0]?.threadRoot).toBe(root?.id);
    const [redrawn] = await t.h.itemCards('sb-jyt', number);
    expect(textOf(redrawn as SandboxMessage)).toContain(`统一口径：${draft2}`);

    // Release stages: in order, the current one may be repeated, none skipped or undone.
    expect(await ask('jyt-spk', 'sb-jyt', `/续报 ${number} 慎报原因 初步判断为食材变质`)).toContain(
      '❌ 请先发布「快报事实」，再发布「慎报原因」。',
    );
    expect(await ask('jyt-spk', 'sb-jyt', `/续报 ${number} 快报事实 已有12名学生就医`)).toContain(
      `✅ ${number} 已发布「快报事实」：已有12名学生就医（王敏）\n发布阶段：快报事实 ✓ → 慎报原因 → 详报措施 → 后报结果`,
    );
    expect(await ask('jyt-spk', 'sb-jyt', `/续报 ${number} 快报 均无生命危险`)).toContain(
      '已发布「快报事实」：均无生命危险',
    );
    expect(await ask('jyt-spk', 'sb-jyt', `/续报 ${number} 详报 已全面排查`)).toContain(
      '❌ 请先发布「慎报原因」，再发布「详报措施」。',
    );
    await ask('jyt-spk', 'sb-jyt', `/续报 ${number} 慎报原因 初步判断为食材变质`);
    expect(await ask('jyt-spk', 'sb-jyt', `/续报 ${number} 快报事实 补充`)).toContain(
      `❌ ${number} 已进入「慎报原因」阶段，不能回到「快报事实」。`,
    );
    expect((await item(number)).releaseStage).toBe(2);
    // A plain 续报 still works and does not move the stage.
    expect(await ask('jyt-spk', 'sb-jyt', `/续报 ${number} 学生均已返校`)).toContain(
      `✅ ${number} 已续报：学生均已返校`,
    );
    expect((await item(number)).releaseStage).toBe(2);

    const detail = await ask('jyt-spk', 'sb-jyt', `/查询 ${number}`);
    expect(detail).toContain('发布阶段：快报事实 ✓ → 慎报原因 ✓ → 详报措施 → 后报结果');
    expect(detail).toContain(`统一口径：${draft2}`);
    expect(detail).toContain('高志峰 退回口径：案件仍在侦办，请勿提及公安机关');
    expect(detail).toContain('王敏 发布「慎报原因」');

    await ask('jyt-spk', 'sb-jyt', `/发布 ${number} 渠道:微博`);
    expect(await ask('jyt-spk', 'sb-jyt', `/办结 ${number} 涉事食堂已整改`)).toContain(
      '已办结：涉事食堂已整改',
    );
    const trail = await t.database.db
      .select()
      .from(itemEvents)
      .where(eq(itemEvents.itemId, (await item(number)).id))
      .orderBy(itemEvents.id);
    expect(trail.map((e) => `${e.kind} ${e.actorName}`)).toEqual([
      'reported 李自林',
      'claimed 王敏',
      'graded 李强',
      'wording_submitted 王敏',
      'wording_rejected 高志峰',
      'wording_submitted 王敏',
      'wording_approved_by_unit 赵丽',
      'wording_approved 林雪娇',
      'stage_released 王敏',
      'stage_released 王敏',
      'stage_released 王敏',
      'updated 王敏',
      'published 王敏',
      'closed 王敏',
    ]);
  });

  it('the drafter cannot approve their own wording, even as a leader', async () => {
    const number = await report('某校教师有偿补课');
    await ask('jyt-spk', 'sb-jyt', `/认领 ${number}`);
    await ask('jyt-ldr', 'sb-jyt', `/口径 ${number} 已责成学校调查核实。`);
    expect(await ask('jyt-ldr', 'sb-jyt', `/同意 ${number} 保密审查`)).toContain(
      '❌ 拟稿人不能审核自己提交的口径，请由本单位其他审核人或领导审核。',
    );
    expect((await item(number)).state).toBe('awaiting_approval');
    expect(await ask('jyt-apv', 'sb-jyt', `/同意 ${number} 保密审查`)).toContain('的口径已审定（赵丽）');
  });

  it('two units approving at the same moment: the wording is approved, and announced, once', async () => {
    const number = await report('某校学生溺水');
    await ask('jyt-spk', 'sb-jyt', `/认领 ${number}`);
    await ask('jyt-spk', 'sb-jyt', `/口径 ${number} 省公安厅正在调查事故经过。`);
    // Plain chat lines to reply to; the two approvals are dispatched side by side.
    const a = await t.h.say('jyt-apv', 'sb-jyt', '收到');
    const b = await t.h.say('gat-apv', 'sb-gat', '收到');
    const approval = (personId: string, name: string, chatId: string, messageId: string) =>
      t.h.service.dispatcher.dispatch({
        kind: 'message',
        platform: 'sandbox',
        eventId: `race-${personId}`,
        chatId,
        chatType: 'group',
        messageId,
        sender: { id: personId, name },
        text: `/同意 ${number} 保密审查`,
        mentions: [],
        addressed: false,
        sentAt: t.h.clock.now(),
      });
    const results = await Promise.all([
      approval('jyt-apv', '赵丽', 'sb-jyt', a.body.id as string),
      approval('gat-apv', '高志峰', 'sb-gat', b.body.id as string),
    ]);
    expect(results.map((r) => r.status)).toEqual(['handled', 'handled']);
    await t.h.settle();
    expect((await item(number)).state).toBe('responding');
    for (const chat of ['sb-jyt', 'sb-gat'])
      expect(await texts(chat, `【统一口径】${number}`), chat).toHaveLength(1);
  });

  it('a revised wording for an item already 已回应: updates go on, 退回 keeps the 统一口径, 撤回 and 办结 close it', async () => {
    const number = await report('某校午餐供应商资质');
    await ask('jyt-spk', 'sb-jyt', `/认领 ${number}`);
    await ask('jyt-spk', 'sb-jyt', `/口径 ${number} 供应商资质齐全。`);
    expect(await ask('jyt-apv', 'sb-jyt', `/同意 ${number} 未做保密审查`)).toContain(
      '❌ 同意前须确认已完成保密审查。',
    );
    await ask('jyt-apv', 'sb-jyt', `/同意 ${number} 已保密审查`);
    await ask('jyt-spk', 'sb-jyt', `/发布 ${number}`);

    // The revision is under review; the item stays 已回应 and 续报 goes on.
    await ask('jyt-spk', 'sb-jyt', `/口径 ${number} 供应商资质齐全，已加强抽检。`);
    expect((await item(number)).state).toBe('responding');
    expect(await ask('jyt-spk', 'sb-jyt', `/口径 ${number} 再改一稿`)).toContain(
      `❌ ${number} 已有口径在审核中（拟稿：王敏）。请等待审核结果，或先发送 /撤回 ${number} 撤回后再提交。`,
    );
    expect(await ask('jyt-spk', 'sb-jyt', `/续报 ${number} 抽检结果合格`)).toContain('已续报：抽检结果合格');
    let [card] = await t.h.itemCards('sb-jyt', number);
    expect(textOf(card as SandboxMessage)).toContain('统一口径：供应商资质齐全。');
    expect(textOf(card as SandboxMessage)).toContain('修改口径：审核中');

    // 退回 leaves it 已回应 with its 统一口径.
    await ask('jyt-apv', 'sb-jyt', `/退回 ${number} 抽检尚未完成`);
    expect((await item(number)).state).toBe('responding');
    [card] = await t.h.itemCards('sb-jyt', number);
    expect(textOf(card as SandboxMessage)).toContain('统一口径：供应商资质齐全。');
    expect(textOf(card as SandboxMessage)).toContain('修改口径：已退回，待修改后重新提交');

    // 撤回: only the drafter or the unit's handlers; the approval card closes.
    await ask('jyt-spk', 'sb-jyt', `/口径 ${number} 第三稿`);
    expect(await ask('gat-spk', 'sb-gat', `/撤回 ${number}`)).toContain(
      '❌ 只有省教育厅的新闻发言人、工作人员、领导可以撤回口径（拟稿人本人也可以）。',
    );
    expect(await ask('jyt-spk', 'sb-jyt', `/撤回 ${number}`)).toContain(`↩️ ${number} 的口径已由王敏撤回`);
    const approvals = await cardsTitled('sb-jyt', `口径审核 ${number}`);
    expect(approvals.map((m) => textOf(m).includes('状态：已撤回'))).toContain(true);
    expect(await ask('jyt-apv', 'sb-jyt', `/同意 ${number} 保密审查`)).toContain('当前没有待审核的口径');

    // 办结 with a revision pending withdraws it.
    await ask('jyt-spk', 'sb-jyt', `/口径 ${number} 第四稿`);
    expect(await ask('jyt-spk', 'sb-jyt', `/办结 ${number} 已核实`)).toContain('已办结：已核实');
    const [last] = await t.database.db.select().from(wordings).where(eq(wordings.text, '第四稿'));
    expect(last?.status).toBe('withdrawn');
  });

  it('转办 between co-responsible departments redraws the card the new unit already has', async () => {
    const reply = await ask('cac-ofc-1', 'sb-lobby', '/上报 “校园周边治安” 涉事:省教育厅、省公安厅');
    const number = /YQ\d{8}-\d{3}/.exec(reply)?.[0] as string;
    const before = await t.h.itemCards('sb-gat', number);
    expect(before).toHaveLength(1);
    // Several departments: 省政府办公厅 owns and coordinates it and may name 省公安厅 to lead;
    // a co-responsible department may not hand it on.
    expect((await item(number)).ownerUnitId).toBe('yn-gov-office');
    expect(await ask('jyt-ldr', 'sb-jyt', `/转办 ${number} 单位:省公安厅`)).toContain(
      '❌ 只有省政府办公厅、省委宣传部的领导、审核人可以转办。',
    );
    expect(
      await ask('yn-gov-office-ldr', 'sb-yn-gov-office', `/转办 ${number} 单位:省公安厅 由公安牵头`),
    ).toContain('已由康丽从省政府办公厅转办至省公安厅');
    const roles = await t.database.db
      .select()
      .from(itemUnits)
      .where(eq(itemUnits.itemId, (await item(number)).id));
    expect(Object.fromEntries(roles.map((r) => [r.unitId, r.role]))).toMatchObject({
      gat: 'responsible',
      jyt: 'responsible',
      'yn-gov-office': 'coordinator',
    });
    const after = await t.h.itemCards('sb-gat', number);
    expect(after).toHaveLength(1);
    expect(textOf(after[0] as SandboxMessage)).toContain('请省公安厅认领并组织处置');
    const [note] = await texts('sb-gat', `【转办】${number}`);
    expect(note?.threadRoot).toBe(after[0]?.id);
    expect(mentionsOf(note as SandboxMessage)).toContain('gat-spk');
    const claim = (after[0]?.content.kind === 'card' ? after[0].content.card.buttons : []).find(
      (b) => b.label === '认领',
    );
    const clicked = await t.h.click(
      'gat-spk',
      after[0]?.id as string,
      claim?.value as Record<string, unknown>,
    );
    expect(clicked.body.toast).toEqual({ type: 'success', content: '已认领' });
  });

  it('release stages are for 重大 items only', async () => {
    const number = await report('某校课后服务收费');
    await ask('jyt-spk', 'sb-jyt', `/认领 ${number}`);
    expect(await ask('jyt-spk', 'sb-jyt', `/续报 ${number} 快报事实 已核查`)).toContain(
      '❌ 发布阶段（快报事实、慎报原因、详报措施、后报结果）用于重大、特别重大舆情',
    );
    expect((await item(number)).releaseStage).toBe(0);
  });

  it('/转办: a leader hands the item to another unit, whose spokesperson is @-mentioned with the card', async () => {
    const number = await report('某校周边治安问题');
    await ask('jyt-spk', 'sb-jyt', `/认领 ${number}`);
    expect(await ask('jyt-spk', 'sb-jyt', `/转办 ${number} 单位:省公安厅`)).toContain(
      '❌ 只有省教育厅的领导、审核人可以转办。',
    );
    expect(await ask('jyt-ldr', 'sb-jyt', `/转办 ${number}`)).toContain(
      '❌ 缺少转办单位。\n用法：/转办 <编号> 单位:<单位>',
    );
    expect(await ask('jyt-ldr', 'sb-jyt', `/转办 ${number} 单位:省教育厅`)).toContain(
      '❌ 省教育厅已是该舆情的责任单位。',
    );
    expect(await ask('jyt-ldr', 'sb-jyt', `/转办 ${number} 单位:公安`)).toContain(
      '❌ 「公安」可以指多个单位',
    );
    expect((await item(number)).ownerUnitId).toBe('jyt');

    expect(await ask('jyt-ldr', 'sb-jyt', `/转办 ${number} 单位:省公安厅 属治安案件`)).toContain(
      `✅ ${number}《某校周边治安问题》已由李强从省教育厅转办至省公安厅（理由：属治安案件）`,
    );
    expect(await item(number)).toMatchObject({
      ownerUnitId: 'gat',
      state: 'reported',
      claimedByPersonId: null,
    });
    const [oldClock] = await cardsTitled('sb-jyt', `⏱ 时限 ${number}`);
    expect(textOf(oldClock as SandboxMessage)).toContain(
      '已转办至省公安厅，此后的时限提醒发至省公安厅工作群。',
    );
    expect(await cardsTitled('sb-gat', `⏱ 时限 ${number}`)).toHaveLength(1);
    const [gatCard] = await t.h.itemCards('sb-gat', number);
    expect(mentionsOf(gatCard as SandboxMessage)).toContain('gat-spk');
    expect(textOf(gatCard as SandboxMessage)).toContain('请省公安厅认领并组织处置');
    const [note] = await texts('sb-gat', `【转办】${number}`);
    expect(note?.threadRoot).toBe(gatCard?.id);
    // Reminders and rights follow the item: the old unit can no longer claim it.
    expect(await ask('jyt-spk', 'sb-jyt', `/认领 ${number}`)).toContain(
      '❌ 只有省公安厅的新闻发言人、工作人员可以认领。',
    );
    expect(await ask('gat-spk', 'sb-gat', `/认领 ${number}`)).toContain('已由何永刚认领');
    expect(await ask('gat-spk', 'sb-gat', `/查询 ${number}`)).toContain('李强 转办：省教育厅 → 省公安厅');
  });

  it('the sandbox cards carry the same forms: 口径 and its approval by clicks, with the 保密审查 tick', async () => {
    const number = await report('某校校服采购质疑');
    await ask('jyt-spk', 'sb-jyt', `/认领 ${number}`);
    const [card] = await t.h.itemCards('sb-jyt', number);
    if (card?.content.kind !== 'card') throw new Error('expected a card');
    const form = card.content.card.forms?.find((f) => f.name === 'wording');
    const submit = form?.buttons[0]?.value as Record<string, unknown>;
    const done = await t.h.click('jyt-spk', card.id, submit, {
      form: { wording_text: '校服采购已按规定公开招标。' },
    });
    expect(done.body.toast).toEqual({ type: 'success', content: '口径已提交审核' });

    const [approval] = await cardsTitled('sb-jyt', `口径审核 ${number}`);
    if (approval?.content.kind !== 'card') throw new Error('expected an approval card');
    const decide = approval.content.card.forms?.[0];
    expect(decide?.fields.map((f) => f.name)).toEqual(['secrecy', 'reason']);
    const agree = decide?.buttons.find((b) => b.label === '同意')?.value as Record<string, unknown>;
    const unticked = await t.h.click('jyt-apv', approval.id, agree, { form: { secrecy: false, reason: '' } });
    expect(unticked.body.toast).toEqual({
      type: 'error',
      content: '同意前须确认已完成保密审查：请勾选「已完成保密审查」后再点同意。',
    });
    const ok = await t.h.click('jyt-apv', approval.id, agree, { form: { secrecy: true, reason: '' } });
    expect(ok.body.toast).toEqual({ type: 'success', content: '已同意' });
    expect((await item(number)).state).toBe('responding');
    const [closed] = await cardsTitled('sb-jyt', `口径审核 ${number}`);
    if (closed?.content.kind !== 'card') throw new Error('expected an approval card');
    expect(closed.content.card.forms).toEqual([]);
    expect(textOf(closed)).toContain('状态：已审定');

    // The level select: the chosen option must be one the card offers.
    const [now] = await t.h.itemCards('sb-jyt', number);
    if (now?.content.kind !== 'card') throw new Error('expected a card');
    const select = now.content.card.selects?.[0];
    const forged = await t.h.click('jyt-ldr', now.id, select?.value as Record<string, unknown>, {
      option: '超级重大',
    });
    expect(forged).toEqual({ status: 400, body: { error: '卡片上没有这个按钮。' } });
    const graded = await t.h.click('jyt-ldr', now.id, select?.value as Record<string, unknown>, {
      option: '较大',
    });
    expect(graded.body.toast).toEqual({ type: 'success', content: '已研判定级' });
    expect((await item(number)).level).toBe('较大');
  });
});

describe.each(DB_KINDS)('口径 where the directory has no approver (%s)', (kind) => {
  const t = useHarness(kind, { orgFile: fixtureOrg('no-approver') });
  async function ask(personId: string, chatId: string, text: string): Promise<string> {
    const r = await t.h.say(personId, chatId, text);
    return textOf(await t.h.replyTo(chatId, r.body.id as string));
  }

  it('a unit with nobody to approve cannot take a wording; a named agency with nobody is noted, not waited for', async () => {
    const gatItem = /YQ\d{8}-\d{3}/.exec(
      await ask('officer', 'sb-office', '/上报 “某路口交通事故” 类别:社会稳定'),
    )?.[0];
    await ask('gat-spk', 'sb-gat', `/认领 ${gatItem}`);
    expect(await ask('gat-spk', 'sb-gat', `/口径 ${gatItem} 事故正在处理`)).toContain(
      '❌ 测试省公安厅除拟稿人外没有登记审核人或领导，口径无人可以审核。请在组织目录中补充（roles: [approver]）。',
    );

    const eduItem = /YQ\d{8}-\d{3}/.exec(
      await ask('officer', 'sb-office', '/上报 “某校周边交通” 类别:教育'),
    )?.[0];
    await ask('edu-spk', 'sb-edu', `/认领 ${eduItem}`);
    const reply = await ask('edu-spk', 'sb-edu', `/口径 ${eduItem} 已会同测试省公安厅加强疏导`);
    expect(reply).toContain('审核卡片已发至测试省教育厅并@其审核人。');
    expect(reply).toContain('⚠️ 口径涉及测试省公安厅，但其未登记审核人或领导，无法请其确认，请线下沟通确认。');
    expect(await ask('edu-apv', 'sb-edu', `/同意 ${eduItem} 保密审查`)).toContain('的口径已审定（赵丽）');
  });
});
