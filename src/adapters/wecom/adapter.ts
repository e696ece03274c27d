import type { Wechaty } from 'wechaty';
import type { OutboundMessage, PlatformSender } from '../../bot/sender.js';
import { WecomConnection } from './connection.js';
import type { WecomDeps } from './deps.js';
import { receiveWecomMessage } from './receive.js';
import { learnAllRooms } from './room-binding.js';
import { WecomSender } from './sender.js';

export type { WecomDeps } from './deps.js';

/**
 * WeCom (企业微信) through wechaty: room messages that carry a command or mention the bot become
 * the same normalised events as Feishu's; the outbox sends through `room.say` with real
 * @-mentions. A puppet error or a lost login is logged and the bot is started again with backoff;
 * meanwhile messages wait in the outbox. This class only wires the parts together.
 */
export class WecomAdapter implements PlatformSender {
  readonly platform = 'wecom';
  readonly threads = false;
  private readonly connection: WecomConnection;
  private readonly sender: WecomSender;

  constructor(deps: WecomDeps) {
    this.connection = new WecomConnection(deps, {
      onMessage: (bot, msg) => void receiveWecomMessage(deps, bot, msg),
      onLogin: (bot) => learnAllRooms(deps, bot),
    });
    this.sender = new WecomSender(() => this.connection.bot);
  }

  /** The wechaty bot (null before the first start). */
  get bot(): Wechaty | null {
    return this.connection.bot;
  }

  get loggedIn(): boolean {
    return this.connection.loggedIn;
  }

  /** Resolves once the bot is logged in (at once if it is). */
  whenLoggedIn(): Promise<void> {
    return this.connection.whenLoggedIn();
  }

  /** Starts the bot; never throws: a failed start is logged and tried again. */
  start(): Promise<void> {
    return this.connection.start();
  }

  /** Stops the bot. */
  stop(): Promise<void> {
    return this.connection.stop();
  }

  send(m: OutboundMessage): Promise<{ messageId: string }> {
    return this.sender.send(m);
  }
}
