import { endClocks, openClocks } from '../../db/repos/clock-repo.js';
import type { ItemRow } from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import { HuiyinError } from '../../src/core/errors.js';
import { type OutMessage, textMessage } from '../../src/core/message.js';
import { cite } from '../../src/core/policy-pack.js';
import { formatDeadline } from '../../src/core/time.js';
import { unknownYearNotice } from '../../src/core/working-days.js';
import { refreshItem, replanAndRefresh } from '../cards/redraw.js';
import { byAction, satisfyClocks } from '../clocks/item-clocks.js';
import { applyAction } from '../items/apply-action.js';
import { commandItem } from '../items/lookup.js';
import { requireRole } from '../items/require-role.js';
import { requireText, textAfterNumber, textAfterWords } from './args.js';
import { dropPendingWording } from './wording/withdraw.js';

export const CLOSE_USAGE = '/办结 <编号> <结果>，例：/办结 YQ20261122-003 已澄清并公开处置结果';
const EXTEND_USAGE = '/延期 <编号> <理由>，例：/延期 YQ20261122-003 涉及多个部门，情况特别复杂';

/** 办结, by command or card: the item is done; its close clocks are met and every other open clock ends. */
export async function closeItem(ctx: BotContext, item: ItemRow, text: string): Promise<OutMessage> {
  await requireRole(ctx, item, 'close');
  const result = requireText(text, '办理结果');
  // A revised wording still under review is moot once the item is closed (a first one, under
  // review, keeps the item from closing: the transition refuses it).
  if (item.state !== 'awaiting_approval') await dropPendingWording(ctx, item.id);
  const updated = await applyAction(ctx, item, 'close', 'closed', { result });
  const met = await satisfyClocks(ctx, item, byAction('close'));
  const rest = await openClocks(ctx.tx, item.id);
  await endClocks(
    ctx.tx,
    rest.map((c) => c.id),
    { status: 'cancelled', at: ctx.now, by: ctx.actor?.person.id ?? ctx.actorName, reason: 'closed' },
  );
  await refreshItem(ctx, updated);
  const late = met.filter((c) => c.dueAt < ctx.now);
  return textMessage(
    `✅ ${item.number}《${item.title}》已办结：${result}（${ctx.actorName}）${late.length > 0 ? `\n（办结时已超过时限：${late.map((c) => c.label).join('、')}）` : ''}`,
  );
}

export const closeCommand: CommandSpec = {
  name: '办结',
  aliases: ['close'],
  usage: CLOSE_USAGE,
  summary: '办结并记录结果',
  async handler(ctx) {
    const item = await commandItem(ctx);
    await ctx.reply(await closeItem(ctx, item, textAfterWords(ctx, 1)));
  },
};

/** /延期: once, +N working days for a complex 网民留言, decided by an approver of the unit. */
export const extendCommand: CommandSpec = {
  name: '延期',
  aliases: ['extend'],
  usage: EXTEND_USAGE,
  summary: '网民留言情况特别复杂的，延长办理时限（审核人，限一次）',
  async handler(ctx) {
    const item = await commandItem(ctx);
    const reason = textAfterNumber(ctx, '延期理由');
    if (item.kind !== 'netizen_message')
      throw new HuiyinError('huiyin_wrong_item_kind', '只有网民留言可以延期。');
    if (item.extendedWorkingDays > 0)
      throw new HuiyinError('huiyin_already_extended', '该留言已延期过一次，不能再次延期。');
    await requireRole(ctx, item, 'extend');
    const days = ctx.pack.clocks.extension.workingDays;
    const updated = await applyAction(
      ctx,
      item,
      'extend',
      'extended',
      { reason, workingDays: days },
      { extendedWorkingDays: days },
    );
    const added = await replanAndRefresh(ctx, updated);
    const due = added[0];
    const notice = due ? unknownYearNotice(due.unknownYears) : null;
    await ctx.reply(
      textMessage(
        `✅ ${item.number} 已延期 ${days} 个工作日${due ? `，新的办结时限：${formatDeadline(due.dueAt)} 前` : ''}。理由：${reason}\n${cite(ctx.pack, ctx.pack.clocks.extension.clause)}${notice ? `\n⚠️ ${notice}` : ''}`,
      ),
    );
  },
};
