import { asc } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_PACK, policyPack } from '../../bot-flows/policies/index.js';
import { readOrgFile } from '../../db/org-file.js';
import { importOrg, loadOrg } from '../../db/repos/org-repo.js';
import { outbox } from '../../db/schema.js';
import type { BotContext } from '../../src/bot/context.js';
import { Dispatcher } from '../../src/bot/dispatcher.js';
import type { InboundMessage } from '../../src/bot/event.js';
import { HuiyinError } from '../../src/core/errors.js';
import { plainText, textMessage } from '../../src/core/message.js';
import { silentLogger } from '../../src/log.js';
import { FakeClock } from '../helpers/clock.js';
import { useDatabase } from '../helpers/databases.js';
import { fixtureOrg } from '../helpers/fixtures.js';

const now = new Date('2026-11-22T03:00:00Z');

const message = (eventId: string, text: string, o: Partial<InboundMessage> = {}): InboundMessage => ({
  kind: 'message',
  platform: 'feishu',
  eventId,
  chatId: 'oc_lobby',
  chatType: 'group',
  messageId: `om_${eventId}`,
  sender: { id: 'ou_officer' },
  text,
  mentions: [],
  addressed: false,
  sentAt: now,
  ...o,
});

describe('Dispatcher', () => {
  const t = useDatabase('pglite');
  let dispatcher: Dispatcher;
  let enqueued: number;
  let seen: string[];

  beforeEach(async () => {
    const db = t.database.db;
    await importOrg(db, readOrgFile(fixtureOrg('feishu-edu')), now);
    const org = await loadOrg(db);
    enqueued = 0;
    seen = [];
    dispatcher = new Dispatcher({
      db,
      pack: policyPack(DEFAULT_POLICY_PACK),
      org: async () => org,
      clock: new FakeClock(now),
      log: silentLogger,
      onEnqueued: () => enqueued++,
    });
    dispatcher.command({
      name: '回声',
      aliases: ['echo'],
      usage: '/回声 <内容>',
      summary: '原样回复',
      handler: async (ctx) => {
        seen.push(`handler ${ctx.command?.name}`);
        if (!ctx.command?.rest) throw new HuiyinError('huiyin_missing_text', '缺少内容。');
        await ctx.reply(textMessage(ctx.command.rest));
      },
    });
  });

  const replies = async () =>
    (await t.database.db.select().from(outbox).orderBy(asc(outbox.id))).map((r) => ({
      replyTo: r.replyTo,
      text: r.payload.kind === 'text' ? plainText(r.payload.parts as never) : r.payload.kind,
    }));

  it('a command is handled once: the same event id again is a duplicate and runs nothing', async () => {
    const event = message('ev-1', '/回声 你好');
    expect(await dispatcher.dispatch(event)).toEqual({ status: 'handled', response: {} });
    expect(await dispatcher.dispatch(event)).toEqual({ status: 'duplicate' });
    expect(seen).toEqual(['handler 回声']);
    expect(await replies()).toEqual([{ replyTo: 'om_ev-1', text: '你好' }]);
    expect(enqueued).toBe(1);
  });

  it('an English alias and any letter case find the command', async () => {
    await dispatcher.dispatch(message('ev-2', '/ECHO hi'));
    expect(seen).toEqual(['handler ECHO']);
    expect(dispatcher.findCommand('Echo')?.name).toBe('回声');
  });

  it('plain chat not addressed to the bot is ignored and not recorded', async () => {
    expect(await dispatcher.dispatch(message('ev-3', '大家好'))).toEqual({ status: 'ignored' });
    expect(await replies()).toEqual([]);
    expect(enqueued).toBe(0);
  });

  it('an unknown command is refused with the command list and the usage /帮助', async () => {
    const result = await dispatcher.dispatch(message('ev-4', '/发射 火箭'));
    expect(result).toEqual({ status: 'rejected', response: {} });
    expect(await replies()).toEqual([
      { replyTo: 'om_ev-4', text: '❌ 未知命令「/发射」。可用命令：/回声\n用法：/帮助' },
    ]);
    expect(seen).toEqual([]);
  });

  it('a refused command leaves only its reply, with the usage of the command', async () => {
    dispatcher.use(async (ctx: BotContext, next) => {
      await ctx.sendToUnit('edu', textMessage('先写后撤'));
      await next();
    });
    const result = await dispatcher.dispatch(message('ev-5', '/回声'));
    expect(result.status).toBe('rejected');
    expect(await replies()).toEqual([{ replyTo: 'om_ev-5', text: '❌ 缺少内容。\n用法：/回声 <内容>' }]);
  });

  it('middleware runs in the order it was added, before the command, and can stop it', async () => {
    dispatcher.use(async (_ctx, next) => {
      seen.push('first');
      await next();
    });
    dispatcher.use(async (ctx, next) => {
      seen.push('second');
      if (ctx.event.kind === 'message' && ctx.event.text.includes('停')) return;
      await next();
    });
    await dispatcher.dispatch(message('ev-6', '/回声 走'));
    await dispatcher.dispatch(message('ev-7', '/回声 停'));
    expect(seen).toEqual(['first', 'second', 'handler 回声', 'first', 'second']);
    expect((await replies()).map((r) => r.text)).toEqual(['走']);
  });

  it('an error that is not a HuiyinError propagates and rolls the event back, so a redelivery runs it', async () => {
    let fail = true;
    dispatcher.use(async (_ctx, next) => {
      if (fail) throw new Error('database went away');
      await next();
    });
    const event = message('ev-8', '/回声 重试');
    await expect(dispatcher.dispatch(event)).rejects.toThrow('database went away');
    expect(await replies()).toEqual([]);
    fail = false;
    expect((await dispatcher.dispatch(event)).status).toBe('handled');
    expect(await replies()).toEqual([{ replyTo: 'om_ev-8', text: '重试' }]);
  });

  it('registering a command name or alias twice is an error', () => {
    expect(() =>
      dispatcher.command({
        name: '别名',
        aliases: ['ECHO'],
        usage: '',
        summary: '',
        handler: async () => {},
      }),
    ).toThrow('command /ECHO registered twice');
  });
});
