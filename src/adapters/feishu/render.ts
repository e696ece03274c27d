import type { CardSpec, OutMessage, Part } from '../../bot/message.js';

/** Feishu's message body for im.message.create / reply: msg_type and its JSON content string. */
export interface FeishuContent {
  msgType: 'text' | 'interactive';
  content: string;
}

// A user's text must not become markup: an injected `<at user_id="all">` would @ everyone.
const neutraliseText = (s: string) => s.replace(/<(\/?at)/gi, '＜$1');

// Card markdown: characters that would format or tag, as HTML entities.
const MD_ENTITIES: Record<string, string> = {
  '&': '&#38;',
  '<': '&#60;',
  '>': '&#62;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '[': '&#91;',
  ']': '&#93;',
  '`': '&#96;',
};
export const escapeMarkdown = (s: string) => s.replace(/[&<>*_~[\]`]/g, (c) => MD_ENTITIES[c] as string);

/** Text message content with real @-mentions: `<at user_id="ou_x">名字</at>`. */
export function renderText(parts: Part[]): string {
  const text = parts
    .map((p) =>
      p.t === 'text' ? neutraliseText(p.v) : `<at user_id="${p.id}">${neutraliseText(p.name)}</at>`,
    )
    .join('');
  return JSON.stringify({ text });
}

/** Card markdown with mentions as `<at id=ou_x></at>`. */
export const renderMarkdown = (parts: Part[]) =>
  parts.map((p) => (p.t === 'text' ? escapeMarkdown(p.v) : `<at id=${p.id}></at>`)).join('');

/** A platform-neutral card as Feishu card JSON 2.0 (shared card, so patches reach everyone). */
export function renderCard(card: CardSpec): Record<string, unknown> {
  const elements: Record<string, unknown>[] = [];
  if (card.fields.length > 0) {
    elements.push({
      tag: 'markdown',
      content: card.fields
        .map((f) => `**${escapeMarkdown(f.label)}**：${escapeMarkdown(f.value)}`)
        .join('\n'),
    });
  }
  if (card.body.length > 0) elements.push({ tag: 'markdown', content: renderMarkdown(card.body) });
  if (card.note && card.note.length > 0) {
    elements.push({ tag: 'markdown', content: renderMarkdown(card.note), text_size: 'notation' });
  }
  if (card.buttons.length > 0) {
    elements.push({
      tag: 'column_set',
      columns: card.buttons.map((b) => ({
        tag: 'column',
        width: 'auto',
        elements: [
          {
            tag: 'button',
            text: { tag: 'plain_text', content: b.label },
            type: b.style === 'primary' ? 'primary' : b.style === 'danger' ? 'danger' : 'default',
            behaviors: [{ type: 'callback', value: b.value }],
          },
        ],
      })),
    });
  }
  return {
    schema: '2.0',
    config: { update_multi: true },
    header: { title: { tag: 'plain_text', content: card.title }, template: card.template ?? 'blue' },
    body: { elements },
  };
}

export function renderContent(message: OutMessage): FeishuContent {
  if (message.kind === 'text') return { msgType: 'text', content: renderText(message.parts) };
  return { msgType: 'interactive', content: JSON.stringify(renderCard(message.card)) };
}
