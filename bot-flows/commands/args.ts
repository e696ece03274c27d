import type { BotContext } from '../../src/bot/context.js';
import type { InboundMessage } from '../../src/bot/event.js';
import { HuiyinError } from '../../src/core/errors.js';

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
