import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import type { Database, Db } from '../../../db/client.js';
import { chatBindings, inbox, items, outbox } from '../../../db/schema.js';
import { WecomAdapter } from '../../../src/adapters/wecom/adapter.js';
import { WECOM_MAX_BYTES } from '../../../src/adapters/wecom/render.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { createService, type Service } from '../../../src/service.js';
import { FakeClock } from '../../helpers/clock.js';
import { DB_KINDS, freshDatabase, useDatabase } from '../../helpers/databases.js';
import { fixtureOrg } from '../../helpers/fixtures.js';
import { testEnv } from '../../helpers/harness.js';

interface Said {
  room: string;
  text: string;
  mentions: string[];
}

/** A mock puppet whose sends are recorded with their mention ids (the mock itself drops them). */
function recordingPuppet(mocker: mock.Mocker, said: Said[], opts: { failStarts?: number } = {}) {
  let failStarts = opts.failStarts ?? 0;
  const puppet = new PuppetMock({ mocker });
  const send = puppet.messageSendText.bind(puppet);
  puppet.messageSendText = async (conversationId: string, text: string, mentionIdList?: string[]) => {
    said.push({ room: conversationId, text, mentions: mentionIdList ?? [] });
    // biome-ignore lint/suspicious/noExplicitAny: the mock's own signature takes the mentions too
    return (send as any)(conversationId, text, mentionIdList);
  };
  const start = puppet.start.bind(puppet);
  puppet.start = async () => {
    if (failStarts-- > 0) throw new Error('puppet service unreachable');
    await start();
  };
  return puppet;
}

/**
 * Waits for something the mock's events and the adapter's async handlers bring about: polls the
 * condition, with a timeout far beyond what any machine needs (no clock involved).
 */
async function until(check: () => Promise<boolean> | boolean, what: string) {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`still waiting for ${what}`);
    },
    { timeout: 20_000, interval: 5 },
  );
}

/** One department and its government office, for the failure tests. */
const EDU_ORG = fixtureOrg('wecom-edu');

describe.each(DB_KINDS)('WeCom through wechaty and the mock puppet (%s)', (kind) => {
  // Every test gets its own mock WeCom and service on an emptied database: none depends on what another did.
  const db = useDatabase(kind);
  let clock: FakeClock;
  let said: Said[];
  let logs: string[];
  let database: Database;
  let service: Service;
  let mocker: mock.Mocker;
  let puppet: PuppetMock;
  let people: Record<string, ReturnType<mock.Mocker['createContact']>>;
  let rooms: Record<string, ReturnType<mock.Mocker['createRoom']>>;

  beforeEach(async () => {
    clock = new FakeClock('2026-11-22T03:00:00Z');
    said = [];
    logs = [];
    people = {};
    rooms = {};
    mocker = new mock.Mocker();
    people.bot = mocker.createContact({ name: '回音' });
    people.wm = mocker.createContact({ id: 'wm-1', name: '王敏' });
    people.lq = mocker.createContact({ name: '李强' }); // listed in the org file by name
    people.zl = mocker.createContact({ id: 'zl-1', name: '赵丽' });
    people.lzl = mocker.createContact({ id: 'lzl-1', name: '李自林' });
    people.zjg = mocker.createContact({ id: 'zjg-1', name: '周建国' });
    const all = Object.values(people).map((c) => c.id);
    rooms.edu = mocker.createRoom({ topic: '测试省教育厅舆情工作群', memberIdList: all });
    // The org file names this room by its id.
    rooms.office = mocker.createRoom({
      id: 'r-office@chatroom',
      topic: '省政府办公厅值班群',
      memberIdList: all,
    });
    rooms.lobby = mocker.createRoom({ topic: '舆情监测群', memberIdList: all });
    rooms.fresh = mocker.createRoom({ topic: '新建的教育舆情群', memberIdList: all });
    rooms.dup1 = mocker.createRoom({ topic: '环保舆情群', memberIdList: all });
    rooms.dup2 = mocker.createRoom({ topic: '环保舆情群', memberIdList: all });
    database = db.database;
    puppet = recordingPuppet(mocker, said);
    service = await createService({
      env: testEnv({ orgFile: fixtureOrg('wecom-rooms'), sandbox: false }),
      wecom: { puppet },
      log: createLogger('warn', (line) => logs.push(line)),
      clock,
      database,
    });
    await service.start();
    await until(() => puppet.state.active() === true, 'the puppet to start');
    mocker.login(people.bot as ReturnType<mock.Mocker['createContact']>);
    // Logged in means the rooms are learned too: the edu room is bound by its topic and the
    // shared topic was reported before any command can arrive.
    await service.wecom?.whenLoggedIn();
    const edu = await database.db.select().from(chatBindings).where(eq(chatBindings.unitId, 'edu'));
    expect(edu.map((b) => b.chatId)).toContain(rooms.edu?.id);
    expect(logs.some((l) => l.includes('wecom room topic is not unique'))).toBe(true);
  });
  afterEach(async () => {
    await service?.close();
  });

  const inboxCount = async () => (await database.db.select({ n: count() }).from(inbox))[0]?.n ?? 0;
  /** A person says something in a room; waits until the bot has stored it (or decided to ignore it). */
  async function say(who: string, room: string, text: string, mentions: string[] = []) {
    const before = await inboxCount();
    const from = people[who] as ReturnType<mock.Mocker['createContact']>;
    from
      .say(
        text,
        mentions.map((m) => people[m] as ReturnType<mock.Mocker['createContact']>),
      )
      .to(rooms[room]);
    await until(async () => (await inboxCount()) > before, `"${text}" to be stored`);
    await settle();
  }
  const settle = async () => {
    while (
      (await service.inbox.drain()) + (await service.timers.drain()) + (await service.outbox.drain()) >
      0
    );
  };
  const inRoom = (room: string) => said.filter((m) => m.room === rooms[room]?.id);
  const numberIn = (text: string) => /YQ\d{8}-\d{3}/.exec(text)?.[0] as string;
  /** The school-canteen item of the first test, reported afresh for a test that works on it. */
  async function reportCanteenItem() {
    await say('lzl', 'lobby', '/上报 “某中学食堂疑似食物中毒” 类别:教育 级别:重大');
    const [item] = await database.db.select().from(items);
    if (!item) throw new Error('no item');
    return item;
  }

  it('a report is routed to the unit room, @-mentioning the spokesperson, as text with the commands to type', async () => {
    await say('lzl', 'lobby', '/上报 “某中学食堂疑似食物中毒” 类别:教育 级别:重大');
    const card = inRoom('edu').find((m) => m.text.startsWith('【舆情 YQ'));
    expect(card).toBeDefined();
    const number = numberIn(card?.text ?? '');
    // The spokesperson by contact id, the leader (重大) by the name the org file lists him under.
    expect(card?.mentions).toEqual(['wm-1', people.lq?.id]);
    expect(card?.text).toContain('@王敏');
    expect(card?.text).toContain(`回复「/认领 ${number}」认领`);
    expect(card?.text).toContain(
      `回复「/研判 ${number} 级别:重大」研判定级（领导、审核人），可选：特别重大、重大、较大、一般`,
    );
    // The reporter's room (not bound to a unit) gets the confirmation; the bound office room its 抄送.
    expect(
      inRoom('lobby').some((m) => m.text.includes(`✅ 已上报 ${number}《某中学食堂疑似食物中毒》`)),
    ).toBe(true);
    expect(inRoom('office').some((m) => m.text.startsWith(`【抄送】${number}`))).toBe(true);
    // The bot's own messages came back from the puppet as messages: none was taken as a command.
    // Mentions by contact id and by name resolve among the room's members, without errors.
    expect(logs.filter((l) => l.includes('"level":"warn"') || l.includes('"level":"error"'))).toEqual([
      expect.stringContaining('wecom room topic is not unique'),
    ]);
  });

  it('a topic two rooms share binds neither: the unit keeps its topic until an admin uses /绑定', async () => {
    const bound = (
      await database.db.select().from(chatBindings).where(eq(chatBindings.unitId, 'hbt'))
    ).filter((b) => b.platform === 'wecom');
    expect(bound.map((b) => b.chatId)).toEqual(['环保舆情群']);
    expect(logs.some((l) => l.includes('wecom room topic is not unique') && l.includes('环保舆情群'))).toBe(
      true,
    );
  });

  it('claim, grade and approve by text; every message about the item starts with its number and title', async () => {
    const item = await reportCanteenItem();
    const number = item.number;
    const before = inRoom('edu').length;
    await say('wm', 'edu', `/认领 ${number}`);
    await say('lq', 'edu', `@回音 /研判 ${number} 级别:重大 突发`, ['bot']);
    await say('wm', 'edu', `/口径 ${number} 经核查，该校食堂已停业整顿。`);
    const approval = inRoom('edu').find((m) => m.text.startsWith(`【口径审核 ${number}`));
    expect(approval?.mentions).toEqual(['zl-1']);
    expect(approval?.text).toContain(`回复「/同意 ${number} 保密审查」同意`);
    await say('zl', 'edu', `/同意 ${number} 保密审查`);
    const [after] = await database.db.select().from(items).where(eq(items.number, number));
    expect(after).toMatchObject({ state: 'responding', level: '重大', claimedByPersonId: 'edu-spk' });
    const news = inRoom('edu').slice(before);
    expect(news.some((m) => m.text.includes(`已由王敏认领`))).toBe(true);
    expect(news.some((m) => m.text.includes('研判为「重大」'))).toBe(true);
    expect(news.some((m) => m.text.includes(`📢【统一口径】${number}`))).toBe(true);
    for (const m of news)
      expect(m.text.split('\n')[0], m.text).toMatch(new RegExp(`${number}.*某中学食堂疑似食物中毒`));
  });

  it('a reminder arrives in the unit room, @-mentioning who claimed the item', async () => {
    const item = await reportCanteenItem();
    await say('wm', 'edu', `/认领 ${item.number}`);
    const before = inRoom('edu').length;
    clock.set(new Date(item.occurredAt.getTime() + 50 * 60_000));
    await settle();
    const reminders = inRoom('edu')
      .slice(before)
      .filter((m) => m.text.includes('⏰'));
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders[0]?.text.split('\n')[0]).toContain(`${item?.number}《某中学食堂疑似食物中毒》`);
    expect(reminders[0]?.mentions).toContain('wm-1');

    // Past the deadline: 超时 in the unit room, 督办 in the government office's room.
    clock.set(new Date(item.occurredAt.getTime() + 61 * 60_000));
    await settle();
    expect(inRoom('edu').some((m) => m.text.includes('🚨') && m.text.includes(item.number))).toBe(true);
    expect(inRoom('office').some((m) => m.text.startsWith(`【督办】${item.number}`))).toBe(true);
  });

  it('a reply that is not about one item gets no item header', async () => {
    await say('wm', 'edu', '/列表');
    expect(inRoom('edu').at(-1)?.text.startsWith('测试省教育厅的未办结舆情')).toBe(true);
  });

  it('the bot ignores its own messages, and chatter that is neither a command nor for it', async () => {
    const before = await inboxCount();
    const room = await service.wecom?.['bot']?.Room.find({ id: rooms.edu?.id as string });
    await room?.say('/帮助');
    people.wm?.say('大家辛苦了').to(rooms.edu);
    await say('wm', 'edu', '/帮助');
    expect(await inboxCount()).toBe(before + 1);
  });

  it('a puppet error is logged and the bot keeps working', async () => {
    puppet.emit('error', { gerror: 'connection reset by peer' });
    await until(() => logs.some((l) => l.includes('wecom puppet error')), 'the error to be logged');
    const before = inRoom('edu').length;
    await say('wm', 'edu', '/帮助');
    // The command list is long: it arrives in parts, each under WeCom's size limit.
    const parts = inRoom('edu').slice(before);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p.text, 'utf8')).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(parts[0]?.text.startsWith('回音舆情助手')).toBe(true);
    expect(parts[1]?.text.startsWith(`（续2/${parts.length}）`)).toBe(true);
  });

  it('/绑定 in a room makes it the unit room: the next card goes there', async () => {
    await say('zjg', 'fresh', '/绑定 单位:测试省教育厅');
    expect(inRoom('fresh').at(-1)?.text).toContain('本群已绑定为测试省教育厅的舆情工作群');
    await say('lzl', 'lobby', '/上报 “某校校车超载” 类别:教育');
    expect(
      inRoom('fresh').some((m) => m.text.startsWith('【舆情 YQ') && m.text.includes('某校校车超载')),
    ).toBe(true);
  });
});

describe('WeCom when the database fails', () => {
  it('a message that cannot be stored after the retries is answered with a busy notice, not silence', async () => {
    const mocker = new mock.Mocker();
    const said: Said[] = [];
    const logs: string[] = [];
    const pauses: number[] = [];
    const bot = mocker.createContact({ name: '回音' });
    const wm = mocker.createContact({ id: 'wm-1', name: '王敏' });
    const room = mocker.createRoom({ topic: '测试省教育厅舆情工作群', memberIdList: [bot.id, wm.id] });
    // Every query fails, as when the database has gone away.
    const down = new Proxy({} as Db, {
      get: () => () => {
        throw new Error('connection refused');
      },
    });
    const adapter = new WecomAdapter({
      cfg: { puppet: recordingPuppet(mocker, said) },
      db: down,
      log: createLogger('warn', (line) => logs.push(line)),
      metrics: new Metrics(down),
      now: () => new Date('2026-11-22T03:00:00Z'),
      onAccepted: () => {},
      pause: async (ms) => {
        pauses.push(ms);
      },
    });
    try {
      await adapter.start();
      mocker.login(bot);
      await until(() => adapter.loggedIn, 'the login');
      wm.say('/认领 YQ20261122-001').to(room);
      await until(() => said.length > 0, 'the busy notice');
      expect(pauses).toEqual([200, 500, 1000, 2000, 3000]);
      expect(said).toEqual([
        {
          room: room.id,
          text: '⚠️ 系统繁忙，未能受理这条消息，请稍后重新发送：/认领 YQ20261122-001',
          mentions: [],
        },
      ]);
      expect(
        logs.some((l) => l.includes('wecom message not stored') && l.includes('connection refused')),
      ).toBe(true);
    } finally {
      await adapter.stop();
    }
  });
});

describe('WeCom when the puppet fails', () => {
  it('a restart that falls due after the bot logged in again by itself does nothing', async () => {
    const mocker = new mock.Mocker();
    const logs: string[] = [];
    const retries: (() => void)[] = [];
    const bot = mocker.createContact({ name: '回音' });
    const wm = mocker.createContact({ id: 'wm-1', name: '王敏' });
    const room = mocker.createRoom({ topic: '测试省教育厅舆情工作群', memberIdList: [bot.id, wm.id] });
    const database = await freshDatabase('pglite');
    const puppet = recordingPuppet(mocker, []);
    const service = await createService({
      env: testEnv({ orgFile: EDU_ORG, sandbox: false }),
      wecom: { puppet },
      wecomSchedule: (fn) => retries.push(fn),
      log: createLogger('warn', (line) => logs.push(line)),
      database,
    });
    try {
      await service.wecom?.start();
      puppet.emit('error', { gerror: 'stream closed' });
      await until(() => retries.length === 1, 'a restart to be scheduled');
      mocker.login(bot);
      await service.wecom?.whenLoggedIn();
      (retries.shift() as () => void)();
      // The bot still hears the room: a restart would have stopped it, and this message been lost.
      wm.say('/帮助').to(room);
      await until(
        async () => (await database.db.select({ n: count() }).from(inbox))[0]?.n === 1,
        'the message to be stored',
      );
      expect(service.wecom?.loggedIn).toBe(true);
      expect(retries).toEqual([]);
      expect(logs.some((l) => l.includes('logged out'))).toBe(false);
    } finally {
      await service.close();
      await database.close();
    }
  });

  it('a failed start and a lost login are retried; what the bot had to say waits in the outbox meanwhile', async () => {
    const mocker = new mock.Mocker();
    const said: Said[] = [];
    const logs: string[] = [];
    const retries: (() => void)[] = [];
    const clock = new FakeClock('2026-11-22T03:00:00Z');
    const bot = mocker.createContact({ name: '回音' });
    const wm = mocker.createContact({ id: 'wm-1', name: '王敏' });
    const room = mocker.createRoom({ topic: '测试省教育厅舆情工作群', memberIdList: [bot.id, wm.id] });
    const database = await freshDatabase('pglite');
    const puppet = recordingPuppet(mocker, said, { failStarts: 1 });
    const service = await createService({
      env: testEnv({
        orgFile: EDU_ORG,
        sandbox: false,
      }),
      wecom: { puppet },
      wecomSchedule: (fn) => retries.push(fn),
      log: createLogger('warn', (line) => logs.push(line)),
      clock,
      database,
    });
    const drain = async () => {
      while (
        (await service.inbox.drain()) + (await service.timers.drain()) + (await service.outbox.drain()) >
        0
      );
    };
    try {
      // The puppet cannot be reached: the start is logged and tried again. (The runners are
      // driven by hand here, so each step can be seen.)
      await service.wecom?.start();
      await until(() => retries.length === 1, 'the failed start to be rescheduled');
      // wechaty reports a failed start as an error event; either way it is logged and retried.
      expect(logs.some((l) => l.includes('"level":"warn"') && l.includes('puppet service unreachable'))).toBe(
        true,
      );
      (retries.shift() as () => void)();
      await until(() => puppet.state.active() === true, 'the second start');
      mocker.login(bot);
      await service.wecom?.whenLoggedIn();

      // An item with a 1 h clock, reported while all is well.
      const stored = async () => (await database.db.select({ n: count() }).from(inbox))[0]?.n ?? 0;
      wm.say('/上报 “某校食堂疑似食物中毒” 类别:教育 级别:重大').to(room);
      await until(async () => (await stored()) === 1, 'the report to be stored');
      await drain();
      const before = said.length;
      expect(said.some((m) => m.text.startsWith('【舆情 YQ'))).toBe(true);

      // The login is lost: the reminder that falls due meanwhile waits, without counting a failure.
      await puppet.logout();
      await until(() => retries.length === 1, 'the logout to be rescheduled');
      expect(logs.some((l) => l.includes('wecom bot logged out'))).toBe(true);
      clock.advance(50 * 60_000);
      await drain();
      expect(said.length).toBe(before);
      const held = (await database.db.select().from(outbox)).filter((r) => r.status === 'pending');
      expect(held.length).toBeGreaterThan(0);
      expect(held.every((r) => r.attempts === 0)).toBe(true);

      // Back again: the reminders go out.
      (retries.shift() as () => void)();
      await until(() => puppet.state.active() === true, 'the restart');
      mocker.login(bot);
      await service.wecom?.whenLoggedIn();
      clock.advance(5_000);
      await drain();
      expect(said.slice(before).some((m) => m.text.includes('⏰') && m.mentions.includes('wm-1'))).toBe(true);
    } finally {
      await service.close();
      await database.close();
    }
  });
});
