import type { Message, Room, Wechaty } from 'wechaty';
import { acceptEvent } from '../../../db/repos/inbox-repo.js';
import { wecomPersonKey } from '../../../db/repos/org-repo.js';
import type { InboundMessage } from '../../bot/event.js';
import { cleanStrings } from '../../core/clean-text.js';
import { isCommand } from '../../core/command-parser.js';
import { errorText, type WecomDeps } from './deps.js';
import { learnRoom } from './room-binding.js';

/** Pauses between tries to store a received message: a database blip of up to ~7 s is ridden out. */
const STORE_PAUSES_MS = [200, 500, 1000, 2000, 3000];

/**
 * A room message that carries a command or mentions the bot, stored in the inbox as Huiyin's
 * normalised event (de-duplicated on the message id) and acknowledged by waking the inbox runner.
 * A message that cannot be stored after the retries is answered with a busy notice.
 */
export async function receiveWecomMessage(deps: WecomDeps, bot: Wechaty, msg: Message): Promise<void> {
  const acked = deps.metrics.ackTimer('wecom'); // observed once the message is stored
  const room = msg.room();
  if (!room || msg.self() || msg.type() !== bot.Message.Type.Text) return;
  const text = msg.text();
  try {
    if (!(await msg.mentionSelf()) && !isCommand(text)) return;
  } catch (err) {
    deps.log.warn('wecom message unreadable', { id: msg.id, error: errorText(err) });
    return;
  }
  const pause = deps.pause ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      const event = await normalise(deps, bot, msg, room);
      await deps.db.transaction((tx) =>
        acceptEvent(tx, { platform: 'wecom', eventId: event.eventId, payload: event }, deps.now()),
      );
      deps.metrics.eventReceived('wecom');
      acked();
      deps.onAccepted();
      return;
    } catch (err) {
      const wait = STORE_PAUSES_MS[attempt];
      if (wait === undefined) {
        deps.log.error('wecom message not stored', { id: msg.id, error: errorText(err) });
        // Nothing was kept: say so, so the sender sends it again rather than wait for an answer.
        await room
          .say(`⚠️ 系统繁忙，未能受理这条消息，请稍后重新发送：${[...text].slice(0, 40).join('')}`)
          .catch(() => undefined);
        return;
      }
      deps.log.warn('wecom message store failed, retrying', { attempt: attempt + 1, error: errorText(err) });
      await pause(wait);
    }
  }
}

/**
 * A room message as Huiyin's normalised event, cleaned for storing and showing; the room's topic
 * binding is learned on the way.
 */
async function normalise(deps: WecomDeps, bot: Wechaty, msg: Message, room: Room): Promise<InboundMessage> {
  const topic = await room.topic();
  // Counting the rooms with this topic asks the puppet: only done when a binding is to be learned.
  await learnRoom(deps, { id: room.id, topic }, async () => (await bot.Room.findAll({ topic })).length);
  const talker = msg.talker();
  const mentioned = await msg.mentionList();
  const personKey = (c: { id: string; name(): string }) =>
    wecomPersonKey(deps.db, { id: c.id, name: c.name() });
  return cleanStrings<InboundMessage>({
    kind: 'message',
    platform: 'wecom',
    eventId: msg.id,
    chatId: room.id,
    chatType: 'group',
    messageId: msg.id,
    sender: { id: await personKey(talker), name: talker.name() },
    text: msg.text(),
    mentions: await Promise.all(
      mentioned
        .filter((c) => c.id !== bot.currentUser.id)
        .map(async (c) => ({ id: await personKey(c), name: c.name() })),
    ),
    addressed: await msg.mentionSelf(),
    // The puppet's timestamp, unless its clock runs ahead of ours: it cannot be later than now.
    sentAt: new Date(Math.min(msg.date().getTime(), deps.now().getTime())),
  });
}
