import { describe, expect, it } from 'vitest';
import { itemCard } from '../../../../bot-flows/cards/item-card/builder.js';
import { yn2016106 as pack } from '../../../../bot-flows/policies/yn-2016-106.js';
import type { ItemRow } from '../../../../db/repos/item-repo.js';
import type { WordingRow } from '../../../../db/repos/wording-repo.js';
import type { Part } from '../../../../src/core/message.js';
import { Org } from '../../../../src/core/org.js';
import { cite } from '../../../../src/core/policy-pack.js';

// The builder takes the item and its facts and reads nothing else: no database, no context.
const org = new Org(
  [
    { id: 'gov', name: '测试省人民政府', parentId: null, handles: [] },
    { id: 'edu', name: '测试省教育厅', parentId: 'gov', handles: ['教育'] },
    { id: 'gat', name: '测试省公安厅', parentId: 'gov', handles: ['公安'] },
    { id: 'office', name: '测试省政府办公厅', parentId: 'gov', handles: ['统筹'] },
    { id: 'open', name: '测试省政务公开办', parentId: 'gov', handles: [] },
  ],
  ['open'],
);

const at = new Date('2026-11-22T02:00:00Z');
const item = (over: Partial<ItemRow> = {}): ItemRow => ({
  id: 7,
  number: 'YQ20261122-003',
  title: '某校停课传言',
  category: '教育',
  level: null,
  proposedLevel: null,
  channel: null,
  link: null,
  emergency: false,
  occurredAt: at,
  reportedAt: at,
  state: 'reported',
  ownerUnitId: 'edu',
  routingRule: 'guikou',
  policyPack: pack.id,
  reporterPersonId: 'p1',
  reporterName: '李自林',
  reporterUnitId: 'open',
  platform: 'feishu',
  sourceChatId: 'oc_open',
  sourceMessageId: 'om_1',
  version: 3,
  kind: 'opinion',
  casualties: false,
  largeImpact: false,
  netizenMessageType: null,
  acceptedAt: null,
  extendedWorkingDays: 0,
  claimedByPersonId: null,
  releaseStage: 0,
  updatedAt: at,
  ...over,
});
const wording = (status: string, text: string): WordingRow => ({
  id: 1,
  itemId: 7,
  text,
  drafterPersonId: null,
  drafterName: '王敏',
  status,
  unitIds: ['edu'],
  submittedAt: at,
  decidedAt: null,
});
const roles = [
  { unitId: 'edu', role: 'responsible' },
  { unitId: 'open', role: 'cc' },
];
const spokesperson: Part = { t: 'at', id: 'ou_spk', name: '王敏' };
const field = (card: ReturnType<typeof itemCard>, label: string) =>
  card.fields.find((f) => f.label === label)?.value;

describe('itemCard', () => {
  it('a reported item in its responsible unit: @ the spokesperson, ask to claim, cite the 归口 clause', () => {
    const card = itemCard(pack, org, item({ proposedLevel: '较大' }), roles, [spokesperson], 'edu');
    expect(card.title).toBe('舆情 YQ20261122-003｜某校停课传言');
    expect(card.template).toBe('orange');
    expect(field(card, '状态')).toBe('待认领');
    expect(field(card, '级别')).toBe('较大（上报人建议，待研判）');
    expect(field(card, '上报人')).toBe('李自林（测试省政务公开办）');
    expect(field(card, '责任单位')).toBe('测试省教育厅');
    expect(field(card, '抄送')).toBe('测试省政务公开办');
    expect(card.body).toEqual([
      spokesperson,
      { t: 'text', v: ' ' },
      { t: 'text', v: '请测试省教育厅认领并组织处置。' },
      { t: 'text', v: '\n' },
      { t: 'text', v: `依据云政办发〔2016〕106号 三(三)：${pack.clauses.guikou.民生?.text}` },
    ]);
    expect(card.note).toEqual([{ t: 'text', v: cite(pack, pack.clauses.notifySpokesperson) }]);
    expect(card.buttons.map((b) => b.label)).toEqual(['认领', '刷新', '查看进展']);
    // Every control carries the item and the version it was drawn at.
    for (const b of card.buttons) expect(b.value).toMatchObject({ item: 7, v: 3 });
    expect(card.selects?.map((s) => s.value)).toEqual([{ a: 'grade', item: 7, v: 3 }]);
    expect(card.forms?.map((f) => f.name)).toEqual(['transfer']);
  });

  it('a claimed 重大 item: red, release stages, 统一口径 and the revision under review, every form', () => {
    const card = itemCard(
      pack,
      org,
      item({ state: 'claimed', level: '重大', releaseStage: 1 }),
      roles,
      [],
      'edu',
      { latest: wording('pending', '修改稿'), approved: wording('approved', '经核查，传言不实。') },
    );
    expect(card.template).toBe('red');
    expect(field(card, '发布阶段')).toBe('快报事实 ✓ → 慎报原因 → 详报措施 → 后报结果');
    expect(field(card, '统一口径')).toBe('经核查，传言不实。');
    expect(field(card, '修改口径')).toBe('审核中');
    expect(card.body[0]).toEqual({ t: 'text', v: '由测试省教育厅负责处置。' });
    expect(card.note).toEqual([
      {
        t: 'text',
        v: [pack.clauses.notifySpokesperson, pack.clauses.majorReport].map((c) => cite(pack, c)).join('\n'),
      },
    ]);
    expect(card.buttons.map((b) => b.label)).toEqual(['已发布', '刷新', '查看进展']);
    expect(card.forms?.map((f) => f.name)).toEqual(['wording', 'stage', 'transfer', 'close']);
    expect(card.forms?.[1]?.title).toBe('发布阶段：下一步「慎报原因」');
  });

  it('a group with no part in the item sees no ask and no mention, only the routing clause', () => {
    const card = itemCard(pack, org, item({ routingRule: 'overall', category: '其他' }), roles, [], null);
    expect(card.body).toEqual([{ t: 'text', v: cite(pack, pack.clauses.overall) }]);
    expect(card.template).toBe('blue');
    expect(field(card, '级别')).toBe('待研判');
  });

  it('the coordinator of a multi-department item is asked to coordinate', () => {
    const card = itemCard(
      pack,
      org,
      item({ routingRule: 'multi_department', ownerUnitId: 'office' }),
      [
        { unitId: 'office', role: 'coordinator' },
        { unitId: 'edu', role: 'responsible' },
        { unitId: 'gat', role: 'responsible' },
      ],
      [],
      'office',
    );
    expect(field(card, '责任单位')).toBe('测试省教育厅、测试省公安厅');
    expect(field(card, '协调单位')).toBe('测试省政府办公厅');
    expect(card.body).toEqual(
      expect.arrayContaining([
        { t: 'text', v: '请测试省政府办公厅会同有关部门做好组织协调、督促指导工作，必要时确定牵头部门。' },
        { t: 'text', v: cite(pack, pack.clauses.multiDepartment) },
      ]),
    );
  });

  it('a closed item offers no grading and no forms', () => {
    const card = itemCard(pack, org, item({ state: 'closed', level: '一般' }), roles, [], 'edu');
    expect(field(card, '状态')).toBe('已办结');
    expect(card.selects).toEqual([]);
    expect(card.forms).toEqual([]);
    expect(card.buttons.map((b) => b.label)).toEqual(['刷新', '查看进展']);
  });
});
