import { and, eq, inArray } from 'drizzle-orm';
import type { Contact, Message, Room, Wechaty } from 'wechaty';
import type { Db } from '../../../db/client.js';
import { acceptEvent } from '../../../db/repos/inbox-repo.js';
import { chatBindings, people } from '../../../db/schema.js';
import type { InboundMessage } from '../../bot/event.js';
import { type OutboundMessage, type PlatformSender, SendError } from '../../bot/sender.js';
import { parseCommand } from '../../core/command-parser.js';
import type { WecomConfig } from '../../env.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import { type Piece, renderWecom } from './render.js';

export interface WecomDeps {
  cfg: WecomConfig;
  db: Db;
  log: Logger;
  metrics: Metrics;
  now: () => Date;
  /** Wakes the inbox runner once an event is stored. */
  onAccepted: () => void;
  /** Runs `fn` after `ms` (a timer; tests run it when they choose). */
  schedule?: (fn: () => void, ms: number) => void;
  /** Waits `ms` between tries to store a message (a timer; tests pass no wait). */
  pause?: (ms: number) => Promise<void>;
}

const RETRY_MAX_MS = 60_000;
/** Pauses between tries to store a received message: a database blip of up to ~7 s is ridden out. */
const STORE_PAUSES_MS = [200, 500, 1000, 2000, 3000];

const errorText = (err: unknown) =>
  err instanceof Error ? err.message : err == null ? undefined : String(err);

/** A mention-bearing text as wechaty's tagged-template call takes it: room.say(strings, ...contacts). */
const templateOf = (texts: string[]) =>
  Object.assign([...texts], { raw: [...texts] }) as TemplateStringsArray;

/**
 * WeCom (企业微信) through wechaty: room messages that carry a command or mention the bot become
 * the same normalised events as Feishu's; the outbox sends through `room.say` with real
 * @-mentions. A puppet error or a lost login is logged and the bot is started again with backoff;
 * meanwhile messages wait in the outbox.
 */
export class WecomAdapter implements PlatformSender {
  readonly platform = 'wecom';
  readonly threads = false;
  private bot: Wechaty | null = null;
  private stopped = false;
  private failures = 0;
  private restarting = false;
  /** Set while the adapter itself stops the bot: the logout that follows is not trouble. */
  private selfStopping = false;
  private loginWaiters: (() => void)[] = [];
  /** Rooms found for a binding, so a send does not list every room again; dropped when a send there fails. */
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly deps: WecomDeps) {}

  get loggedIn(): boolean {
    return this.bot?.isLoggedIn ?? false;
  }

  /** Resolves once the bot is logged in (at once if it is). */
  whenLoggedIn(): Promise<void> {
    if (this.loggedIn) return Promise.resolve();
    return new Promise((resolve) => this.loginWaiters.push(resolve));
  }

  /** Starts the bot; never throws: a failed start is logged and tried again. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.launch();
  }

  private async launch(): Promise<void> {
    try {
      this.bot ??= await this.build();
      await this.bot.start();
      const { puppet } = this.deps.cfg;
      this.deps.log.info('wecom started', { puppet: typeof puppet === 'string' ? puppet : 'instance' });
    } catch (err) {
      this.onTrouble('wecom start failed', err);
    }
  }

  /** The bot, with its puppet from the config and our handlers; wechaty is loaded only when WeCom is on. */
  private async build(): Promise<Wechaty> {
    const { WechatyBuilder, log: wechatyLog } = await import('wechaty');
    // Its own console logging only for errors: what matters is logged here, as JSON.
    wechatyLog.level('error');
    const { cfg } = this.deps;
    const bot =
      typeof cfg.puppet === 'string'
        ? WechatyBuilder.build({
            name: cfg.name,
            // biome-ignore lint/suspicious/noExplicitAny: wechaty types the name as a union of known puppets
            puppet: cfg.puppet as any,
            puppetOptions: cfg.puppetOptions,
          })
        : WechatyBuilder.build({ name: cfg.name, puppet: cfg.puppet });
    bot.on('message', (msg: Message) => void this.onMessage(msg));
    bot.on('error', (err: unknown) => this.onTrouble('wecom puppet error', err));
    bot.on('logout', () => this.onTrouble('wecom bot logged out', null));
    bot.on('scan', (qrcode: string, status: number) =>
      this.deps.log.info('wecom scan', { status, qrcode: qrcode?.slice(0, 200) }),
    );
    bot.on('login', () => {
      this.failures = 0;
      this.deps.log.info('wecom logged in', { bot: bot.currentUser.id });
      void this.learnRooms().then(() => {
        for (const resolve of this.loginWaiters.splice(0)) resolve();
      });
    });
    return bot;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopBot();
  }

  private async stopBot() {
    this.selfStopping = true;
    try {
      await this.bot?.stop().catch(() => undefined);
    } finally {
      this.selfStopping = false;
    }
  }

  /** Logs, then starts the bot again after a growing pause (1 s, 2 s, … 1 min). */
  private onTrouble(what: string, err: unknown) {
    if (this.selfStopping) return;
    this.deps.log.warn(what, { error: errorText(err) });
    if (this.stopped || this.restarting) return;
    if (err !== null && this.bot?.isLoggedIn) return; // an error the puppet lived through
    this.restarting = true;
    const delay = Math.min(RETRY_MAX_MS, 1000 * 2 ** this.failures++);
    const schedule = this.deps.schedule ?? ((fn, ms) => setTimeout(fn, ms).unref());
    schedule(() => {
      this.restarting = false;
      // Stopped meanwhile, or back by itself (a saved session): nothing to do.
      if (this.stopped || this.bot?.isLoggedIn) return;
      void (async () => {
        await this.stopBot();
        if (!this.stopped) await this.launch();
      })();
    }, delay);
  }

  /** Every room the bot is in, so units bound by room topic can be reached before anyone speaks. */
  private async learnRooms() {
    try {
      const rooms = (await this.bot?.Room.findAll()) ?? [];
      const topics = await Promise.all(rooms.map((r) => r.topic()));
      for (const [i, room] of rooms.entries()) {
        const topic = topics[i] as string;
        if (topics.indexOf(topic) !== i) continue; // a shared topic is looked at (and reported) once
        const count = topics.filter((t) => t === topic).length;
        await this.learnRoom(room.id, topic, async () => count);
      }
    } catch (err) {
      this.deps.log.warn('wecom rooms not listed', { error: errorText(err) });
    }
  }

  /**
   * A unit bound by room topic (wecom_room in the org file) is bound to that room's id, once:
   * only while exactly one room has the topic and the unit has no room id yet, so a group created
   * or renamed later with the same topic does not take the unit's messages.
   */
  private async learnRoom(roomId: string, topic: string, roomsWithTopic: () => Promise<number>) {
    const { db } = this.deps;
    const byTopic = await db
      .select()
      .from(chatBindings)
      .where(and(eq(chatBindings.platform, 'wecom'), eq(chatBindings.chatId, topic)));
    for (const b of byTopic) {
      const bound = await db
        .select({ chatId: chatBindings.chatId })
        .from(chatBindings)
        .where(and(eq(chatBindings.platform, 'wecom'), eq(chatBindings.unitId, b.unitId)));
      if (bound.some((x) => x.chatId !== topic)) continue;
      const rooms = await roomsWithTopic();
      if (rooms !== 1) {
        this.deps.log.warn('wecom room topic is not unique: not bound', {
          topic,
          rooms,
          unit: b.unitId,
        });
        continue;
      }
      await db
        .insert(chatBindings)
        .values({ ...b, chatId: roomId, boundBy: `topic:${topic}`, boundAt: this.deps.now() })
        .onConflictDoNothing();
      this.deps.log.info('wecom room bound by topic', { topic, room: roomId, unit: b.unitId });
    }
  }

  /** The org-file key of a contact: people are listed by wechaty contact id, or by name. */
  private async personKey(contact: Contact): Promise<string> {
    const name = contact.name();
    const rows = await this.deps.db
      .select({ key: people.wecomId })
      .from(people)
      .where(and(eq(people.active, true), inArray(people.wecomId, [contact.id, name])));
    return rows.some((r) => r.key === contact.id) ? contact.id : (rows[0]?.key ?? contact.id);
  }

  private async onMessage(msg: Message) {
    const acked = this.deps.metrics.ackTimer('wecom'); // observed once the message is stored
    const bot = this.bot;
    const room = msg.room();
    if (!bot || !room || msg.self() || msg.type() !== bot.Message.Type.Text) return;
    const text = msg.text();
    try {
      if (!(await msg.mentionSelf()) && !parseCommand(text)) return;
    } catch (err) {
      this.deps.log.warn('wecom message unreadable', { id: msg.id, error: errorText(err) });
      return;
    }
    const pause = this.deps.pause ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.store(await this.normalise(bot, msg, room));
        this.deps.metrics.eventReceived('wecom');
        acked();
        this.deps.onAccepted();
        return;
      } catch (err) {
        const wait = STORE_PAUSES_MS[attempt];
        if (wait === undefined) {
          this.deps.log.error('wecom message not stored', { id: msg.id, error: errorText(err) });
          // Nothing was kept: say so, so the sender sends it again rather than wait for an answer.
          await room
            .say(`⚠️ 系统繁忙，未能受理这条消息，请稍后重新发送：${[...text].slice(0, 40).join('')}`)
            .catch(() => undefined);
          return;
        }
        this.deps.log.warn('wecom message store failed, retrying', {
          attempt: attempt + 1,
          error: errorText(err),
        });
        await pause(wait);
      }
    }
  }

  /** A room message as Huiyin's normalised event. */
  private async normalise(bot: Wechaty, msg: Message, room: Room): Promise<InboundMessage> {
    const topic = await room.topic();
    // Counting the rooms with this topic asks the puppet: only done when a binding is to be learned.
    await this.learnRoom(room.id, topic, async () => (await bot.Room.findAll({ topic })).length);
    const talker = msg.talker();
    const mentioned = await msg.mentionList();
    return {
      kind: 'message',
      platform: 'wecom',
      eventId: msg.id,
      chatId: room.id,
      chatType: 'group',
      messageId: msg.id,
      sender: { id: await this.personKey(talker), name: talker.name() },
      text: msg.text(),
      mentions: await Promise.all(
        mentioned
          .filter((c) => c.id !== bot.currentUser.id)
          .map(async (c) => ({ id: await this.personKey(c), name: c.name() })),
      ),
      addressed: await msg.mentionSelf(),
      // The puppet's timestamp, unless its clock runs ahead of ours: it cannot be later than now.
      sentAt: new Date(Math.min(msg.date().getTime(), this.deps.now().getTime())),
    };
  }

  private store(event: InboundMessage) {
    return this.deps.db.transaction((tx) =>
      acceptEvent(tx, { platform: 'wecom', eventId: event.eventId, payload: event }, this.deps.now()),
    );
  }

  /** The room a binding names: by id, else (a binding not yet learned) by topic, if only one room has it. */
  private async findRoom(chatId: string): Promise<Room | undefined> {
    const known = this.rooms.get(chatId);
    if (known) return known;
    const found = await this.lookUpRoom(chatId);
    if (found) this.rooms.set(chatId, found);
    return found;
  }

  private async lookUpRoom(chatId: string): Promise<Room | undefined> {
    const rooms = await (this.bot as Wechaty).Room.findAll();
    const byId = rooms.find((r) => r.id === chatId);
    if (byId) return byId;
    const topics = await Promise.all(rooms.map((r) => r.topic()));
    const byTopic = rooms.filter((_, i) => topics[i] === chatId);
    return byTopic.length === 1 ? byTopic[0] : undefined;
  }

  /** A person by their org-file key (contact id or name), among the room's members only. */
  private findContact(members: Contact[], key: string, name: string): Contact | undefined {
    return (
      members.find((c) => c.id === key) ??
      members.find((c) => c.name() === key) ??
      members.find((c) => c.name() === name)
    );
  }

  async send(m: OutboundMessage): Promise<{ messageId: string }> {
    // WeCom cannot edit a sent message: a card update is not sent again (the replies say what changed).
    if (m.op === 'update') return { messageId: m.targetMessageId ?? m.key };
    if (!this.bot?.isLoggedIn) throw new SendError('WeCom bot is not logged in', true, 'not_logged_in', 5000);
    const room = await this.findRoom(m.chatId);
    if (!room) throw new SendError(`WeCom room ${m.chatId} not found`, true, 'room_not_found');
    let first: string | undefined;
    const chunks = renderWecom(m.message, m.item ?? null);
    try {
      const mentions = chunks.some((c) => c.some((p) => typeof p !== 'string'));
      const members = mentions ? await room.memberAll() : [];
      for (const chunk of chunks) {
        const said = await this.say(room, members, chunk);
        first ??= said;
      }
    } catch (err) {
      this.rooms.delete(m.chatId);
      throw err;
    }
    return { messageId: first ?? `wecom-${m.key}` };
  }

  private async say(room: Room, members: Contact[], pieces: Piece[]): Promise<string | undefined> {
    const texts = [''];
    const contacts: Contact[] = [];
    for (const p of pieces) {
      if (typeof p === 'string') {
        texts[texts.length - 1] += p;
        continue;
      }
      const contact = this.findContact(members, p.at, p.name);
      if (contact) {
        contacts.push(contact);
        texts.push('');
      } else {
        texts[texts.length - 1] += `@${p.name}`;
      }
    }
    const said =
      contacts.length > 0
        ? await room.say(templateOf(texts), ...contacts)
        : await room.say(texts[0] as string);
    return said ? said.id : undefined;
  }
}
