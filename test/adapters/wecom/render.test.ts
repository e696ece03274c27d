import { describe, expect, it } from 'vitest';
import { piecesText, renderWecom, WECOM_MAX_BYTES } from '../../../src/adapters/wecom/render.js';
import type { CardSpec } from '../../../src/core/message.js';
import { textMessage } from '../../../src/core/message.js';

const ITEM = { number: 'YQ20261122-003', title: '某小学食堂饭菜变质' };
const size = (s: string) => Buffer.byteLength(s, 'utf8');

const CARD: CardSpec = {
  title: '舆情 YQ20261122-003｜某小学食堂饭菜变质',
  fields: [
    { label: '状态', value: '待认领' },
    { label: '责任单位', value: '省教育厅' },
  ],
  body: [
    { t: 'at', id: 'wm-1', name: '王敏' },
    { t: 'text', v: ' 请省教育厅认领并组织处置。' },
  ],
  note: [{ t: 'text', v: '依据云政办发〔2016〕106号 五：…' }],
  buttons: [
    { label: '认领', value: { a: 'claim' }, command: '/认领 YQ20261122-003' },
    { label: '刷新', value: { a: 'refresh' } },
    { label: '查看进展', value: { a: 'detail' }, command: '/查询 YQ20261122-003' },
  ],
  selects: [
    {
      name: 'level',
      placeholder: '研判定级（领导、审核人）',
      options: ['特别重大', '重大', '较大', '一般'].map((l) => ({ label: l, value: l })),
      value: { a: 'grade' },
      command: '/研判 YQ20261122-003 级别:重大',
    },
  ],
  forms: [
    {
      name: 'decide',
      title: '审核意见',
      fields: [],
      buttons: [
        { label: '同意', value: { a: 'approve_wording' }, command: '/同意 YQ20261122-003 保密审查' },
        { label: '退回', value: { a: 'reject_wording' }, command: '/退回 YQ20261122-003 <理由>' },
      ],
    },
  ],
};

describe('WeCom rendering', () => {
  it('a card is compact text with the exact commands to type, mentions kept as mentions', () => {
    const [only, ...more] = renderWecom({ kind: 'card', card: CARD }, ITEM);
    expect(more).toEqual([]);
    expect(only?.filter((p) => typeof p !== 'string')).toEqual([{ at: 'wm-1', name: '王敏' }]);
    expect(piecesText(only ?? [])).toBe(
      [
        '【舆情 YQ20261122-003｜某小学食堂饭菜变质】',
        '状态：待认领',
        '责任单位：省教育厅',
        '@王敏 请省教育厅认领并组织处置。',
        '依据云政办发〔2016〕106号 五：…',
        '可回复以下命令：',
        '· 回复「/认领 YQ20261122-003」认领',
        '· 回复「/查询 YQ20261122-003」查看进展',
        '· 回复「/研判 YQ20261122-003 级别:重大」研判定级（领导、审核人），可选：特别重大、重大、较大、一般',
        '· 回复「/同意 YQ20261122-003 保密审查」同意',
        '· 回复「/退回 YQ20261122-003 <理由>」退回',
      ].join('\n'),
    );
  });

  it('a message about an item starts with its number and title unless it already names it', () => {
    const [reminder] = renderWecom(textMessage('⏰ 距「予以回应」时限还有 1 小时'), ITEM);
    expect(piecesText(reminder ?? [])).toBe(
      '【YQ20261122-003《某小学食堂饭菜变质》】\n⏰ 距「予以回应」时限还有 1 小时',
    );
    const [named] = renderWecom(textMessage('✅ YQ20261122-003《某小学食堂饭菜变质》已认领'), ITEM);
    expect(piecesText(named ?? [])).toBe('✅ YQ20261122-003《某小学食堂饭菜变质》已认领');
    const [numberOnly] = renderWecom(textMessage('✅ YQ20261122-003 已续报：学生均已返校'), ITEM);
    expect(piecesText(numberOnly ?? [])).toBe(
      '【YQ20261122-003《某小学食堂饭菜变质》】\n✅ YQ20261122-003 已续报：学生均已返校',
    );
    const [plain] = renderWecom(textMessage('你好'), null);
    expect(plain).toEqual(['你好']);
  });

  it('a long message is split below the limit, each part marked, nothing lost', () => {
    const line = '经核查，该校食堂已停业整顿，相关责任人已被约谈，学生均已返校上课。';
    const text = Array.from({ length: 60 }, (_, i) => `${i + 1}. ${line}`).join('\n');
    const chunks = renderWecom(textMessage({ t: 'at', id: 'wm-1', name: '王敏' }, ' ', text), ITEM).map(
      piecesText,
    );
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(size(c)).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(chunks[0]?.startsWith('【YQ20261122-003《某小学食堂饭菜变质》】\n@王敏 1. ')).toBe(true);
    chunks.slice(1).forEach((c, i) => {
      expect(c.startsWith(`【YQ20261122-003 续${i + 2}/${chunks.length}】\n`)).toBe(true);
    });
    expect(chunks[0]?.endsWith(`\n（未完，共 ${chunks.length} 条）`)).toBe(true);
    const body = chunks
      .map((c, i) => (i === 0 ? c.slice(0, c.lastIndexOf('\n')) : c.slice(c.indexOf('\n') + 1)))
      .join('\n');
    expect(body).toBe(`【YQ20261122-003《某小学食堂饭菜变质》】\n@王敏 ${text}`);
  });

  it('a single line longer than the limit is cut inside the line', () => {
    const long = '舆'.repeat(2000);
    const chunks = renderWecom(textMessage(long), null).map(piecesText);
    for (const c of chunks) expect(size(c)).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(chunks[0]?.endsWith(`\n（未完，共 ${chunks.length} 条）`)).toBe(true);
    expect(
      chunks
        .map((c, i) => (i === 0 ? c.slice(0, c.lastIndexOf('\n')) : c.slice(c.indexOf('\n') + 1)))
        .join(''),
    ).toBe(long);
  });
});
