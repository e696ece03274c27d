// Messages into the DOM: text with @-mentions, threads, and cards with their buttons, selects and forms.
import { $, el } from './dom.js';

/** Form fields being filled in, by message, form and field. */
const drafts = new Map();

function fmtTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

// Render Part[] into a fragment; mentions become pills, newlines are kept via CSS pre-wrap.
function renderParts(parts, view) {
  const frag = document.createDocumentFragment();
  for (const p of parts || []) {
    if (p.t === 'at') {
      frag.appendChild(el('span', { class: `at${p.id === view.personId ? ' me' : ''}` }, `@${p.name}`));
    } else if (p.t === 'text') {
      frag.appendChild(document.createTextNode(p.v == null ? '' : String(p.v)));
    }
  }
  return frag;
}

function plainText(msg) {
  if (!msg) return '';
  if (msg.content.kind === 'card') return msg.content.card.title || '';
  return (msg.content.parts || []).map((p) => (p.t === 'at' ? `@${p.name}` : p.v || '')).join('');
}

function renderCard(msg, view) {
  const card = msg.content.card;
  const tpl = ['blue', 'red', 'orange', 'green', 'grey'].includes(card.template) ? card.template : 'blue';
  const inner = el('div', { class: 'card-inner' });
  if (card.fields?.length) {
    const grid = el('div', { class: 'fields' });
    for (const f of card.fields) {
      grid.appendChild(
        el(
          'div',
          null,
          el('div', { class: 'field-label' }, f.label),
          el('div', { class: 'field-value' }, f.value),
        ),
      );
    }
    inner.appendChild(grid);
  }
  if (card.body?.length) inner.appendChild(el('div', { class: 'card-body' }, renderParts(card.body, view)));
  if (card.note?.length) inner.appendChild(el('div', { class: 'card-note' }, renderParts(card.note, view)));
  if (card.buttons?.length) inner.appendChild(buttonRow(card.buttons, msg.id, () => ({}), view));
  for (const sel of card.selects || []) {
    const select = el('select', null, el('option', { value: '' }, sel.placeholder));
    for (const o of sel.options) select.appendChild(el('option', { value: o.value }, o.label));
    select.addEventListener('change', () => {
      if (select.value) view.onAction(select, msg.id, sel.value, { option: select.value });
    });
    inner.appendChild(el('div', { class: 'card-select' }, select));
  }
  for (const form of card.forms || []) inner.appendChild(renderForm(msg, form, view));
  return el('div', { class: 'card' }, el('div', { class: `card-head tpl-${tpl}` }, card.title), inner);
}

function renderForm(msg, form, view) {
  const box = el(
    'div',
    { class: 'card-form', 'data-form': form.name },
    el('div', { class: 'card-form-title' }, form.title),
  );
  const inputs = {};
  // The chat is redrawn whenever a message arrives: what is typed into a form is kept aside.
  const key = (name) => `${msg.id}:${form.name}:${name}`;
  for (const f of form.fields) {
    if (f.kind === 'check') {
      const cb = el('input', { type: 'checkbox', name: f.name });
      cb.checked = drafts.get(key(f.name)) === true;
      cb.addEventListener('change', () => drafts.set(key(f.name), cb.checked));
      inputs[f.name] = cb;
      box.appendChild(el('label', { class: 'check' }, cb, f.label));
    } else {
      const input = f.multiline
        ? el('textarea', { name: f.name, placeholder: f.placeholder })
        : el('input', { type: 'text', name: f.name, placeholder: f.placeholder });
      input.value = drafts.get(key(f.name)) || '';
      input.addEventListener('input', () => drafts.set(key(f.name), input.value));
      inputs[f.name] = input;
      box.appendChild(el('label', null, f.label));
      box.appendChild(input);
    }
  }
  const values = () => {
    const out = {};
    for (const [name, node] of Object.entries(inputs))
      out[name] = node.type === 'checkbox' ? node.checked : node.value;
    return { form: out };
  };
  box.appendChild(buttonRow(form.buttons, msg.id, values, view));
  return box;
}

function buttonRow(buttons, messageId, extra, view) {
  const row = el('div', { class: 'card-buttons' });
  for (const b of buttons) {
    const style = b.style === 'primary' || b.style === 'danger' ? b.style : 'default';
    const btn = el('button', { class: style }, b.label);
    btn.addEventListener('click', () => view.onAction(btn, messageId, b.value, extra()));
    row.appendChild(btn);
  }
  return row;
}

function renderMessage(msg, msgs, view) {
  const isBot = msg.sender.kind === 'bot';
  const mine = !isBot && msg.sender.personId === view.personId;
  const isThread = msg.threadRoot && msg.threadRoot !== msg.id;
  const wrap = el('div', {
    class: `msg${mine ? ' mine' : ''}${isThread ? ' thread' : ''}`,
    'data-id': msg.id,
  });
  wrap.appendChild(
    el(
      'div',
      { class: 'meta' },
      isBot ? el('span', { class: 'bot-badge' }, '机器人') : null,
      el('span', null, msg.sender.name || ''),
      el('span', null, fmtTime(msg.createdAt)),
    ),
  );
  if (isThread) {
    const root = msgs.get(msg.threadRoot);
    const text = root ? plainText(root).replace(/\s+/g, ' ').slice(0, 30) : '（原消息不可见）';
    const jump = () => scrollToMsg(msg.threadRoot);
    wrap.appendChild(el('div', { class: 'quote', title: '跳转到话题', onclick: jump }, `回复话题：${text}`));
  }
  wrap.appendChild(
    msg.content.kind === 'card'
      ? renderCard(msg, view)
      : el('div', { class: 'bubble' }, renderParts(msg.content.parts, view)),
  );
  return wrap;
}

function scrollToMsg(id) {
  const box = $('messages');
  const node = Array.from(box.children).find((n) => n.dataset && n.dataset.id === id);
  if (!node) return;
  node.scrollIntoView({ behavior: 'smooth', block: 'center' });
  node.classList.add('flash');
  setTimeout(() => node.classList.remove('flash'), 1500);
}

function sortedMessages(chat) {
  return Array.from(chat.msgs.values()).sort(
    (a, b) =>
      (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * Redraws the open chat from `state`; `onAction(control, messageId, value, extra)` runs when a
 * card's button, select or form is used. Keeps the scroll position unless at the bottom.
 */
export function renderMessages(state, onAction, forceBottom) {
  const view = { personId: state.personId, onAction };
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const prevTop = box.scrollTop;
  const chatInfo = state.chats.find((c) => c.id === state.chatId);
  $('chat-title').textContent = chatInfo ? chatInfo.name : '请选择群聊';
  box.replaceChildren();
  const chat = state.perChat.get(state.chatId);
  if (!chat?.loaded) {
    box.appendChild(el('div', { class: 'empty' }, '加载中…'));
    return;
  }
  const list = sortedMessages(chat);
  if (!list.length) box.appendChild(el('div', { class: 'empty' }, '暂无消息，发一条试试吧'));
  for (const m of list) box.appendChild(renderMessage(m, chat.msgs, view));
  box.scrollTop = forceBottom || atBottom ? box.scrollHeight : prevTop;
}
