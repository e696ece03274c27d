import { insertItem, insertItemEvent, insertItemUnits, numberItem } from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import type { InboundMessage } from '../../src/bot/event.js';
import { optionValue, type ParsedCommand } from '../../src/core/command-parser.js';
import { type ErrorCode, HuiyinError } from '../../src/core/errors.js';
import { parseOccurredAt } from '../../src/core/occurred-at.js';
import type { OrgUnit } from '../../src/core/org.js';
import { route } from '../../src/core/routing.js';
import {
  CATEGORIES,
  type Category,
  CHANNELS,
  DEFAULT_CATEGORY,
  findCategory,
  findChannel,
  findLevel,
  LEVELS,
  type Level,
  MINSHENG,
} from '../../src/core/vocabulary.js';
import { mentionCandidates } from '../cards/item-card/mentions.js';
import { clockCard } from '../clocks/clock-card.js';
import { startClocks } from '../clocks/plan.js';
import { confirmation, notifiedUnitIds, notifyUnits } from './report-notify.js';

export const REPORT_USAGE =
  '/上报 <标题> [类别:<类别>] [级别:<级别>] [来源:<来源>] [链接:<网址>] [事发:<时间>] [涉事:<单位>] [突发] [伤亡] [影响较大]\n例：/上报 “某小学食堂饭菜变质” 类别:教育 级别:较大 来源:微博 事发:30分钟前';

const MAX_TITLE_CHARS = 200;

export interface ReportArgs {
  title: string;
  category: Category;
  level: Level | null;
  channel: string | null;
  link: string | null;
  occurredAt: Date;
  involved: OrgUnit[];
  emergency: boolean;
  casualties: boolean;
  largeImpact: boolean;
}

const fail = (code: ErrorCode, message: string) => new HuiyinError(code, message);

/** Validates /上报 arguments; every problem is a HuiyinError that says what to type. */
export function parseReportArgs(cmd: ParsedCommand, ctx: Pick<BotContext, 'org'>, now: Date): ReportArgs {
  const title = cmd.positional.join(' ').trim();
  if (!title)
    throw fail('huiyin_missing_title', '缺少舆情标题。请在 /上报 后写上标题，含空格的标题请加引号。');
  if ([...title].length > MAX_TITLE_CHARS)
    throw fail('huiyin_too_long', `标题过长（超过 ${MAX_TITLE_CHARS} 字），请精简标题，详情可放在链接中。`);

  const categoryText = optionValue(cmd, '类别') ?? DEFAULT_CATEGORY;
  const category = findCategory(categoryText);
  if (!category) {
    const hint =
      categoryText.trim() === '民生' || categoryText.trim() === '民生热点'
        ? `民生热点请写具体类别：${MINSHENG.join('、')}。`
        : `可用类别：${CATEGORIES.map((c) => c.name).join('、')}。`;
    throw fail('huiyin_unknown_category', `无法识别类别「${categoryText}」。${hint}`);
  }

  const levelText = optionValue(cmd, '级别');
  const level = levelText === undefined ? null : (findLevel(levelText) ?? null);
  if (levelText !== undefined && !level)
    throw fail('huiyin_unknown_level', `无法识别级别「${levelText}」。可用级别：${LEVELS.join('、')}。`);

  const channelText = optionValue(cmd, '来源');
  const channel = channelText === undefined ? null : (findChannel(channelText) ?? null);
  if (channelText !== undefined && !channel)
    throw fail(
      'huiyin_unknown_channel',
      `无法识别来源「${channelText}」。可用来源：${CHANNELS.join('、')}。`,
    );

  const linkText = optionValue(cmd, '链接');
  let link: string | null = null;
  if (linkText !== undefined) {
    try {
      const url = new URL(linkText.trim());
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
      link = url.toString();
    } catch {
      throw fail(
        'huiyin_bad_link',
        `链接「${linkText}」不是有效网址，请写以 http:// 或 https:// 开头的完整地址。`,
      );
    }
  }

  const occurredText = optionValue(cmd, '事发');
  let occurredAt = now;
  if (occurredText !== undefined) {
    try {
      occurredAt = parseOccurredAt(occurredText, now);
    } catch (e) {
      if (e instanceof HuiyinError) throw fail(e.code, e.message);
      throw e;
    }
  }

  const involvedNames = (cmd.options.get('涉事') ?? [])
    .flatMap((v) => v.split(/[、,，;；/]/))
    .map((s) => s.trim())
    .filter(Boolean);
  const involved: OrgUnit[] = [];
  for (const name of involvedNames) {
    try {
      const u = ctx.org.resolve(name);
      if (!involved.includes(u)) involved.push(u);
    } catch (e) {
      if (e instanceof HuiyinError) throw fail(e.code, `涉事单位：${e.message}`);
      throw e;
    }
  }

  return {
    title,
    category,
    level,
    channel,
    link,
    occurredAt,
    involved,
    emergency: cmd.flags.has('突发'),
    casualties: cmd.flags.has('伤亡'),
    largeImpact: cmd.flags.has('影响较大'),
  };
}

/**
 * /上报: records the item and routes it; item, audit event, clocks and outbox rows in one
 * transaction, in a fixed number of statements however many units and clocks the item has
 * (test/bot-flows/commands/report-statements.test.ts counts them).
 */
export async function report(ctx: BotContext<InboundMessage>): Promise<void> {
  const cmd = ctx.command as ParsedCommand;
  const args = parseReportArgs(cmd, ctx, ctx.now);
  const reporterUnit = ctx.chatUnitId ? (ctx.org.units.get(ctx.chatUnitId) ?? null) : null;
  const decision = route(ctx.org, {
    category: args.category,
    involved: args.involved,
    reporterUnit,
    level: args.level,
  });

  const unnumbered = await insertItem(ctx.tx, {
    title: args.title,
    category: args.category.name,
    level: null,
    proposedLevel: args.level,
    channel: args.channel,
    link: args.link,
    emergency: args.emergency,
    casualties: args.casualties,
    largeImpact: args.largeImpact,
    occurredAt: args.occurredAt,
    reportedAt: ctx.now,
    state: 'reported',
    ownerUnitId: decision.owner.id,
    routingRule: decision.rule,
    policyPack: ctx.pack.id,
    reporterPersonId: ctx.actor?.person.id ?? null,
    reporterName: ctx.actorName,
    reporterUnitId: reporterUnit?.id ?? null,
    platform: ctx.platform,
    sourceChatId: ctx.event.chatId,
    sourceMessageId: ctx.event.messageId,
    updatedAt: ctx.now,
  });
  ctx.about(unnumbered);

  const notified = notifiedUnitIds(decision);
  // Independent: sent together (on Postgres in one round trip, and in one write when the large
  // statements come last: postgres.js writes out at once what passes 1 KB).
  const [, candidates, , { rows: clocks, writeTimers }] = await Promise.all([
    ctx.preloadUnitChats(notified),
    mentionCandidates(ctx, unnumbered, notified),
    insertItemUnits(
      ctx.tx,
      unnumbered.id,
      decision.units.map((u) => ({ unitId: u.unit.id, role: u.role })),
    ),
    startClocks(ctx.tx, ctx.pack, unnumbered, ctx.now, ctx.log),
  ]);
  // Cards, notices, the clock card and the confirmation: one insert, in this order (the clock
  // card goes into the thread of the owner's item card, so after it); the audit event beside it.
  // They carry the provisional number, which numberItem replaces.
  await ctx.batch(
    async () => {
      const delivery = await notifyUnits(ctx, unnumbered, decision, candidates);
      // A new item: its clock card is neither queued nor sent yet, so it is simply posted.
      await ctx.sendToUnit(
        unnumbered.ownerUnitId,
        { kind: 'card', card: clockCard(ctx.pack, unnumbered, clocks, ctx.now) },
        { threadItemId: unnumbered.id, anchorItemId: unnumbered.id, anchorKind: 'clock' },
      );
      await ctx.replyInThread(confirmation(unnumbered, decision, reporterUnit !== null, delivery));
      return delivery;
    },
    async (delivery) => {
      // The audit event and the clocks' timers, beside the messages.
      await Promise.all([
        insertItemEvent(ctx.tx, {
          itemId: unnumbered.id,
          kind: 'reported',
          actorPersonId: ctx.actor?.person.id ?? null,
          actorName: ctx.actorName,
          at: ctx.now,
          data: {
            title: unnumbered.title,
            category: unnumbered.category,
            proposedLevel: unnumbered.proposedLevel,
            channel: unnumbered.channel,
            link: unnumbered.link,
            emergency: unnumbered.emergency,
            occurredAt: unnumbered.occurredAt.toISOString(),
            reporterUnitId: unnumbered.reporterUnitId,
            routingRule: decision.rule,
            owner: decision.owner.id,
            units: decision.units.map((u) => ({ unitId: u.unit.id, role: u.role })),
            undelivered: delivery.undelivered,
          },
        }),
        writeTimers(),
      ]);
    },
  );
  // Numbered last, with the commit right behind it: the next report waits on the day's counter
  // only for this statement and the commit.
  ctx.commitWith(numberItem(ctx.tx, unnumbered, ctx.now, ctx.queuedMessageIds));
}

export const reportCommand: CommandSpec = {
  name: '上报',
  aliases: ['report'],
  usage: REPORT_USAGE,
  summary: '上报一条舆情，自动确定责任单位并通知其新闻发言人',
  handler: report,
};
