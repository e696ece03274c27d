// The sandbox API as the page uses it: JSON requests and polling each chat for new or edited messages.

const API = '/sandbox/api/';

/** One JSON request; an HTTP error becomes an Error with the server's message and `isHttp` set. */
export async function api(method, path, body) {
  const res = await fetch(API + path, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    /* non-JSON body */
  }
  if (!res.ok) {
    const err = new Error(data?.error || `请求失败（${res.status}）`);
    err.isHttp = true;
    throw err;
  }
  return data;
}

// Fetch new/edited messages for one chat; returns true when something changed.
async function pollChat(state, chatId) {
  const pc = state.perChat.get(chatId);
  const data = await api('GET', `messages?chatId=${encodeURIComponent(chatId)}&after=${pc.rev}`);
  let changed = !pc.loaded;
  for (const m of data.messages || []) {
    const prev = pc.msgs.get(m.id);
    if (prev && prev.rev >= m.rev) continue;
    // Count only brand-new messages from others as unread (not the initial backlog).
    const fromMe = m.sender.kind === 'user' && m.sender.personId === state.personId;
    if (!prev && pc.loaded && chatId !== state.chatId && !fromMe) pc.unread++;
    pc.msgs.set(m.id, m);
    changed = true;
  }
  if (typeof data.rev === 'number' && data.rev > pc.rev) pc.rev = data.rev;
  pc.loaded = true;
  return changed;
}

/**
 * Polls every chat once into `state.perChat`. Returns whether all polls succeeded and what
 * changed, or null when a poll is already under way.
 */
export async function pollAll(state) {
  if (state.polling) return null;
  state.polling = true;
  let ok = true;
  let changedCurrent = false;
  let changedAny = false;
  try {
    const results = await Promise.allSettled(state.chats.map((c) => pollChat(state, c.id)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        ok = false;
        return;
      }
      if (r.value) {
        changedAny = true;
        if (state.chats[i].id === state.chatId) changedCurrent = true;
      }
    });
  } finally {
    state.polling = false;
  }
  return { ok, changedAny, changedCurrent };
}

/** Asks for the directory until it answers; `setConn` shows whether the server is reachable. */
export async function loadDirectory(setConn) {
  for (;;) {
    try {
      const dir = await api('GET', 'directory');
      setConn(true);
      return dir;
    } catch {
      setConn(false);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
