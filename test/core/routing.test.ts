import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOrgFile } from '../../db/org-file.js';
import { HuiyinError } from '../../src/core/errors.js';
import { Org } from '../../src/core/org.js';
import { type RoutingDecision, type RoutingRule, route } from '../../src/core/routing.js';
import { CATEGORIES, type Category, findCategory } from '../../src/core/vocabulary.js';
import { caught } from '../helpers/caught.js';

const file = parseOrgFile(readFileSync(new URL('../../db/org/demo-org.yaml', import.meta.url), 'utf8'));
const org = new Org(
  file.units.map((u) => ({ id: u.id, name: u.name, parentId: u.parent ?? null, handles: u.handles })),
  file.cc,
);

const category = (name: string): Category => {
  const c = findCategory(name);
  if (!c) throw new Error(`no category ${name}`);
  return c;
};

/** A decision as names: `{ rule, owner, units: [[name, role], …] }`. */
const summary = (d: RoutingDecision) => ({
  rule: d.rule,
  owner: d.owner.name,
  units: d.units.map((x) => [x.unit.name, x.role]),
});

const decide = (cat: string, involved: string[] = [], reporter: string | null = null) =>
  route(org, {
    category: category(cat),
    involved: involved.map((n) => org.resolve(n)),
    reporterUnit: reporter ? org.resolve(reporter) : null,
    level: null,
  });

const CC = ['省政务公开领导小组办公室', '省新闻办', '省网信办'].map((name) => [name, 'cc']);

describe('归口报送 (seed 000 三(三)) with no 涉事 and no reporter unit', () => {
  const PROVINCIAL: [string, string, RoutingRule][] = [
    ['就业', '省人力资源社会保障厅', 'guikou'],
    ['住房', '省住房城乡建设厅', 'guikou'],
    ['教育', '省教育厅', 'guikou'],
    ['卫生计生', '省卫生计生委', 'guikou'],
    ['质监', '省质监局', 'guikou'],
    ['食品药品安全', '省食品药品监管局', 'guikou'],
    ['价格', '省物价局', 'guikou'],
    ['扶贫', '省扶贫办', 'guikou'],
    ['移民搬迁', '省移民开发局', 'guikou'],
    ['公共基础设施建设', '省发展改革委', 'guikou'],
    ['社情民意', '省信访局', 'guikou'],
    ['对外宣传', '省委宣传部', 'guikou'],
    ['社会稳定', '省公安厅', 'guikou'],
    ['涉外', '省外事办', 'guikou'],
    ['应急管理', '省政府应急办', 'guikou'],
    ['其他', '省政府办公厅', 'overall'],
  ];
  it.each(PROVINCIAL)('%s → %s (%s)', (cat, owner, rule) => {
    expect(summary(decide(cat))).toEqual({ rule, owner, units: [[owner, 'responsible'], ...CC] });
  });

  it('the table covers every category of the vocabulary', () => {
    expect(PROVINCIAL.map(([cat]) => cat)).toEqual(CATEGORIES.map((c) => c.name));
  });
});

describe('归口 at the reporter’s level', () => {
  const kunming = [
    '昆明市人民政府',
    '昆明市教育局',
    '昆明市公安局',
    '昆明市人民政府办公室',
    '昆明市委宣传部',
  ];
  it.each(
    kunming.flatMap((reporter) =>
      [
        ['教育', '昆明市教育局'],
        ['社会稳定', '昆明市公安局'],
        ['住房', '昆明市住房城乡建设局'],
        ['对外宣传', '昆明市委宣传部'],
        ['卫生计生', '省卫生计生委'],
        ['社情民意', '省信访局'],
        ['其他', '昆明市人民政府办公室'],
      ].map(([cat, owner]) => [reporter, cat, owner] as [string, string, string]),
    ),
  )('reporter %s, %s → %s', (reporter, cat, owner) => {
    const d = decide(cat, [], reporter);
    expect({ owner: d.owner.name, units: summary(d).units }).toEqual({
      owner,
      units: [[owner, 'responsible'], ...CC],
    });
  });

  it.each<[string, RoutingRule]>([
    ['教育', 'guikou'],
    ['卫生计生', 'guikou'],
    ['其他', 'overall'],
  ])('reporter 昆明市人民政府, %s: rule %s', (cat, rule) => {
    expect(decide(cat, [], '昆明市人民政府').rule).toBe(rule);
  });

  it.each<[string, string, string]>([
    ['曲靖市人民政府', '教育', '曲靖市教育局'],
    ['曲靖市公安局', '社会稳定', '曲靖市公安局'],
    ['曲靖市人民政府', '住房', '省住房城乡建设厅'],
    ['省教育厅', '社会稳定', '省公安厅'],
    ['云南省人民政府', '教育', '省教育厅'],
  ])('reporter %s, %s → %s', (reporter, cat, owner) => {
    expect(decide(cat, [], reporter).owner.name).toBe(owner);
  });
});

describe('第一责任主体 (seed 000 二)', () => {
  it.each([
    ['one named local unit responds', ['昆明市教育局']],
    ['a named region government stands for its competent department', ['昆明市人民政府']],
  ])('%s; its 政府办公室 and 宣传部门 coordinate', (_label, involved) => {
    expect(summary(decide('教育', involved))).toEqual({
      rule: 'involved_unit',
      owner: '昆明市教育局',
      units: [
        ['昆明市教育局', 'responsible'],
        ['昆明市人民政府办公室', 'coordinator'],
        ['昆明市委宣传部', 'coordinator'],
        ...CC,
      ],
    });
  });

  it('one named provincial department: 省政府办公厅 and 省委宣传部 coordinate', () => {
    expect(summary(decide('社会稳定', ['省公安厅'], '昆明市人民政府'))).toEqual({
      rule: 'involved_unit',
      owner: '省公安厅',
      units: [
        ['省公安厅', 'responsible'],
        ['省政府办公厅', 'coordinator'],
        ['省委宣传部', 'coordinator'],
        ...CC,
      ],
    });
  });

  it('a named region government with no competent department: its 政府办公室', () => {
    expect(summary(decide('卫生计生', ['昆明市人民政府']))).toEqual({
      rule: 'involved_unit',
      owner: '昆明市人民政府办公室',
      units: [['昆明市人民政府办公室', 'responsible'], ['昆明市委宣传部', 'coordinator'], ...CC],
    });
  });

  it.each([[['昆明市教育局', '曲靖市教育局']], [['昆明市人民政府', '曲靖市人民政府']]])(
    'several regions %j: the superior government’s competent department',
    (involved) => {
      expect(summary(decide('教育', involved))).toEqual({
        rule: 'multi_region',
        owner: '省教育厅',
        units: [
          ['省教育厅', 'responsible'],
          ['昆明市教育局', 'involved'],
          ['曲靖市教育局', 'involved'],
          ...CC,
        ],
      });
    },
  );

  it('several regions with category 其他: the duty the named units share picks the competent department', () => {
    expect(summary(decide('其他', ['昆明市公安局', '曲靖市公安局']))).toEqual({
      rule: 'multi_region',
      owner: '省公安厅',
      units: [['省公安厅', 'responsible'], ['昆明市公安局', 'involved'], ['曲靖市公安局', 'involved'], ...CC],
    });
  });

  it.each([
    ['省教育厅', '省公安厅', '省政府办公厅', '省委宣传部'],
    ['昆明市教育局', '昆明市公安局', '昆明市人民政府办公室', '昆明市委宣传部'],
  ])('several departments %s + %s: each by duty, %s coordinates with %s', (a, b, office, publicity) => {
    expect(summary(decide('教育', [a, b]))).toEqual({
      rule: 'multi_department',
      owner: office,
      units: [
        [office, 'coordinator'],
        [a, 'responsible'],
        [b, 'responsible'],
        [publicity, 'coordinator'],
        ...CC,
      ],
    });
  });
});

describe('抄送', () => {
  it('a 抄送 unit named as 涉事 is listed once, as responsible', () => {
    expect(summary(decide('其他', ['省网信办']))).toEqual({
      rule: 'involved_unit',
      owner: '省网信办',
      units: [
        ['省网信办', 'responsible'],
        ['省政府办公厅', 'coordinator'],
        ['省委宣传部', 'coordinator'],
        ['省政务公开领导小组办公室', 'cc'],
        ['省新闻办', 'cc'],
      ],
    });
  });

  const reporters = [null, '昆明市人民政府', '昆明市公安局', '曲靖市人民政府', '省教育厅'];
  const involvedSets = [
    [],
    ['昆明市教育局'],
    ['省委宣传部'],
    ['省教育厅', '省公安厅'],
    ['曲靖市公安局', '昆明市教育局'],
  ];
  const cases = CATEGORIES.flatMap((c) =>
    reporters.flatMap((r) =>
      involvedSets.map((inv) => [c.name, r, inv] as [string, string | null, string[]]),
    ),
  );
  it(`every decision ends with the three cc units and lists no unit twice (${cases.length} inputs)`, () => {
    for (const [cat, reporter, involved] of cases) {
      const d = decide(cat, involved, reporter);
      const ids = d.units.map((x) => x.unit.id);
      expect(new Set(ids).size, `${cat} ${reporter} ${involved}`).toBe(ids.length);
      expect(d.units.slice(-3).map((x) => [x.unit.name, x.role])).toEqual(CC);
      expect(d.units.filter((x) => x.role === 'cc')).toHaveLength(3);
      expect(d.units[0]?.unit).toBe(d.owner);
    }
  });
});

describe('Org.resolve', () => {
  it.each([
    ['省公安厅', 'gat'],
    ['公安厅', 'gat'],
    ['gat', 'gat'],
    [' 省公安厅 ', 'gat'],
    ['昆明市人民政府', 'km-gov'],
  ])('%j → %s', (input, id) => {
    expect(org.resolve(input).id).toBe(id);
  });

  it('an ambiguous part of a name', () => {
    const err = caught(() => org.resolve('公安'));
    expect(err).toBeInstanceOf(HuiyinError);
    expect(err).toMatchObject({
      code: 'huiyin_ambiguous_unit',
      message: '「公安」可以指多个单位：省公安厅、昆明市公安局、曲靖市公安局。请写出单位全称。',
    });
  });

  it('an unknown unit', () => {
    expect(caught(() => org.resolve('省体育局'))).toMatchObject({
      code: 'huiyin_unknown_unit',
      message:
        '组织目录中没有名为「省体育局」的单位。请写单位全称（如 省教育厅）、能唯一识别的简称（如 教育厅）或单位编号。',
    });
  });
});

describe('归口 never crosses into another region', () => {
  const small = new Org(
    [
      { id: 'gov', name: '省政府', parentId: null, handles: [] },
      { id: 'a', name: '甲市政府', parentId: 'gov', handles: [] },
      { id: 'a-office', name: '甲市政府办公室', parentId: 'a', handles: ['统筹'] },
      { id: 'b', name: '乙市政府', parentId: 'gov', handles: [] },
      { id: 'b-edu', name: '乙市教育局', parentId: 'b', handles: ['教育'] },
    ],
    [],
  );

  it('a city with no 教育 department and none above it: its own 政府办公室 takes it (统筹)', () => {
    const d = route(small, {
      category: category('教育'),
      involved: [],
      reporterUnit: small.get('a'),
      level: null,
    });
    expect({ rule: d.rule, owner: d.owner.id }).toEqual({ rule: 'overall', owner: 'a-office' });
  });

  it('with no reporter unit the top-most handler anywhere is used', () => {
    const d = route(small, { category: category('教育'), involved: [], reporterUnit: null, level: null });
    expect({ rule: d.rule, owner: d.owner.id }).toEqual({ rule: 'guikou', owner: 'b-edu' });
  });
});

describe('units named in a text (口径 that involves other agencies)', () => {
  const names = (text: string) => org.namedIn(text).map((u) => u.name);

  it('finds full names and a provincial department without 省', () => {
    expect(names('经省公安厅核实，省教育厅已部署整改')).toEqual(['省教育厅', '省公安厅']);
    expect(names('公安厅已介入调查')).toEqual(['省公安厅']);
  });

  it('a name inside a longer one is not a second unit', () => {
    expect(names('昆明市人民政府办公室已协调')).toEqual(['昆明市人民政府办公室']);
    expect(names('昆明市人民政府、昆明市人民政府办公室')).toEqual(['昆明市人民政府', '昆明市人民政府办公室']);
  });

  it('names nothing in a text about no unit', () => {
    expect(names('该校食堂已停业整顿，学生均已返校。')).toEqual([]);
  });
});
