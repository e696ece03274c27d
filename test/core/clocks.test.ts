import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { yn2016106 } from '../../bot-flows/policies/yn-2016-106.js';
import { type ClockFacts, nextBreachAt, planClocks, timeLeft } from '../../src/core/clocks.js';
import { LEVELS } from '../../src/core/vocabulary.js';
import { createCalendar } from '../../src/core/working-days.js';

const cal = createCalendar({});
const rules = yn2016106.clocks.rules;
const H = 3_600_000;

const facts = fc.record({
  occurredAt: fc.date({
    min: new Date('2025-01-01T00:00:00Z'),
    max: new Date('2026-12-31T00:00:00Z'),
    noInvalidDate: true,
  }),
  level: fc.constantFrom(null, ...LEVELS),
  emergency: fc.boolean(),
  casualties: fc.boolean(),
  largeImpact: fc.boolean(),
});

const opinion = (f: {
  occurredAt: Date;
  level: string | null;
  emergency: boolean;
  casualties: boolean;
  largeImpact: boolean;
}): ClockFacts => ({
  kind: 'opinion',
  netizenMessageType: null,
  acceptedAt: null,
  ...f,
});

describe('clock planning for 舆情 (seed 000), as properties over random 事发 times and facts', () => {
  it('each clock applies exactly when its rule says, with its deadline measured from 事发', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const planned = planClocks(rules, opinion(f), cal);
        const due = Object.fromEntries(
          planned.map((c) => [c.kind, c.dueAt.getTime() - f.occurredAt.getTime()]),
        );
        const major = f.level === '重大' || f.level === '特别重大';
        const press = (major && f.emergency) || f.casualties || f.largeImpact;
        const expected: Record<string, number> = {};
        if (major) expected.escalate = H;
        if (f.emergency) expected.publish_facts = H;
        if (press) expected.press_conference = 24 * H;
        else expected.respond = 48 * H;
        expect(due).toEqual(expected);
      }),
    );
  });

  it('reminders are ascending and fall strictly between the start and the deadline at the policy thresholds', () => {
    fc.assert(
      fc.property(facts, (f) => {
        for (const c of planClocks(rules, opinion(f), cal)) {
          const offsets = c.reminders.map((r) => (r.getTime() - c.startsAt.getTime()) / 60_000);
          expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
          if (c.kind === 'escalate' || c.kind === 'publish_facts') expect(offsets).toEqual([30, 48, 50]);
          else {
            const hours = (c.dueAt.getTime() - c.startsAt.getTime()) / H;
            expect(offsets).toEqual([24, 6, 1].map((b) => (hours - b) * 60).filter((m) => m > 0));
          }
          for (const r of c.reminders) {
            expect(r > c.startsAt && r < c.dueAt).toBe(true);
          }
        }
      }),
    );
  });

  it('the 24 h and 48 h clocks remind 24 h, 6 h and 1 h before (the 24 h one cannot remind 24 h before its start)', () => {
    const at = new Date('2026-11-22T02:00:00Z');
    const [press] = planClocks(
      rules,
      opinion({ occurredAt: at, level: '重大', emergency: false, casualties: true, largeImpact: false }),
      cal,
    ).filter((c) => c.kind === 'press_conference');
    expect(press?.reminders.map((r) => (r.getTime() - at.getTime()) / H)).toEqual([18, 23]);
    const [respond] = planClocks(
      rules,
      opinion({ occurredAt: at, level: '一般', emergency: false, casualties: false, largeImpact: false }),
      cal,
    );
    expect(respond?.reminders.map((r) => (r.getTime() - at.getTime()) / H)).toEqual([24, 42, 47]);
  });
});

describe('网民留言 clocks', () => {
  it.each([
    ['表扬感谢', '2026-09-30T02:00:00Z', '2026-10-13T16:00:00.000Z'],
    ['谏言咨询', '2026-09-30T02:00:00Z', '2026-10-20T16:00:00.000Z'],
    // Spring Festival: 02-15…02-23 off, 02-14 and 02-28 (Saturdays) worked.
    ['申诉求助', '2026-02-12T02:00:00Z', '2026-03-18T16:00:00.000Z'],
  ] as const)('%s accepted %s is due %s', (netizenMessageType, accepted, due) => {
    const [c] = planClocks(
      rules,
      {
        kind: 'netizen_message',
        netizenMessageType,
        acceptedAt: new Date(accepted),
        occurredAt: new Date(accepted),
        level: null,
        emergency: false,
        casualties: false,
        largeImpact: false,
      },
      cal,
    );
    expect(c?.dueAt.toISOString()).toBe(due);
    expect(c?.unknownYears).toEqual([]);
  });
});

describe('countdown text and breach cadence', () => {
  const due = new Date('2026-11-22T03:40:00Z');
  it.each([
    ['2026-11-22T03:00:00Z', '还剩 40 分钟'],
    ['2026-11-22T03:40:00Z', '还剩 0 分钟'],
    ['2026-11-22T04:42:00Z', '已超时 1 小时 2 分钟'],
    ['2026-11-24T05:40:00Z', '已超时 2 天 2 小时'],
  ])('at %s: %s', (now, text) => {
    expect(timeLeft(due, new Date(now))).toBe(text);
  });

  it('breach repeats double from the first gap and are capped', () => {
    const cfg = { firstMinutes: 60, maxHours: 24 };
    const gaps = [0, 1, 2, 3, 4, 5, 6].map(
      (k) => (nextBreachAt(due, k, cfg, due).getTime() - due.getTime()) / H,
    );
    expect(gaps).toEqual([1, 2, 4, 8, 16, 24, 24]);
  });
});
