import type { Db } from '../../../db/client.js';
import { SANDBOX_LOBBY } from '../../../db/repos/org-repo.js';
import { activePeopleNamed, sandboxBoundChats } from '../../../db/repos/sandbox-repo.js';

/** The lobby plus one group per unit, with the unit each is bound to. */
export async function sandboxChats(db: Db) {
  const rows = await sandboxBoundChats(db);
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
  return activePeopleNamed(db, names);
}
