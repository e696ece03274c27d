import type { ClockRow } from '../../db/repos/clock-repo.js';
import type { ItemRow } from '../../db/repos/item-repo.js';
import type { ClockAction } from '../../src/core/clocks.js';
import type { PolicyPack } from '../../src/core/policy-pack.js';
import { unknownYearNotice } from '../../src/core/working-days.js';

/** The command that satisfies a clock, as users type it. */
export const ACTION_COMMANDS: Record<ClockAction | 'continuing', string> = {
  escalate: '/报告',
  publish: '/发布',
  press_conference: '/发布会',
  close: '/办结',
  continuing: '/续报',
};

/** The pack clause a clock kind rests on, if any. */
export const clauseOf = (pack: PolicyPack, kind: string) =>
  kind === pack.clocks.continuing.kind
    ? pack.clocks.continuing.clause
    : pack.clocks.rules.find((r) => r.kind === kind)?.clause;

/** Tells the reader which command meets the clock. */
export function actionHint(clock: ClockRow, item: ItemRow): string {
  const cmd = ACTION_COMMANDS[clock.kind === 'continuing' ? 'continuing' : (clock.action as ClockAction)];
  return `发送「${cmd} ${item.number}」记录完成`;
}

/** Warns when the deadline was counted over a year the holiday calendar does not know. */
export const unknownYears = (clock: ClockRow) => {
  const notice = unknownYearNotice(clock.unknownYears);
  return notice ? `\n⚠️ ${notice}` : '';
};

/** Says that reminders missed while the service was down were merged into this one. */
export const missedNote = (missed: number) =>
  missed > 0 ? `\n（服务中断期间有 ${missed} 次提醒未按时发出，已合并为本条。）` : '';
