import type { Db } from '../../db/client.js';
import { type Person, platformUserId, unitChat } from '../../db/repos/org-repo.js';
import {
  type AnchorKind,
  enqueue,
  type OutboxInsert,
  type OutboxPriority,
} from '../../db/repos/outbox-repo.js';
import type { OutMessage, Part } from '../core/message.js';

/** An @-mention of a person on a platform; plain text when they have no id there. */
export function mentionOn(platform: string, person: Person): Part {
  const id = platformUserId(platform, person);
  return id ? { t: 'at', id, name: person.name } : { t: 'text', v: `@${person.name}` };
}

export interface UnitPost {
  platform: string;
  unitId: string;
  message: OutMessage;
  /** Post into the thread of this item's card in the unit's chat. */
  threadItemId?: number;
  /** Remember the sent message as this item's card (or clock card) in the unit's chat. */
  anchorItemId?: number;
  anchorKind?: AnchorKind;
  /** The item the message is about. */
  itemId?: number | null;
  /** 'copy' for a 抄送 (it yields to act-on messages at the rate limit and may be folded into a digest). */
  priority?: OutboxPriority;
}

/** The outbox row of a post to a unit whose group on the platform is `chatId`. */
export function unitPostRow(p: UnitPost, chatId: string): OutboxInsert {
  return {
    platform: p.platform,
    op: p.threadItemId ? 'reply' : 'send',
    chatId,
    inThread: p.threadItemId !== undefined,
    threadItemId: p.threadItemId ?? null,
    anchorItemId: p.anchorItemId ?? null,
    anchorKind: p.anchorKind ?? 'card',
    itemId: p.itemId ?? null,
    priority: p.priority ?? 'act',
    payload: p.message,
  };
}

/** Queues a message for a unit's group on a platform; false when the unit has no group there. */
export async function postToUnit(tx: Db, p: UnitPost, now: Date): Promise<boolean> {
  const chatId = await unitChat(tx, p.platform, p.unitId);
  if (!chatId) return false;
  await enqueue(tx, [unitPostRow(p, chatId)], now);
  return true;
}
