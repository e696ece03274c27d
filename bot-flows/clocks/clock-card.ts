import type { Db } from '../../db/client.js';
import { type ClockRow, itemClocks } from '../../db/repos/clock-repo.js';
import type { ItemRow } from '../../db/repos/item-repo.js';
import { unitChat } from '../../db/repos/org-repo.js';
import { enqueue, itemMessage, updateQueuedAnchor } from '../../db/repos/outbox-repo.js';
import { postToUnit } from '../../src/bot/outbound.js';
import { ACTION_LABELS, type ClockAction, timeLeft } from '../../src/core/clocks.js';
import { type CardSpec, parts } from '../../src/core/message.js';
import { cite, type PolicyPack } from '../../src/core/policy-pack.js';
import { formatDeadline, formatShanghai } from '../../src/core/time.js';
import { unknownYearNotice } from '../../src/core/working-days.js';
import { ACTION_COMMANDS, clauseOf } from './clock-text.js';

function state(c: ClockRow, now: Date): string {
  if (c.status === 'satisfied') return `✅ 已完成（${formatShanghai(c.satisfiedAt ?? c.dueAt)}）`;
  if (c.status === 'cancelled') {
    return c.endReason === 'closed' ? '未完成（已办结）' : '已取消（研判或延期后不再适用）';
  }
  const left = timeLeft(c.dueAt, now);
  return `${c.dueAt <= now ? '🚨' : '⏳'} ${formatDeadline(c.dueAt)} 前｜${left}`;
}

/** The countdown card in the item's thread: every clock with its deadline and the time left. */
export function clockCard(pack: PolicyPack, item: ItemRow, list: ClockRow[], now: Date): CardSpec {
  const open = list.filter((c) => c.status === 'open');
  const lines = open.map((c) => {
    const clause = clauseOf(pack, c.kind);
    return `· ${c.label}：发送 ${ACTION_COMMANDS[c.kind === 'continuing' ? 'continuing' : (c.action as ClockAction)]} ${item.number}${clause ? `（${cite(pack, clause)}）` : ''}`;
  });
  const years = [...new Set(list.flatMap((c) => c.unknownYears))].sort();
  const notice = unknownYearNotice(years);
  return {
    title: `⏱ 时限 ${item.number}｜${item.title}`,
    template: open.some((c) => c.dueAt <= now) ? 'red' : open.length > 0 ? 'orange' : 'green',
    fields: list.map((c) => ({
      label: `${c.label}（${c.kind === 'continuing' ? '续报' : (ACTION_LABELS[c.action as ClockAction] ?? c.action)}）`,
      value: state(c, now),
    })),
    body: parts(
      open.length > 0
        ? `待完成：\n${lines.join('\n')}`
        : item.state === 'closed'
          ? '已办结，时限不再计算。'
          : '全部时限已完成。',
    ),
    note: parts(`更新于 ${formatShanghai(now)}${notice ? `\n⚠️ ${notice}` : ''}`),
    buttons: [],
  };
}

/** Posts the clock card into the item's thread, or redraws it where it already is. */
export async function refreshClockCard(tx: Db, pack: PolicyPack, item: ItemRow, now: Date): Promise<void> {
  const card = clockCard(pack, item, await itemClocks(tx, item.id), now);
  const chatId = await unitChat(tx, item.platform, item.ownerUnitId);
  if (!chatId) return;
  // Not sent yet: the queued card itself is brought up to date.
  if (await updateQueuedAnchor(tx, { itemId: item.id, kind: 'clock', chatId }, { kind: 'card', card }))
    return;
  const existing = await itemMessage(tx, item.id, item.platform, chatId, 'clock');
  if (existing) {
    await enqueue(
      tx,
      [
        {
          platform: item.platform,
          op: 'update',
          chatId,
          targetMessageId: existing,
          payload: { kind: 'card', card },
        },
      ],
      now,
    );
    return;
  }
  await postToUnit(
    tx,
    {
      platform: item.platform,
      unitId: item.ownerUnitId,
      message: { kind: 'card', card },
      threadItemId: item.id,
      anchorItemId: item.id,
      anchorKind: 'clock',
    },
    now,
  );
}
