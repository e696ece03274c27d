import { findItemById, type ItemRow } from '../../db/repos/item-repo.js';
import { approvalAnchor, itemMessage, threadRoot } from '../../db/repos/outbox-repo.js';
import { findWording } from '../../db/repos/wording-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import { type ActionSpec, actionValueSchema } from '../../src/bot/dispatcher.js';
import type { CardActionEvent } from '../../src/bot/event.js';
import { HuiyinError } from '../../src/core/errors.js';
import type { OutMessage } from '../../src/core/message.js';
import { findLevel, LEVELS } from '../../src/core/vocabulary.js';
import { claimItem, gradeItem } from '../commands/claim-grade.js';
import { closeItem } from '../commands/close-extend.js';
import { itemDetail } from '../commands/query.js';
import { recordResponse, releaseUpdate } from '../commands/respond.js';
import { transferItem } from '../commands/transfer.js';
import { decideWording } from '../commands/wording/decide.js';
import { submitWording } from '../commands/wording/submit.js';
import { withdrawWording } from '../commands/wording/withdraw.js';
import { staleError } from '../items/apply-action.js';
import { itemCardFor } from './item-card/loader.js';

const notInDirectory = () =>
  new HuiyinError('huiyin_unknown_person', '你不在组织目录中，无法操作舆情卡片。请联系管理员。');

async function clickedItem(ctx: BotContext<CardActionEvent>) {
  if (!ctx.actor) throw notInDirectory();
  const value = actionValueSchema.parse(ctx.event.value);
  const item = value.item ? await findItemById(ctx.tx, value.item) : null;
  if (!item) throw new HuiyinError('huiyin_unknown_item', '卡片对应的舆情不存在。');
  // The button must sit on this item's card in this chat, not on some other message.
  const card = await threadRoot(ctx.tx, item.id, ctx.platform, ctx.event.chatId);
  if (card !== ctx.event.messageId)
    throw new HuiyinError('huiyin_not_item_card', '这条消息不是该舆情的卡片。');
  ctx.about(item);
  return { item, value };
}

/** A filled-in form field, as text. */
const formText = (ctx: BotContext<CardActionEvent>, name: string) => {
  const v = ctx.event.form?.[name];
  return typeof v === 'string' ? v.trim() : '';
};

/**
 * A click on the item card that changes the item. The card must be current (its version is the
 * item's), so an outdated card or a second click changes nothing; `run` does what the text
 * command does and its message goes into the item's thread; the clicked card is redrawn.
 */
function itemAction(
  name: string,
  done: string,
  run: (ctx: BotContext<CardActionEvent>, item: ItemRow) => Promise<OutMessage>,
): ActionSpec {
  return {
    name,
    async handler(ctx) {
      const { item, value } = await clickedItem(ctx);
      if (value.v !== item.version) throw staleError();
      const message = await run(ctx, item);
      await ctx.postInItemThread(item.id, message);
      const now = await findItemById(ctx.tx, item.id);
      if (now) ctx.response.card = await itemCardFor(ctx, now, ctx.chatUnitId);
      ctx.toast('success', done);
    },
  };
}

export const claimAction = itemAction('claim', '已认领', (ctx, item) => claimItem(ctx, item));

export const publishAction = itemAction('publish', '已记录发布', (ctx, item) =>
  recordResponse(ctx, item, 'publish', { via: 'card' }),
);

/** 研判 on the card: the level chosen in the select. */
export const gradeAction = itemAction('grade', '已研判定级', (ctx, item) => {
  const level = findLevel(ctx.event.option ?? '');
  if (!level) throw new HuiyinError('huiyin_unknown_level', `请选择级别：${LEVELS.join('、')}。`);
  return gradeItem(ctx, item, level, new Set());
});

export const transferAction = itemAction('transfer', '已转办', (ctx, item) =>
  transferItem(ctx, item, formText(ctx, 'transfer_unit'), formText(ctx, 'transfer_reason')),
);

export const closeAction = itemAction('close', '已办结', (ctx, item) =>
  closeItem(ctx, item, formText(ctx, 'close_result')),
);

export const submitWordingAction = itemAction('submit_wording', '口径已提交审核', (ctx, item) =>
  submitWording(ctx, item, formText(ctx, 'wording_text')),
);

/** The card's release-stage form: publishes the next stage of a 重大 item. */
export const stageAction = itemAction('stage', '已发布', (ctx, item) =>
  releaseUpdate(ctx, item, item.releaseStage + 1, formText(ctx, 'stage_text')),
);

/** The wording an approval card was clicked for; the card must be that wording's card for its unit. */
async function clickedApproval(ctx: BotContext<CardActionEvent>) {
  if (!ctx.actor) throw notInDirectory();
  const value = actionValueSchema.parse(ctx.event.value);
  const item = value.item ? await findItemById(ctx.tx, value.item) : null;
  const wording = value.w ? await findWording(ctx.tx, value.w) : null;
  const unitId = value.u;
  if (!item || !wording || wording.itemId !== item.id || !unitId || !wording.unitIds.includes(unitId))
    throw new HuiyinError('huiyin_unknown_item', '卡片对应的口径不存在。');
  const card = await itemMessage(
    ctx.tx,
    item.id,
    ctx.platform,
    ctx.event.chatId,
    approvalAnchor(wording.id, unitId),
  );
  if (card !== ctx.event.messageId)
    throw new HuiyinError('huiyin_not_item_card', '这条消息不是该口径的审核卡片。');
  ctx.about({ id: wording.itemId });
  return { wording, unitId };
}

/**
 * 同意 / 退回 on an approval card. It is checked against its wording rather than the item's
 * version: other work on the item (报告, 研判) must not void a card that is waiting for an
 * approver, while a decided or withdrawn wording answers 已过期. The redrawn approval cards show
 * the decision; 退回 also @-mentions the drafter and the last 同意 posts the 统一口径.
 */
function decideAction(name: string, decision: 'approved' | 'rejected', done: string): ActionSpec {
  return {
    name,
    async handler(ctx) {
      const { wording, unitId } = await clickedApproval(ctx);
      const secrecy = ctx.event.form?.secrecy;
      await decideWording(ctx, wording, [unitId], decision, {
        secrecy: secrecy === true || secrecy === 'true',
        reason: formText(ctx, 'reason'),
      });
      ctx.toast('success', done);
    },
  };
}

/** 撤回 on the responsible unit's approval card. */
export const withdrawAction: ActionSpec = {
  name: 'withdraw_wording',
  async handler(ctx) {
    const { wording } = await clickedApproval(ctx);
    const message = await withdrawWording(ctx, wording);
    if (message) await ctx.postInItemThread(wording.itemId, message);
    ctx.toast('success', '已撤回');
  },
};

export const approveAction = decideAction('approve_wording', 'approved', '已同意');
export const rejectAction = decideAction('reject_wording', 'rejected', '已退回');

/** 刷新: redraws the card from the item as it is now. */
export const refreshAction: ActionSpec = {
  name: 'refresh',
  async handler(ctx) {
    const { item, value } = await clickedItem(ctx);
    await ctx.updateCard(await itemCardFor(ctx, item, ctx.chatUnitId));
    ctx.toast('success', value.v === item.version ? '已是最新状态' : '已更新到最新状态');
  },
};

/** 查看进展: posts the item's audit trail into its thread. */
export const detailAction: ActionSpec = {
  name: 'detail',
  async handler(ctx) {
    const { item } = await clickedItem(ctx);
    await ctx.postInItemThread(item.id, await itemDetail(ctx.tx, ctx.org, item, ctx.now));
    ctx.toast('info', '处置记录已发到话题中');
  },
};

export const CARD_ACTIONS = [
  claimAction,
  gradeAction,
  transferAction,
  publishAction,
  stageAction,
  submitWordingAction,
  approveAction,
  rejectAction,
  withdrawAction,
  closeAction,
  refreshAction,
  detailAction,
];
