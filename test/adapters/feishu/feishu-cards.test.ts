import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client.js';
import { itemEvents, items, outbox, wordings } from '../../../db/schema.js';
import type { Service } from '../../../src/service.js';
import { FakeClock } from '../../helpers/clock.js';
import { DB_KINDS, useDatabase } from '../../helpers/databases.js';
import {
  ENCRYPT_KEY,
  type FakeFeishu,
  feishuRequest,
  messageEvent,
  type SentMessage,
  startFeishuService,
} from '../../helpers/fake-feishu.js';
import { feishuEnvelope, fixtureOrg } from '../../helpers/fixtures.js';

const ORG = fixtureOrg('feishu-edu-gat');

type Json = Record<string, unknown>;
interface Control {
  tag: string;
  label: string;
  value: Json;
  form?: string;
  options?: string[];
}

/** Every button and select on a Feishu card JSON 2.0, with the form each button submits. */
function controls(card: unknown): Control[] {
  const out: Control[] = [];
  const walk = (node: unknown, form?: string) => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, form);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Json;
    const value = (n.behaviors as { value: Json }[] | undefined)?.[0]?.value;
    if (n.tag === 'button' && value) {
      const label = (n.text as { content: string }).content;
      out.push({ tag: 'button', label, value, ...(form ? { form } : {}) });
    }
    if (n.tag === 'select_static' && value) {
      const options = (n.options as { value: string }[]).map((o) => o.value);
      out.push({
        tag: 'select_static',
        label: (n.placeholder as { content: string }).content,
        value,
        options,
      });
    }
    const inForm = n.tag === 'form' ? String(n.name) : form;
    for (const key of ['body', 'elements', 'columns']) walk(n[key], inForm);
  };
  walk(card);
  return out;
}

/** The names of a card's form fields (inputs and checkers), by form. */
function formFields(card: unknown): Record<string, string[]> {
  const elements = (card as { body: { elements: Json[] } }).body.elements;
  return Object.fromEntries(
    elements
      .filter((e) => e.tag === 'form')
      .map((f) => [
        String(f.name),
        (f.elements as Json[])
          .filter((e) => e.tag === 'input' || e.tag === 'checker')
          .map((e) => String(e.name)),
      ]),
  );
}

const cardText = (card: unknown) => JSON.stringify(card);

describe.each(DB_KINDS)('interactive cards through the real SDK and a fake Open API (%s)', (kind) => {
  let database: Database;
  let fake: FakeFeishu;
  let service: Service;
  let clock: FakeClock;
  let n = 0;

  // Each test gets its own fake Open API and service on an emptied database.
  const db = useDatabase(kind);
  let started: Awaited<ReturnType<typeof startFeishuService>> | undefined;
  beforeEach(async () => {
    clock = new FakeClock('2026-11-22T03:00:00Z');
    started = await startFeishuService(db.database, ORG, 'cli_cards', clock);
    ({ fake, database, service } = started);
  });
  afterEach(() => started?.close());

  /** Delivers everything; messages held back by the 5-per-second chat limit go a second later. */
  const settle = async () => {
    for (;;) {
      if ((await service.inbox.drain()) + (await service.outbox.drain()) > 0) continue;
      const [held] = await database.db
        .select({ n: count() })
        .from(outbox)
        .where(eq(outbox.status, 'pending'));
      if (!held?.n) return;
      clock.advance(1000);
    }
  };

  /** A message from a user, @-mentioning the bot. */
  async function say(openId: string, chatId: string, text: string) {
    const id = ++n;
    const messageId = `om_user_${id}`;
    fake.userMessages.set(messageId, chatId);
    const event = messageEvent({
      eventId: `ev_${id}`,
      messageId,
      chatId,
      senderOpenId: openId,
      text: `@_user_1 ${text}`,
      mentions: [{ key: '@_user_1', openId: fake.botOpenId, name: '回音' }],
      at: clock.now(),
    });
    const res = await service.app.request('/feishu/events', {
      method: 'POST',
      ...feishuRequest(ENCRYPT_KEY, event, clock.now()),
    });
    expect(res.status).toBe(200);
    await settle();
    return messageId;
  }

  /** A card as everyone sees it now: as sent, then as last patched. */
  const current = (m: SentMessage) =>
    fake.patches.filter((p) => p.messageId === m.messageId).at(-1)?.content ?? m.content;

  const titleOf = (m: SentMessage) =>
    (m.content as { header?: { title?: { content?: string } } }).header?.title?.content ?? '';

  /** The latest card in a chat whose title has every needle (舆情 … for item cards, 口径审核 … for approvals). */
  function card(chatId: string, ...needles: string[]): SentMessage {
    const found = fake
      .inChat(chatId)
      .filter((m) => m.msgType === 'interactive' && needles.every((x) => titleOf(m).includes(x)));
    const last = found.at(-1);
    if (!last) throw new Error(`no card ${needles.join(' ')} in ${chatId}`);
    return last;
  }

  function control(m: SentMessage, label: string): Control {
    const c = controls(current(m)).find((x) => x.label === label);
    if (!c) throw new Error(`no control ${label} on ${m.messageId}: ${cardText(current(m))}`);
    return c;
  }

  /** A card callback as Feishu sends it: a button, a select choice or a form submit. */
  async function click(
    openId: string,
    m: SentMessage,
    c: Control,
    input: { option?: string; form?: Record<string, unknown> } = {},
  ) {
    const action =
      c.tag === 'select_static'
        ? { tag: 'select_static', option: input.option, value: c.value }
        : c.form
          ? { tag: 'button', name: `${c.form}_submit`, value: c.value, form_value: input.form ?? {} }
          : { tag: 'button', value: c.value };
    const callback = feishuEnvelope('card-action', {
      header: { event_id: `card_${++n}` },
      event: {
        operator: { open_id: openId },
        action,
        context: { open_message_id: m.messageId, open_chat_id: m.chatId },
      },
    });
    const res = await service.app.request('/feishu/card', {
      method: 'POST',
      ...feishuRequest(ENCRYPT_KEY, callback, clock.now()),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      toast?: { type: string; content: string };
      card?: { data: unknown };
    };
    await settle();
    return answer;
  }

  const item = async (number: string) => {
    const [row] = await database.db.select().from(items).where(eq(items.number, number));
    if (!row) throw new Error(`no item ${number}`);
    return row;
  };
  const threadTexts = (chatId: string, root: SentMessage) =>
    fake
      .inChat(chatId)
      .filter((m) => m.replyTo === root.messageId && m.replyInThread && m.msgType === 'text')
      .map((m) => String((m.content as { text: string }).text));

  it('the full life of a 重大 item by clicks alone: claim, grade, 口径 with another agency, 退回, approval, 统一口径, stages, publish, close', async () => {
    await say('ou_officer', 'oc_lobby', '/上报 “某中学食堂疑似食物中毒” 类别:教育');
    const itemCard = card('oc_edu', '舆情 YQ');
    const number = /舆情 (YQ\d{8}-\d{3})/.exec(cardText(itemCard.content))?.[1] as string;
    const first = control(itemCard, '认领');

    // 认领, by a spokesperson of the unit.
    expect((await click('ou_spk', itemCard, first)).toast).toEqual({ type: 'success', content: '已认领' });
    expect((await item(number)).state).toBe('claimed');

    // 研判 in the level select, by the leader: the card turns red and offers the release stages.
    const graded = await click('ou_ldr', itemCard, control(itemCard, '研判定级（领导、审核人）'), {
      option: '重大',
    });
    expect(graded.toast).toEqual({ type: 'success', content: '已研判定级' });
    expect((await item(number)).level).toBe('重大');
    expect(cardText(current(itemCard))).toContain('快报事实 → 慎报原因 → 详报措施 → 后报结果');
    expect(controls(current(itemCard)).map((c) => c.label)).toContain('发布「快报事实」');
    expect(formFields(current(itemCard))).toMatchObject({
      wording: ['wording_text'],
      stage: ['stage_text'],
      transfer: ['transfer_unit', 'transfer_reason'],
      close: ['close_result'],
    });

    // 口径 through the card's form; it names 测试省公安厅, whose approver must confirm too.
    const text1 = '经核查，该校食堂已停业整顿，测试省公安厅已介入调查。';
    const submitted = await click('ou_spk', itemCard, control(itemCard, '提交审核'), {
      form: { wording_text: text1 },
    });
    expect(submitted.toast).toEqual({ type: 'success', content: '口径已提交审核' });
    expect((await item(number)).state).toBe('awaiting_approval');
    const eduApproval = card('oc_edu', `口径审核 ${number}`);
    const gatApproval = card('oc_gat', `口径审核 ${number}`);
    // In the unit's group the approval card sits in the item's thread and @-mentions its approver.
    expect(eduApproval.replyTo).toBe(itemCard.messageId);
    expect(eduApproval.replyInThread).toBe(true);
    expect(cardText(eduApproval.content)).toContain('<at id=ou_apv></at>');
    expect(cardText(gatApproval.content)).toContain('<at id=ou_gat_apv></at>');
    expect(formFields(eduApproval.content)).toEqual({ decide: ['secrecy', 'reason'] });

    // Only an approver (or leader) of that unit decides; 同意 needs the 保密审查 tick; 退回 a reason.
    const approve = control(eduApproval, '同意');
    const reject = control(eduApproval, '退回');
    const gatApprove = control(gatApproval, '同意');
    expect((await click('ou_spk', eduApproval, approve, { form: { secrecy: true } })).toast).toEqual({
      type: 'error',
      content: '只有测试省教育厅的审核人、领导可以审核此口径。',
    });
    expect((await click('ou_gat_apv', eduApproval, approve, { form: { secrecy: true } })).toast?.type).toBe(
      'error',
    );
    const unticked = await click('ou_apv', eduApproval, approve, { form: { secrecy: false, reason: '' } });
    expect(unticked.toast?.content).toContain('须确认已完成保密审查');
    expect((await click('ou_apv', eduApproval, reject, { form: { reason: '  ' } })).toast?.content).toBe(
      '缺少退回理由。',
    );
    expect((await item(number)).state).toBe('awaiting_approval');

    // 退回 with a reason: back to the drafter, @-mentioned in the thread; the cards close.
    const rejected = await click('ou_apv', eduApproval, reject, {
      form: { reason: '请删去尚未核实的调查进展' },
    });
    expect(rejected.toast).toEqual({ type: 'success', content: '已退回' });
    expect((await item(number)).state).toBe('claimed');
    const back = fake
      .inChat('oc_edu')
      .find((m) => cardText(m.content).includes('口径被测试省教育厅赵丽退回'));
    expect(back?.replyTo).toBe(itemCard.messageId);
    expect(cardText(back?.content)).toContain('<at user_id=\\"ou_spk\\">王敏</at>');
    expect(cardText(back?.content)).toContain('请删去尚未核实的调查进展');
    expect(controls(current(eduApproval))).toEqual([]);
    expect(controls(current(gatApproval))).toEqual([]);
    // The 公安厅 approver's card is closed too: a click there is outdated.
    expect((await click('ou_gat_apv', gatApproval, gatApprove, { form: { secrecy: true } })).toast).toEqual({
      type: 'error',
      content: '已过期，请查看最新卡片。',
    });
    expect((await click('ou_gat_apv', gatApproval, approve, { form: { secrecy: true } })).toast?.type).toBe(
      'error',
    );

    // The second draft: both units must agree; a double click agrees once.
    const text2 = '经核查，该校食堂已停业整顿，测试省公安厅已介入。';
    await click('ou_spk', itemCard, control(itemCard, '提交审核'), { form: { wording_text: text2 } });
    const edu2 = card('oc_edu', `口径审核 ${number}`);
    const gat2 = card('oc_gat', `口径审核 ${number}`);
    expect(edu2.messageId).not.toBe(eduApproval.messageId);
    const both = await Promise.all([
      click('ou_apv', edu2, control(edu2, '同意'), { form: { secrecy: true } }),
      click('ou_apv', edu2, control(edu2, '同意'), { form: { secrecy: true } }),
    ]);
    expect(both.map((a) => a.toast?.content).sort()).toEqual(['已同意', '已过期，请查看最新卡片。']);
    expect((await item(number)).state).toBe('awaiting_approval');
    expect(cardText(current(gat2))).toContain('测试省教育厅：已同意（赵丽）；测试省公安厅：待审核');

    // The last agreement makes it the 统一口径, posted to every involved unit's thread or group.
    expect(
      (await click('ou_gat_apv', gat2, control(gat2, '同意'), { form: { secrecy: 'true' } })).toast,
    ).toEqual({
      type: 'success',
      content: '已同意',
    });
    const approvedItem = await item(number);
    expect(approvedItem.state).toBe('responding');
    const [w] = await database.db.select().from(wordings).where(eq(wordings.status, 'approved'));
    expect(w?.text).toBe(text2);
    const unified = (chatId: string) =>
      fake.inChat(chatId).filter((m) => cardText(m.content).includes(`【统一口径】${number}`));
    expect(unified('oc_edu')).toHaveLength(1);
    expect(unified('oc_edu')[0]?.replyTo).toBe(itemCard.messageId);
    expect(cardText(unified('oc_edu')[0]?.content)).toContain(text2);
    expect(unified('oc_open')).toHaveLength(1); // 抄送: no card there, so in its group
    expect(unified('oc_gat')).toHaveLength(1); // the agency that confirmed it
    expect(cardText(current(itemCard))).toContain(`**统一口径**：${text2}`);
    // 公安厅's group has no item card: nothing was queued for a thread there (it would wait for one).
    const threaded = await database.db.select().from(outbox).where(eq(outbox.chatId, 'oc_gat'));
    expect(threaded.filter((r) => r.threadItemId !== null)).toEqual([]);

    // Anyone else gets a toast that says who may, whatever they filled in.
    const refusals: [string, string, Record<string, unknown>, string][] = [
      [
        'ou_spk',
        '研判定级（领导、审核人）',
        { option: '一般' },
        '只有测试省教育厅的领导、审核人可以研判定级。',
      ],
      [
        'ou_gat_spk',
        '办结',
        { form: { close_result: '' } },
        '只有测试省教育厅的新闻发言人、工作人员、领导可以办结。',
      ],
      ['ou_officer', '已发布', {}, '只有测试省教育厅的新闻发言人、工作人员、领导可以记录发布。'],
      [
        'ou_apv',
        '提交审核',
        { form: { wording_text: '' } },
        '只有测试省教育厅的新闻发言人、工作人员、领导可以提交口径。',
      ],
    ];
    for (const [who, label, input, toast] of refusals) {
      expect((await click(who, itemCard, control(itemCard, label), input)).toast, label).toEqual({
        type: 'error',
        content: toast,
      });
    }
    expect((await item(number)).version).toBe(approvedItem.version);

    // Release stages, in order, from the card's form.
    const stage1 = await click('ou_spk', itemCard, control(itemCard, '发布「快报事实」'), {
      form: { stage_text: '已有12名学生就医，无生命危险' },
    });
    expect(stage1.toast).toEqual({ type: 'success', content: '已发布' });
    expect((await item(number)).releaseStage).toBe(1);
    expect(cardText(current(itemCard))).toContain('快报事实 ✓ → 慎报原因');
    await click('ou_spk', itemCard, control(itemCard, '发布「慎报原因」'), {
      form: { stage_text: '初步判断为食材变质，原因正在调查' },
    });
    expect((await item(number)).releaseStage).toBe(2);
    expect(
      threadTexts('oc_edu', itemCard).some((t) => t.includes('已发布「慎报原因」：初步判断为食材变质')),
    ).toBe(true);

    // 已发布, then 办结 with its result; the closed card offers nothing more to do.
    expect((await click('ou_spk', itemCard, control(itemCard, '已发布'))).toast?.content).toBe('已记录发布');
    expect(
      (await click('ou_spk', itemCard, control(itemCard, '办结'), { form: { close_result: '' } })).toast
        ?.content,
    ).toBe('缺少办理结果。');
    // A double click on 办结 closes it once.
    const closeIt = control(itemCard, '办结');
    const closing = await Promise.all(
      [1, 2].map(() =>
        click('ou_spk', itemCard, closeIt, { form: { close_result: '涉事食堂已整改，相关责任人已处理' } }),
      ),
    );
    expect(closing.map((c) => c.toast?.content).sort()).toEqual(['已办结', '已过期，请查看最新卡片。']);
    expect((await item(number)).state).toBe('closed');
    expect(controls(current(itemCard)).map((c) => c.label)).toEqual(['刷新', '查看进展']);

    // Every click is in the audit trail with the clicker.
    const trail = await database.db
      .select()
      .from(itemEvents)
      .where(eq(itemEvents.itemId, approvedItem.id))
      .orderBy(itemEvents.id);
    expect(trail.map((e) => [e.kind, e.actorName])).toEqual([
      ['reported', '李自林'],
      ['claimed', '王敏'],
      ['graded', '李强'],
      ['wording_submitted', '王敏'],
      ['wording_rejected', '赵丽'],
      ['wording_submitted', '王敏'],
      ['wording_approved_by_unit', '赵丽'],
      ['wording_approved', '高志峰'],
      ['stage_released', '王敏'],
      ['stage_released', '王敏'],
      ['published', '王敏'],
      ['closed', '王敏'],
    ]);

    // A click on the card as it was first drawn changes nothing.
    expect((await click('ou_spk', itemCard, first)).toast).toEqual({
      type: 'error',
      content: '已过期，请查看最新卡片。',
    });
  });

  it('转办 on the card: only a leader or approver; the new unit gets the card and its spokesperson the @', async () => {
    await say('ou_officer', 'oc_lobby', '/上报 “某校周边治安问题” 类别:教育');
    const itemCard = card('oc_edu', '舆情 YQ', '某校周边治安问题');
    const number = /舆情 (YQ\d{8}-\d{3})/.exec(cardText(itemCard.content))?.[1] as string;
    const transfer = control(itemCard, '转办');

    expect((await click('ou_spk', itemCard, transfer, { form: { transfer_unit: '公安厅' } })).toast).toEqual({
      type: 'error',
      content: '只有测试省教育厅的领导、审核人可以转办。',
    });
    expect(
      (await click('ou_ldr', itemCard, transfer, { form: { transfer_unit: '不存在的单位' } })).toast?.content,
    ).toContain('组织目录中没有名为「不存在的单位」的单位');
    expect((await item(number)).ownerUnitId).toBe('edu');

    const done = await click('ou_ldr', itemCard, transfer, {
      form: { transfer_unit: '公安厅', transfer_reason: '属治安案件' },
    });
    expect(done.toast).toEqual({ type: 'success', content: '已转办' });
    const moved = await item(number);
    expect([moved.ownerUnitId, moved.state]).toEqual(['gat', 'reported']);
    const gatCard = card('oc_gat', `舆情 ${number}`);
    expect(cardText(gatCard.content)).toContain('<at id=ou_gat_spk></at>');
    expect(cardText(gatCard.content)).toContain('请测试省公安厅认领并组织处置');
    expect(controls(gatCard.content).map((c) => c.label)).toContain('认领');
    expect(
      fake
        .inChat('oc_gat')
        .some((m) => cardText(m.content).includes('由测试省教育厅李强转办至测试省公安厅，理由：属治安案件')),
    ).toBe(true);

    // The old unit can no longer claim it; the new one can.
    const claimOld = control(itemCard, '认领');
    expect((await click('ou_spk', itemCard, claimOld)).toast?.content).toBe(
      '只有测试省公安厅的新闻发言人、工作人员可以认领。',
    );
    expect((await click('ou_gat_spk', gatCard, control(gatCard, '认领'))).toast?.content).toBe('已认领');
  });
});
