import type { ItemRow } from '../../../db/repos/item-repo.js';
import { latestWording, type WordingRow } from '../../../db/repos/wording-repo.js';
import type { BotContext } from '../../../src/bot/context.js';
import type { CommandSpec } from '../../../src/bot/dispatcher.js';
import { HuiyinError } from '../../../src/core/errors.js';
import { commandItem } from '../../items/lookup.js';
import { textAfterWords } from '../args.js';
import { decideWording } from './decide.js';
import { submitWording } from './submit.js';
import { withdrawWording } from './withdraw.js';

export const WORDING_USAGE =
  '/口径 <编号> <口径内容>，例：/口径 YQ20261122-003 经核查，网传“某校停课”不实，该校教学秩序正常。';
export const APPROVE_USAGE =
  '/同意 <编号> 保密审查，例：/同意 YQ20261122-003 保密审查（写明“保密审查”即确认已完成保密审查）';
export const REJECT_USAGE = '/退回 <编号> <理由>，例：/退回 YQ20261122-003 请补充已采取的处置措施';
export const WITHDRAW_USAGE = '/撤回 <编号>，例：/撤回 YQ20261122-003';

/** The words that confirm the 保密审查 in /同意; anything else (未做保密审查) does not. */
const SECRECY_WORDS = ['保密审查', '已保密审查', '已完成保密审查', '保密审查已完成'];

/** The item's wording waiting for approval, for the text commands. */
async function pendingWording(ctx: BotContext, item: ItemRow): Promise<WordingRow> {
  const w = await latestWording(ctx.tx, item.id);
  if (w?.status === 'pending') return w;
  throw new HuiyinError('huiyin_no_pending_wording', `${item.number} 当前没有待审核的口径。`);
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
