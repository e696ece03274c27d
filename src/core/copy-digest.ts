import { type OutMessage, textMessage } from './message.js';

export interface DigestItem {
  number: string;
  title: string;
}

/** The one message a lagging 抄送 group receives for the copies that waited: every item by number and title. */
export function copyDigest(items: DigestItem[]): OutMessage {
  const lines = items.map((it, i) => `${i + 1}. ${it.number}《${it.title}》`);
  return textMessage(
    `【抄送汇总】 ${items.length} 条新舆情：\n${lines.join('\n')}\n发送 /查询 <编号> 查看详情。`,
  );
}
