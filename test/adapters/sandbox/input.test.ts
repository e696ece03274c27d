import { describe, expect, it } from 'vitest';
import { DB_KINDS } from '../../helpers/databases.js';
import { textOf, useHarness } from '../../helpers/harness.js';

describe.each(DB_KINDS)('what users type, through the sandbox (%s)', (kind) => {
  const t = useHarness(kind);

  it.each([
    ['a NUL', '食堂\u0000饭菜变质', '食堂饭菜变质'],
    ['a lone surrogate', '食堂\uDC00饭菜变质', '食堂\uFFFD饭菜变质'],
    ['a bidi override and a zero-width space', '食堂\u202E饭菜\u200B变质', '食堂饭菜变质'],
  ])('a report with %s is accepted and answered, and kept as cleaned', async (_name, typed, stored) => {
    const sent = await t.h.say('cac-ofc-1', 'sb-lobby', `/上报 “${typed}” 类别:教育`);
    expect(sent.status).toBe(200);
    const id = sent.body.id as string;
    expect(textOf(await t.h.replyTo('sb-lobby', id))).toContain(`✅ 已上报 YQ20261122-001《${stored}》`);
    const own = (await t.h.messages('sb-lobby')).find((m) => m.id === id);
    expect(own && textOf(own)).toBe(`/上报 “${stored}” 类别:教育`);
  });

  it('a message of nothing but control characters is refused as empty', async () => {
    const sent = await t.h.say('cac-ofc-1', 'sb-lobby', '\u0000\u0001\u200B');
    expect(sent.status).toBe(400);
    expect(sent.body.error).toContain('消息为空');
  });

  it('20,000 characters of unclosed quotes are answered 消息过长 with the usage of /上报', async () => {
    const text = `/上报 ${'“ '.repeat(9_997)}`;
    expect(text.length).toBeLessThanOrEqual(20_000);
    const sent = await t.h.say('cac-ofc-1', 'sb-lobby', text);
    const reply = textOf(await t.h.replyTo('sb-lobby', sent.body.id as string));
    expect(reply).toContain(`❌ 消息过长（${[...text].length} 字）`);
    expect(reply).toContain('用法：/上报');
  });

  it('a 口径 with a heading, a rule and a link stays literal text on the approval card', async () => {
    await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “某校\u202E知通课停” 类别:教育');
    await t.h.say('jyt-spk', 'sb-jyt', '/认领 YQ20261122-001');
    const wording = '经核查，网传不实。\n# 标题\n---\n[点我](https://evil.example)';
    await t.h.say('jyt-spk', 'sb-jyt', `/口径 YQ20261122-001 ${wording}`);
    const [approval] = await t.h.botMessages('sb-jyt', '口径审核');
    if (approval?.content.kind !== 'card') throw new Error('no approval card');
    // The card carries the text as text parts: the page shows them as text nodes.
    expect(approval.content.card.body.some((p) => p.t === 'text' && p.v.includes(wording))).toBe(true);
    const [card] = await t.h.itemCards('sb-jyt', 'YQ20261122-001');
    expect(card?.content.kind === 'card' && card.content.card.title).toBe(
      '舆情 YQ20261122-001｜某校知通课停',
    );
  });

  it('a click on a card by someone outside the org directory is refused and changes nothing', async () => {
    await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “某小学食堂饭菜变质” 类别:教育');
    const [card] = await t.h.itemCards('sb-jyt', 'YQ20261122-001');
    if (card?.content.kind !== 'card') throw new Error('no item card');
    const claim = card.content.card.buttons.find((b) => b.label === '认领');
    if (!claim) throw new Error('no 认领 button');
    const before = await t.h.messages('sb-jyt');
    const res = await t.h.click('stranger', card.id, claim.value);
    expect(res.body.toast).toMatchObject({ type: 'error' });
    expect(res.body.toast.content).toContain('你不在回音的组织目录中');
    expect(await t.h.messages('sb-jyt')).toEqual(before);
  });
});
