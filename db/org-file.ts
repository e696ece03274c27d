import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, load } from 'js-yaml';
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
    // Each group belongs to one unit (chat_bindings is keyed by platform and chat).
    for (const field of ['feishu_chat', 'wecom_room'] as const) {
      const holder = new Map<string, number>();
      org.units.forEach((u, i) => {
        const chat = u[field];
        if (chat === undefined) return;
        const other = holder.get(chat);
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['units', i, field],
            message: `"${chat}" is already the group of unit "${org.units[other]?.id}" (units[${other}].${field}); each unit needs its own group`,
          });
        else holder.set(chat, i);
      });
    }
    const people = new Map<string, { name: string; feishu?: string; wecom?: string }>();
    // A platform user id is one person's (people.feishu_id and people.wecom_id are unique).
    const platformIds = { feishu: new Map<string, string>(), wecom: new Map<string, string>() };
    org.units.forEach((u, i) => {
      const inUnit = new Set<string>();
      u.members.forEach((m, j) => {
        const pid = personId(m);
        const idField = m.id === undefined ? 'name' : 'id';
        if (inUnit.has(pid))
          ctx.addIssue({
            code: 'custom',
            path: ['units', i, 'members', j, idField],
            message: `person "${pid}" is listed twice in unit "${u.id}"; give them all their roles in one entry`,
          });
        inUnit.add(pid);
        const known = people.get(pid) ?? { name: m.name };
        if (known.name !== m.name)
          ctx.addIssue({
            code: 'custom',
            path: ['units', i, 'members', j, idField],
            message: `person "${pid}" is named both "${known.name}" and "${m.name}"`,
          });
        for (const platform of ['feishu', 'wecom'] as const) {
          const userId = m[platform];
          if (userId === undefined) continue;
          if (known[platform] !== undefined && known[platform] !== userId)
            ctx.addIssue({
              code: 'custom',
              path: ['units', i, 'members', j, platform],
              message: `person "${pid}" has ${platform} "${known[platform]}" elsewhere in the file and "${userId}" here`,
            });
          known[platform] ??= userId;
          const owner = platformIds[platform].get(userId);
          if (owner !== undefined && owner !== pid)
            ctx.addIssue({
              code: 'custom',
              path: ['units', i, 'members', j, platform],
              message: `${platform} "${userId}" is already person "${owner}"'s; a ${platform} id belongs to one person`,
            });
          else platformIds[platform].set(userId, pid);
        }
        people.set(pid, known);
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

/**
 * The version of the org file's checks and of the import, part of a file's digest: bump it when
 * either changes, so every deployment checks and imports its unchanged file again at the next start.
 */
export const ORG_IMPORT_RULES = 2;

/** An org file's text, not yet parsed, with the digest that tells whether it was imported already. */
export interface OrgSource {
  path: string;
  text: string;
  digest: string;
}

/** Reads the org file without parsing it (parsing a province-sized file takes seconds). */
export function readOrgSource(path: string): OrgSource {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new OrgFileError(`ORG_FILE ${path}: cannot read (${(e as Error).message})`);
  }
  return orgSource(text, path);
}

/** An org file's text as an OrgSource, with its digest. */
export function orgSource(text: string, path = 'org file'): OrgSource {
  const digest = createHash('sha256')
    .update(`huiyin org rules ${ORG_IMPORT_RULES}\n`)
    .update(text)
    .digest('hex');
  return { path, text, digest };
}

/** Reads, parses and validates the org file. */
export function readOrgFile(path: string): OrgFile {
  const source = readOrgSource(path);
  return parseOrgFile(source.text, source.path);
}

/**
 * Parses and validates org YAML; errors say `file line N, units[3].members[0].roles: …`.
 *
 * A valid file is read by js-yaml, about seven times faster than `yaml` on a province-sized file
 * (3.3 MB: 0.4 s against 2.7–4.6 s, most of a restart after the file changed). Both read YAML 1.2
 * with its core schema. A file js-yaml cannot read, or whose content is invalid, is read again by
 * `yaml`, whose document keeps the line of every node, for the error to name it.
 */
export function parseOrgFile(text: string, path = 'org file'): OrgFile {
  const fast = quickRead(text);
  if (fast.ok) {
    const result = orgFileSchema.safeParse(fast.value);
    if (result.success) return result.data;
  }
  return parseWithLines(text, path);
}

function quickRead(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: load(text, { schema: CORE_SCHEMA }) };
  } catch {
    return { ok: false };
  }
}

/** Parses and validates with `yaml`, for errors that name the line. */
function parseWithLines(text: string, path: string): OrgFile {
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
