import { count } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client.js';
import { chatBindings, itemCounters, itemEvents, items, itemUnits } from '../../../db/schema.js';
import { parseCommand } from '../../../src/core/command-parser.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { textOf, useHarness } from '../../helpers/harness.js';

/** Rows in every table a command could change, except the outbox that carries the reply. */
async function stored(db: Database['db']) {
  const n = async (table: PgTable) => (await db.select({ n: count() }).from(table))[0]?.n;
  return {
    items: await n(items),
    events: await n(itemEvents),
    units: await n(itemUnits),
    counters: await n(itemCounters),
    bindings: await n(chatBindings),
  };
}

const CASES: [string, string, string, string][] = [
  ['unknown command', 'cac-ofc-1', '/发射 YQ1', '未知命令「/发射」'],
  ['missing title', 'cac-ofc-1', '/上报 类别:教育', '缺少舆情标题'],
  ['unknown category', 'cac-ofc-1', '/上报 “标题” 类别:体育', '无法识别类别「体育」'],
  [
    '民生 without a sub-category',
    'cac-ofc-1',
    '/上报 “标题” 类别:民生',
    '民生热点请写具体类别：就业、住房、教育',
  ],
  ['unknown level', 'cac-ofc-1', '/上报 “标题” 级别:超级', '无法识别级别「超级」'],
  ['unknown channel', 'cac-ofc-1', '/上报 “标题” 来源:飞鸽传书', '无法识别来源「飞鸽传书」'],
  ['unknown unit', 'cac-ofc-1', '/上报 “标题” 涉事:火星局', '组织目录中没有名为「火星局」的单位'],
  ['ambiguous unit', 'cac-ofc-1', '/上报 “标题” 涉事:公安', '「公安」可以指多个单位'],
  ['unparseable 事发', 'cac-ofc-1', '/上报 “标题” 事发:明天早上', '无法识别事发时间「明天早上」'],
  ['future 事发', 'cac-ofc-1', '/上报 “标题” 事发:23:00', '晚于当前时间'],
  ['bad link', 'cac-ofc-1', '/上报 “标题” 链接:weibo', '不是有效网址'],
  ['too long', 'cac-ofc-1', `/上报 ${'长'.repeat(2001)}`, '消息过长'],
  ['bad item number', 'cac-ofc-1', '/查询 abc', '「abc」不是舆情编号'],
  ['unknown item', 'cac-ofc-1', '/查询 YQ20990101-001', '没有编号为 YQ20990101-001 的舆情'],
  ['bad list scope', 'cac-ofc-1', '/列表 上周', '无法识别的范围「上周」'],
  ['bind by a non-admin', 'jyt-spk', '/绑定 单位:省教育厅', '只有省教育厅或其上级单位的管理员'],
  ['bind with no unit', 'yn-gov-admin', '/绑定', '缺少要绑定的单位'],
];

describe.each(DB_KINDS)('bad input (%s)', (kind) => {
  const t = useHarness(kind);

  it.each(CASES)(
    '%s: a Chinese reply with the usage, and nothing stored',
    async (_name, person, text, expected) => {
      const before = await stored(t.database.db);
      const r = await t.h.say(person, 'sb-lobby', text);
      expect(r.status).toBe(200);
      const reply = textOf(await t.h.replyTo('sb-lobby', r.body.id as string));
      expect(reply).toContain(expected);
      expect(reply).toMatch(/^❌ /);
      expect(reply).toContain('用法：/');
      // The usage is the one of the command typed (an unknown command points at /帮助).
      const typed = parseCommand(text)?.name ?? '';
      expect(reply).toContain(`用法：${t.h.service.dispatcher.findCommand(typed)?.usage ?? '/帮助'}`);
      expect(await stored(t.database.db)).toEqual(before);
    },
  );

  it('plain chat that does not address the bot gets no reply', async () => {
    const r = await t.h.say('cac-ofc-1', 'sb-lobby', '今天的舆情日报大家看一下');
    const replies = (await t.h.messages('sb-lobby')).filter((m) => m.replyTo === r.body.id);
    expect(replies).toEqual([]);
  });

  it('long plain chat that does not address the bot is not answered either', async () => {
    const r = await t.h.say('cac-ofc-1', 'sb-lobby', '长'.repeat(2500));
    expect((await t.h.messages('sb-lobby')).filter((m) => m.replyTo === r.body.id)).toEqual([]);
  });

  it('addressing the bot without a command gets a hint', async () => {
    const r = await t.h.say('cac-ofc-1', 'sb-lobby', '@回音 你好');
    expect(textOf(await t.h.replyTo('sb-lobby', r.body.id as string))).toContain('发送 /帮助 查看全部命令');
  });

  it('the sandbox refuses senders and groups that do not exist', async () => {
    const nobody = await t.h.say('nobody', 'sb-lobby', '/帮助');
    expect(nobody).toEqual({ status: 400, body: { error: '组织目录中没有人员 nobody。' } });
    const nowhere = await t.h.say('cac-ofc-1', 'sb-nowhere', '/帮助');
    expect(nowhere).toEqual({ status: 400, body: { error: '没有群聊 sb-nowhere。' } });
  });

  it('after all the refusals the first real report still gets sequence 001', async () => {
    for (const [, person, text] of CASES) await t.h.say(person, 'sb-lobby', text);
    const r = await t.h.say('cac-ofc-1', 'sb-lobby', '/上报 “真正的第一条” 类别:住房');
    expect(textOf(await t.h.replyTo('sb-lobby', r.body.id as string))).toContain('已上报 YQ20261122-001');
  });
});
