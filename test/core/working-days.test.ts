import cd from 'chinese-days';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OVERRIDES } from '../../bot-flows/calendar/overrides.js';
import { holidayOverridesSchema } from '../../src/core/holiday-overrides.js';
import {
  addWorkingDays,
  createCalendar,
  unknownYearNotice,
  workingDayDeadline,
  workingDaysBefore,
} from '../../src/core/working-days.js';

const cal = createCalendar(OVERRIDES);

/** 09:00 Shanghai on a `YYYY-MM-DD` day. */
const nineAm = (day: string) => new Date(`${day}T09:00:00+08:00`);

/*
 * Expected values below are counted by hand from the State Council notice for 2026:
 *
 * 中秋 + 国庆: days off 2026-09-25 (Fri, 中秋) and 2026-10-01..07; make-up working days
 * 2026-09-20 (Sun) and 2026-10-10 (Sat). Working days after 2026-09-18, numbered:
 *   1 09-20   2 09-21   3 09-22   4 09-23   5 09-24   6 09-28   7 09-29   8 09-30
 *   9 10-08  10 10-09  11 10-10  12 10-12  13 10-13  14 10-14  15 10-15  16 10-16
 *  17 10-19  18 10-20  19 10-21  20 10-22  21 10-23  22 10-26 ... 26 10-30
 *  27 11-02  28 11-03  29 11-04  30 11-05  31 11-06
 *
 * 春节 (from chinese-days 1.5.7, which matches the notice): days off 2026-02-15 (Sun) ..
 * 2026-02-23 (Mon); make-up working days 2026-02-14 (Sat) and 2026-02-28 (Sat).
 * Working days after 2026-02-11, numbered:
 *   1 02-12   2 02-13   3 02-14   4 02-24   5 02-25   6 02-26   7 02-27   8 02-28
 *   9 03-02  10 03-03  11 03-04  12 03-05  13 03-06  14 03-09 ... 18 03-13
 *  19 03-16 ... 23 03-20  24 03-23 ... 28 03-27
 */
describe('workingDayDeadline across the 2026 Mid-Autumn and National Day holidays', () => {
  it.each([
    ['2026-09-18', 5, '2026-09-24'],
    ['2026-09-18', 10, '2026-10-09'],
    ['2026-09-18', 20, '2026-10-22'],
    ['2026-09-19', 5, '2026-09-24'],
    ['2026-09-19', 10, '2026-10-09'],
    ['2026-09-19', 20, '2026-10-22'],
    ['2026-09-20', 5, '2026-09-28'],
    ['2026-09-20', 10, '2026-10-10'],
    ['2026-09-20', 20, '2026-10-23'],
    ['2026-09-30', 5, '2026-10-13'],
    ['2026-09-30', 10, '2026-10-20'],
    ['2026-09-30', 20, '2026-11-03'],
    ['2026-10-01', 5, '2026-10-13'],
    ['2026-10-01', 10, '2026-10-20'],
    ['2026-10-01', 20, '2026-11-03'],
    ['2026-10-09', 5, '2026-10-15'],
    ['2026-10-09', 10, '2026-10-22'],
    ['2026-10-09', 20, '2026-11-05'],
    ['2026-10-10', 5, '2026-10-16'],
    ['2026-10-10', 10, '2026-10-23'],
    ['2026-10-10', 20, '2026-11-06'],
  ])('accepted %s, %i working days → last day %s', (accepted, n, lastDay) => {
    expect(workingDayDeadline(cal, nineAm(accepted), n)).toEqual({
      deadline: new Date(`${lastDay}T16:00:00.000Z`),
      lastDay,
      unknownYears: [],
    });
  });
});

describe('workingDayDeadline across the 2026 Spring Festival', () => {
  it.each([
    ['2026-02-12', 5, '2026-02-26'],
    ['2026-02-12', 10, '2026-03-04'],
    ['2026-02-12', 20, '2026-03-18'],
    ['2026-02-13', 5, '2026-02-27'],
    ['2026-02-13', 10, '2026-03-05'],
    ['2026-02-13', 20, '2026-03-19'],
    ['2026-02-14', 5, '2026-02-28'],
    ['2026-02-14', 10, '2026-03-06'],
    ['2026-02-14', 20, '2026-03-20'],
    ['2026-02-15', 5, '2026-02-28'],
    ['2026-02-20', 10, '2026-03-06'],
    ['2026-02-23', 20, '2026-03-20'],
    ['2026-02-27', 5, '2026-03-05'],
    ['2026-02-27', 10, '2026-03-12'],
    ['2026-02-27', 20, '2026-03-26'],
    ['2026-02-28', 5, '2026-03-06'],
    ['2026-02-28', 10, '2026-03-13'],
    ['2026-02-28', 20, '2026-03-27'],
  ])('accepted %s, %i working days → last day %s', (accepted, n, lastDay) => {
    const r = workingDayDeadline(cal, nineAm(accepted), n);
    expect(r.lastDay).toBe(lastDay);
    expect(r.unknownYears).toEqual([]);
  });
});

describe('the deadline instant', () => {
  it('is 24:00 Shanghai of the last day', () => {
    const r = workingDayDeadline(cal, nineAm('2026-10-10'), 5);
    expect(r.lastDay).toBe('2026-10-16');
    expect(r.deadline.toISOString()).toBe('2026-10-16T16:00:00.000Z');
  });

  it('counts from the Shanghai calendar day, not the UTC one', () => {
    // 23:30 Shanghai on Friday 09-18 is still 09-18; 00:30 on Saturday 09-19 is 09-18 in UTC.
    expect(workingDayDeadline(cal, new Date('2026-09-18T15:30:00Z'), 5).lastDay).toBe('2026-09-24');
    expect(workingDayDeadline(cal, new Date('2026-09-18T16:30:00Z'), 1).lastDay).toBe('2026-09-20');
    // 00:30 Shanghai on Sunday 09-20 (a make-up working day) is 09-19 in UTC: the count starts 09-21.
    expect(workingDayDeadline(cal, new Date('2026-09-19T16:30:00Z'), 5).lastDay).toBe('2026-09-28');
  });
});

describe('years without holiday data', () => {
  it('are reported when a count runs into 2027, counted Mon–Fri', () => {
    // 12-29, 12-30, 12-31, then 2027-01-01 (Fri) counts as a plain weekday, then 01-04 (Mon).
    const r = workingDayDeadline(cal, nineAm('2026-12-28'), 5);
    expect(r.lastDay).toBe('2027-01-04');
    expect(r.unknownYears).toEqual([2027]);
    expect(unknownYearNotice(r.unknownYears)).toBe('2027年节假日安排尚未配置，按普通工作日计算');
    expect(cal.knows(2026)).toBe(true);
    expect(cal.knows(2027)).toBe(false);
    expect(cal.knows(2003)).toBe(false);
  });

  it('lists every unknown year, sorted and once', () => {
    const r = addWorkingDays(cal, '2026-12-31', 300);
    expect(r.day.startsWith('2028-')).toBe(true);
    expect(r.unknownYears).toEqual([2027, 2028]);
    expect(unknownYearNotice([2028, 2027, 2028])).toBe('2027、2028年节假日安排尚未配置，按普通工作日计算');
    expect(unknownYearNotice([])).toBeNull();
  });

  it('become known through an override entry whose days are honoured', () => {
    // Fictional test data, not the 2027 notice: 01-01 (Fri) off, 01-02 (Sat) a make-up day.
    const withOverride = createCalendar({
      2027: { holidays: ['2027-01-01', '2027-01-03'], workdays: ['2027-01-02'], source: 'test fixture' },
    });
    expect(withOverride.knows(2027)).toBe(true);
    expect(withOverride.isWorkingDay('2027-01-01')).toBe(false);
    expect(withOverride.isWorkingDay('2027-01-02')).toBe(true);
    expect(withOverride.isWorkingDay('2027-01-04')).toBe(true);
    expect(workingDayDeadline(withOverride, nineAm('2026-12-28'), 4)).toMatchObject({
      lastDay: '2027-01-02',
      unknownYears: [],
    });
    expect(workingDayDeadline(cal, nineAm('2026-12-28'), 4)).toMatchObject({
      lastDay: '2027-01-01',
      unknownYears: [2027],
    });
  });

  it('stop at lastBuiltInYear', () => {
    const older = createCalendar({}, 2025);
    expect(older.knows(2026)).toBe(false);
    // 2026-10-01 is a holiday, but a calendar without 2026 data treats a Thursday as working.
    expect(older.isWorkingDay('2026-10-01')).toBe(true);
    expect(addWorkingDays(older, '2026-09-30', 1)).toEqual({ day: '2026-10-01', unknownYears: [2026] });
  });
});

describe('the override file', () => {
  it('is valid and empty until the next notice is known', () => {
    expect(OVERRIDES).toEqual({});
  });

  it.each([
    ['a make-up day on a weekday', { holidays: [], workdays: ['2027-01-04'], source: 's' }],
    ['a day outside its year', { holidays: ['2028-01-01'], workdays: [], source: 's' }],
    ['a day that does not exist', { holidays: ['2027-02-30'], workdays: [], source: 's' }],
    ['a day both off and on', { holidays: ['2027-01-02'], workdays: ['2027-01-02'], source: 's' }],
    ['no source', { holidays: [], workdays: [], source: '' }],
  ])('rejects %s', (_, entry) => {
    expect(holidayOverridesSchema.safeParse({ 2027: entry }).success).toBe(false);
    expect(() => createCalendar({ 2027: entry })).toThrow();
  });
});

describe('workingDaysBefore', () => {
  it.each([
    ['2026-10-08', 0, '2026-10-08'],
    ['2026-10-07', 0, '2026-09-30'],
    ['2026-10-08', 1, '2026-09-30'],
    ['2026-10-12', 1, '2026-10-10'],
    ['2026-10-11', 0, '2026-10-10'],
    ['2026-09-21', 1, '2026-09-20'],
    ['2026-02-24', 1, '2026-02-14'],
    ['2026-03-02', 2, '2026-02-27'],
  ])('%s minus %i working days → %s', (day, n, expected) => {
    expect(workingDaysBefore(cal, day, n)).toBe(expected);
  });
});

describe('bad input', () => {
  it('throws instead of guessing', () => {
    expect(() => addWorkingDays(cal, '2026-10-01', 0)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, '2026-10-01', 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, '2026-9-1', 1)).toThrow(RangeError);
    expect(() => workingDaysBefore(cal, '2026-10-01', -1)).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2026-02-29')).toThrow(RangeError);
    expect(() => workingDayDeadline(cal, new Date(Number.NaN), 5)).toThrow(RangeError);
  });
});

describe('properties (accepted in 2025–2026, n in 1..30)', () => {
  const DAY_MS = 86_400_000;
  /** Independent oracle: chinese-days for its years, plain Mon–Fri for 2027. */
  const official = (day: string) =>
    day < '2027' ? cd.isWorkday(day) : ![0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
  const shanghaiDay = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  const nextDay = (day: string) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

  const accepted = fc.date({
    min: new Date('2025-01-01T00:00:00+08:00'),
    max: new Date('2026-12-31T23:59:59.999+08:00'),
    noInvalidDate: true,
  });
  const count = fc.integer({ min: 1, max: 30 });

  it('the last day is a working day, n working days after the accepted day, and ends the deadline', () => {
    fc.assert(
      fc.property(accepted, count, (at, n) => {
        const r = workingDayDeadline(cal, at, n);
        expect(official(r.lastDay)).toBe(true);
        let inside = 0;
        for (let d = nextDay(shanghaiDay(at)); d <= r.lastDay; d = nextDay(d)) if (official(d)) inside += 1;
        expect(inside).toBe(n);
        expect(r.deadline.getTime()).toBeGreaterThan(at.getTime());
        expect(r.deadline.toISOString()).toBe(`${r.lastDay}T16:00:00.000Z`);
        expect(r.unknownYears).toEqual(r.lastDay >= '2027' ? [2027] : []);
      }),
    );
  });

  it('counting back n-1 working days from the last day gives the first working day after acceptance', () => {
    fc.assert(
      fc.property(accepted, count, (at, n) => {
        let first = nextDay(shanghaiDay(at));
        while (!official(first)) first = nextDay(first);
        expect(workingDaysBefore(cal, workingDayDeadline(cal, at, n).lastDay, n - 1)).toBe(first);
      }),
    );
  });

  it('is strictly monotonic in n', () => {
    fc.assert(
      fc.property(accepted, count, (at, n) => {
        const a = workingDayDeadline(cal, at, n);
        const b = workingDayDeadline(cal, at, n + 1);
        expect(b.lastDay > a.lastDay).toBe(true);
        expect(b.deadline.getTime()).toBeGreaterThan(a.deadline.getTime());
        expect(b.unknownYears).toEqual(expect.arrayContaining(a.unknownYears));
      }),
    );
  });

  it('workingDaysBefore undoes addWorkingDays on working days', () => {
    fc.assert(
      fc.property(accepted, fc.integer({ min: 0, max: 30 }), (at, n) => {
        const start = workingDaysBefore(cal, shanghaiDay(at), 0);
        expect(official(start)).toBe(true);
        const end = n === 0 ? start : addWorkingDays(cal, start, n).day;
        expect(workingDaysBefore(cal, end, n)).toBe(start);
      }),
    );
  });
});
