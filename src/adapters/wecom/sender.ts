import type { Contact, Room, Wechaty } from 'wechaty';
import { type OutboundMessage, type PlatformSender, SendError } from '../../bot/sender.js';
import { type Piece, renderWecom } from './render.js';

/** A mention-bearing text as wechaty's tagged-template call takes it: room.say(strings, ...contacts). */
const templateOf = (texts: string[]) =>
  Object.assign([...texts], { raw: [...texts] }) as TemplateStringsArray;

/** A person by their org-file key (contact id or name), among the room's members only. */
function findContact(members: Contact[], key: string, name: string): Contact | undefined {
  return (
    members.find((c) => c.id === key) ??
    members.find((c) => c.name() === key) ??
    members.find((c) => c.name() === name)
  );
}

/**
 * Sends outbox messages into WeCom rooms through `room.say`, in parts under WeCom's size limit and
 * with real @-mentions. WeCom cannot edit a sent message, so a card update is not sent again.
 */
export class WecomSender implements PlatformSender {
  readonly platform = 'wecom';
  readonly threads = false;
  // WeCom publishes no limit for a logged-in account (wechaty speaks as a person, not an API app),
  // but its risk control flags accounts that post faster than people do, and its group-bot webhook
  // allows 20 a minute: about one message a second per room and a few a second overall stay clear.
  readonly limits = { perChat: 1, perApp: 5 };
  /** Rooms found for a binding, so a send does not list every room again; dropped when a send there fails. */
  private readonly rooms = new Map<string, Room>();

  /** `bot` gives the current bot (null before the first start). */
  constructor(private readonly bot: () => Wechaty | null) {}

  async send(m: OutboundMessage): Promise<{ messageId: string }> {
    // The replies say what changed instead.
    if (m.op === 'update') return { messageId: m.targetMessageId ?? m.key };
    const bot = this.bot();
    if (!bot?.isLoggedIn) throw new SendError('WeCom bot is not logged in', true, 'not_logged_in', 5000);
    const room = await this.findRoom(bot, m.chatId);
    if (!room) throw new SendError(`WeCom room ${m.chatId} not found`, true, 'room_not_found');
    let first: string | undefined;
    const chunks = renderWecom(m.message, m.item ?? null);
    try {
      const mentions = chunks.some((c) => c.some((p) => typeof p !== 'string'));
      const members = mentions ? await room.memberAll() : [];
      for (const chunk of chunks) {
        const said = await say(room, members, chunk);
        first ??= said;
      }
    } catch (err) {
      this.rooms.delete(m.chatId);
      throw err;
    }
    return { messageId: first ?? `wecom-${m.key}` };
  }

  /** The room a binding names: by id, else (a binding not yet learned) by topic, if only one room has it. */
  private async findRoom(bot: Wechaty, chatId: string): Promise<Room | undefined> {
    const known = this.rooms.get(chatId);
    if (known) return known;
    const found = await lookUpRoom(bot, chatId);
    if (found) this.rooms.set(chatId, found);
    return found;
  }
}

async function lookUpRoom(bot: Wechaty, chatId: string): Promise<Room | undefined> {
  const rooms = await bot.Room.findAll();
  const byId = rooms.find((r) => r.id === chatId);
  if (byId) return byId;
  const topics = await Promise.all(rooms.map((r) => r.topic()));
  const byTopic = rooms.filter((_, i) => topics[i] === chatId);
  return byTopic.length === 1 ? byTopic[0] : undefined;
}

/** One part said in the room; a mention of someone not in the room stays plain text. */
async function say(room: Room, members: Contact[], pieces: Piece[]): Promise<string | undefined> {
  const texts = [''];
  const contacts: Contact[] = [];
  for (const p of pieces) {
    if (typeof p === 'string') {
      texts[texts.length - 1] += p;
      continue;
    }
    const contact = findContact(members, p.at, p.name);
    if (contact) {
      contacts.push(contact);
      texts.push('');
    } else {
      texts[texts.length - 1] += `@${p.name}`;
    }
  }
  const said =
    contacts.length > 0 ? await room.say(templateOf(texts), ...contacts) : await room.say(texts[0] as string);
  return said ? said.id : undefined;
}
