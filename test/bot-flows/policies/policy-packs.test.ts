import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_PACK, POLICY_PACKS, policyPack } from '../../../bot-flows/policies/index.js';
import { type ClockFacts, planClocks } from '../../../src/core/clocks.js';
import { type Clause, type PolicyPack, policyPackSchema } from '../../../src/core/policy-pack.js';
import { createCalendar } from '../../../src/core/working-days.js';

const cal = createCalendar({});
const OCCURRED = new Date('2026-11-22T02:00:00Z');
const at = (hours: number) => new Date(OCCURRED.getTime() + hours * 3_600_000).toISOString();

/** Every clause a pack can cite, labelled by where it sits in the pack. */
function clausesOf(pack: PolicyPack): [string, Clause][] {
  const { guikou, ...rest } = pack.clauses;
  return [
    ...Object.entries(guikou).map(([k, c]): [string, Clause] => [`guikou.${k}`, c]),
    ...Object.entries(rest).map(([k, c]): [string, Clause] => [k, c]),
    ...pack.clocks.rules.map((r): [string, Clause] => [`rule.${r.kind}`, r.clause]),
    ['continuing', pack.clocks.continuing.clause],
    ['breach', pack.clocks.breach.superviseClause],
    ['extension', pack.clocks.extension.clause],
  ];
}

/** Punctuation and spacing do not make a quote a different quote. */
const normalise = (text: string) => text.replace(/[\s\p{P}]/gu, '');

const opinion = (f: Partial<ClockFacts>): ClockFacts => ({
  kind: 'opinion',
  level: null,
  emergency: false,
  casualties: false,
  largeImpact: false,
  netizenMessageType: null,
  occurredAt: OCCURRED,
  acceptedAt: null,
  ...f,
});

const SCENARIOS = {
  ordinary: opinion({ level: '一般' }),
  major: opinion({ level: '重大' }),
  majorEmergency: opinion({ level: '重大', emergency: true }),
  casualties: opinion({ casualties: true }),
  largeImpact: opinion({ largeImpact: true }),
  ordinaryEmergency: opinion({ level: '一般', emergency: true }),
} as const;

/** Per pack and scenario: the clocks an item gets, as sorted [kind, due] pairs. */
const EXPECTED: Record<string, Record<keyof typeof SCENARIOS, [string, string][]>> = {
  'yn-2016-106': {
    ordinary: [['respond', at(48)]],
    major: [
      ['escalate', at(1)],
      ['respond', at(48)],
    ],
    majorEmergency: [
      ['escalate', at(1)],
      ['press_conference', at(24)],
      ['publish_facts', at(1)],
    ],
    casualties: [['press_conference', at(24)]],
    largeImpact: [['press_conference', at(24)]],
    ordinaryEmergency: [
      ['publish_facts', at(1)],
      ['respond', at(48)],
    ],
  },
  // 001 五 sets only the 1 h report for 重大.
  'baoshan-forestry-2020': {
    ordinary: [],
    major: [['escalate', at(1)]],
    majorEmergency: [['escalate', at(1)]],
    casualties: [],
    largeImpact: [],
    ordinaryEmergency: [],
  },
  // 003 附件1 三: the 1 h clocks only for 特别重大/重大 突发事件; press conference only for heavy
  // casualties or large social impact; 48 h for everything else.
  'qinzhou-city': {
    ordinary: [['respond', at(48)]],
    major: [['respond', at(48)]],
    majorEmergency: [
      ['escalate', at(1)],
      ['publish_facts', at(1)],
      ['respond', at(48)],
    ],
    casualties: [['press_conference', at(24)]],
    largeImpact: [['press_conference', at(24)]],
    ordinaryEmergency: [['respond', at(48)]],
  },
  // 004 sets no time limits.
  'province-2013': {
    ordinary: [],
    major: [],
    majorEmergency: [],
    casualties: [],
    largeImpact: [],
    ordinaryEmergency: [],
  },
};

const packs = Object.values(POLICY_PACKS);

describe('policy pack registry', () => {
  it('registers the four seed packs under their ids, with seed 000 as the default', () => {
    expect(Object.keys(POLICY_PACKS).sort()).toEqual(
      ['baoshan-forestry-2020', 'province-2013', 'qinzhou-city', 'yn-2016-106'].sort(),
    );
    for (const [id, pack] of Object.entries(POLICY_PACKS)) expect(pack.id).toBe(id);
    expect(DEFAULT_POLICY_PACK).toBe('yn-2016-106');
    expect(policyPack('qinzhou-city')).toBe(POLICY_PACKS['qinzhou-city']);
  });

  it('rejects an unknown pack id, naming the known ones', () => {
    expect(() => policyPack('nope')).toThrow(/unknown policy pack "nope".*yn-2016-106/);
  });
});

describe.each(packs.map((p) => [p.id, p] as const))('policy pack %s', (id, pack) => {
  it('parses with the schema, unchanged', () => {
    expect(policyPackSchema.parse(pack)).toEqual(pack);
    expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('cites only non-empty clauses of its own, none copied from another pack', () => {
    const others = new Map(
      packs
        .filter((p) => p.id !== id)
        .flatMap((p) =>
          clausesOf(p)
            .filter(([, c]) => !c.doc)
            .map(([where, c]) => [normalise(c.text), `${p.id} ${where}`] as const),
        ),
    );
    for (const [where, c] of clausesOf(pack)) {
      expect(c.ref.trim(), where).not.toBe('');
      expect(normalise(c.text), where).not.toBe('');
      if (c.doc) continue;
      expect(others.get(normalise(c.text)), `${where} copies`).toBeUndefined();
    }
  });

  it('names the other document whenever it cites one, quoting that pack word for word', () => {
    for (const [where, c] of clausesOf(pack).filter(([, x]) => x.doc)) {
      expect(c.doc, where).not.toBe(pack.docNo);
      const source = packs.find((p) => p.docNo === c.doc);
      expect(source, `${where}: ${c.doc} is a known pack`).toBeDefined();
      const quoted = clausesOf(source as PolicyPack).map(([, x]) => x);
      expect(
        quoted.some((x) => !x.doc && x.ref === c.ref && normalise(x.text) === normalise(c.text)),
        `${where} quotes ${c.doc} ${c.ref}`,
      ).toBe(true);
    }
  });

  it.each(Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[])(
    'gives a %s item exactly its clocks',
    (name) => {
      const planned = planClocks(pack.clocks.rules, SCENARIOS[name], cal);
      const got = planned.map((c) => [c.kind, c.dueAt.toISOString()]).sort();
      expect(got).toEqual(EXPECTED[id]?.[name]);
      for (const c of planned) expect(c.startsAt).toEqual(OCCURRED);
    },
  );
});

describe('packs without 网民留言 limits', () => {
  it.each(['baoshan-forestry-2020', 'qinzhou-city', 'province-2013'])('%s has no working-day clock', (id) => {
    const pack = policyPack(id);
    expect(pack.clocks.rules.filter((r) => r.appliesTo === 'netizen_message' || r.workingDays)).toEqual([]);
    const message: ClockFacts = {
      ...opinion({}),
      kind: 'netizen_message',
      netizenMessageType: '谏言咨询',
      acceptedAt: OCCURRED,
    };
    expect(planClocks(pack.clocks.rules, message, cal)).toEqual([]);
  });
});
