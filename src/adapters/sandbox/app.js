// The sandbox page: who I am, which chat is open, the composer with its examples, and toasts.
import { api, loadDirectory, pollAll } from './api.js';
import { $, el } from './dom.js';
import { renderMessages } from './render.js';

const ROLE_NAMES = {
  spokesperson: '新闻发言人',
  leader: '领导',
  approver: '审核人',
  officer: '工作人员',
  admin: '管理员',
};
const EXAMPLES = [
  '/帮助',
  '/上报 “某小学食堂饭菜变质” 类别:教育 级别:较大 来源:微博 事发:30分钟前',
  '/上报 “两市交界道路塌陷” 涉事:昆明市人民政府、曲靖市人民政府 类别:公共基础设施建设',
  '/列表',
  '/查询 ',
];
const LS_PERSON = 'huiyin.sandbox.person';
const LS_CHAT = 'huiyin.sandbox.chat';

const state = {
  people: [],
  chats: [],
  personId: null,
  chatId: null,
  perChat: new Map(), // chatId -> { msgs: Map<id, Message>, rev, loaded, unread }
  polling: false,
};

const showMessages = (forceBottom) => renderMessages(state, clickButton, forceBottom);

function setConn(ok) {
  $('conn').classList.toggle('show', !ok);
}

function personLabel(p) {
  const units = (p.units || [])
    .map((u) => {
      const roles = (u.roles || []).map((r) => ROLE_NAMES[r] || r).join('、');
      return roles ? `${u.name}·${roles}` : u.name;
    })
    .join('；');
  return units ? `${p.name}（${units}）` : p.name;
}

function renderChats() {
  const nav = $('chats');
  nav.replaceChildren();
  for (const c of state.chats) {
    const pc = state.perChat.get(c.id);
    const unread = pc ? pc.unread : 0;
    nav.appendChild(
      el(
        'div',
        { class: `chat-item${c.id === state.chatId ? ' active' : ''}`, onclick: () => selectChat(c.id) },
        el('span', { class: 'name', title: c.name }, c.name),
        unread > 0 ? el('span', { class: 'badge-count' }, unread > 99 ? '99+' : String(unread)) : null,
      ),
    );
  }
}

function renderPeople() {
  const sel = $('person');
  sel.replaceChildren();
  for (const p of state.people) sel.appendChild(el('option', { value: p.id }, personLabel(p)));
  sel.value = state.personId || '';
}

function selectChat(id) {
  state.chatId = id;
  localStorage.setItem(LS_CHAT, id);
  const pc = state.perChat.get(id);
  if (pc) pc.unread = 0;
  $('send-error').textContent = '';
  renderChats();
  showMessages(true);
}

async function poll() {
  const result = await pollAll(state);
  if (!result) return;
  setConn(result.ok);
  if (result.changedAny) renderChats();
  if (result.changedCurrent) showMessages(false);
}

async function send() {
  const input = $('input');
  const text = input.value;
  const errBox = $('send-error');
  if (!text.trim()) return;
  if (!state.personId || !state.chatId) {
    errBox.textContent = '请先选择身份和群聊';
    return;
  }
  errBox.textContent = '';
  $('send').disabled = true;
  try {
    await api('POST', 'messages', { personId: state.personId, chatId: state.chatId, text });
    input.value = '';
    const box = $('messages');
    box.scrollTop = box.scrollHeight; // ensure we follow our own message
    poll();
  } catch (e) {
    errBox.textContent = e.isHttp ? e.message : '发送失败：网络错误';
  } finally {
    $('send').disabled = false;
    input.focus();
  }
}

async function clickButton(btn, messageId, value, extra) {
  if (!state.personId) {
    toast({ type: 'warning', content: '请先选择身份' });
    return;
  }
  btn.disabled = true;
  try {
    const data = await api('POST', 'actions', { personId: state.personId, messageId, value, ...extra });
    if (data?.toast) toast(data.toast);
    poll();
  } catch (e) {
    toast({ type: 'error', content: e.isHttp ? e.message : '操作失败：网络错误' });
  } finally {
    btn.disabled = false;
  }
}

function toast(t) {
  const type = ['success', 'info', 'warning', 'error'].includes(t.type) ? t.type : 'info';
  const node = el('div', { class: `toast toast-${type}` }, String(t.content || ''));
  $('toasts').appendChild(node);
  setTimeout(() => node.remove(), 3000);
}

function setupComposer() {
  const input = $('input');
  for (const ex of EXAMPLES) {
    const pick = () => {
      input.value = ex;
      input.focus();
      input.setSelectionRange(ex.length, ex.length);
    };
    $('chips').appendChild(el('span', { class: 'chip', title: ex, onclick: pick }, ex.trim()));
  }
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      send();
    }
  });
  $('send').addEventListener('click', send);
  $('person').addEventListener('change', (e) => {
    state.personId = e.target.value;
    localStorage.setItem(LS_PERSON, state.personId);
    showMessages(false); // alignment and "@me" highlighting depend on the person
  });
}

async function init() {
  setupComposer();
  const dir = await loadDirectory(setConn);
  state.people = dir.people || [];
  state.chats = dir.chats || [];
  const savedPerson = localStorage.getItem(LS_PERSON);
  state.personId = state.people.some((p) => p.id === savedPerson) ? savedPerson : state.people[0]?.id || null;
  for (const c of state.chats) state.perChat.set(c.id, { msgs: new Map(), rev: 0, loaded: false, unread: 0 });
  renderPeople();
  const savedChat = localStorage.getItem(LS_CHAT);
  const first = state.chats.some((c) => c.id === savedChat) ? savedChat : state.chats[0]?.id || null;
  if (first) selectChat(first);
  else {
    renderChats();
    $('messages').replaceChildren(el('div', { class: 'empty' }, '暂无群聊'));
  }
  await poll();
  showMessages(true);
  setInterval(poll, 1000);
}

init();
