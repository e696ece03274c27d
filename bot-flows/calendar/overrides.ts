import { type HolidayOverrides, holidayOverridesSchema } from '../../src/core/holiday-overrides.js';

/**
 * Working-day data for years that `chinese-days` 1.5.7 does not carry (it stops at 2026 and
 * silently treats later years as plain Mon–Fri weeks).
 *
 * Add one entry per year once the State Council publishes 国务院办公厅关于<年>部分节假日安排的通知
 * (usually in November or December of the year before), copying its dates exactly:
 *
 *   2027: {
 *     holidays: ['2027-…', …],   // every day off it lists (放假), including weekend days
 *     workdays: ['2027-…', …],   // the Saturdays/Sundays it makes working days (调休上班)
 *     source: '国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔…〕…号）',
 *   },
 *
 * It is empty because the 2027 notice is not known to us: never guess dates here. Until a year
 * is listed, deadlines in it are counted as Mon–Fri and say so (see unknownYearNotice).
 */
export const OVERRIDES: HolidayOverrides = holidayOverridesSchema.parse({});
