import { z } from 'zod';
import { CLOCK_ACTIONS, NETIZEN_MESSAGE_TYPES } from './clocks.js';
import { LEVELS } from './vocabulary.js';

/** A provision: its number in the document, its words, and the document when it is not the pack's own. */
const clause = z.object({
  ref: z.string().min(1),
  text: z.string().min(1),
  doc: z.string().min(1).optional(),
});

/** When a clock applies: every listed fact must hold (an empty condition always holds). */
const condition = z
  .object({
    levels: z.array(z.enum(LEVELS)).optional(),
    emergency: z.boolean().optional(),
    casualties: z.boolean().optional(),
    largeImpact: z.boolean().optional(),
    netizenMessageType: z.enum(NETIZEN_MESSAGE_TYPES).optional(),
  })
  .strict();

const clockRule = z
  .object({
    kind: z.string().regex(/^[a-z_]+$/),
    label: z.string().min(1),
    /** The action that satisfies the clock. */
    action: z.enum(CLOCK_ACTIONS),
    appliesTo: z.enum(['opinion', 'netizen_message']),
    /** Any one condition suffices; none listed means always. */
    when: z.array(condition).default([]),
    /** Not when one of these clocks applies ("every other item"). */
    unlessKinds: z.array(z.string()).default([]),
    from: z.enum(['occurred', 'accepted']),
    hours: z.number().positive().optional(),
    workingDays: z.number().int().positive().optional(),
    clause,
    reminders: z
      .object({
        percents: z.array(z.number().gt(0).lt(100)).default([]),
        beforeMinutes: z.array(z.number().positive()).default([]),
        beforeWorkingDays: z.array(z.number().int().min(0)).default([]),
      })
      .default({ percents: [], beforeMinutes: [], beforeWorkingDays: [] }),
  })
  .refine(
    (r) => (r.hours === undefined) !== (r.workingDays === undefined),
    'a clock has hours or workingDays',
  );
export type ClockRule = z.infer<typeof clockRule>;

/** A policy pack: one policy document's rules and the clauses messages cite. */
export const policyPackSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  docNo: z.string().min(1),
  clauses: z.object({
    /** 归口报送, by handles key group: 民生 for every 民生 sub-category, else the key itself. */
    guikou: z.record(z.string(), clause),
    overall: clause,
    involvedUnit: clause,
    multiRegion: clause,
    multiDepartment: clause,
    cc: clause,
    majorReport: clause,
    criticalLeader: clause,
    notifySpokesperson: clause,
    /** 领导审核把关: response wording is approved before release. */
    approval: clause,
    /** 保密审查, and confirming wording with the other agencies it involves. */
    secrecy: clause,
    /** 统一发布回应口径. */
    unifiedWording: clause,
    /** 快报事实、慎报原因、详报措施、后报结果. */
    releaseStages: clause,
  }),
  clocks: z.object({
    // A document may set no time limits (seed 004): then its pack has no clock rules.
    rules: z.array(clockRule),
    /** After the first response: keep publishing authoritative updates at this cadence. */
    continuing: z.object({
      kind: z.literal('continuing'),
      label: z.string(),
      everyHours: z.number().positive(),
      clause,
    }),
    /** After a breach: remind again, doubling from firstMinutes up to maxHours apart. */
    breach: z.object({
      firstMinutes: z.number().positive(),
      maxHours: z.number().positive(),
      superviseClause: clause,
    }),
    /** /延期 for 网民留言: once, this many working days more. */
    extension: z.object({ workingDays: z.number().int().positive(), clause }),
  }),
});
export type PolicyPack = z.infer<typeof policyPackSchema>;
export type Clause = z.infer<typeof clause>;

/** `依据云政办发〔2016〕106号 五：…`, the way every message cites a rule. */
export const cite = (pack: PolicyPack, c: Clause) => `依据${c.doc ?? pack.docNo} ${c.ref}：${c.text}`;
