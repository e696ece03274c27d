import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isCommand,
  optionValue,
  type ParsedCommand,
  parseCommand,
  stripLeadingMentions,
} from '../../src/core/command-parser.js';

interface Plain {
  name: string;
  positional: string[];
  options: Record<string, string[]>;
  flags: string[];
  rest: string;
}

const plain = (cmd: ParsedCommand | null): Plain | null =>
  cmd && {
    name: cmd.name,
    positional: cmd.positional,
    options: Object.fromEntries(cmd.options),
    flags: [...cmd.flags],
    rest: cmd.rest,
  };

const cmd = (
  name: string,
  positional: string[],
  options: Record<string, string[]>,
  rest: string,
  flags: string[] = [],
): Plain => ({
  name,
  positional,
  options,
  flags,
  rest,
});

describe('parseCommand', () => {
  it.each<[string, string, Plain]>([
    ['plain command', '/上报 标题', cmd('上报', ['标题'], {}, '标题')],
    [
      'Feishu mention key before the command',
      '@_user_1 /上报 标题 类别:教育',
      cmd('上报', ['标题'], { 类别: ['教育'] }, '标题 类别:教育'),
    ],
    ['bot name mention', '@回音 /上报 标题', cmd('上报', ['标题'], {}, '标题')],
    ['several mentions and extra spaces', '@_user_1 @回音  /上报 标题', cmd('上报', ['标题'], {}, '标题')],
    ['mention separated by U+3000', '@回音\u3000/上报 标题', cmd('上报', ['标题'], {}, '标题')],
    ['mention glued to the slash', '@回音/上报 标题', cmd('上报', ['标题'], {}, '标题')],
    [
      'full-width slash and full-width colon',
      '／上报 标题 类别：教育',
      cmd('上报', ['标题'], { 类别: ['教育'] }, '标题 类别：教育'),
    ],
    [
      'key=value and key：value',
      '/上报 标题 类别=教育 级别：重大',
      cmd('上报', ['标题'], { 类别: ['教育'], 级别: ['重大'] }, '标题 类别=教育 级别：重大'),
    ],
    ['full-width ＝', '/上报 标题 类别＝教育', cmd('上报', ['标题'], { 类别: ['教育'] }, '标题 类别＝教育')],
    [
      'U+3000 between tokens',
      '/上报\u3000标题\u3000类别:教育',
      cmd('上报', ['标题'], { 类别: ['教育'] }, '标题\u3000类别:教育'),
    ],
    [
      '“…” title with spaces, colons and 事发:',
      '/上报 “学校 食堂：事发:问题” 类别:教育',
      cmd('上报', ['学校 食堂：事发:问题'], { 类别: ['教育'] }, '“学校 食堂：事发:问题” 类别:教育'),
    ],
    [
      'quote marks inside a title are kept',
      '/上报 网传“某校停课”不实 《关于调整学费的通知》系伪造',
      cmd(
        '上报',
        ['网传“某校停课”不实', '《关于调整学费的通知》系伪造'],
        {},
        '网传“某校停课”不实 《关于调整学费的通知》系伪造',
      ),
    ],
    [
      'apostrophes are not quotes',
      "/上报 It's a school's problem",
      cmd('上报', ["It's", 'a', "school's", 'problem'], {}, "It's a school's problem"),
    ],
    [
      'a quoted option value',
      '/上报 标题 涉事:“省教育厅” 链接="https://x.cn/a b"',
      cmd(
        '上报',
        ['标题'],
        { 涉事: ['省教育厅'], 链接: ['https://x.cn/a b'] },
        '标题 涉事:“省教育厅” 链接="https://x.cn/a b"',
      ),
    ],
    [
      '"…" title with a colon',
      '/上报 "a b: c" 级别:重大',
      cmd('上报', ['a b: c'], { 级别: ['重大'] }, '"a b: c" 级别:重大'),
    ],
    [
      '「…」 title containing 事发:',
      '/上报 「某地 事发:昨天」 来源:微博',
      cmd('上报', ['某地 事发:昨天'], { 来源: ['微博'] }, '「某地 事发:昨天」 来源:微博'),
    ],
    [
      'a quoted key:value is text, not an option',
      '/上报 标题 "事发:昨天"',
      cmd('上报', ['标题', '事发:昨天'], {}, '标题 "事发:昨天"'),
    ],
    [
      'English command and option aliases',
      '/report title category:education level:major',
      cmd(
        'report',
        ['title'],
        { 类别: ['education'], 级别: ['major'] },
        'title category:education level:major',
      ),
    ],
    [
      'alias keys are case- and width-insensitive',
      '/上报 t CATEGORY:教育 ｌｅｖｅｌ:重大',
      cmd('上报', ['t'], { 类别: ['教育'], 级别: ['重大'] }, 't CATEGORY:教育 ｌｅｖｅｌ:重大'),
    ],
    [
      'a space after the colon',
      '/上报 标题 类别: 教育',
      cmd('上报', ['标题'], { 类别: ['教育'] }, '标题 类别: 教育'),
    ],
    [
      'a U+3000 after the full-width colon',
      '/上报 标题 类别：\u3000教育',
      cmd('上报', ['标题'], { 类别: ['教育'] }, '标题 类别：\u3000教育'),
    ],
    [
      'a space after the colon, quoted value',
      '/上报 标题 涉事: "昆明市 教育局"',
      cmd('上报', ['标题'], { 涉事: ['昆明市 教育局'] }, '标题 涉事: "昆明市 教育局"'),
    ],
    [
      'date and time as two words are merged',
      '/上报 标题 事发:昨天 18:00',
      cmd('上报', ['标题'], { 事发: ['昨天 18:00'] }, '标题 事发:昨天 18:00'),
    ],
    [
      'space after colon, then date and time',
      '/上报 标题 事发: 昨天 18:00',
      cmd('上报', ['标题'], { 事发: ['昨天 18:00'] }, '标题 事发: 昨天 18:00'),
    ],
    [
      'ISO date and time before the title',
      '/上报 事发:2026-11-22 09:10 标题',
      cmd('上报', ['标题'], { 事发: ['2026-11-22 09:10'] }, '事发:2026-11-22 09:10 标题'),
    ],
    [
      'month-day and full-width time',
      '/上报 标题 事发：11月20日\u3000１０：００',
      cmd('上报', ['标题'], { 事发: ['11月20日 １０：００'] }, '标题 事发：11月20日\u3000１０：００'),
    ],
    [
      'a bare time after a space (the time contains a colon itself)',
      '/上报 标题 事发: 18:00',
      cmd('上报', ['标题'], { 事发: ['18:00'] }, '标题 事发: 18:00'),
    ],
    [
      'date with a 点/分 time as two words',
      '/上报 标题 事发:2026年11月21日 9点30分',
      cmd('上报', ['标题'], { 事发: ['2026年11月21日 9点30分'] }, '标题 事发:2026年11月21日 9点30分'),
    ],
    [
      'repeated 涉事 keeps both values',
      '/上报 标题 涉事:省教育厅 涉事:省公安厅',
      cmd('上报', ['标题'], { 涉事: ['省教育厅', '省公安厅'] }, '标题 涉事:省教育厅 涉事:省公安厅'),
    ],
    ['the 突发 flag', '/上报 标题 突发', cmd('上报', ['标题'], {}, '标题 突发', ['突发'])],
    ['an English flag alias', '/上报 标题 emergency', cmd('上报', ['标题'], {}, '标题 emergency', ['突发'])],
    [
      'a URL keeps its colons',
      '/上报 标题 链接:https://x.cn/a?b=1',
      cmd('上报', ['标题'], { 链接: ['https://x.cn/a?b=1'] }, '标题 链接:https://x.cn/a?b=1'),
    ],
    [
      'a URL after a space',
      '/上报 标题 链接: https://x.cn/a?b=1',
      cmd('上报', ['标题'], { 链接: ['https://x.cn/a?b=1'] }, '标题 链接: https://x.cn/a?b=1'),
    ],
    [
      'an unknown key:value stays a word of the title',
      '/上报 问题:食堂 https://x.cn',
      cmd('上报', ['问题:食堂', 'https://x.cn'], {}, '问题:食堂 https://x.cn'),
    ],
    ['command without arguments', '/帮助', cmd('帮助', [], {}, '')],
    ['quoted word glued to the command', '/口径“说明 文字”', cmd('口径', ['说明 文字'], {}, '“说明 文字”')],
  ])('%s: %s', (_label, input, expected) => {
    expect(plain(parseCommand(input))).toEqual(expected);
  });

  it.each([
    ['plain text', '今天天气不错'],
    ['empty string', ''],
    ['only spaces', '  \u3000 '],
    ['the bot mention alone', '@回音'],
    ['mention then text', '@回音 你好'],
    ['a lone slash', '/'],
    ['slash then space', '/ 上报 标题'],
    ['a slash in the middle', '请 /上报 标题'],
  ])('%s is not a command', (_label, input) => {
    expect(parseCommand(input)).toBeNull();
  });
});

describe('stripLeadingMentions', () => {
  it.each([
    ['@_user_1 /上报 x', '/上报 x'],
    ['@_user_1 @_user_2\u3000/上报 x', '/上报 x'],
    ['  @回音   你好 ', '你好'],
    ['你好 @回音', '你好 @回音'],
    ['@回音', ''],
  ])('%j → %j', (input, expected) => {
    expect(stripLeadingMentions(input)).toBe(expected);
  });
});

describe('optionValue', () => {
  it('returns the last value given, or undefined', () => {
    const parsed = parseCommand('/上报 t 级别:一般 level:重大') as ParsedCommand;
    expect(parsed.options.get('级别')).toEqual(['一般', '重大']);
    expect(optionValue(parsed, '级别')).toBe('重大');
    expect(optionValue(parsed, '类别')).toBeUndefined();
  });
});

describe('isCommand', () => {
  it('says exactly when parseCommand parses (adapters filter with it, the dispatcher parses once)', () => {
    const pieces = fc.constantFrom(
      '/',
      '／',
      '@回音',
      '@_user_1',
      ' ',
      '\u3000',
      '上报',
      '“标题”',
      'x',
      '类别:教育',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 6 }), (parts) => {
        const text = parts.join('');
        expect(isCommand(text)).toBe(parseCommand(text) !== null);
      }),
    );
  });
});
