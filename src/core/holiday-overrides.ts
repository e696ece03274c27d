import { z } from 'zod';

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day written `YYYY-MM-DD`. */
const day = z
  .string()
  .regex(DAY_RE, 'expected YYYY-MM-DD')
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'no such day');

const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();

/** One year of the State Council holiday notice. */
export const yearOverrideSchema = z.object({
  /** Official days off (放假), weekdays and weekends alike. */
  holidays: z.array(day),
  /** Make-up working days on Saturdays or Sundays (调休上班). */
  workdays: z.array(day),
  /** The notice these dates come from: its title and document number (国办发明电〔…〕…号). */
  source: z.string().min(1),
});

/** Holiday data by year; every date must lie in its year and a make-up day must be a weekend day. */
export const holidayOverridesSchema = z
  .record(z.number().int().min(2004).max(9999), yearOverrideSchema)
  .superRefine((years, ctx) => {
    for (const [key, entry] of Object.entries(years)) {
      const dates = [...entry.holidays, ...entry.workdays];
      for (const d of dates.filter((d) => !d.startsWith(`${key}-`))) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${d} is not in ${key}` });
      }
      for (const d of entry.workdays.filter((d) => weekday(d) !== 0 && weekday(d) !== 6)) {
        ctx.addIssue({ code: 'custom', path: [key, 'workdays'], message: `${d} is not a weekend day` });
      }
      for (const d of entry.holidays.filter((d) => entry.workdays.includes(d))) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${d} is both a holiday and a workday` });
      }
      if (new Set(dates).size !== dates.length) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'a day is listed twice' });
      }
    }
  });

export type YearOverride = z.infer<typeof yearOverrideSchema>;
export type HolidayOverrides = z.infer<typeof holidayOverridesSchema>;
