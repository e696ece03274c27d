import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ROLES } from '../src/core/permissions.js';
import { HANDLES_KEYS } from '../src/core/vocabulary.js';

export type { Role } from '../src/core/permissions.js';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'ids use letters, digits, "-", "_" and "."');

const memberSchema = z
  .object({
    id: id.optional(),
    name: z.string().min(1),
    roles: z.array(z.enum(ROLES)).min(1),
    feishu: z.string().min(1).optional(),
    wecom: z.string().min(1).optional(),
  })
  .strict();

const unitSchema = z
  .object({
    id,
    name: z.string().min(1),
    parent: id.optional(),
    handles: z
      .array(z.enum(HANDLES_KEYS))
      .nullish()
      .transform((v) => v ?? []),
    feishu_chat: z.string().min(1).optional(),
    wecom_room: z.string().min(1).optional(),
    // `members:` with nothing under it is YAML null: an empty list.
    members: z
      .array(memberSchema)
      .nullish()
      .transform((v) => v ?? []),
  })
  .strict();

/** The org directory file (DESIGN.md §3), with the cross-references checked. */
export const orgFileSchema = z
  .object({
    units: z.array(unitSchema).min(1),
    cc: z
      .array(id)
      .nullish()
      .transform((v) => v ?? []),
  })
  .strict()
  .superRefine((org, ctx) => {
    const ids = new Map<string, number>();
    const names = new Map<string, number>();
    org.units.forEach((u, i) => {
      if (ids.has(u.id))
        ctx.addIssue({ code: 'custom', path: ['units', i, 'id'], message: `duplicate unit id "${u.id}"` });
      if (names.has(u.name))
        ctx.addIssue({
          code: 'custom',
          path: ['units', i, 'name'],
          message: `duplicate unit name "${u.name}"`,
        });
      ids.set(u.id, i);
      names.set(u.name, i);
    });
    const byId = new Map(org.units.map((u) => [u.id, u]));
    org.units.forEach((u, i) => {
      if (u.parent && !byId.has(u.parent))
        ctx.addIssue({
          code: 'custom',
          path: ['units', i, 'parent'],
          message: `no unit with id "${u.parent}"`,
        });
      const seen = new Set<string>();
      let cur: typeof u | undefined = u;
      while (cur?.parent) {
        if (seen.has(cur.id)) {
          ctx.addIssue({ code: 'custom', path: ['units', i, 'parent'], message: 'the parent chain loops' });
          break;
        }
        seen.add(cur.id);
        cur = byId.get(cur.parent);
      }
    });
    const handled = new Map<string, string>();
    org.units.forEach((u, i) => {
      for (const key of u.handles) {
        const slot = `${u.parent ?? ''}|${key}`;
        const other = handled.get(slot);
        if (other)
          ctx.addIssue({
            code: 'custom',
            path: ['units', i, 'handles'],
            message: `"${key}" is already handled by "${other}" under the same parent`,
          });
        handled.set(slot, u.id);
      }
    });
    const people = new Map<string, string>();
    org.units.forEach((u, i) => {
      u.members.forEach((m, j) => {
        const pid = personId(m);
        const name = people.get(pid);
        if (name !== undefined && name !== m.name)
          ctx.addIssue({
            code: 'custom',
            path: ['units', i, 'members', j, 'id'],
            message: `person "${pid}" is named both "${name}" and "${m.name}"`,
          });
        people.set(pid, m.name);
      });
    });
    org.cc.forEach((c, i) => {
      if (!byId.has(c)) ctx.addIssue({ code: 'custom', path: ['cc', i], message: `no unit with id "${c}"` });
    });
  });
export type OrgFile = z.infer<typeof orgFileSchema>;
export type OrgMember = z.infer<typeof memberSchema>;

/** A person's id: the explicit one, else the name (names are unique in most directories). */
export const personId = (m: OrgMember) => m.id ?? m.name;

/** Reading or validating the org file failed; the message names the file, line and field. */
export class OrgFileError extends Error {
  override name = 'OrgFileError';
}

export function readOrgFile(path: string): OrgFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new OrgFileError(`ORG_FILE ${path}: cannot read (${(e as Error).message})`);
  }
  return parseOrgFile(text, path);
}

/** Parses and validates org YAML; errors say `file line N, units[3].members[0].roles: …`. */
export function parseOrgFile(text: string, path = 'org file'): OrgFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw new OrgFileError(
      `ORG_FILE ${path} line ${pos.line}: YAML syntax error: ${syntax.message.split('\n')[0]}`,
    );
  }
  const result = orgFileSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 10).map((issue) => {
    const path_ = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    return `line ${lineOf(doc, lineCounter, path_)}, ${fieldName(path_)}: ${issue.message}`;
  });
  throw new OrgFileError(`ORG_FILE ${path} is invalid:\n  ${lines.join('\n  ')}`);
}

function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: (string | number)[]): number {
  // A missing field has no node: point at the closest enclosing one that exists.
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lc.linePos(range[0]).line;
  }
  return 1;
}

const fieldName = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';
