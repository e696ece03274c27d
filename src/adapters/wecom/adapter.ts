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
}

const RETRY_MAX_MS = 60_000;
const STORE_TRIES = 3;

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
  private loginWaiters: (() => void)[] = [];

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
      this.deps.log.info('wecom scan', { status, qrcode: qrcode.slice(0, 200) }),
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
    await this.bot?.stop().catch(() => undefined);
  }

  /** Logs, then starts the bot again after a growing pause (1 s, 2 s, … 1 min). */
  private onTrouble(what: string, err: unknown) {
    this.deps.log.warn(what, {
      error: err instanceof Error ? err.message : err === null ? undefined : String(err),
    });
    if (this.stopped || this.restarting) return;
    if (err !== null && this.bot?.isLoggedIn) return; // an error the puppet lived through
    this.restarting = true;
    const delay = Math.min(RETRY_MAX_MS, 1000 * 2 ** this.failures++);
    const schedule = this.deps.schedule ?? ((fn, ms) => setTimeout(fn, ms).unref());
    schedule(() => {
      this.restarting = false;
      if (this.stopped) return;
      void (async () => {
        await this.bot?.stop().catch(() => undefined);
        await this.start();
      })();
    }, delay);
  }

  /** Every room the bot is in, so units bound by room topic can be reached before anyone speaks. */
  private async learnRooms() {
    try {
      for (const room of (await this.bot?.Room.findAll()) ?? [])
        await this.learnRoom(room.id, await room.topic());
    } catch (err) {
      this.deps.log.warn('wecom rooms not listed', { error: (err as Error).message });
    }
  }

  /** A unit bound by room topic (wecom_room in the org file) is bound to the room's id too. */
  private async learnRoom(roomId: string, topic: string) {
    const { db } = this.deps;
    const byTopic = await db
      .select()
      .from(chatBindings)
      .where(and(eq(chatBindings.platform, 'wecom'), eq(chatBindings.chatId, topic)));
    for (const b of byTopic) {
      await db
        .insert(chatBindings)
        .values({ ...b, chatId: roomId, boundBy: `topic:${topic}`, boundAt: this.deps.now() })
        .onConflictDoNothing();
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
    const bot = this.bot;
    try {
      const room = msg.room();
      if (!bot || msg.self() || !room || msg.type() !== bot.Message.Type.Text) return;
      const text = msg.text();
      const addressed = await msg.mentionSelf();
      if (!addressed && !parseCommand(text)) return;
      await this.learnRoom(room.id, await room.topic());
      const talker = msg.talker();
      const mentioned = await msg.mentionList();
      const event: InboundMessage = {
        kind: 'message',
        platform: 'wecom',
        eventId: msg.id,
        chatId: room.id,
        chatType: 'group',
        messageId: msg.id,
        sender: { id: await this.personKey(talker), name: talker.name() },
        text,
        mentions: await Promise.all(
          mentioned
            .filter((c) => c.id !== bot.currentUser.id)
            .map(async (c) => ({ id: await this.personKey(c), name: c.name() })),
        ),
        addressed,
        // The puppet's timestamp, unless its clock runs ahead of ours: it cannot be later than now.
        sentAt: new Date(Math.min(msg.date().getTime(), this.deps.now().getTime())),
      };
      await this.store(event);
      this.deps.metrics.eventReceived('wecom');
      this.deps.onAccepted();
    } catch (err) {
      this.deps.log.error('wecom message not stored', { id: msg.id, error: (err as Error).message });
    }
  }

  /** Stores the event in the inbox; a database blip is tried again before the message is given up. */
  private async store(event: InboundMessage) {
    for (let i = 1; ; i++) {
      try {
        await this.deps.db.transaction((tx) =>
          acceptEvent(tx, { platform: 'wecom', eventId: event.eventId, payload: event }, this.deps.now()),
        );
        return;
      } catch (err) {
        if (i >= STORE_TRIES) throw err;
        this.deps.log.warn('wecom event store failed, retrying', {
          attempt: i,
          error: (err as Error).message,
        });
      }
    }
  }

  private async findRoom(chatId: string): Promise<Room | undefined> {
    const bot = this.bot as Wechaty;
    return (await bot.Room.find({ id: chatId })) ?? (await bot.Room.find({ topic: chatId }));
  }

  /** A person by their org-file key (contact id or name), among the room's members. */
  private async findContact(room: Room, key: string, name: string): Promise<Contact | undefined> {
    const bot = this.bot as Wechaty;
    return (
      (await bot.Contact.find({ id: key })) ??
      (await room.member({ name: key })) ??
      (await room.member({ name }))
    );
  }

  async send(m: OutboundMessage): Promise<{ messageId: string }> {
    // WeCom cannot edit a sent message: a card update is not sent again (the replies say what changed).
    if (m.op === 'update') return { messageId: m.targetMessageId ?? m.key };
    if (!this.bot?.isLoggedIn) throw new SendError('WeCom bot is not logged in', true, 'not_logged_in', 5000);
    const room = await this.findRoom(m.chatId);
    if (!room) throw new SendError(`WeCom room ${m.chatId} not found`, true, 'room_not_found');
    let first: string | undefined;
    for (const chunk of renderWecom(m.message, m.item ?? null)) {
      const said = await this.say(room, chunk);
      first ??= said;
    }
    return { messageId: first ?? `wecom-${m.key}` };
  }

  private async say(room: Room, pieces: Piece[]): Promise<string | undefined> {
    const texts = [''];
    const contacts: Contact[] = [];
    for (const p of pieces) {
      if (typeof p === 'string') {
        texts[texts.length - 1] += p;
        continue;
      }
      const contact = await this.findContact(room, p.at, p.name);
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
