import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feishuClient } from '../../../src/adapters/feishu/client.js';
import { messageEventSchema, toInboundMessage } from '../../../src/adapters/feishu/parse.js';
import { escapeMarkdown, renderCard, renderText } from '../../../src/adapters/feishu/render.js';
import { FeishuSender } from '../../../src/adapters/feishu/sender.js';
import { registerSlashCommands } from '../../../src/adapters/feishu/slash-commands.js';
import { silentLogger } from '../../../src/log.js';
import { FakeFeishu, messageEvent } from '../../helpers/fake-feishu.js';

const at = new Date('2026-11-22T03:00:00Z');
const flat = (e: ReturnType<typeof messageEvent>) =>
  messageEventSchema.parse({ ...e.event, event_id: e.header.event_id });

describe('Feishu messages as normalised events', () => {
  it('resolves @_user_N keys through mentions: the bot marks the message addressed, others are kept', () => {
    const e = messageEvent({
      eventId: 'ev1',
      messageId: 'om1',
      chatId: 'oc1',
      senderOpenId: 'ou_a',
      text: '@_user_1 /转办 YQ20261122-001 @_user_2 请处理',
      mentions: [
        { key: '@_user_1', openId: 'ou_bot', name: '回音' },
        { key: '@_user_2', openId: 'ou_b', name: '王敏' },
      ],
      at,
    });
    expect(toInboundMessage(flat(e), 'ou_bot', new Date(0))).toEqual({
      kind: 'message',
      platform: 'feishu',
      eventId: 'ev1',
      chatId: 'oc1',
      chatType: 'group',
      messageId: 'om1',
      sender: { id: 'ou_a' },
      text: '@回音 /转办 YQ20261122-001 @王敏 请处理',
      mentions: [{ id: 'ou_b', name: '王敏' }],
      addressed: true,
      sentAt: at,
    });
  });

  it('a p2p message is addressed to the bot without a mention; a group message mentioning someone else is not', () => {
    const base = { eventId: 'ev', messageId: 'om', chatId: 'oc', senderOpenId: 'ou_a', at };
    const p2p = messageEvent({ ...base, text: '/帮助', chatType: 'p2p' });
    expect(toInboundMessage(flat(p2p), 'ou_bot', at)).toMatchObject({ chatType: 'p2p', addressed: true });
    const other = messageEvent({
      ...base,
      text: '@_user_1 看一下',
      mentions: [{ key: '@_user_1', openId: 'ou_b', name: '王敏' }],
    });
    expect(toInboundMessage(flat(other), 'ou_bot', at)).toMatchObject({
      addressed: false,
      text: '@王敏 看一下',
    });
    // Without the bot's id, the mention the message starts with is taken as the bot's.
    expect(toInboundMessage(flat(other), null, at)).toMatchObject({ addressed: true, mentions: [] });
  });
});

describe('rendering for Feishu', () => {
  it('text mentions are <at user_id> tags and injected tags are neutralised', () => {
    const content = renderText([
      { t: 'at', id: 'ou_x', name: '王敏' },
      { t: 'text', v: ' 请看 <at user_id="all">所有人</at>' },
    ]);
    expect(JSON.parse(content)).toEqual({
      text: '<at user_id="ou_x">王敏</at> 请看 ＜at user_id="all">所有人＜/at>',
    });
  });

  it('cards are JSON 2.0 shared cards with markdown mentions, escaped user text and callback buttons', () => {
    const card = renderCard({
      title: '舆情 YQ1｜标题',
      template: 'red',
      fields: [{ label: '标题', value: '**加粗** <at id=all></at>' }],
      body: [{ t: 'at', id: 'ou_x', name: '王敏' }],
      buttons: [{ label: '刷新', value: { a: 'refresh', item: 1, v: 2 } }],
    });
    expect(card).toEqual({
      schema: '2.0',
      config: { update_multi: true },
      header: { title: { tag: 'plain_text', content: '舆情 YQ1｜标题' }, template: 'red' },
      body: {
        elements: [
          { tag: 'markdown', content: `**标题**：${escapeMarkdown('**加粗** <at id=all></at>')}` },
          { tag: 'markdown', content: '<at id=ou_x></at>' },
          {
            tag: 'column_set',
            columns: [
              {
                tag: 'column',
                width: 'auto',
                elements: [
                  {
                    tag: 'button',
                    text: { tag: 'plain_text', content: '刷新' },
                    type: 'default',
                    behaviors: [{ type: 'callback', value: { a: 'refresh', item: 1, v: 2 } }],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    expect(escapeMarkdown('**加粗** <at id=all></at>')).not.toMatch(/[*<>]/);
  });
});

describe('FeishuSender', () => {
  let fake: FakeFeishu;
  beforeAll(async () => {
    fake = await new FakeFeishu().start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  const sender = () =>
    new FeishuSender(
      feishuClient(
        {
          appId: 'cli_s',
          appSecret: 's',
          encryptKey: undefined,
          verificationToken: 'vt',
          domain: fake.url,
          mode: 'webhook',
        },
        silentLogger,
      ),
    );
  const text = (chatId: string, key: string) => ({
    key,
    op: 'send' as const,
    chatId,
    replyTo: null,
    inThread: false,
    targetMessageId: null,
    message: { kind: 'text' as const, parts: [{ t: 'text' as const, v: key }] },
  });

  it("declares Feishu's limits (5 a second per chat, 50 for the app, counted over 1.05 s) for the outbox runner to keep", () => {
    expect(sender().limits).toEqual({ perChat: 5, perApp: 50, windowMs: 1_050 });
  });

  it('an error code that no retry can fix is reported with its code; rate limits and 5xx are retryable', async () => {
    const s = sender();
    fake.failures = [{ status: 400, code: 230002 }];
    expect(await s.send(text('oc_gone', 'g1')).catch((e: unknown) => e)).toMatchObject({
      retryable: false,
      outage: false,
      code: '230002',
      message: 'feishu HTTP 400 code 230002: injected failure',
    });
    fake.failures = [{ status: 200, code: 230020 }, { status: 502 }];
    expect(await s.send(text('oc_x', 'r1')).catch((e: unknown) => e)).toMatchObject({
      retryable: true,
      outage: true,
      code: '230020',
      retryAfterMs: 1000,
    });
    expect(await s.send(text('oc_x', 'r2')).catch((e: unknown) => e)).toMatchObject({
      retryable: true,
      outage: true,
      code: '502',
    });
  });
});

describe('npm run feishu:commands', () => {
  let fake: FakeFeishu;
  beforeAll(async () => {
    fake = await new FakeFeishu().start();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('registers the slash commands once; running again changes nothing; a changed description is updated', async () => {
    const client = feishuClient(
      {
        appId: 'cli_test',
        appSecret: 's',
        encryptKey: undefined,
        verificationToken: 'vt',
        domain: fake.url,
        mode: 'webhook',
      },
      silentLogger,
    );
    const wanted = [
      { command: 'report', description: '上报舆情（也可输入 /上报）' },
      { command: 'help', description: '查看全部命令（也可输入 /帮助）' },
    ];
    expect(await registerSlashCommands(client, wanted)).toEqual({ report: 'created', help: 'created' });
    expect(await registerSlashCommands(client, wanted)).toEqual({ report: 'unchanged', help: 'unchanged' });
    const changed = [wanted[0] as (typeof wanted)[0], { command: 'help', description: '帮助' }];
    expect(await registerSlashCommands(client, changed)).toEqual({ report: 'unchanged', help: 'updated' });
    expect([...fake.slashCommands.values()]).toEqual([
      { command: 'report', description: { default_value: '上报舆情（也可输入 /上报）' } },
      { command: 'help', description: { default_value: '帮助' } },
    ]);
  });
});
