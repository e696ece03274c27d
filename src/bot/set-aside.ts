import { textMessage } from '../core/message.js';
import type { InboundEvent } from './event.js';

/**
 * What the sender of an event that was set aside after its last attempt is told: a reply to
 * their message in its chat. None for a card click (Feishu already showed its toast).
 */
export function setAsideNotice(event: InboundEvent) {
  if (event.kind !== 'message') return null;
  const quoted = [...event.text.replace(/\s+/g, ' ').trim()].slice(0, 40).join('');
  return {
    op: 'reply' as const,
    chatId: event.chatId,
    replyTo: event.messageId,
    payload: textMessage(
      `⚠️ 抱歉，这条消息多次处理均未成功，未能办理：「${quoted}」。`,
      '\n已记录下来，留待系统管理员排查；如事情紧急，请直接联系管理员。',
    ),
  };
}
