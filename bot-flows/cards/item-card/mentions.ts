import type { ItemRow } from '../../../db/repos/item-repo.js';
import { unitPeople } from '../../../db/repos/org-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import type { Part } from '../../../src/core/message.js';
import { isMajor } from '../../../src/core/vocabulary.js';

/**
 * Who the card @-mentions in a unit's group: its 新闻发言人; its leader too for 重大/特别重大
 * (seed 000 五); for 特别重大 also the principal leader of the government above (seed 000 二).
 */
export async function cardMentions(ctx: BotContext, item: ItemRow, unitId: string): Promise<Part[]> {
  const level = item.level ?? item.proposedLevel;
  const roles: ('spokesperson' | 'leader')[] = isMajor(level) ? ['spokesperson', 'leader'] : ['spokesperson'];
  const people = await unitPeople(ctx.tx, [unitId], roles);
  const ordered = [...people].sort(
    (a, b) => Number(b.roles.includes('spokesperson')) - Number(a.roles.includes('spokesperson')),
  );
  if (level === '特别重大' && unitId === item.ownerUnitId) {
    const region = ctx.org.regionOf(ctx.org.get(unitId));
    if (region.id !== unitId) ordered.push(...(await unitPeople(ctx.tx, [region.id], ['leader'])));
  }
  const seen = new Set<string>();
  return ordered.filter((p) => !seen.has(p.id) && seen.add(p.id)).map((p) => ctx.mention(p));
}
