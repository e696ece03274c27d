import { type Person, unitPeople } from '../../../db/repos/org-repo.js';
import type { WordingRow } from '../../../db/repos/wording-repo.js';
import { decisionsOf } from '../../../db/repos/wording-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import { HuiyinError } from '../../../src/core/errors.js';
import type { OrgUnit } from '../../../src/core/org.js';
import { mayAct, notAllowed } from '../../../src/core/permissions.js';
import { staleError } from '../../items/apply-action.js';

export type WordingDecision = 'approved' | 'rejected';

/** A unit's name for messages, or its id when the org no longer has it. */
export const unitName = (ctx: BotContext, id: string) => ctx.org.units.get(id)?.name ?? id;

/** Who decides for a unit: its approvers, or its leaders when it has none. */
export async function decidersOf(ctx: BotContext, unitId: string): Promise<Person[]> {
  const approvers = await unitPeople(ctx.tx, [unitId], ['approver']);
  return approvers.length > 0 ? approvers : unitPeople(ctx.tx, [unitId], ['leader']);
}

/** Whether a unit has approvers of its own (else its leaders decide for it). */
export async function hasApprovers(ctx: BotContext, unitId: string): Promise<boolean> {
  return (await unitPeople(ctx.tx, [unitId], ['approver'])).length > 0;
}

/**
 * The other agencies a wording names, split into those that will be asked to confirm it and
 * those with nobody registered to decide: the latter cannot hold the wording up.
 */
export async function involvedAgencies(
  ctx: BotContext,
  ownerUnitId: string,
  text: string,
): Promise<{ asked: OrgUnit[]; nobodyToAsk: OrgUnit[] }> {
  const asked: OrgUnit[] = [];
  const nobodyToAsk: OrgUnit[] = [];
  for (const u of ctx.org.namedIn(text).filter((x) => x.id !== ownerUnitId)) {
    if ((await decidersOf(ctx, u.id)).length > 0) asked.push(u);
    else nobodyToAsk.push(u);
  }
  return { asked, nobodyToAsk };
}

/**
 * The units among `unitIds` the actor decides for now: those they may act for that have not yet
 * decided. Throws when they may decide for none, drafted the wording, or their units have decided.
 */
export async function undecidedUnitsOfActor(
  ctx: BotContext,
  wording: WordingRow,
  unitIds: string[],
  decision: WordingDecision,
): Promise<string[]> {
  const decided = new Set((await decisionsOf(ctx.tx, wording.id)).map((d) => d.unitId));
  const action = decision === 'approved' ? 'approve_wording' : 'reject_wording';
  const mine = unitIds.filter((id) => mayAct(ctx.actor?.memberships ?? [], [id], action));
  if (mine.length === 0) {
    throw notAllowed(
      unitIds.map((id) => unitName(ctx, id)),
      action,
    );
  }
  if (wording.drafterPersonId && wording.drafterPersonId === ctx.actor?.person.id) {
    throw new HuiyinError(
      'huiyin_own_wording',
      '拟稿人不能审核自己提交的口径，请由本单位其他审核人或领导审核。',
    );
  }
  const pending = mine.filter((id) => !decided.has(id));
  if (pending.length === 0) {
    // A second click on a card is stale; by text, say plainly that this unit has decided.
    if (ctx.event.kind === 'card_action') throw staleError();
    throw new HuiyinError(
      'huiyin_already_decided',
      `${mine.map((id) => unitName(ctx, id)).join('、')}已审核过此口径，正等待其他单位审核。`,
    );
  }
  return pending;
}
