import type { Db } from '../../db/client.js';
import { type Actor, type Person, unitChat, unitChats } from '../../db/repos/org-repo.js';
import { type AnchorKind, enqueue, type OutboxInsert } from '../../db/repos/outbox-repo.js';
import type { ParsedCommand } from '../core/command-parser.js';
import type { CardSpec, OutMessage, Part } from '../core/message.js';
import type { Org } from '../core/org.js';
import type { PolicyPack } from '../core/policy-pack.js';
import { type Logger, silentLogger } from '../log.js';
import type { CardActionEvent, InboundEvent, InboundMessage } from './event.js';
import { mentionOn, unitPostRow } from './outbound.js';

export type ToastType = 'success' | 'info' | 'warning' | 'error';

/** What a card action answers the platform with, inside its callback window. */
export interface ActionResponse {
  toast?: { type: ToastType; content: string };
  card?: CardSpec;
}

/**
 * Everything a flow may do, in platform-neutral verbs. Every verb writes to the outbox inside
 * the event's transaction: nothing talks to a platform from here.
 */
export class BotContext<E extends InboundEvent = InboundEvent> {
  readonly response: ActionResponse = {};
  command: ParsedCommand | undefined;
  /** The item this event is about, once a flow has found or made it (see about()). */
  subjectItemId: number | null = null;
  /** Messages held back by batch(), in the order they were queued. */
  private held: OutboxInsert[] | null = null;
  /** The ids of the messages queued through this context so far. */
  readonly queuedMessageIds: number[] = [];
  /** The flow's last statement, sent with the commit (see commitWith). */
  private last: Promise<unknown> | null = null;
  /** Unit groups looked up by preloadUnitChats (null: the unit has none on this platform). */
  private readonly chats = new Map<string, string | null>();

  constructor(
    readonly event: E,
    readonly tx: Db,
    readonly now: Date,
    readonly org: Org,
    readonly pack: PolicyPack,
    readonly actor: Actor | null,
    /** The unit this group chat is bound to, if any. */
    readonly chatUnitId: string | null,
    readonly log: Logger = silentLogger,
  ) {}

  get platform(): string {
    return this.event.platform;
  }

  /** The sender (or clicker) as people should read it. */
  get actorName(): string {
    if (this.actor) return this.actor.person.name;
    const who = this.event.kind === 'message' ? this.event.sender : this.event.operator;
    return who.name ?? who.id;
  }

  /** Replies to the message that triggered this event. */
  reply(message: OutMessage): Promise<void> {
    const ev = this.requireMessage('reply');
    return this.enqueue({ op: 'reply', chatId: ev.chatId, replyTo: ev.messageId, payload: message });
  }

  /** Replies in the thread of the message that triggered this event. */
  replyInThread(message: OutMessage): Promise<void> {
    const ev = this.requireMessage('replyInThread');
    return this.enqueue({
      op: 'reply',
      chatId: ev.chatId,
      replyTo: ev.messageId,
      inThread: true,
      payload: message,
    });
  }

  /** An @-mention of a person on this platform; plain text when they have no id here. */
  mention(person: Person): Part {
    return mentionOn(this.platform, person);
  }

  /**
   * Posts to a unit's group on this platform; false when the unit has none.
   * `anchorItemId` makes the message the item's card there (its thread root);
   * `threadItemId` posts into that card's thread; `copy` queues it as a 抄送, which yields to
   * messages someone must act on when the platform's rate limit is reached and may reach a
   * lagging group folded into one digest.
   */
  async sendToUnit(
    unitId: string,
    message: OutMessage,
    opts: { anchorItemId?: number; threadItemId?: number; anchorKind?: AnchorKind; copy?: boolean } = {},
  ): Promise<boolean> {
    const chatId = this.chats.has(unitId)
      ? this.chats.get(unitId)
      : await unitChat(this.tx, this.platform, unitId);
    if (!chatId) return false;
    const { copy, ...at } = opts;
    await this.queue(
      unitPostRow(
        {
          platform: this.platform,
          unitId,
          message,
          itemId: this.subjectItemId,
          priority: copy ? 'copy' : 'act',
          ...at,
        },
        chatId,
      ),
    );
    return true;
  }

  /** Looks up the groups of these units in one query, for the sendToUnit calls that follow. */
  async preloadUnitChats(unitIds: string[]): Promise<void> {
    const found = await unitChats(this.tx, this.platform, unitIds);
    for (const id of unitIds) this.chats.set(id, found.get(id) ?? null);
  }

  /**
   * Runs `fn` holding back the messages it queues through this context, then writes them in one
   * insert, in the order they were queued (a flow that queues many messages pays one statement).
   * `alongside` is a further write of the flow that needs `fn`'s result, sent with that insert
   * (on Postgres in the same round trip). Nothing is written when `fn` throws.
   */
  async batch<T>(fn: () => Promise<T>, alongside?: (result: T) => Promise<void>): Promise<T> {
    const held: OutboxInsert[] = [];
    this.held = held;
    let result: T;
    try {
      result = await fn();
    } finally {
      this.held = null;
    }
    // `alongside` first: postgres.js holds a small statement for the next one and sends a large
    // one (the messages) at once, so in this order both leave in one write.
    const [, ids] = await Promise.all([alongside?.(result), enqueue(this.tx, held, this.now)]);
    this.queuedMessageIds.push(...ids);
    return result;
  }

  /** Posts into the thread of an item's card in the current chat. */
  postInItemThread(itemId: number, message: OutMessage): Promise<void> {
    return this.enqueue({
      op: 'reply',
      chatId: this.event.chatId,
      inThread: true,
      threadItemId: itemId,
      payload: message,
    });
  }

  /** Replaces the card that was clicked, for the clicker at once and for everyone via the outbox. */
  async updateCard(card: CardSpec): Promise<void> {
    const ev = this.requireAction('updateCard');
    this.response.card = card;
    await this.enqueue({
      op: 'update',
      chatId: ev.chatId,
      targetMessageId: ev.messageId,
      payload: { kind: 'card', card },
    });
  }

  /**
   * Makes `statement` (already issued) the flow's last: the transaction does not wait for its
   * answer before committing, so the COMMIT goes out right behind it (on Postgres in the same
   * write) and a lock it takes is held for the server's time only, not also for a turn of our
   * event loop. If it fails, the server ends the transaction with a rollback whatever the COMMIT
   * says, and the dispatcher fails the event after the commit (see lastStatement). Nothing may be
   * written after it.
   */
  commitWith(statement: Promise<unknown>): void {
    if (this.last) throw new Error('ctx.commitWith() may be called once per event');
    statement.catch(() => undefined); // awaited after the commit; not an unhandled rejection meanwhile
    this.last = statement;
  }

  /** The statement given to commitWith, to await once the transaction has ended. */
  get lastStatement(): Promise<unknown> | null {
    return this.last;
  }

  /** Marks the item this event is about: every message queued from here on records it. */
  about(item: { id: number }): void {
    this.subjectItemId = item.id;
  }

  /** The short popup a card click answers with. */
  toast(type: ToastType, content: string): void {
    this.requireAction('toast');
    this.response.toast = { type, content };
  }

  private enqueue(row: Omit<OutboxInsert, 'platform'>): Promise<void> {
    return this.queue({ platform: this.platform, itemId: this.subjectItemId, ...row });
  }

  private async queue(row: OutboxInsert): Promise<void> {
    if (this.last) throw new Error('nothing may be queued after ctx.commitWith()');
    if (this.held) this.held.push(row);
    else this.queuedMessageIds.push(...(await enqueue(this.tx, [row], this.now)));
  }

  private requireMessage(verb: string): InboundMessage {
    if (this.event.kind !== 'message')
      throw new Error(`ctx.${verb}() needs a message event, got ${this.event.kind}`);
    return this.event;
  }

  private requireAction(verb: string): CardActionEvent {
    if (this.event.kind !== 'card_action')
      throw new Error(`ctx.${verb}() needs a card action, got ${this.event.kind}`);
    return this.event;
  }
}
