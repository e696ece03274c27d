import cd from 'chinese-days';
import { type HolidayOverrides, holidayOverridesSchema } from './holiday-overrides.js';
import { SHANGHAI_OFFSET_MS, shanghaiParts } from './time.js';

/** chinese-days' data starts with the 2004 notice; before that it only knows weekends. */
const FIRST_BUILT_IN_YEAR = 2004;
const DAY_MS = 24 * 60 * 60 * 1000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Which calendar days are working days in mainland China. `day` is `YYYY-MM-DD`. */
export interface WorkingDayCalendar {
  isWorkingDay(day: string): boolean;
  /** False when the year's holiday notice is not loaded and days are guessed as Mon–Fri. */
  knows(year: number): boolean;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` day; throws on anything else. */
function dayNumber(day: string): number {
  const m = DAY_RE.exec(day);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) {
    throw new RangeError(`expected a YYYY-MM-DD day, got ${JSON.stringify(day)}`);
  }
  return t / DAY_MS;
}

const dayString = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const yearOf = (day: string) => Number(day.slice(0, 4));
const isWeekday = (n: number) => {
  const wd = new Date(n * DAY_MS).getUTCDay();
  return wd !== 0 && wd !== 6;
};

function assertCount(n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`expected an integer ≥ ${min}, got ${n}`);
}

/**
 * The official calendar: project overrides first (they are the deliberate, newer data), then
 * chinese-days for 2004..lastBuiltInYear, else plain Mon–Fri with `knows(year)` false.
 */
export function createCalendar(overrides: HolidayOverrides, lastBuiltInYear = 2026): WorkingDayCalendar {
  const years = new Map(
    Object.entries(holidayOverridesSchema.parse(overrides)).map(([y, o]) => [
      Number(y),
      { off: new Set(o.holidays), on: new Set(o.workdays) },
    ]),
  );
  const builtIn = (year: number) => year >= FIRST_BUILT_IN_YEAR && year <= lastBuiltInYear;
  return {
    isWorkingDay(day) {
      const n = dayNumber(day);
      const o = years.get(yearOf(day));
      if (o) return o.on.has(day) || (!o.off.has(day) && isWeekday(n));
      return builtIn(yearOf(day)) ? cd.isWorkday(day) : isWeekday(n);
    },
    knows: (year) => years.has(year) || builtIn(year),
  };
}

/** The n-th working day strictly after `fromDay` (n ≥ 1), and the unconfigured years it crossed. */
export function addWorkingDays(
  cal: WorkingDayCalendar,
  fromDay: string,
  n: number,
): { day: string; unknownYears: number[] } {
  assertCount(n, 1);
  const unknown = new Set<number>();
  let at = dayNumber(fromDay);
  for (let left = n; left > 0; ) {
    at += 1;
    const day = dayString(at);
    if (!cal.knows(yearOf(day))) unknown.add(yearOf(day));
    if (cal.isWorkingDay(day)) left -= 1;
  }
  return { day: dayString(at), unknownYears: [...unknown].sort((a, b) => a - b) };
}

/**
 * The working day n working days before `day` (n ≥ 0). A non-working `day` first steps back to
 * the previous working day, so n = 0 gives that day and the result always is a working day.
 */
export function workingDaysBefore(cal: WorkingDayCalendar, day: string, n: number): string {
  assertCount(n, 0);
  let at = dayNumber(day);
  while (!cal.isWorkingDay(dayString(at))) at -= 1;
  for (let left = n; left > 0; ) {
    at -= 1;
    if (cal.isWorkingDay(dayString(at))) left -= 1;
  }
  return dayString(at);
}

/**
 * A deadline of n working days counted from the day after `accepted` (Shanghai calendar day);
 * it ends at 24:00 Shanghai of `lastDay`, i.e. the instant the next calendar day begins.
 */
export function workingDayDeadline(
  cal: WorkingDayCalendar,
  accepted: Date,
  n: number,
): { deadline: Date; lastDay: string; unknownYears: number[] } {
  const p = shanghaiParts(accepted);
  const acceptedDay = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  const { day: lastDay, unknownYears } = addWorkingDays(cal, acceptedDay, n);
  const deadline = new Date((dayNumber(lastDay) + 1) * DAY_MS - SHANGHAI_OFFSET_MS);
  return { deadline, lastDay, unknownYears };
}

/** `2027年节假日安排尚未配置，按普通工作日计算` for years without holiday data; null when there are none. */
export function unknownYearNotice(years: number[]): string | null {
  if (years.length === 0) return null;
  const list = [...new Set(years)].sort((a, b) => a - b).join('、');
  return `${list}年节假日安排尚未配置，按普通工作日计算`;
}
