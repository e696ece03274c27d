import { and, desc, eq, inArray, ne, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { Org } from '../../src/core/org.js';
import { type Db, rowsOf, textArray } from '../client.js';
import type { Role } from '../org-file.js';
import { chatBindings, memberships, people, units } from '../schema.js';

export {
  importOrg,
  importOrgSource,
  type OrgChanges,
  type OrgImported,
  sandboxChatId,
} from './org-import.js';

/** A sandbox group bound to no unit, where monitoring officers report from. */
export const SANDBOX_LOBBY = 'sb-lobby';

/** The active org as a routing snapshot. */
export async function loadOrg(db: Db): Promise<Org> {
  const rows = await db.select().from(units).where(eq(units.active, true));
  return new Org(
    rows.map((u) => ({ id: u.id, name: u.name, parentId: u.parentId, handles: u.handles })),
    rows.filter((u) => u.isCc).map((u) => u.id),
  );
}

export interface Person {
  id: string;
  name: string;
  feishuId: string | null;
  wecomId: string | null;
}

export interface Actor {
  person: Person;
  memberships: { unitId: string; roles: Role[] }[];
}

const platformColumn = (platform: string) =>
  platform === 'feishu' ? people.feishuId : platform === 'wecom' ? people.wecomId : people.id;

/** The person behind a platform user id (the person id itself in the sandbox). */
export async function findActor(db: Db, platform: string, platformUserId: string): Promise<Actor | null> {
  const [person] = await db
    .select({ id: people.id, name: people.name, feishuId: people.feishuId, wecomId: people.wecomId })
    .from(people)
    .where(and(eq(platformColumn(platform), platformUserId), eq(people.active, true)));
  if (!person) return null;
  const ms = await db
    .select({ unitId: memberships.unitId, roles: memberships.roles })
    .from(memberships)
    .where(eq(memberships.personId, person.id));
  return { person, memberships: ms.map((m) => ({ unitId: m.unitId, roles: m.roles as Role[] })) };
}

/** A person's user id on a platform, or null when they have none there. */
export const platformUserId = (platform: string, p: Person): string | null =>
  platform === 'feishu' ? p.feishuId : platform === 'wecom' ? p.wecomId : p.id;

/** People of the given units holding any of the roles, in org-file order. */
export async function unitPeople(db: Db, unitIds: string[], roles: Role[]) {
  if (unitIds.length === 0) return [];
  // Written out: on the hot path of every report, and drizzle's builder costs more than the query.
  const rows = await rowsOf<{
    unitId: string;
    roles: Role[];
    id: string;
    name: string;
    feishuId: string | null;
    wecomId: string | null;
  }>(
    db,
    sql`select m.unit_id as "unitId", m.roles, p.id, p.name, p.feishu_id as "feishuId", p.wecom_id as "wecomId"
      from memberships m join people p on p.id = m.person_id
      where m.unit_id = any(${textArray(unitIds)}) and p.active`,
  );
  return rows.filter((r) => r.roles.some((x) => roles.includes(x)));
}

/** The unit a group chat is bound to. */
export async function chatUnit(db: Db, platform: string, chatId: string): Promise<string | null> {
  const [row] = await db
    .select({ unitId: chatBindings.unitId })
    .from(chatBindings)
    .where(and(eq(chatBindings.platform, platform), eq(chatBindings.chatId, chatId)));
  return row?.unitId ?? null;
}

/** The group chat a unit uses on a platform: the latest /绑定, else the org file's. */
export async function unitChat(db: Db, platform: string, unitId: string): Promise<string | null> {
  const [row] = await db
    .select({ chatId: chatBindings.chatId })
    .from(chatBindings)
    .where(and(eq(chatBindings.platform, platform), eq(chatBindings.unitId, unitId)))
    .orderBy(sql`${chatBindings.source} = 'command' desc`, desc(chatBindings.boundAt))
    .limit(1);
  return row?.chatId ?? null;
}

/** unitChat for several units in one query: each unit's group on a platform, by unit id (none: absent). */
export async function unitChats(db: Db, platform: string, unitIds: string[]): Promise<Map<string, string>> {
  if (unitIds.length === 0) return new Map();
  // Written out, like unitPeople: every report reads its units' groups.
  const rows = await rowsOf<{ unitId: string; chatId: string }>(
    db,
    sql`select distinct on (unit_id) unit_id as "unitId", chat_id as "chatId" from chat_bindings
      where platform = ${platform} and unit_id = any(${textArray([...new Set(unitIds)])})
      order by unit_id, source = 'command' desc, bound_at desc`,
  );
  return new Map(rows.map((r) => [r.unitId, r.chatId]));
}

/**
 * findActor and chatUnit in one statement, for the dispatcher: who sent an event (null when they
 * are not in the org directory) and the unit the chat is bound to.
 */
export async function eventSender(
  db: Db,
  platform: string,
  platformUserId: string,
  chatId: string,
): Promise<{ actor: Actor | null; chatUnitId: string | null }> {
  // Written out with aliases: drizzle leaves column names unqualified inside sql templates of a select.
  const userColumn = sql.raw(
    platform === 'feishu' ? 'p.feishu_id' : platform === 'wecom' ? 'p.wecom_id' : 'p.id',
  );
  const [row] = await db
    .select({
      chatUnitId: sql<string | null>`(select b.unit_id from ${chatBindings} b
        where b.platform = ${platform} and b.chat_id = ${chatId})`,
      actor: sql<Actor | null>`(select json_build_object(
          'person', json_build_object('id', p.id, 'name', p.name, 'feishuId', p.feishu_id, 'wecomId', p.wecom_id),
          'memberships', coalesce((select json_agg(json_build_object('unitId', m.unit_id, 'roles', m.roles))
            from ${memberships} m where m.person_id = p.id), '[]'::json))
        from ${people} p where ${userColumn} = ${platformUserId} and p.active)`,
    })
    .from(sql`(values (1)) as one`);
  // postgres.js and PGlite both hand json over parsed.
  return { actor: row?.actor ?? null, chatUnitId: row?.chatUnitId ?? null };
}

/** Binds a group chat to a unit (/绑定); a chat belongs to one unit at a time. */
export async function bindChat(
  db: Db,
  b: { platform: string; chatId: string; unitId: string; boundBy: string; now: Date },
): Promise<void> {
  const row = {
    platform: b.platform,
    chatId: b.chatId,
    unitId: b.unitId,
    source: 'command',
    boundBy: b.boundBy,
    boundAt: b.now,
  };
  await db
    .insert(chatBindings)
    .values(row)
    .onConflictDoUpdate({ target: [chatBindings.platform, chatBindings.chatId], set: row });
}

/** What became of one unit bound to a WeCom room topic when a room with that topic was seen. */
export type WecomRoomLearned =
  | { unitId: string; outcome: 'bound' }
  /** Another unit holds the room already (say, by /绑定): that binding is kept. */
  | { unitId: string; outcome: 'room_taken' }
  /** Not exactly one room has the topic: the unit keeps its topic until an admin uses /绑定. */
  | { unitId: string; outcome: 'ambiguous'; roomsWithTopic: number };

/**
 * Binds the units listed under a WeCom room topic (wecom_room in the org file) to the room's id,
 * once: only while exactly one room has the topic and the unit has no room id yet, so a group
 * created or renamed later with the same topic does not take the unit's messages. The rooms are
 * counted (`roomsWithTopic`, which asks the puppet) only when some unit is still to be bound.
 */
export async function learnWecomRoomBinding(
  db: Db,
  room: { roomId: string; topic: string; roomsWithTopic: () => Promise<number> },
  now: Date,
): Promise<WecomRoomLearned[]> {
  const other = alias(chatBindings, 'other');
  const unbound = await db
    .select()
    .from(chatBindings)
    .where(
      and(
        eq(chatBindings.platform, 'wecom'),
        eq(chatBindings.chatId, room.topic),
        notExists(
          db
            .select({ one: sql`1` })
            .from(other)
            .where(
              and(
                eq(other.platform, 'wecom'),
                eq(other.unitId, chatBindings.unitId),
                ne(other.chatId, room.topic),
              ),
            ),
        ),
      ),
    );
  if (unbound.length === 0) return [];
  const rooms = await room.roomsWithTopic();
  if (rooms !== 1)
    return unbound.map((b) => ({ unitId: b.unitId, outcome: 'ambiguous', roomsWithTopic: rooms }));
  const learned: WecomRoomLearned[] = [];
  for (const b of unbound) {
    // The topic binding's source is kept: a re-import of the org file drops both, and it is learned again.
    const inserted = await db
      .insert(chatBindings)
      .values({ ...b, chatId: room.roomId, boundBy: `topic:${room.topic}`, boundAt: now })
      .onConflictDoNothing()
      .returning({ unitId: chatBindings.unitId });
    learned.push({ unitId: b.unitId, outcome: inserted.length > 0 ? 'bound' : 'room_taken' });
  }
  return learned;
}

/**
 * The org-file key of a WeCom contact: people are listed by wechaty contact id, or by name; the
 * id wins, and a contact listed by neither keeps its id.
 */
export async function wecomPersonKey(db: Db, contact: { id: string; name: string }): Promise<string> {
  const rows = await db
    .select({ key: people.wecomId })
    .from(people)
    .where(and(eq(people.active, true), inArray(people.wecomId, [contact.id, contact.name])));
  return rows.some((r) => r.key === contact.id) ? contact.id : (rows[0]?.key ?? contact.id);
}
