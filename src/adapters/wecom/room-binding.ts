import type { Wechaty } from 'wechaty';
import { learnWecomRoomBinding } from '../../../db/repos/org-repo.js';
import { errorText, type WecomDeps } from './deps.js';

type BindingDeps = Pick<WecomDeps, 'db' | 'log' | 'now'>;

/** Hands the org repository a room the bot saw, and logs what it decided about units bound by topic. */
export async function learnRoom(
  deps: BindingDeps,
  room: { id: string; topic: string },
  roomsWithTopic: () => Promise<number>,
): Promise<void> {
  const { topic } = room;
  const learned = await learnWecomRoomBinding(
    deps.db,
    { roomId: room.id, topic, roomsWithTopic },
    deps.now(),
  );
  for (const l of learned) {
    if (l.outcome === 'ambiguous') {
      deps.log.warn('wecom room topic is not unique: not bound', {
        topic,
        rooms: l.roomsWithTopic,
        unit: l.unitId,
      });
    } else if (l.outcome === 'bound') {
      deps.log.info('wecom room bound by topic', { topic, room: room.id, unit: l.unitId });
    } else {
      deps.log.info('wecom room already bound to another unit: not bound by topic', {
        topic,
        room: room.id,
        unit: l.unitId,
      });
    }
  }
}

/** Every room the bot is in, so units bound by room topic can be reached before anyone speaks. */
export async function learnAllRooms(deps: BindingDeps, bot: Wechaty): Promise<void> {
  try {
    const rooms = await bot.Room.findAll();
    const topics = await Promise.all(rooms.map((r) => r.topic()));
    for (const [i, room] of rooms.entries()) {
      const topic = topics[i] as string;
      if (topics.indexOf(topic) !== i) continue; // a shared topic is looked at (and reported) once
      const count = topics.filter((t) => t === topic).length;
      await learnRoom(deps, { id: room.id, topic }, async () => count);
    }
  } catch (err) {
    deps.log.warn('wecom rooms not listed', { error: errorText(err) });
  }
}
