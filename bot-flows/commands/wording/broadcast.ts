import { type ItemRow, itemUnitRoles } from '../../../db/repos/item-repo.js';
import { unitChat } from '../../../db/repos/org-repo.js';
import { enqueue, itemCards } from '../../../db/repos/outbox-repo.js';
import type { WordingDecisionRow, WordingRow } from '../../../db/repos/wording-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import { type OutMessage, textMessage } from '../../../src/core/message.js';
import { cite } from '../../../src/core/policy-pack.js';
import { decisionLine } from '../../cards/approval-card.js';

/**
 * Posts into the item's thread in every chat that has its card, and to the group of each unit
 * involved (or in `alsoTo`) that has none.
 */
async function broadcast(ctx: BotContext, item: ItemRow, message: OutMessage, alsoTo: string[]) {
  const chats = new Set<string>();
  for (const c of await itemCards(ctx.tx, item.id, item.platform)) {
    chats.add(c.chatId);
    await enqueue(
      ctx.tx,
      [
        {
          platform: c.platform,
          op: 'reply',
          chatId: c.chatId,
          inThread: true,
          threadItemId: item.id,
          payload: message,
        },
      ],
      ctx.now,
    );
  }
  const unitIds = new Set([
    item.ownerUnitId,
    ...(await itemUnitRoles(ctx.tx, item.id)).map((r) => r.unitId),
    ...alsoTo,
  ]);
  for (const unitId of unitIds) {
    const chat = await unitChat(ctx.tx, item.platform, unitId);
    if (!chat || chats.has(chat)) continue;
    chats.add(chat);
    await ctx.sendToUnit(unitId, message);
  }
}

/**
 * Once the last unit has agreed, the wording is the item's 统一口径: it goes to every chat that
 * has the item's card and to every involved unit's group, so all publish the same text.
 */
export async function broadcastUnifiedWording(
  ctx: BotContext,
  item: ItemRow,
  approved: WordingRow,
  decisions: WordingDecisionRow[],
): Promise<void> {
  await broadcast(
    ctx,
    item,
    textMessage(
      `📢【统一口径】${item.number}《${item.title}》\n${approved.text}\n——${decisionLine(ctx.org, approved, decisions)}；已完成保密审查。\n请各单位统一按此口径发布回应；责任单位发布后，请点卡片上的「已发布」或发送 /发布 ${item.number} 记录。\n${cite(ctx.pack, ctx.pack.clauses.unifiedWording)}`,
    ),
    approved.unitIds,
  );
}
