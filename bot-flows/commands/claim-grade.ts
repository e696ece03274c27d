import type { ItemRow } from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import { timeLeft } from '../../src/core/clocks.js';
import { optionValue } from '../../src/core/command-parser.js';
import { HuiyinError } from '../../src/core/errors.js';
import { type OutMessage, textMessage } from '../../src/core/message.js';
import { cite } from '../../src/core/policy-pack.js';
import { formatDeadline } from '../../src/core/time.js';
import { findLevel, LEVELS, type Level } from '../../src/core/vocabulary.js';
import { refreshItem, replanAndRefresh } from '../cards/redraw.js';
import { applyAction } from '../items/apply-action.js';
import { commandItem } from '../items/lookup.js';
import { requireRole } from '../items/require-role.js';

export const CLAIM_USAGE = '/认领 <编号>，例：/认领 YQ20261122-003';
export const GRADE_USAGE = `/研判 <编号> 级别:<${LEVELS.join('|')}> [突发] [伤亡] [影响较大]，例：/研判 YQ20261122-003 级别:重大 突发`;

/** 认领, by command or card: the unit takes the item on; reminders then @ the officer who claimed it. */
export async function claimItem(ctx: BotContext, item: ItemRow): Promise<OutMessage> {
  await requireRole(ctx, item, 'claim');
  const updated = await applyAction(
    ctx,
    item,
    'claim',
    'claimed',
    { via: ctx.event.kind === 'card_action' ? 'card' : 'command' },
    { claimedByPersonId: ctx.actor?.person.id },
  );
  await refreshItem(ctx, updated);
  return textMessage(
    `✅ ${item.number}《${item.title}》已由${ctx.actorName}认领，此后的时限提醒将@${ctx.actorName}。`,
  );
}

export const claimCommand: CommandSpec = {
  name: '认领',
  aliases: ['claim'],
  usage: CLAIM_USAGE,
  summary: '认领一条舆情，由你负责处置（责任单位的新闻发言人、工作人员）',
  async handler(ctx) {
    await ctx.reply(await claimItem(ctx, await commandItem(ctx)));
  },
};

/**
 * 研判, by command or card: a leader or approver sets the level (and may establish 突发, 伤亡,
 * 影响较大); the clocks are re-planned from 事发.
 */
export async function gradeItem(
  ctx: BotContext,
  item: ItemRow,
  level: Level | undefined,
  flags: ReadonlySet<string>,
): Promise<OutMessage> {
  if (!level && flags.size === 0) throw new HuiyinError('huiyin_unknown_level', '缺少级别。');
  await requireRole(ctx, item, 'grade');
  const patch = {
    ...(level ? { level } : {}),
    ...(flags.has('突发') ? { emergency: true } : {}),
    ...(flags.has('伤亡') ? { casualties: true } : {}),
    ...(flags.has('影响较大') ? { largeImpact: true } : {}),
  };
  const updated = await applyAction(
    ctx,
    item,
    'grade',
    'graded',
    { ...patch, previous: item.level ?? item.proposedLevel },
    patch,
  );
  const added = await replanAndRefresh(ctx, updated);
  const facts = [...flags].join('、');
  const lines = [
    `✅ ${item.number}《${item.title}》由${ctx.actorName}研判为「${updated.level ?? '待定'}」${facts ? `，并确认：${facts}` : ''}。`,
  ];
  for (const c of added) {
    const rule = ctx.pack.clocks.rules.find((r) => r.kind === c.kind);
    const late = c.dueAt <= ctx.now;
    lines.push(
      `${late ? '🚨' : '⏳'} 新增时限「${c.label}」：${formatDeadline(c.dueAt)} 前（${timeLeft(c.dueAt, ctx.now)}）${late ? '，自事发起算已经超时，请立即处置' : ''}。${rule ? cite(ctx.pack, rule.clause) : ''}`,
    );
  }
  return textMessage(lines.join('\n'));
}

export const gradeCommand: CommandSpec = {
  name: '研判',
  aliases: ['grade'],
  usage: GRADE_USAGE,
  summary: '研判定级（领导、审核人）；升级为重大时立即增加1小时报告时限',
  async handler(ctx) {
    const item = await commandItem(ctx);
    const text = ctx.command ? (optionValue(ctx.command, '级别') ?? ctx.command.positional[1]) : undefined;
    const level = text ? findLevel(text) : undefined;
    if (text && !level) {
      throw new HuiyinError(
        'huiyin_unknown_level',
        `无法识别级别「${text}」。可用级别：${LEVELS.join('、')}。`,
      );
    }
    await ctx.reply(await gradeItem(ctx, item, level, ctx.command?.flags ?? new Set()));
  },
};
