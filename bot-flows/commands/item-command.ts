import { and, eq, sql } from 'drizzle-orm';
import { type ClockRow, endClocks, insertClocks, openClocks } from '../../db/repos/clock-repo.js';
import { type ItemRow, insertItemEvent, itemUnitRoles } from '../../db/repos/item-repo.js';
import { chatUnit } from '../../db/repos/org-repo.js';
import { enqueue } from '../../db/repos/outbox-repo.js';
import { itemMessages, items } from '../../db/schema.js';
import type { BotContext } from '../../src/bot/context.js';
import type { InboundMessage } from '../../src/bot/event.js';
import type { ClockAction } from '../../src/core/clocks.js';
import { HuiyinError } from '../../src/core/errors.js';
import { type ItemAction, type ItemState, nextState } from '../../src/core/item-state.js';
import type { CardSpec } from '../../src/core/message.js';
import { mayAct, PERMISSIONS, ROLE_NAMES } from '../../src/core/permissions.js';
import { itemCardFor } from '../cards/item-card.js';
import { refreshClockCard } from '../clocks/clock-card.js';
import { replanClocks } from '../clocks/plan.js';
import { itemByNumberArg } from '../item-lookup.js';

export const staleError = () => new HuiyinError('huiyin_stale', '已过期，请查看最新卡片。');

/** The command's text after its first `words` words, as typed (line breaks and colons kept). */
export function textAfterWords(ctx: BotContext<InboundMessage>, words: number): string {
  let rest = ctx.command?.rest ?? '';
  for (let i = 0; i < words; i++) rest = rest.replace(/^\S+\s*/u, '');
  return rest.trim();
}

/** The free text after the item number (结果, 理由, 续报内容); refused when empty. */
export function textAfterNumber(ctx: BotContext<InboundMessage>, what: string): string {
  return requireText(textAfterWords(ctx, 1), what);
}

/** Text a command or a card form must carry; refused when empty or too long. */
export function requireText(text: string | undefined, what: string, max = 1000): string {
  const t = (text ?? '').trim();
  if (!t) throw new HuiyinError('huiyin_missing_text', `缺少${what}。`);
  const length = [...t].length;
  if (length > max)
    throw new HuiyinError('huiyin_too_long', `${what}过长（${length} 字），不能超过 ${max} 字。`);
  return t;
}

/** The item a command names in its first argument. */
export async function commandItem(ctx: BotContext<InboundMessage>): Promise<ItemRow> {
  const item = await itemByNumberArg(ctx.tx, ctx.command?.positional[0]);
  ctx.about(item);
  return item;
}

/**
 * Refuses unless the sender may take `action` on the item (PERMISSIONS: a role in its owning
 * unit or in a unit taking part in it); the refusal names who may.
 */
export async function requireRole(ctx: BotContext, item: ItemRow, action: ItemAction) {
  const { roles, units, what } = PERMISSIONS[action];
  if (units === 'wording') throw new Error(`${action} is decided per unit of its wording, not per item`);
  const unitIds = [
    item.ownerUnitId,
    ...(await itemUnitRoles(ctx.tx, item.id))
      .filter((r) => (units as readonly string[]).includes(r.role))
      .map((r) => r.unitId),
  ];
  if (mayAct(ctx.actor?.memberships ?? [], unitIds, action)) return;
  const names = [...new Set(unitIds)].map((id) => ctx.org.units.get(id)?.name ?? id).join('、');
  throw new HuiyinError(
    'huiyin_not_allowed',
    `只有${names}的${roles.map((r) => ROLE_NAMES[r]).join('、')}可以${what}。`,
  );
}

/**
 * Moves the item by `action` (refused when its state does not allow it), applies `patch`,
 * bumps its version and writes the audit event, all in the command's transaction.
 */
export async function applyAction(
  ctx: BotContext,
  item: ItemRow,
  action: ItemAction,
  eventKind: string,
  data: Record<string, unknown>,
  patch: Partial<typeof items.$inferInsert> = {},
): Promise<ItemRow> {
  const state = nextState(item.state as ItemState, action);
  // Only from the version it was read at: a concurrent change (a double click racing itself,
  // two officers at once) makes the second one stale instead of applying twice.
  const [updated] = await ctx.tx
    .update(items)
    .set({ ...patch, state, version: sql`${items.version} + 1`, updatedAt: ctx.now })
    .where(and(eq(items.id, item.id), eq(items.version, item.version)))
    .returning();
  if (!updated) throw staleError();
  await insertItemEvent(ctx.tx, {
    itemId: item.id,
    kind: eventKind,
    actorPersonId: ctx.actor?.person.id ?? null,
    actorName: ctx.actorName,
    at: ctx.now,
    data: { from: item.state, to: state, ...data },
  });
  return updated;
}

/** Marks the item's open clocks that `actions` satisfy as met; returns them. */
export async function satisfyClocks(ctx: BotContext, item: ItemRow, match: (c: ClockRow) => boolean) {
  const met = (await openClocks(ctx.tx, item.id)).filter(match);
  await endClocks(
    ctx.tx,
    met.map((c) => c.id),
    { status: 'satisfied', at: ctx.now, by: ctx.actor?.person.id ?? ctx.actorName },
  );
  return met;
}

export const byAction =
  (...actions: ClockAction[]) =>
  (c: ClockRow) =>
    c.kind !== 'continuing' && actions.includes(c.action as ClockAction);

/** Starts the next 持续发布 clock (after a response, and after each 续报). */
export async function startContinuing(ctx: BotContext, item: ItemRow): Promise<ClockRow> {
  const c = ctx.pack.clocks.continuing;
  const dueAt = new Date(ctx.now.getTime() + c.everyHours * 3_600_000);
  const [row] = await insertClocks(
    ctx.tx,
    item.id,
    [
      {
        kind: c.kind,
        label: c.label,
        action: 'publish',
        startsAt: ctx.now,
        dueAt,
        reminders: [new Date(dueAt.getTime() - 3_600_000)],
        unknownYears: [],
      },
    ],
    ctx.now,
  );
  return row as ClockRow;
}

/** Replaces a card the bot sent earlier with `card`. */
export const redrawCard = (
  ctx: BotContext,
  m: { platform: string; chatId: string; messageId: string },
  card: CardSpec,
) =>
  enqueue(
    ctx.tx,
    [
      {
        platform: m.platform,
        op: 'update',
        chatId: m.chatId,
        targetMessageId: m.messageId,
        payload: { kind: 'card', card },
      },
    ],
    ctx.now,
  );

/** Redraws the item's cards in every chat and its clock card, after a change. */
export async function refreshItem(ctx: BotContext, item: ItemRow): Promise<void> {
  const cards = await ctx.tx.select().from(itemMessages).where(eq(itemMessages.itemId, item.id));
  for (const m of cards.filter((x) => x.kind === 'card' && x.platform === item.platform)) {
    await redrawCard(ctx, m, await itemCardFor(ctx, item, await chatUnit(ctx.tx, m.platform, m.chatId)));
  }
  await refreshClockCard(ctx.tx, ctx.pack, item, ctx.now);
}

/** After the facts changed (研判, 延期): re-plans the clocks and redraws the item; returns the clocks added. */
export async function replanAndRefresh(ctx: BotContext, item: ItemRow): Promise<ClockRow[]> {
  const added = await replanClocks(
    ctx.tx,
    ctx.pack,
    item,
    ctx.now,
    ctx.actor?.person.id ?? ctx.actorName,
    ctx.log,
  );
  await refreshItem(ctx, item);
  return added;
}
