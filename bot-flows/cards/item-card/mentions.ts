import type { ItemRow, UnnumberedItem } from '../../../db/repos/item-repo.js';
import { unitPeople } from '../../../db/repos/org-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import type { Part } from '../../../src/core/message.js';
import { isMajor } from '../../../src/core/vocabulary.js';

/** A spokesperson or leader of one of the units a card goes to. */
export type MentionCandidate = Awaited<ReturnType<typeof unitPeople>>[number];

/** The region whose principal leader a 特别重大 card in the owner's group @-mentions, if not the owner itself. */
function regionAbove(ctx: BotContext, item: UnnumberedItem, unitId: string): string | null {
  if ((item.level ?? item.proposedLevel) !== '特别重大' || unitId !== item.ownerUnitId) return null;
  const region = ctx.org.regionOf(ctx.org.get(unitId));
  return region.id === unitId ? null : region.id;
}

/**
 * The people cards for an item in these units' groups may @-mention, in one query: a flow that
 * sends several cards loads them once and picks with pickMentions.
 */
export function mentionCandidates(
  ctx: BotContext,
  item: UnnumberedItem,
  unitIds: string[],
): Promise<MentionCandidate[]> {
  const regions = unitIds.flatMap((id) => regionAbove(ctx, item, id) ?? []);
  return unitPeople(ctx.tx, [...new Set([...unitIds, ...regions])], ['spokesperson', 'leader']);
}

/**
 * Who the card @-mentions in a unit's group: its 新闻发言人; its leader too for 重大/特别重大
 * (seed 000 五); for 特别重大 also the principal leader of the government above (seed 000 二).
 * `candidates` must come from mentionCandidates for (at least) this unit.
 */
export function pickMentions(
  ctx: BotContext,
  item: ItemRow,
  unitId: string,
  candidates: MentionCandidate[],
): Part[] {
  const roles: string[] = isMajor(item.level ?? item.proposedLevel)
    ? ['spokesperson', 'leader']
    : ['spokesperson'];
  const ordered = candidates
    .filter((p) => p.unitId === unitId && p.roles.some((r) => roles.includes(r)))
    .sort((a, b) => Number(b.roles.includes('spokesperson')) - Number(a.roles.includes('spokesperson')));
  const region = regionAbove(ctx, item, unitId);
  if (region) ordered.push(...candidates.filter((p) => p.unitId === region && p.roles.includes('leader')));
  const seen = new Set<string>();
  return ordered.filter((p) => !seen.has(p.id) && seen.add(p.id)).map((p) => ctx.mention(p));
}

/** pickMentions for one unit's group, with its own query. */
export async function cardMentions(ctx: BotContext, item: ItemRow, unitId: string): Promise<Part[]> {
  return pickMentions(ctx, item, unitId, await mentionCandidates(ctx, item, [unitId]));
}
