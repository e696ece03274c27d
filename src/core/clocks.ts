import type { ClockRule } from './policy-pack.js';
import { fromShanghai, shanghaiParts } from './time.js';
import { isMajor } from './vocabulary.js';
import { type WorkingDayCalendar, workingDayDeadline, workingDaysBefore } from './working-days.js';

/** What satisfies a clock. */
export const CLOCK_ACTIONS = ['escalate', 'publish', 'press_conference', 'close'] as const;
export type ClockAction = (typeof CLOCK_ACTIONS)[number];
export const ACTION_LABELS: Record<ClockAction, string> = {
  escalate: '报告',
  publish: '发布',
  press_conference: '发布会',
  close: '办结',
};

/** 网民留言 types of seed 000 四(三). */
export const NETIZEN_MESSAGE_TYPES = ['表扬感谢', '谏言咨询', '申诉求助'] as const;
export type NetizenMessageType = (typeof NETIZEN_MESSAGE_TYPES)[number];

/** The facts about an item that decide its clocks. */
export interface ClockFacts {
  kind: 'opinion' | 'netizen_message';
  level: string | null;
  emergency: boolean;
  casualties: boolean;
  largeImpact: boolean;
  netizenMessageType: NetizenMessageType | null;
  occurredAt: Date;
  acceptedAt: Date | null;
}

export interface PlannedClock {
  kind: string;
  label: string;
  action: ClockAction;
  startsAt: Date;
  dueAt: Date;
  /** Reminder instants before the deadline, ascending (some may already be past). */
  reminders: Date[];
  /** Years the working-day count ran through that the calendar has no holiday data for. */
  unknownYears: number[];
}

function holds(rule: ClockRule, f: ClockFacts): boolean {
  if (rule.appliesTo !== f.kind) return false;
  if (rule.when.length === 0) return true;
  return rule.when.some(
    (c) =>
      (!c.levels || (f.level !== null && (c.levels as readonly string[]).includes(f.level))) &&
      (c.emergency === undefined || c.emergency === f.emergency) &&
      (c.casualties === undefined || c.casualties === f.casualties) &&
      (c.largeImpact === undefined || c.largeImpact === f.largeImpact) &&
      (c.netizenMessageType === undefined || c.netizenMessageType === f.netizenMessageType),
  );
}

/** The clocks the rules give an item, each with its deadline and reminder times. */
export function planClocks(
  rules: readonly ClockRule[],
  f: ClockFacts,
  cal: WorkingDayCalendar,
  extraWorkingDays = 0,
): PlannedClock[] {
  const applying = rules.filter((r) => holds(r, f));
  const kinds = new Set(applying.map((r) => r.kind));
  return applying
    .filter((r) => !r.unlessKinds.some((k) => kinds.has(k)))
    .map((r) => plan(r, f, cal, extraWorkingDays));
}

function plan(r: ClockRule, f: ClockFacts, cal: WorkingDayCalendar, extra: number): PlannedClock {
  const startsAt = r.from === 'accepted' ? (f.acceptedAt ?? f.occurredAt) : f.occurredAt;
  const base = { kind: r.kind, label: r.label, action: r.action, startsAt };
  if (r.workingDays !== undefined) {
    const d = workingDayDeadline(cal, startsAt, r.workingDays + extra);
    const reminders = r.reminders.beforeWorkingDays.map((n) => nineAm(workingDaysBefore(cal, d.lastDay, n)));
    return {
      ...base,
      dueAt: d.deadline,
      reminders: sortUnique(reminders, startsAt, d.deadline),
      unknownYears: d.unknownYears,
    };
  }
  const ms = (r.hours as number) * 3_600_000;
  const dueAt = new Date(startsAt.getTime() + ms);
  const reminders = [
    ...r.reminders.percents.map((p) => new Date(startsAt.getTime() + (ms * p) / 100)),
    ...r.reminders.beforeMinutes.map((m) => new Date(dueAt.getTime() - m * 60_000)),
  ];
  return { ...base, dueAt, reminders: sortUnique(reminders, startsAt, dueAt), unknownYears: [] };
}

/** A reminder on a working day goes out at the start of the office day. */
function nineAm(day: string): Date {
  const [year, month, d] = day.split('-').map(Number) as [number, number, number];
  return fromShanghai({ year, month, day: d, hour: 9, minute: 0 }) as Date;
}

function sortUnique(list: Date[], after: Date, before: Date): Date[] {
  const times = [...new Set(list.map((d) => d.getTime()))].filter(
    (t) => t > after.getTime() && t < before.getTime(),
  );
  return times.sort((a, b) => a - b).map((t) => new Date(t));
}

/** The next breach reminder: first after `firstMinutes`, then doubling, never more than `maxHours` apart. */
export function nextBreachAt(
  dueAt: Date,
  repeat: number,
  cfg: { firstMinutes: number; maxHours: number },
  now: Date,
): Date {
  const gap = Math.min(cfg.firstMinutes * 2 ** repeat * 60_000, cfg.maxHours * 3_600_000);
  return new Date(Math.max(now.getTime(), dueAt.getTime()) + gap);
}

/** `还剩 35 分钟` / `已超时 2 小时 5 分钟`, for countdowns. */
export function timeLeft(dueAt: Date, now: Date): string {
  const diff = dueAt.getTime() - now.getTime();
  const mins = Math.round(Math.abs(diff) / 60_000);
  const days = Math.floor(mins / 1440);
  const hours = Math.floor((mins % 1440) / 60);
  const m = mins % 60;
  const text = [
    days ? `${days} 天` : '',
    hours ? `${hours} 小时` : '',
    m || (!days && !hours) ? `${m} 分钟` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return diff >= 0 ? `还剩 ${text}` : `已超时 ${text}`;
}

/** Whether a level needs the 报告上级 clock: used to say at once that an upgrade is already late. */
export const needsReport = (level: string | null) => isMajor(level);

/** Shanghai calendar day of an instant, as YYYY-MM-DD. */
export function shanghaiDay(at: Date): string {
  const p = shanghaiParts(at);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}
