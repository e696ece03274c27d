import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client.js';
import { freshDatabase } from '../../helpers/databases.js';
import { type Harness, startHarness } from '../../helpers/harness.js';

// Debian's package, never a browser Playwright downloads.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const REPORT = '/上报 “某小学食堂饭菜变质” 类别:教育 级别:较大 来源:微博 事发:30分钟前';

/**
 * The sandbox page in headless Chromium against the real service on Postgres, as README's
 * walkthrough has a person use it. The runners run as in `npm start` (woken by each event and
 * every second), so the page's one-second polling sees the bot's replies; the clock is fake and
 * stands still, so no time limit falls due.
 */
describe('the sandbox page in a browser', () => {
  let database: Database | undefined;
  let h: Harness | undefined;
  let server: ServerType | undefined;
  let profile: string | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: the sandbox page test runs in Debian's Chromium. ` +
          'Install it with `apt-get install chromium` (.ci/run does this in CI).',
      );
    database = await freshDatabase('postgres');
    h = await startHarness(database);
    await h.service.start();
    const app = h.service.app;
    const listening = new Promise<AddressInfo>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, resolve);
    });
    const { port } = await listening;
    profile = mkdtempSync(join(tmpdir(), 'huiyin-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`http://127.0.0.1:${port}/sandbox`);
  });

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await h?.close();
    await database?.close();
  });

  it('reports as 李自林 in the monitoring group, then claims the card as 王敏', async () => {
    // Step 1: choose who I am and the group, send the report, read the bot's answer.
    await page.locator('#person').selectOption({ label: '李自林（省网信办·工作人员）' });
    await page.locator('.chat-item', { hasText: '舆情监测群（未绑定单位）' }).click();
    await page.locator('#chat-title', { hasText: '舆情监测群（未绑定单位）' }).waitFor();
    await page.locator('#input').fill(REPORT);
    await page.getByRole('button', { name: '发送' }).click();
    await page.locator('.msg.mine .bubble', { hasText: REPORT }).waitFor();
    const reply = page.locator('.msg .bubble', { hasText: '✅ 已上报' });
    await reply.waitFor();
    const replyText = (await reply.textContent()) ?? '';
    expect(replyText).toContain('《某小学食堂饭菜变质》');
    expect(replyText).toContain('责任单位：省教育厅');
    const number = /YQ\d{8}-\d{3}/.exec(replyText)?.[0];
    expect(number).toBeDefined();

    // Step 2: the item card in 省教育厅's group; 王敏 claims it.
    await page.locator('.chat-item', { hasText: '省教育厅舆情工作群' }).click();
    await page.locator('#chat-title', { hasText: '省教育厅舆情工作群' }).waitFor();
    const card = page.locator('.card', {
      has: page.locator('.card-head', { hasText: `舆情 ${number}｜某小学食堂饭菜变质` }),
    });
    await card.waitFor();
    expect(await card.textContent()).toContain('@王敏');
    await page.locator('#person').selectOption({ label: '王敏（省教育厅·新闻发言人）' });
    await card.getByRole('button', { name: '认领' }).click();
    await page.locator('.toast', { hasText: '已认领' }).waitFor();
    await card.filter({ hasText: '处置中' }).waitFor();
    await page.locator('.msg .bubble', { hasText: `${number}《某小学食堂饭菜变质》已由王敏认领` }).waitFor();
  }, 120_000);
});
