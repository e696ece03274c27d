import { and, eq, like } from 'drizzle-orm';
import { findItemById, type ItemRow, insertItemEvent, itemUnitRoles } from '../../db/repos/item-repo.js';
import { type Person, unitChat, unitPeople } from '../../db/repos/org-repo.js';
import { approvalAnchor, enqueue } from '../../db/repos/outbox-repo.js';
import {
  closeWording,
  decisionsOf,
  insertWording,
  latestWording,
  lockWording,
  recordDecision,
  type WordingRow,
} from '../../db/repos/wording-repo.js';
import { itemMessages, people } from '../../db/schema.js';
import type { BotContext } from '../../src/bot/context.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import { HuiyinError } from '../../src/core/errors.js';
import { type OutMessage, type Part, textMessage } from '../../src/core/message.js';
import type { OrgUnit } from '../../src/core/org.js';
import { mayAct } from '../../src/core/permissions.js';
import { cite } from '../../src/core/policy-pack.js';
import { approvalCard, decisionLine } from '../cards/approval-card.js';
import { redrawCard, refreshItem } from '../cards/redraw.js';
import { commandItem } from '../item-lookup.js';
import { applyAction, staleError } from '../items/apply-action.js';
import { requireRole } from '../items/require-role.js';
import { requireText, textAfterWords } from './args.js';

export const WORDING_USAGE =
  '/口径 <编号> <口径内容>，例：/口径 YQ20261122-003 经核查，网传“某校停课”不实，该校教学秩序正常。';
export const APPROVE_USAGE =
  '/同意 <编号> 保密审查，例：/同意 YQ20261122-003 保密审查（写明“保密审查”即确认已完成保密审查）';
export const REJECT_USAGE = '/退回 <编号> <理由>，例：/退回 YQ20261122-003 请补充已采取的处置措施';
export const WITHDRAW_USAGE = '/撤回 <编号>，例：/撤回 YQ20261122-003';

/** The words that confirm the 保密审查 in /同意; anything else (未做保密审查) does not. */
const SECRECY_WORDS = ['保密审查', '已保密审查', '已完成保密审查', '保密审查已完成'];

/** Who decides for a unit: its approvers, or its leaders when it has none. */
async function decidersOf(ctx: BotContext, unitId: string) {
  const approvers = await unitPeople(ctx.tx, [unitId], ['approver']);
  return approvers.length > 0 ? approvers : unitPeople(ctx.tx, [unitId], ['leader']);
}

const unitName = (ctx: BotContext, id: string) => ctx.org.units.get(id)?.name ?? id;

async function approvalCardFor(ctx: BotContext, item: ItemRow, wording: WordingRow, unitId: string) {
  const mentions = (await decidersOf(ctx, unitId)).map((p) => ctx.mention(p));
  return approvalCard(
    ctx.pack,
    ctx.org,
    item,
    wording,
    await decisionsOf(ctx.tx, wording.id),
    unitId,
    mentions,
  );
}

/** Redraws every approval card of a wording after a decision. */
async function refreshApprovalCards(ctx: BotContext, item: ItemRow, wording: WordingRow) {
  const sent = await ctx.tx
    .select()
    .from(itemMessages)
    .where(and(eq(itemMessages.itemId, item.id), like(itemMessages.kind, `approval:${wording.id}:%`)));
  for (const m of sent) {
    const unitId = m.kind.split(':')[2] as string;
    await redrawCard(ctx, m, await approvalCardFor(ctx, item, wording, unitId));
  }
}

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
  // An agency with nobody registered to decide cannot hold the wording up; the reply says so.
  const mentioned = ctx.org.namedIn(text).filter((u) => u.id !== item.ownerUnitId);
  const named: OrgUnit[] = [];
  const nobody: string[] = [];
  for (const u of mentioned) {
    if ((await decidersOf(ctx, u.id)).length > 0) named.push(u);
    else nobody.push(u.name);
  }
  const unitIds = [item.ownerUnitId, ...named.map((u) => u.id)];
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
  for (const id of unitIds)
    if ((await unitPeople(ctx.tx, [id], ['approver'])).length === 0) byLeaders.push(unitName(ctx, id));
  if (byLeaders.length > 0) lines.push(`${byLeaders.join('、')}未登记审核人，已@其领导审核。`);
  if (named.length > 0) {
    lines.push(
      `口径涉及${named.map((u) => u.name).join('、')}，已同时请其审核人确认。${cite(ctx.pack, ctx.pack.clauses.secrecy)}`,
    );
  }
  if (unreached.length > 0) {
    lines.push(
      `⚠️ ${unreached.join('、')}在本平台尚未绑定群聊，审核卡片未能送达；其审核人可发送 /同意 ${item.number} 保密审查 或 /退回 ${item.number} <理由>。`,
    );
  }
  if (nobody.length > 0) {
    lines.push(`⚠️ 口径涉及${nobody.join('、')}，但其未登记审核人或领导，无法请其确认，请线下沟通确认。`);
  }
  return textMessage(lines.join('\n'));
}

export const wordingCommand: CommandSpec = {
  name: '口径',
  aliases: ['wording'],
  usage: WORDING_USAGE,
  summary: '提交回应口径，报本单位审核人审核（涉及其他单位的同时请其确认）',
  async handler(ctx) {
    const item = await commandItem(ctx);
    await ctx.reply(await submitWording(ctx, item, textAfterWords(ctx, 1)));
  },
};

async function personById(ctx: BotContext, id: string | null): Promise<Person | null> {
  if (!id) return null;
  const [p] = await ctx.tx
    .select({ id: people.id, name: people.name, feishuId: people.feishuId, wecomId: people.wecomId })
    .from(people)
    .where(eq(people.id, id));
  return p ?? null;
}

/**
 * Posts into the item's thread in every chat that has its card, and to the group of each unit
 * involved (or in `alsoTo`) that has none.
 */
async function broadcast(ctx: BotContext, item: ItemRow, message: OutMessage, alsoTo: string[]) {
  const cards = await ctx.tx
    .select()
    .from(itemMessages)
    .where(
      and(
        eq(itemMessages.itemId, item.id),
        eq(itemMessages.kind, 'card'),
        eq(itemMessages.platform, item.platform),
      ),
    );
  const chats = new Set<string>();
  for (const c of cards) {
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
 * 同意 or 退回, by card or command, for the units among `unitIds` the decider speaks for. 同意
 * needs the 保密审查 confirmation; once every unit has agreed, the wording becomes the item's
 * 统一口径 and goes to every involved unit. 退回 needs a reason and goes back to the drafter.
 */
export async function decideWording(
  ctx: BotContext,
  seen: WordingRow,
  unitIds: string[],
  decision: 'approved' | 'rejected',
  input: { secrecy: boolean; reason: string },
): Promise<OutMessage> {
  // Two units deciding at once: the second waits here, then sees the first one's decision.
  const locked = await lockWording(ctx.tx, seen.id);
  const item = await findItemById(ctx.tx, seen.itemId);
  if (!locked || !item || locked.status !== 'pending') throw staleError();
  const wording = locked;
  const decided = new Set((await decisionsOf(ctx.tx, wording.id)).map((d) => d.unitId));
  const action = decision === 'approved' ? 'approve_wording' : 'reject_wording';
  const mine = unitIds.filter((id) => mayAct(ctx.actor?.memberships ?? [], [id], action));
  if (mine.length === 0) {
    throw new HuiyinError(
      'huiyin_not_allowed',
      `只有${unitIds.map((id) => unitName(ctx, id)).join('、')}的审核人、领导可以审核此口径。`,
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
  if (decision === 'approved' && !input.secrecy) {
    throw new HuiyinError(
      'huiyin_secrecy_unconfirmed',
      `同意前须确认已完成保密审查${ctx.event.kind === 'card_action' ? '：请勾选「已完成保密审查」后再点同意' : ''}。`,
    );
  }
  const reason = decision === 'rejected' ? requireText(input.reason, '退回理由', 500) : null;
  for (const unitId of pending) {
    const recorded = await recordDecision(ctx.tx, {
      wordingId: wording.id,
      unitId,
      decision,
      personId: ctx.actor?.person.id ?? null,
      personName: ctx.actorName,
      secrecyReviewed: input.secrecy,
      reason,
      at: ctx.now,
    });
    if (!recorded) throw staleError();
  }
  const units = pending.map((id) => unitName(ctx, id)).join('、');

  if (decision === 'rejected') {
    if (!(await closeWording(ctx.tx, wording.id, 'rejected', ctx.now))) throw staleError();
    const updated = await applyAction(ctx, item, 'reject_wording', 'wording_rejected', {
      wordingId: wording.id,
      units: pending,
      reason,
    });
    const closed = { ...wording, status: 'rejected' };
    await refreshApprovalCards(ctx, updated, closed);
    const drafter = await personById(ctx, wording.drafterPersonId);
    const at: Part[] = drafter ? [ctx.mention(drafter), { t: 'text', v: ' ' }] : [];
    await ctx.sendToUnit(
      item.ownerUnitId,
      textMessage(
        at,
        `↩️ ${item.number} 的口径被${units}${ctx.actorName}退回，理由：${reason}\n请修改后重新提交：/口径 ${item.number} <修改后的口径>`,
      ),
      { threadItemId: item.id },
    );
    await refreshItem(ctx, updated);
    return textMessage(
      `↩️ 已退回 ${item.number} 的口径（${units}），理由：${reason}。已通知拟稿人${wording.drafterName}。`,
    );
  }

  const all = await decisionsOf(ctx.tx, wording.id);
  const waiting = wording.unitIds.filter(
    (id) => !all.some((d) => d.unitId === id && d.decision === 'approved'),
  );
  if (waiting.length > 0) {
    await insertItemEvent(ctx.tx, {
      itemId: item.id,
      kind: 'wording_approved_by_unit',
      actorPersonId: ctx.actor?.person.id ?? null,
      actorName: ctx.actorName,
      at: ctx.now,
      data: { wordingId: wording.id, units: pending, secrecyReviewed: true },
    });
    await refreshApprovalCards(ctx, item, wording);
    return textMessage(
      `✅ ${units}${ctx.actorName}已同意 ${item.number} 的口径（已完成保密审查），尚待${waiting.map((id) => unitName(ctx, id)).join('、')}审核。`,
    );
  }
  if (!(await closeWording(ctx.tx, wording.id, 'approved', ctx.now))) throw staleError();
  const updated = await applyAction(ctx, item, 'approve_wording', 'wording_approved', {
    wordingId: wording.id,
    units: pending,
    secrecyReviewed: true,
  });
  const approved = { ...wording, status: 'approved' };
  await refreshApprovalCards(ctx, updated, approved);
  await broadcast(
    ctx,
    updated,
    textMessage(
      `📢【统一口径】${item.number}《${item.title}》\n${wording.text}\n——${decisionLine(ctx.org, approved, all)}；已完成保密审查。\n请各单位统一按此口径发布回应；责任单位发布后，请点卡片上的「已发布」或发送 /发布 ${item.number} 记录。\n${cite(ctx.pack, ctx.pack.clauses.unifiedWording)}`,
    ),
    wording.unitIds,
  );
  await refreshItem(ctx, updated);
  return textMessage(`✅ ${item.number} 的口径已审定（${ctx.actorName}），已作为统一口径发至各有关单位。`);
}

/** Closes a wording still under review and its approval cards; the item it returns. */
async function closePending(
  ctx: BotContext,
  seen: WordingRow,
): Promise<{ wording: WordingRow; item: ItemRow }> {
  const wording = await lockWording(ctx.tx, seen.id);
  const item = await findItemById(ctx.tx, seen.itemId);
  if (!wording || !item || wording.status !== 'pending') throw staleError();
  await closeWording(ctx.tx, wording.id, 'withdrawn', ctx.now);
  await refreshApprovalCards(ctx, item, { ...wording, status: 'withdrawn' });
  return { wording, item };
}

/** 办结 with a revised wording still under review: the revision is moot, its cards close. */
export async function dropPendingWording(ctx: BotContext, itemId: number): Promise<void> {
  const pending = await latestWording(ctx.tx, itemId);
  if (pending?.status === 'pending') await closePending(ctx, pending);
}

/** 撤回: the drafter, or a handler of the responsible unit, takes a wording under review back. */
export async function withdrawWording(ctx: BotContext, seen: WordingRow): Promise<OutMessage> {
  const current = await findItemById(ctx.tx, seen.itemId);
  if (current && seen.drafterPersonId !== ctx.actor?.person.id)
    await requireRole(ctx, current, 'withdraw_wording');
  const { wording, item } = await closePending(ctx, seen);
  const updated = await applyAction(ctx, item, 'withdraw_wording', 'wording_withdrawn', {
    wordingId: wording.id,
  });
  await refreshItem(ctx, updated);
  return textMessage(
    `↩️ ${item.number} 的口径已由${ctx.actorName}撤回，审核卡片已关闭。修改后可重新提交：/口径 ${item.number} <口径>`,
  );
}

export const withdrawCommand: CommandSpec = {
  name: '撤回',
  aliases: ['withdraw'],
  usage: WITHDRAW_USAGE,
  summary: '撤回审核中的口径（拟稿人，或责任单位的新闻发言人、工作人员、领导）',
  async handler(ctx) {
    const item = await commandItem(ctx);
    const wording = await pendingWording(ctx, item);
    await ctx.reply(await withdrawWording(ctx, wording));
  },
};

/** The item's wording waiting for approval, for the text commands. */
async function pendingWording(ctx: BotContext, item: ItemRow): Promise<WordingRow> {
  const w = await latestWording(ctx.tx, item.id);
  if (w?.status === 'pending') return w;
  throw new HuiyinError('huiyin_no_pending_wording', `${item.number} 当前没有待审核的口径。`);
}

export const approveCommand: CommandSpec = {
  name: '同意',
  aliases: ['approve'],
  usage: APPROVE_USAGE,
  summary: '同意待审核的口径，须确认已完成保密审查（审核人、领导）',
  async handler(ctx) {
    const item = await commandItem(ctx);
    const wording = await pendingWording(ctx, item);
    const secrecy = (ctx.command?.positional.slice(1) ?? []).some((w) => SECRECY_WORDS.includes(w));
    await ctx.reply(await decideWording(ctx, wording, wording.unitIds, 'approved', { secrecy, reason: '' }));
  },
};

export const rejectCommand: CommandSpec = {
  name: '退回',
  aliases: ['reject'],
  usage: REJECT_USAGE,
  summary: '退回待审核的口径并说明理由（审核人、领导）',
  async handler(ctx) {
    const item = await commandItem(ctx);
    const reason = textAfterWords(ctx, 1);
    const wording = await pendingWording(ctx, item);
    await ctx.reply(
      await decideWording(ctx, wording, wording.unitIds, 'rejected', { secrecy: false, reason }),
    );
  },
};
