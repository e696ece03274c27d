import { z } from 'zod';

const clause = z.object({ ref: z.string().min(1), text: z.string().min(1) });

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
  }),
});
export type PolicyPack = z.infer<typeof policyPackSchema>;
export type Clause = z.infer<typeof clause>;

/** `依据云政办发〔2016〕106号 五：…`, the way every message cites a rule. */
export const cite = (pack: PolicyPack, c: Clause) => `依据${pack.docNo} ${c.ref}：${c.text}`;
