import { insertItem, insertItemEvent, insertItemUnits, numberItem } from '../../db/repos/item-repo.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import { NETIZEN_MESSAGE_TYPES, type NetizenMessageType, timeLeft } from '../../src/core/clocks.js';
import { optionValue } from '../../src/core/command-parser.js';
import { HuiyinError } from '../../src/core/errors.js';
import { textMessage } from '../../src/core/message.js';
import { cite } from '../../src/core/policy-pack.js';
import { formatDeadline, fromShanghai, shanghaiParts } from '../../src/core/time.js';
import { unknownYearNotice } from '../../src/core/working-days.js';
import { itemCard } from '../cards/item-card/builder.js';
import { cardMentions } from '../cards/item-card/mentions.js';
import { refreshClockCard } from '../clocks/clock-card.js';
import { startClocks } from '../clocks/plan.js';

const USAGE =
  '/留言 <类型> <标题> [受理:<日期>] [单位:<承办单位>]\n类型：表扬感谢、谏言咨询、申诉求助；受理默认今天。\n例：/留言 申诉求助 “小区停水三天无人处理” 受理:2026-11-20';

const TYPE_ALIASES: Record<NetizenMessageType, string[]> = {
  表扬感谢: ['表扬', '感谢', '表扬和感谢', 'praise'],
  谏言咨询: ['谏言', '咨询', '谏言和咨询', 'advice'],
  申诉求助: ['申诉', '求助', '申诉和寻求解决', 'appeal'],
};

const findType = (s: string) =>
  NETIZEN_MESSAGE_TYPES.find((t) => t === s.trim() || TYPE_ALIASES[t].includes(s.trim().toLowerCase()));

/** 受理 as a Shanghai calendar day: 2026-11-20, 11-20, 今天, 昨天, 前天. */
function acceptedDay(text: string, now: Date): Date {
  const t = text.normalize('NFKC').trim();
  const today = shanghaiParts(now);
  const back = { 今天: 0, 昨天: 1, 前天: 2 }[t];
  let day: Date | null = null;
  if (back !== undefined) {
    const p = shanghaiParts(new Date(now.getTime() - back * 86_400_000));
    day = fromShanghai({ ...p, hour: 0, minute: 0 });
  } else {
    const m = /^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$/.exec(t);
    if (m) {
      const at = (year: number) =>
        fromShanghai({ year, month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0 });
      day = at(Number(m[1] ?? today.year));
      // Without a year the latest such day that is not in the future is meant (12-30 in January).
      if (!m[1] && day && day > now) day = at(today.year - 1);
    }
  }
  if (!day)
    throw new HuiyinError(
      'huiyin_bad_time',
      `无法识别受理日期「${text}」，请写 2026-11-20、11-20、今天 或 昨天。`,
    );
  if (day > now) throw new HuiyinError('huiyin_future_time', `受理日期「${text}」晚于今天。`);
  return day;
}

/** /留言: a 网民留言 with its working-day clock (5 / 10 / 20 working days, seed 000 四(三)). */
export const netizenMessageCommand: CommandSpec = {
  name: '留言',
  aliases: ['message'],
  usage: USAGE,
  summary: '登记网民留言，按类型计算办结时限（工作日）',
  async handler(ctx) {
    const cmd = ctx.command;
    const [typeText, ...titleWords] = cmd?.positional ?? [];
    const type = typeText ? findType(typeText) : undefined;
    if (!type) {
      throw new HuiyinError(
        'huiyin_unknown_netizen_message_type',
        typeText ? `无法识别留言类型「${typeText}」。` : '缺少留言类型。',
      );
    }
    const title = titleWords.join(' ').trim();
    if (!title) throw new HuiyinError('huiyin_missing_title', '缺少留言标题。');
    const unitText = cmd ? optionValue(cmd, '单位') : undefined;
    const unit = unitText ? ctx.org.resolve(unitText) : ctx.chatUnitId ? ctx.org.get(ctx.chatUnitId) : null;
    if (!unit)
      throw new HuiyinError('huiyin_missing_unit', '本群未绑定单位，请用「单位:<承办单位>」指明承办单位。');
    // Only the 承办单位 itself or a superior that assigns it (转办、交办) may register its 留言.
    const chain = ctx.org.ancestry(unit).map((u) => u.id);
    if (!ctx.actor?.memberships.some((m) => chain.includes(m.unitId))) {
      throw new HuiyinError(
        'huiyin_not_allowed',
        `只有${unit.name}或其上级单位的人员可以为${unit.name}登记网民留言。`,
      );
    }
    const acceptedText = cmd ? optionValue(cmd, '受理') : undefined;
    const acceptedAt = acceptedText ? acceptedDay(acceptedText, ctx.now) : ctx.now;

    const unnumbered = await insertItem(ctx.tx, {
      title,
      category: '网民留言',
      kind: 'netizen_message',
      netizenMessageType: type,
      acceptedAt,
      occurredAt: acceptedAt,
      reportedAt: ctx.now,
      state: 'reported',
      ownerUnitId: unit.id,
      routingRule: 'assigned',
      policyPack: ctx.pack.id,
      reporterPersonId: ctx.actor?.person.id ?? null,
      reporterName: ctx.actorName,
      reporterUnitId: ctx.chatUnitId,
      platform: ctx.platform,
      sourceChatId: ctx.event.chatId,
      sourceMessageId: ctx.event.messageId,
      updatedAt: ctx.now,
    });
    const [, item] = await Promise.all([
      insertItemUnits(ctx.tx, unnumbered.id, [{ unitId: unit.id, role: 'responsible' }]),
      numberItem(ctx.tx, unnumbered, ctx.now),
    ]);
    const { number } = item;
    ctx.about(item);
    await insertItemEvent(ctx.tx, {
      itemId: item.id,
      kind: 'netizen_message_registered',
      actorPersonId: ctx.actor?.person.id ?? null,
      actorName: ctx.actorName,
      at: ctx.now,
      data: { title, netizenMessageType: type, acceptedAt: acceptedAt.toISOString(), unitId: unit.id },
    });
    const mentions = await cardMentions(ctx, item, unit.id);
    const card = itemCard(
      ctx.pack,
      ctx.org,
      item,
      [{ unitId: unit.id, role: 'responsible' }],
      mentions,
      unit.id,
    );
    const delivered = await ctx.sendToUnit(unit.id, { kind: 'card', card }, { anchorItemId: item.id });
    const {
      rows: [clock],
      writeTimers,
    } = await startClocks(ctx.tx, ctx.pack, item, ctx.now, ctx.log);
    await writeTimers();
    await refreshClockCard(ctx.tx, ctx.pack, item, ctx.now);
    const rule = ctx.pack.clocks.rules.find((r) => r.kind === clock?.kind);
    const notice = clock ? unknownYearNotice(clock.unknownYears) : null;
    await ctx.replyInThread(
      textMessage(
        [
          `✅ 已登记网民留言 ${number}《${title}》（${type}），承办单位：${unit.name}。`,
          clock
            ? `办结并回复时限：${formatDeadline(clock.dueAt)} 前（${timeLeft(clock.dueAt, ctx.now)}）。`
            : '',
          rule ? cite(ctx.pack, rule.clause) : '',
          notice ? `⚠️ ${notice}` : '',
          delivered ? '' : `⚠️ ${unit.name}在本平台尚未绑定群聊，卡片未能送达。`,
        ]
          .filter(Boolean)
          .join('\n'),
      ),
    );
  },
};
