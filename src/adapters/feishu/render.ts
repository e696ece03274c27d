import type { CardSpec, FormSpec, OutMessage, Part } from '../../core/message.js';

/** Feishu's message body for im.message.create / reply: msg_type and its JSON content string. */
export interface FeishuContent {
  msgType: 'text' | 'interactive';
  content: string;
}

// A user's text must not become markup: an injected `<at user_id="all">` would @ everyone.
const neutraliseText = (s: string) => s.replace(/<(\/?at)/gi, '＜$1');

// Card markdown: characters that would format, link or tag anywhere in a line, as HTML entities.
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
  '#': '&#35;',
  '|': '&#124;',
  '\\': '&#92;',
  $: '&#36;',
};
// What starts a block only at the beginning of a line: a list or rule (- + =), an ordered
// list (1. or 1)), a setext underline (=== or ---).
const LINE_START = /(^|\n)([ \t]*)([-+=]|\d+[.)])/g;
const BLOCK_ENTITIES: Record<string, string> = { '-': '&#45;', '+': '&#43;', '=': '&#61;' };

/**
 * Text shown literally in card markdown: nothing a user typed becomes a heading, a rule, a list,
 * a link, emphasis or a tag. Every text part of a message is text (see src/core/message.ts);
 * the renderer alone adds markup.
 */
export const escapeMarkdown = (s: string) =>
  s
    .replace(/[&<>*_~[\]`#|\\$]/g, (c) => MD_ENTITIES[c] as string)
    .replace(
      LINE_START,
      (_m, brk: string, indent: string, mark: string) =>
        brk +
        indent +
        (BLOCK_ENTITIES[mark] ?? `${mark.slice(0, -1)}${mark.endsWith('.') ? '&#46;' : '&#41;'}`),
    );

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

const plain = (content: string) => ({ tag: 'plain_text', content });

const BUTTON_TYPES = { primary: 'primary', danger: 'danger', default: 'default' } as const;

function buttonRow(buttons: CardSpec['buttons'], submitOf?: string): Record<string, unknown> {
  return {
    tag: 'column_set',
    columns: buttons.map((b, i) => ({
      tag: 'column',
      width: 'auto',
      elements: [
        {
          tag: 'button',
          text: plain(b.label),
          type: BUTTON_TYPES[b.style ?? 'default'],
          // Inside a form the button submits it; every component there needs a card-unique name.
          ...(submitOf ? { name: `${submitOf}_submit_${i}`, form_action_type: 'submit' } : {}),
          behaviors: [{ type: 'callback', value: b.value }],
        },
      ],
    })),
  };
}

/** A form container: its fields come back as `form_value`, keyed by name, with the button's value. */
function renderForm(form: FormSpec): Record<string, unknown> {
  return {
    tag: 'form',
    name: form.name,
    elements: [
      { tag: 'markdown', content: `**${escapeMarkdown(form.title)}**` },
      ...form.fields.map((f) =>
        f.kind === 'check'
          ? { tag: 'checker', name: f.name, checked: false, text: plain(f.label) }
          : {
              tag: 'input',
              name: f.name,
              label: plain(f.label),
              label_position: 'top',
              placeholder: plain(f.placeholder),
              max_length: 1000,
              ...(f.multiline ? { input_type: 'multiline_text', rows: 3 } : {}),
            },
      ),
      buttonRow(form.buttons, form.name),
    ],
  };
}

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
  for (const sel of card.selects ?? []) {
    elements.push({
      tag: 'select_static',
      placeholder: plain(sel.placeholder),
      options: sel.options.map((o) => ({ text: plain(o.label), value: o.value })),
      behaviors: [{ type: 'callback', value: sel.value }],
    });
  }
  if (card.buttons.length > 0) elements.push(buttonRow(card.buttons));
  for (const form of card.forms ?? []) elements.push(renderForm(form));
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
