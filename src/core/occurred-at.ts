import { HuiyinError } from './errors.js';
import { fromShanghai, type LocalParts, shanghaiParts } from './time.js';

export const OCCURRED_AT_FORMATS = '09:10、今天09:10、昨天 18:00、2026-11-22 09:10、30分钟前、2小时前';

// Reports may be typed a few minutes after a clock on another device: tolerate small skew.
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * Parses 事发 in Asia/Shanghai: `09:10`, `今天09:10`, `昨天 18:00`, `2026-11-22 09:10`,
 * `11月22日 9:10`, `30分钟前`, `2小时前`, `刚刚`.
 */
export function parseOccurredAt(input: string, now: Date): Date {
  const text = input.normalize('NFKC').replace(/\s+/g, ' ').trim();
  const result = parse(text, now);
  if (!result) {
    throw new HuiyinError(
      'huiyin_bad_time',
      `无法识别事发时间「${input}」。可以写：${OCCURRED_AT_FORMATS}（北京时间）。`,
    );
  }
  if (result.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    // A bare time later than now usually means yesterday: say exactly what to type.
    const bare = /^(?:今天)?\s*(\d{1,2}(?::\d{2}|[点时].*))$/.exec(text);
    const hint = bare ? `若是昨天的事，请写「昨天 ${bare[1]}」。` : '请写已经发生的时间。';
    throw new HuiyinError('huiyin_future_time', `事发时间「${input}」晚于当前时间。${hint}`);
  }
  return result;
}

function parse(text: string, now: Date): Date | null {
  if (/^(刚刚|刚才|现在|now)$/i.test(text)) return now;

  const ago = /^(\d{1,4})\s*(分钟|分|min|m|小时|h|天|d)前$/i.exec(text);
  if (ago) {
    const n = Number(ago[1]);
    const unit = (ago[2] as string).toLowerCase();
    const minutes = /^(小时|h)$/.test(unit) ? 60 : /^(天|d)$/.test(unit) ? 1440 : 1;
    return new Date(now.getTime() - n * minutes * 60_000);
  }

  // `09:10`, `9点`, `9点30`, `9点30分`, `9时30分`: hour, then minutes after `:` or after 点/时.
  const time = String.raw`(\d{1,2})(?::(\d{2})|[点时](?:(\d{1,2})分?)?)`;
  const clock = (m: RegExpExecArray, i: number) => ({ hour: m[i], minute: m[i + 1] ?? m[i + 2] });

  const rel = new RegExp(`^(今天|昨天|前天)?\\s*${time}$`).exec(text);
  if (rel) {
    const back = rel[1] === '昨天' ? 1 : rel[1] === '前天' ? 2 : 0;
    const base = shanghaiParts(new Date(now.getTime() - back * 86_400_000));
    return at(base, clock(rel, 2));
  }

  // A date must be set off from its time (日, a space or T), so `2026-11-22` alone is no time.
  const full = new RegExp(String.raw`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})(?:日\s*|\s+|T)${time}$`).exec(
    text,
  );
  if (full) {
    const day = { year: Number(full[1]), month: Number(full[2]), day: Number(full[3]), hour: 0, minute: 0 };
    return at(day, clock(full, 4));
  }

  const md = new RegExp(String.raw`^(\d{1,2})[-/月](\d{1,2})(?:日\s*|\s+)${time}$`).exec(text);
  if (md) {
    const today = shanghaiParts(now);
    const day = { year: today.year, month: Number(md[1]), day: Number(md[2]), hour: 0, minute: 0 };
    const thisYear = at(day, clock(md, 3));
    // Without a year the latest such date that is not in the future is meant (12月31日 on 1 January).
    if (thisYear && thisYear.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      return at({ ...day, year: today.year - 1 }, clock(md, 3));
    }
    return thisYear;
  }
  return null;
}

function at(day: LocalParts, t: { hour: string | undefined; minute: string | undefined }): Date | null {
  return fromShanghai({ ...day, hour: Number(t.hour), minute: Number(t.minute ?? 0) });
}
