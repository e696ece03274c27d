/**
 * The vocabulary of seed 000: categories (三(三) 归口报送), levels (三(二)) and monitoring
 * channels (三(一)), each with the aliases users type.
 */

/** 民生热点 sub-categories, each reported by its competent business department (seed 000 三(三)). */
export const MINSHENG = [
  '就业',
  '住房',
  '教育',
  '卫生计生',
  '质监',
  '食品药品安全',
  '价格',
  '扶贫',
  '移民搬迁',
  '公共基础设施建设',
] as const;

/** 归口 keys a unit may handle (org file `handles`). */
export const HANDLES_KEYS = [...MINSHENG, '信访', '外宣', '公安', '外事', '应急', '统筹'] as const;
export type HandlesKey = (typeof HANDLES_KEYS)[number];

export interface Category {
  /** Canonical name stored on the item. */
  name: string;
  group: '民生热点' | '社情民意' | '对外宣传' | '社会稳定' | '涉外' | '应急管理' | '其他';
  handles: HandlesKey;
  aliases: string[];
}

const minshengAliases: Record<(typeof MINSHENG)[number], string[]> = {
  就业: ['employment', 'jobs'],
  住房: ['housing', '房产'],
  教育: ['education', '学校'],
  卫生计生: ['health', '卫生', '医疗', '计生'],
  质监: ['quality', '质量', '质量监督'],
  食品药品安全: ['food-drug', '食品安全', '药品安全', '食品', '药品', '食药'],
  价格: ['price', '物价'],
  扶贫: ['poverty', '脱贫'],
  移民搬迁: ['relocation', '移民', '搬迁'],
  公共基础设施建设: ['infrastructure', '基础设施', '基建', '公共基础设施'],
};

export const CATEGORIES: Category[] = [
  ...MINSHENG.map(
    (name): Category => ({ name, group: '民生热点', handles: name, aliases: minshengAliases[name] }),
  ),
  { name: '社情民意', group: '社情民意', handles: '信访', aliases: ['信访', 'petition', 'public-opinion'] },
  { name: '对外宣传', group: '对外宣传', handles: '外宣', aliases: ['外宣', 'publicity'] },
  { name: '社会稳定', group: '社会稳定', handles: '公安', aliases: ['维稳', '稳定', '公安', 'stability'] },
  { name: '涉外', group: '涉外', handles: '外事', aliases: ['外事', 'foreign'] },
  { name: '应急管理', group: '应急管理', handles: '应急', aliases: ['应急', 'emergency-management'] },
  { name: '其他', group: '其他', handles: '统筹', aliases: ['其它', 'other'] },
];

export const DEFAULT_CATEGORY = '其他';

export const LEVELS = ['特别重大', '重大', '较大', '一般'] as const;
export type Level = (typeof LEVELS)[number];
const levelAliases: Record<Level, string[]> = {
  特别重大: ['critical', '特大', 'I级', 'Ⅰ级'],
  重大: ['major', 'II级', 'Ⅱ级'],
  较大: ['significant', 'III级', 'Ⅲ级'],
  一般: ['general', 'IV级', 'Ⅳ级'],
};

/** 重大 and 特别重大 items also notify the unit's leader (seed 000 五). */
export const isMajor = (level: string | null | undefined) => level === '重大' || level === '特别重大';

export const CHANNELS = [
  '门户网站',
  '论坛',
  '博客',
  '微博',
  '微信',
  '微视',
  '移动客户端',
  '网络问政',
  '热线电话',
  '新闻跟帖',
  '报刊',
  '广播电视',
] as const;
const channelAliases: Record<(typeof CHANNELS)[number], string[]> = {
  门户网站: ['portal', '网站', '政府网站'],
  论坛: ['forum', 'bbs'],
  博客: ['blog'],
  微博: ['weibo'],
  微信: ['wechat', '公众号'],
  微视: ['短视频', 'video'],
  移动客户端: ['app', '客户端'],
  网络问政: ['问政'],
  热线电话: ['hotline', '热线', '12345'],
  新闻跟帖: ['新闻跟贴', '跟帖', 'comments'],
  报刊: ['press', '报纸', '杂志'],
  广播电视: ['tv', 'broadcast', '电视', '广播'],
};

const fold = (s: string) => s.trim().toLowerCase();

function lookup<T>(entries: [T, string[]][], input: string): T | undefined {
  const key = fold(input);
  for (const [value, names] of entries) {
    if (names.some((n) => fold(n) === key)) return value;
  }
  return undefined;
}

export const findCategory = (input: string): Category | undefined =>
  lookup(
    CATEGORIES.map((c) => [c, [c.name, ...c.aliases]]),
    input,
  );

export const findLevel = (input: string): Level | undefined =>
  lookup(
    LEVELS.map((l) => [l, [l, ...levelAliases[l]]]),
    input,
  );

export const findChannel = (input: string): string | undefined =>
  lookup(
    CHANNELS.map((c) => [c, [c, ...channelAliases[c]]]),
    input,
  );

/** The release stages of a 重大 item, in order (seed 000 五: 快报事实、慎报原因、详报措施、后报结果). */
export const RELEASE_STAGES = ['快报事实', '慎报原因', '详报措施', '后报结果'] as const;
export type ReleaseStage = (typeof RELEASE_STAGES)[number];

/** The stage number (1–4) a word names: 快报事实, or its first two characters such as 快报. */
export function findStage(input: string): number | undefined {
  const w = input.normalize('NFKC').trim();
  if (w.length < 2) return undefined;
  const i = RELEASE_STAGES.findIndex((s) => s.startsWith(w));
  return i === -1 ? undefined : i + 1;
}

/** What an item is: a 舆情 (opinion) or a 网民留言 (netizen message, with working-day clocks). */
export const ITEM_KINDS = ['opinion', 'netizen_message'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
