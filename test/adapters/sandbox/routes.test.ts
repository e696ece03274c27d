import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertSandboxMessage } from '../../../db/repos/sandbox-repo.js';
import { sandboxMessages } from '../../../db/schema.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { useHarness } from '../../helpers/harness.js';

describe.each(DB_KINDS)('sandbox message polling (%s)', (kind) => {
  const t = useHarness(kind);

  it('polling returns a message whose revision committed after a higher one was already read', async () => {
    const { h } = t;
    await h.say('cac-ofc-1', 'sb-lobby', '/帮助');
    const first = await h.service.app.request('/sandbox/api/messages?chatId=sb-lobby&after=0');
    const { rev } = (await first.json()) as { rev: number };
    const late = await insertSandboxMessage(h.db, {
      chatId: 'sb-lobby',
      senderPersonId: null,
      senderName: '回音',
      replyTo: null,
      threadRoot: null,
      content: { kind: 'text', parts: [{ t: 'text', v: '迟到的提交' }] },
      createdAt: h.clock.now(),
      sendKey: null,
    });
    // Its revision was taken before the ones the poller has seen.
    await h.db.update(sandboxMessages).set({ rev: 1 }).where(eq(sandboxMessages.id, late.id));
    const poll = async () => {
      const res = await h.service.app.request(`/sandbox/api/messages?chatId=sb-lobby&after=${rev}`);
      return ((await res.json()) as { messages: { id: string }[] }).messages.map((m) => m.id);
    };
    expect(await poll()).toContain(String(late.id));
    h.clock.advance(11_000);
    expect(await poll()).not.toContain(String(late.id));
    const bad = await h.service.app.request('/sandbox/api/messages?chatId=sb-lobby&after=abc');
    expect(bad.status).toBe(400);
  });
});

describe('sandbox page assets', () => {
  const t = useHarness('postgres');

  it('serves the page stylesheets and scripts from /sandbox/assets/, and no other file', async () => {
    const { h } = t;
    const js = await h.service.app.request('/sandbox/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain("from './render.js'");
    const css = await h.service.app.request('/sandbox/assets/card.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const path of ['routes.ts', 'page.html', '..%2Froutes.ts', '.%2E%2Fsender.ts'])
      expect((await h.service.app.request(`/sandbox/assets/${path}`)).status).toBe(404);
  });
});
