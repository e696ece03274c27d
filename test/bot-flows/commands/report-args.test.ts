import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReportArgs, REPORT_USAGE } from '../../../bot-flows/commands/report.js';
import { parseOrgFile } from '../../../db/org-file.js';
import { parseCommand } from '../../../src/core/command-parser.js';
import { HuiyinError } from '../../../src/core/errors.js';
import { Org } from '../../../src/core/org.js';
import { caught } from '../../helpers/caught.js';

const file = parseOrgFile(readFileSync(new URL('../../../db/org/demo-org.yaml', import.meta.url), 'utf8'));
const org = new Org(
  file.units.map((u) => ({ id: u.id, name: u.name, parentId: u.parent ?? null, handles: u.handles })),
  file.cc,
);

/** 2026-11-22 11:00 in Shanghai. */
const NOW = new Date('2026-11-22T03:00:00Z');

const parse = (text: string) => {
  const cmd = parseCommand(text);
  if (!cmd) throw new Error(`not a command: ${text}`);
  return parseReportArgs(cmd, { org }, NOW);
};

/** The result with units as ids and the category as its name, for toEqual. */
const plain = (text: string) => {
  const a = parse(text);
  return {
    ...a,
    category: a.category.name,
    occurredAt: a.occurredAt.toISOString(),
    involved: a.involved.map((u) => u.id),
  };
};

const DEFAULTS = {
  category: '其他',
  level: null,
  channel: null,
  link: null,
  occurredAt: NOW.toISOString(),
  involved: [],
  emergency: false,
  casualties: false,
  largeImpact: false,
};

describe('parseReportArgs', () => {
  it('defaults: category 其他, occurredAt = now, no level, channel, link or 涉事', () => {
    expect(plain('/上报 标题')).toEqual({ title: '标题', ...DEFAULTS });
    expect(parse('/上报 标题').occurredAt).toEqual(NOW);
  });

  it('joins unquoted words into the title', () => {
    expect(plain('@_user_1 /上报 某地 学校 食堂')).toEqual({ title: '某地 学校 食堂', ...DEFAULTS });
  });

  it('reads every option, with aliases, into canonical values', () => {
    expect(
      plain(
        '/report “某小学 食堂：饭菜变质” category:education level:major 来源:weibo 链接:https://X.cn/a?b=1 事发:昨天 18:00 涉事:省教育厅 突发 伤亡',
      ),
    ).toEqual({
      title: '某小学 食堂：饭菜变质',
      category: '教育',
      level: '重大',
      channel: '微博',
      link: 'https://x.cn/a?b=1',
      occurredAt: '2026-11-21T10:00:00.000Z',
      involved: ['jyt'],
      emergency: true,
      casualties: true,
      largeImpact: false,
    });
  });

  // A relative 事发 so the example works whenever it is copied (今天09:10 is refused before 09:10).
  it('the example in the usage text is valid', () => {
    const example = REPORT_USAGE.split('例：')[1] as string;
    expect(plain(example)).toEqual({
      title: '某小学食堂饭菜变质',
      category: '教育',
      level: '较大',
      channel: '微博',
      link: null,
      occurredAt: '2026-11-22T02:30:00.000Z',
      involved: [],
      emergency: false,
      casualties: false,
      largeImpact: false,
    });
  });

  it.each([
    ['涉事:省教育厅、省公安厅', ['jyt', 'gat']],
    ['涉事:省教育厅,省公安厅', ['jyt', 'gat']],
    ['涉事:昆明市教育局 涉事:曲靖市教育局', ['km-jyj', 'qj-jyj']],
    ['涉事:省教育厅 涉事:教育厅 涉事:jyt', ['jyt']],
  ])('%s → %j', (opt, ids) => {
    expect(parse(`/上报 标题 ${opt}`).involved.map((u) => u.id)).toEqual(ids);
  });

  it.each([
    ['级别:Ⅱ级', '重大'],
    ['级别:critical', '特别重大'],
    ['级别:一般', '一般'],
  ])('%s → level %s', (opt, level) => {
    expect(parse(`/上报 标题 ${opt}`).level).toBe(level);
  });

  it.each([
    ['类别:卫生', '卫生计生'],
    ['类别:维稳', '社会稳定'],
    ['类别:其它', '其他'],
  ])('%s → category %s', (opt, name) => {
    expect(parse(`/上报 标题 ${opt}`).category.name).toBe(name);
  });

  describe('errors carry a code and a Chinese message (the dispatcher adds the /上报 usage)', () => {
    const ALL_CATEGORIES =
      '就业、住房、教育、卫生计生、质监、食品药品安全、价格、扶贫、移民搬迁、公共基础设施建设、社情民意、对外宣传、社会稳定、涉外、应急管理、其他';
    const MINSHENG = '就业、住房、教育、卫生计生、质监、食品药品安全、价格、扶贫、移民搬迁、公共基础设施建设';
    it.each([
      [
        '/上报 类别:教育 级别:重大',
        'huiyin_missing_title',
        '缺少舆情标题。请在 /上报 后写上标题，含空格的标题请加引号。',
      ],
      ['/上报', 'huiyin_missing_title', '缺少舆情标题。请在 /上报 后写上标题，含空格的标题请加引号。'],
      [
        `/上报 ${'长'.repeat(201)}`,
        'huiyin_too_long',
        '标题过长（超过 200 字），请精简标题，详情可放在链接中。',
      ],
      [
        '/上报 标题 类别:体育',
        'huiyin_unknown_category',
        `无法识别类别「体育」。可用类别：${ALL_CATEGORIES}。`,
      ],
      [
        '/上报 标题 类别:民生',
        'huiyin_unknown_category',
        `无法识别类别「民生」。民生热点请写具体类别：${MINSHENG}。`,
      ],
      [
        '/上报 标题 类别:民生热点',
        'huiyin_unknown_category',
        `无法识别类别「民生热点」。民生热点请写具体类别：${MINSHENG}。`,
      ],
      [
        '/上报 标题 级别:很大',
        'huiyin_unknown_level',
        '无法识别级别「很大」。可用级别：特别重大、重大、较大、一般。',
      ],
      [
        '/上报 标题 来源:抖音',
        'huiyin_unknown_channel',
        '无法识别来源「抖音」。可用来源：门户网站、论坛、博客、微博、微信、微视、移动客户端、网络问政、热线电话、新闻跟帖、报刊、广播电视。',
      ],
      [
        '/上报 标题 链接:notaurl',
        'huiyin_bad_link',
        '链接「notaurl」不是有效网址，请写以 http:// 或 https:// 开头的完整地址。',
      ],
      [
        '/上报 标题 链接:ftp://x.cn/a',
        'huiyin_bad_link',
        '链接「ftp://x.cn/a」不是有效网址，请写以 http:// 或 https:// 开头的完整地址。',
      ],
      [
        '/上报 标题 事发:abc',
        'huiyin_bad_time',
        '无法识别事发时间「abc」。可以写：09:10、今天09:10、昨天 18:00、2026-11-22 09:10、30分钟前、2小时前（北京时间）。',
      ],
      [
        '/上报 标题 事发:23:00',
        'huiyin_future_time',
        '事发时间「23:00」晚于当前时间。若是昨天的事，请写「昨天 23:00」。',
      ],
      [
        '/上报 标题 涉事:省体育局',
        'huiyin_unknown_unit',
        '涉事单位：组织目录中没有名为「省体育局」的单位。请写单位全称（如 省教育厅）、能唯一识别的简称（如 教育厅）或单位编号。',
      ],
      [
        '/上报 标题 涉事:省教育厅、公安',
        'huiyin_ambiguous_unit',
        '涉事单位：「公安」可以指多个单位：省公安厅、昆明市公安局、曲靖市公安局。请写出单位全称。',
      ],
    ])('%s → %s', (text, code, message) => {
      const err = caught(() => parse(text));
      expect(err).toBeInstanceOf(HuiyinError);
      expect(err).toMatchObject({ code, message });
    });
  });
});
