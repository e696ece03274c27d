import { z } from 'zod';

/**
 * A run of text or an @-mention of a platform user, the building block of every message.
 * Text is always literal, whoever wrote it: a message carries no markup, so what a user typed
 * (a 口径 with `# 标题` or `[点我](https://…)`) can never format, link or mention. Each
 * renderer escapes every text run for its platform and adds the layout itself (bold labels,
 * line breaks); card titles, field labels and values are text in the same sense.
 */
export const partSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('text'), v: z.string() }),
  z.object({ t: z.literal('at'), id: z.string(), name: z.string() }),
]);
export type Part = z.infer<typeof partSchema>;

export const buttonSchema = z.object({
  label: z.string(),
  style: z.enum(['primary', 'default', 'danger']).optional(),
  value: z.record(z.string(), z.unknown()),
  /** The text command that does the same, for platforms without cards (/认领 YQ20261122-003). */
  command: z.string().optional(),
});

/** A dropdown whose choice is sent at once, as the event's `option`. */
export const selectSchema = z.object({
  name: z.string(),
  placeholder: z.string(),
  options: z.array(z.object({ label: z.string(), value: z.string() })),
  value: z.record(z.string(), z.unknown()),
  command: z.string().optional(),
});
export type SelectSpec = z.infer<typeof selectSchema>;

export const formFieldSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('text'),
    name: z.string(),
    label: z.string(),
    placeholder: z.string(),
    multiline: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('check'), name: z.string(), label: z.string() }),
]);
export type FormField = z.infer<typeof formFieldSchema>;

/** Fields filled in locally and sent with the button that submits them, as the event's `form`. */
export const formSchema = z.object({
  name: z.string(),
  title: z.string(),
  fields: z.array(formFieldSchema),
  buttons: z.array(buttonSchema),
});
export type FormSpec = z.infer<typeof formSchema>;

/** A platform-neutral card that each adapter renders in its own format. */
export const cardSchema = z.object({
  title: z.string(),
  template: z.enum(['blue', 'red', 'orange', 'green', 'grey']).optional(),
  fields: z.array(z.object({ label: z.string(), value: z.string() })),
  body: z.array(partSchema),
  note: z.array(partSchema).optional(),
  buttons: z.array(buttonSchema),
  selects: z.array(selectSchema).optional(),
  forms: z.array(formSchema).optional(),
});
export type CardSpec = z.infer<typeof cardSchema>;

export const outMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), parts: z.array(partSchema) }),
  z.object({ kind: z.literal('card'), card: cardSchema }),
]);
export type OutMessage = z.infer<typeof outMessageSchema>;

/** Builds parts from strings and mentions: `parts('请 ', at, ' 认领')`. */
export const parts = (...items: (string | Part | Part[])[]): Part[] =>
  items.flatMap((x) =>
    typeof x === 'string' ? (x ? [{ t: 'text' as const, v: x }] : []) : Array.isArray(x) ? x : [x],
  );

export const textMessage = (...items: (string | Part | Part[])[]): OutMessage => ({
  kind: 'text',
  parts: parts(...items),
});

/** The plain text of some parts, mentions as @名字. */
export const plainText = (ps: Part[]) => ps.map((p) => (p.t === 'text' ? p.v : `@${p.name}`)).join('');
