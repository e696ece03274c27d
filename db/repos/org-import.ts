import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { type OrgFile, type OrgSource, parseOrgFile, personId } from '../org-file.js';
import { chatBindings, memberships, orgImport, people, units } from '../schema.js';
import { chunks, inPairs, jsonTexts, upsert } from './bulk-write.js';

/** The sandbox group of a unit; every unit has one. */
export const sandboxChatId = (unitId: string) => `sb-${unitId}`;

/** Rows the import inserted, updated or deleted, per table: all zero when the file was already imported. */
export interface OrgChanges {
  units: number;
  people: number;
  memberships: number;
  bindings: number;
}

export interface OrgImported {
  /** Units and people in the file. */
  units: number;
  people: number;
  changed: OrgChanges;
  /** The file was the one imported last: it was neither parsed nor compared again. */
  unchanged?: true;
}

// Any constant works; it only has to be the same for every instance of Huiyin.
const IMPORT_LOCK = 4_826_002;
const ORG_IMPORT_KEY = 'org';
const NO_CHANGES: OrgChanges = { units: 0, people: 0, memberships: 0, bindings: 0 };

/**
 * Imports the org file at start-up. When it is the file imported last (same digest), nothing is
 * parsed, compared or written; otherwise it is parsed — an invalid file throws OrgFileError and
 * changes nothing — and imported like `importOrg`, and its digest is kept for the next start.
 */
export async function importOrgSource(db: Db, source: OrgSource, now: Date): Promise<OrgImported> {
  return db.transaction(async (tx) => {
    await lockImport(tx);
    const [last] = await tx.select().from(orgImport).where(eq(orgImport.key, ORG_IMPORT_KEY));
    if (last?.digest === source.digest)
      return { units: last.units, people: last.people, changed: NO_CHANGES, unchanged: true };
    const org = parseOrgFile(source.text, source.path);
    const imported = await syncOrg(tx, org, now);
    const row = { digest: source.digest, units: imported.units, people: imported.people, importedAt: now };
    await tx
      .insert(orgImport)
      .values({ key: ORG_IMPORT_KEY, ...row })
      .onConflictDoUpdate({ target: orgImport.key, set: row });
    return imported;
  });
}

/**
 * Imports a parsed org file in one transaction, writing only what differs from the database: an
 * unchanged file writes nothing. Units and people dropped from the file are deactivated, not
 * deleted, because items and audit events still refer to them; a group bound with /绑定 stays as
 * it was bound, and a WeCom room learned from a unit's topic stays while the file keeps that topic.
 */
export async function importOrg(db: Db, org: OrgFile, now: Date): Promise<OrgImported> {
  return db.transaction(async (tx) => {
    await lockImport(tx);
    const imported = await syncOrg(tx, org, now);
    // The directory may no longer be what the last start imported: the next start imports its file.
    await tx.delete(orgImport);
    return imported;
  });
}

// Instances starting together import one after the other; the later one finds nothing to do.
const lockImport = (tx: Db) => tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);

async function syncOrg(tx: Db, org: OrgFile, now: Date): Promise<OrgImported> {
  const want = desired(org, now);
  const changed: OrgChanges = {
    units: await syncUnits(tx, want.units, now),
    people: await syncPeople(tx, want.people, now),
    memberships: await syncMemberships(tx, want.memberships),
    bindings: await syncBindings(tx, want.bindings),
  };
  return { units: want.units.size, people: want.people.size, changed };
}

type UnitRow = typeof units.$inferInsert & { id: string };
type PersonRow = typeof people.$inferInsert & { feishuId: string | null; wecomId: string | null };
type MembershipRow = typeof memberships.$inferInsert;
type BindingRow = typeof chatBindings.$inferInsert;

/** What the database should hold after importing `org`, keyed like the tables. */
function desired(org: OrgFile, now: Date) {
  const cc = new Set(org.cc);
  const unitRows = new Map<string, UnitRow>();
  const personRows = new Map<string, PersonRow>();
  const membershipRows = new Map<string, MembershipRow>();
  const bindingRows = new Map<string, BindingRow>();
  for (const u of org.units) {
    unitRows.set(u.id, {
      id: u.id,
      name: u.name,
      parentId: u.parent ?? null,
      handles: u.handles,
      isCc: cc.has(u.id),
      active: true,
      updatedAt: now,
    });
    for (const m of u.members) {
      const id = personId(m);
      const p = personRows.get(id) ?? {
        id,
        name: m.name,
        feishuId: null,
        wecomId: null,
        active: true,
        updatedAt: now,
      };
      p.feishuId = m.feishu ?? p.feishuId;
      p.wecomId = m.wecom ?? p.wecomId;
      personRows.set(id, p);
      membershipRows.set(pairKey(u.id, id), { unitId: u.id, personId: id, roles: m.roles });
    }
    const chats: [string, string | undefined][] = [
      ['sandbox', sandboxChatId(u.id)],
      ['feishu', u.feishu_chat],
      ['wecom', u.wecom_room],
    ];
    for (const [platform, chatId] of chats)
      if (chatId !== undefined)
        bindingRows.set(pairKey(platform, chatId), {
          platform,
          chatId,
          unitId: u.id,
          source: 'org',
          boundBy: null,
          boundAt: now,
        });
  }
  return { units: unitRows, people: personRows, memberships: membershipRows, bindings: bindingRows };
}

const pairKey = (a: string, b: string) => `${a}\u0000${b}`;
const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

async function syncUnits(tx: Db, want: Map<string, UnitRow>, now: Date): Promise<number> {
  const stored = await tx
    .select({
      id: units.id,
      name: units.name,
      parentId: units.parentId,
      handles: units.handles,
      isCc: units.isCc,
      active: units.active,
    })
    .from(units);
  const have = new Map(stored.map((u) => [u.id, u]));
  const upserts = [...want.values()].filter((w) => {
    const h = have.get(w.id);
    return (
      !h?.active ||
      h.name !== w.name ||
      h.parentId !== w.parentId ||
      h.isCc !== w.isCc ||
      !sameList(h.handles, w.handles ?? [])
    );
  });
  await upsert(tx, units, upserts, { target: ['id'] });
  const retired = stored.filter((u) => u.active && !want.has(u.id)).map((u) => u.id);
  for (const ids of chunks(retired)) {
    await tx
      .update(units)
      .set({ active: false, updatedAt: now })
      .where(inArray(units.id, jsonTexts(ids)));
  }
  return upserts.length + retired.length;
}

async function syncPeople(tx: Db, want: Map<string, PersonRow>, now: Date): Promise<number> {
  const stored = await tx
    .select({
      id: people.id,
      name: people.name,
      feishuId: people.feishuId,
      wecomId: people.wecomId,
      active: people.active,
    })
    .from(people);
  // A platform id may move from one person to another: whoever holds one they should no longer
  // hold lets go of it first, so no write collides with the unique constraints.
  const retired: string[] = [];
  const releasing: string[] = [];
  for (const p of stored) {
    const w = want.get(p.id);
    if (!w) {
      if (p.active || p.feishuId !== null || p.wecomId !== null) retired.push(p.id);
    } else if (
      (p.feishuId !== null && p.feishuId !== w.feishuId) ||
      (p.wecomId !== null && p.wecomId !== w.wecomId)
    ) {
      releasing.push(p.id);
    }
  }
  for (const ids of chunks(retired)) {
    await tx
      .update(people)
      .set({ active: false, feishuId: null, wecomId: null, updatedAt: now })
      .where(inArray(people.id, jsonTexts(ids)));
  }
  for (const ids of chunks(releasing)) {
    await tx
      .update(people)
      .set({ feishuId: null, wecomId: null })
      .where(inArray(people.id, jsonTexts(ids)));
  }
  const have = new Map(stored.map((p) => [p.id, p]));
  const upserts = [...want.values()].filter((w) => {
    const h = have.get(w.id);
    return !h?.active || h.name !== w.name || h.feishuId !== w.feishuId || h.wecomId !== w.wecomId;
  });
  await upsert(tx, people, upserts, { target: ['id'] });
  return retired.length + upserts.length;
}

async function syncMemberships(tx: Db, want: Map<string, MembershipRow>): Promise<number> {
  const stored = await tx.select().from(memberships);
  const have = new Map(stored.map((m) => [pairKey(m.unitId, m.personId), m]));
  const gone = stored.filter((m) => !want.has(pairKey(m.unitId, m.personId)));
  for (const rows of chunks(gone)) {
    await tx.delete(memberships).where(
      inPairs(
        memberships.unitId,
        memberships.personId,
        rows.map((m) => [m.unitId, m.personId]),
      ),
    );
  }
  const upserts = [...want].filter(([key, w]) => {
    const h = have.get(key);
    return !h || !sameList(h.roles, w.roles);
  });
  await upsert(
    tx,
    memberships,
    upserts.map(([, w]) => w),
    { target: ['unitId', 'personId'] },
  );
  return gone.length + upserts.length;
}

async function syncBindings(tx: Db, want: Map<string, BindingRow>): Promise<number> {
  const stored = await tx
    .select({
      platform: chatBindings.platform,
      chatId: chatBindings.chatId,
      unitId: chatBindings.unitId,
      source: chatBindings.source,
      boundBy: chatBindings.boundBy,
    })
    .from(chatBindings);
  const have = new Map(stored.map((b) => [pairKey(b.platform, b.chatId), b]));
  // A room learned from a unit's topic (bound_by "topic:<topic>") lives as long as that topic's line.
  const learnedFrom = (b: (typeof stored)[number]) =>
    b.platform === 'wecom' && b.boundBy?.startsWith('topic:')
      ? want.get(pairKey('wecom', b.boundBy.slice('topic:'.length)))
      : undefined;
  const gone = stored.filter(
    (b) =>
      b.source === 'org' && !want.has(pairKey(b.platform, b.chatId)) && learnedFrom(b)?.unitId !== b.unitId,
  );
  for (const rows of chunks(gone)) {
    await tx.delete(chatBindings).where(
      inPairs(
        chatBindings.platform,
        chatBindings.chatId,
        rows.map((b) => [b.platform, b.chatId]),
      ),
    );
  }
  // A group an admin re-bound with /绑定 stays as they bound it.
  const upserts = [...want].filter(([key, w]) => {
    const h = have.get(key);
    return !h || (h.source === 'org' && (h.unitId !== w.unitId || h.boundBy !== null));
  });
  await upsert(
    tx,
    chatBindings,
    upserts.map(([, w]) => w),
    { target: ['platform', 'chatId'], onlyWhere: eq(chatBindings.source, 'org') },
  );
  return gone.length + upserts.length;
}
