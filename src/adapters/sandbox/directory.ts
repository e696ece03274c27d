import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { SANDBOX_LOBBY } from '../../../db/repos/org-repo.js';
import { chatBindings, memberships, people, units } from '../../../db/schema.js';

/** Everyone the sandbox lets you be, with their units and roles. */
export async function sandboxPeople(db: Db) {
  const ps = await db
    .select({ id: people.id, name: people.name })
    .from(people)
    .where(eq(people.active, true));
  const ms = await db
    .select({
      personId: memberships.personId,
      unitId: memberships.unitId,
      roles: memberships.roles,
      name: units.name,
    })
    .from(memberships)
    .innerJoin(units, eq(units.id, memberships.unitId));
  return ps.map((p) => ({
    id: p.id,
    name: p.name,
    units: ms.filter((m) => m.personId === p.id).map((m) => ({ id: m.unitId, name: m.name, roles: m.roles })),
  }));
}

/** The lobby plus one group per unit, with the unit each is bound to. */
export async function sandboxChats(db: Db) {
  const rows = await db
    .select({ chatId: chatBindings.chatId, unitId: chatBindings.unitId, name: units.name })
    .from(chatBindings)
    .innerJoin(units, eq(units.id, chatBindings.unitId))
    .where(and(eq(chatBindings.platform, 'sandbox'), eq(units.active, true)));
  const lobby = rows.find((r) => r.chatId === SANDBOX_LOBBY);
  return [
    {
      id: SANDBOX_LOBBY,
      name: lobby ? `舆情监测群（已绑定${lobby.name}）` : '舆情监测群（未绑定单位）',
      unitId: lobby?.unitId ?? null,
    },
    ...rows
      .filter((r) => r.chatId !== SANDBOX_LOBBY)
      .map((r) => ({ id: r.chatId, name: `${r.name}舆情工作群`, unitId: r.unitId })),
  ];
}

/** `@名字` in sandbox text, for people in the directory. */
export async function mentionsIn(db: Db, text: string) {
  const names = [...text.matchAll(/@([^\s@]+)/gu)].map((m) => m[1] as string);
  if (names.length === 0) return [];
  const ps = await db
    .select({ id: people.id, name: people.name })
    .from(people)
    .where(eq(people.active, true));
  return ps.filter((p) => names.includes(p.name)).map((p) => ({ id: p.id, name: p.name }));
}
