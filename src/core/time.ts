/** Asia/Shanghai has had no daylight saving since 1991: a fixed +08:00 offset is exact. */
export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

export type Clock = { now(): Date };
export const systemClock: Clock = { now: () => new Date() };

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The Shanghai wall-clock parts of an instant. */
export function shanghaiParts(at: Date): LocalParts {
  const d = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/** The instant of a Shanghai wall-clock time; null when the date does not exist. */
export function fromShanghai(p: LocalParts): Date | null {
  const utc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== p.year ||
    check.getUTCMonth() !== p.month - 1 ||
    check.getUTCDate() !== p.day ||
    p.hour > 23 ||
    p.minute > 59
  ) {
    return null;
  }
  return new Date(utc - SHANGHAI_OFFSET_MS);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `20261122` for the Shanghai date of an instant. */
export const shanghaiDayKey = (at: Date) => {
  const p = shanghaiParts(at);
  return `${p.year}${pad(p.month)}${pad(p.day)}`;
};

/** `2026-11-22 09:10` in Shanghai time, as every message shows it. */
export function formatShanghai(at: Date): string {
  const p = shanghaiParts(at);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** A deadline as people say it: midnight is `24:00` of the day before (a day's deadline ends then). */
export function formatDeadline(at: Date): string {
  const p = shanghaiParts(at);
  if (p.hour !== 0 || p.minute !== 0) return formatShanghai(at);
  const day = shanghaiParts(new Date(at.getTime() - 60_000));
  return `${day.year}-${pad(day.month)}-${pad(day.day)} 24:00`;
}
