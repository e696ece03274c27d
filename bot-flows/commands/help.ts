import type { CommandSpec, Dispatcher } from '../../src/bot/dispatcher.js';
import { HuiyinError } from '../../src/core/errors.js';
import { textMessage } from '../../src/core/message.js';

const USAGE = '/帮助 [命令]，例：/帮助 上报';

/** /帮助 lists what the dispatcher has registered, so the help never drifts from the commands. */
export const HELP = {
  name: '帮助',
  aliases: ['help'],
  usage: USAGE,
  summary: '查看全部命令，或某条命令的用法',
  // The one command people outside the org directory may use.
  openToOutsiders: true,
};

export function helpCommand(dispatcher: Dispatcher): CommandSpec {
  return {
    ...HELP,
    async handler(ctx) {
      const topic = ctx.command?.positional[0]?.replace(/^[/／]/, '');
      if (topic) {
        const spec = dispatcher.findCommand(topic);
        if (!spec) throw new HuiyinError('huiyin_unknown_command', `没有「/${topic}」这条命令。`);
        await ctx.reply(
          textMessage(`/${spec.name}（/${spec.aliases.join(' /')}）：${spec.summary}\n用法：${spec.usage}`),
        );
        return;
      }
      const lines = ['回音舆情助手 · 命令（键值可用 : ：或 =，标题含空格请加引号）：'];
      for (const spec of dispatcher.commandList) {
        lines.push(`/${spec.name}（/${spec.aliases[0]}）— ${spec.summary}`);
      }
      lines.push('发送 /帮助 <命令> 查看用法，例如 /帮助 上报。');
      await ctx.reply(textMessage(lines.join('\n')));
    },
  };
}
