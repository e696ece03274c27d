import type { ItemRow } from '../../../db/repos/item-repo.js';
import { approvalAnchor } from '../../../db/repos/outbox-repo.js';
import { insertWording, latestWording } from '../../../db/repos/wording-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import { HuiyinError } from '../../../src/core/errors.js';
import { type OutMessage, textMessage } from '../../../src/core/message.js';
import { cite } from '../../../src/core/policy-pack.js';
import { refreshItem } from '../../cards/redraw.js';
import { applyAction } from '../../items/apply-action.js';
import { requireRole } from '../../items/require-role.js';
import { requireText } from '../args.js';
import { approvalCardFor } from './approval-cards.js';
import { decidersOf, hasApprovers, involvedAgencies, unitName } from './approvers.js';

/**
 * 口径, by command or card: the drafter submits the response wording. An approval card goes to
 * the responsible unit's approvers (in the item's thread), and to the approvers of every other
 * agency the wording names, each @-mentioned.
 */
export async function submitWording(ctx: BotContext, item: ItemRow, draft: string): Promise<OutMessage> {
  await requireRole(ctx, item, 'submit_wording');
  const text = requireText(draft, '口径内容');
  const pendingNow = await latestWording(ctx.tx, item.id);
  if (pendingNow?.status === 'pending') {
    throw new HuiyinError(
      'huiyin_wording_pending',
      `${item.number} 已有口径在审核中（拟稿：${pendingNow.drafterName}）。请等待审核结果，或先发送 /撤回 ${item.number} 撤回后再提交。`,
    );
  }
  // Someone other than the drafter must be able to approve, or the item would wait for ever.
  const others = (await decidersOf(ctx, item.ownerUnitId)).filter((p) => p.id !== ctx.actor?.person.id);
  if (others.length === 0) {
    throw new HuiyinError(
      'huiyin_no_approver',
      `${unitName(ctx, item.ownerUnitId)}除拟稿人外没有登记审核人或领导，口径无人可以审核。请在组织目录中补充（roles: [approver]）。`,
    );
  }
  const { asked, nobodyToAsk } = await involvedAgencies(ctx, item.ownerUnitId, text);
  const unitIds = [item.ownerUnitId, ...asked.map((u) => u.id)];
  const wording = await insertWording(ctx.tx, {
    itemId: item.id,
    text,
    drafterPersonId: ctx.actor?.person.id ?? null,
    drafterName: ctx.actorName,
    unitIds,
    submittedAt: ctx.now,
  });
  const updated = await applyAction(ctx, item, 'submit_wording', 'wording_submitted', {
    wordingId: wording.id,
    text,
    units: unitIds,
  });
  const unreached: string[] = [];
  for (const unitId of unitIds) {
    const card = await approvalCardFor(ctx, updated, wording, unitId);
    // In the responsible unit's group the card sits in the item's thread; elsewhere it opens its own.
    const inThread = unitId === item.ownerUnitId;
    const sent = await ctx.sendToUnit(
      unitId,
      { kind: 'card', card },
      {
        anchorItemId: item.id,
        anchorKind: approvalAnchor(wording.id, unitId),
        ...(inThread ? { threadItemId: item.id } : {}),
      },
    );
    if (!sent) unreached.push(unitName(ctx, unitId));
  }
  await refreshItem(ctx, updated);
  const lines = [
    `✅ ${item.number} 口径已提交审核（拟稿：${ctx.actorName}），审核卡片已发至${unitIds.map((id) => unitName(ctx, id)).join('、')}并@其审核人。`,
  ];
  const byLeaders = [];
  for (const id of unitIds) if (!(await hasApprovers(ctx, id))) byLeaders.push(unitName(ctx, id));
  if (byLeaders.length > 0) lines.push(`${byLeaders.join('、')}未登记审核人，已@其领导审核。`);
  if (asked.length > 0) {
    lines.push(
      `口径涉及${asked.map((u) => u.name).join('、')}，已同时请其审核人确认。${cite(ctx.pack, ctx.pack.clauses.secrecy)}`,
    );
  }
  if (unreached.length > 0) {
    lines.push(
      `⚠️ ${unreached.join('、')}在本平台尚未绑定群聊，审核卡片未能送达；其审核人可发送 /同意 ${item.number} 保密审查 或 /退回 ${item.number} <理由>。`,
    );
  }
  if (nobodyToAsk.length > 0) {
    lines.push(
      `⚠️ 口径涉及${nobodyToAsk.map((u) => u.name).join('、')}，但其未登记审核人或领导，无法请其确认，请线下沟通确认。`,
    );
  }
  return textMessage(lines.join('\n'));
}
