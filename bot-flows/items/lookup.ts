import type { Db } from '../../db/client.js';
import { findItemByNumber, type ItemRow, normaliseItemNumber } from '../../db/repos/item-repo.js';
import type { BotContext } from '../../src/bot/context.js';
import type { InboundMessage } from '../../src/bot/event.js';
import { HuiyinError } from '../../src/core/errors.js';

/** The item a command names by its number, or a HuiyinError saying what is wrong. */
export async function itemByNumberArg(db: Db, arg: string | undefined): Promise<ItemRow> {
  if (!arg) throw new HuiyinError('huiyin_missing_number', '缺少舆情编号（如 YQ20261122-003）。');
  const number = normaliseItemNumber(arg);
  if (!number)
    throw new HuiyinError('huiyin_bad_number', `「${arg}」不是舆情编号，编号形如 YQ20261122-003。`);
  const item = await findItemByNumber(db, number);
  if (!item) throw new HuiyinError('huiyin_unknown_item', `没有编号为 ${number} 的舆情，请核对编号。`);
  return item;
}

/** The item a command names in its first argument. */
export async function commandItem(ctx: BotContext<InboundMessage>): Promise<ItemRow> {
  const item = await itemByNumberArg(ctx.tx, ctx.command?.positional[0]);
  ctx.about(item);
  return item;
}
