import { bindChat, unitChat } from '../../db/repos/org-repo.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import { optionValue } from '../../src/core/command-parser.js';
import { HuiyinError } from '../../src/core/errors.js';
import { textMessage } from '../../src/core/message.js';

const USAGE = '/绑定 单位:<单位>，例：/绑定 单位:省教育厅';

export const bindCommand: CommandSpec = {
  name: '绑定',
  aliases: ['bind'],
  usage: USAGE,
  summary: '（管理员）把本群绑定为某单位的舆情工作群',
  async handler(ctx) {
    const cmd = ctx.command;
    const name = (cmd && (optionValue(cmd, '单位') ?? cmd.positional.join(' '))) || '';
    if (!name.trim()) throw new HuiyinError('huiyin_missing_unit', '缺少要绑定的单位。');
    if (ctx.event.chatType !== 'group') throw new HuiyinError('huiyin_not_group', '只能在群聊中绑定单位。');
    const unit = ctx.org.resolve(name);
    // Binding redirects a unit's cards, so only an admin of that unit or of a superior may do it.
    const chain = ctx.org.ancestry(unit).map((u) => u.id);
    const allowed = ctx.actor?.memberships.some((m) => m.roles.includes('admin') && chain.includes(m.unitId));
    if (!ctx.actor || !allowed) {
      throw new HuiyinError(
        'huiyin_not_allowed',
        `只有${unit.name}或其上级单位的管理员（admin）可以绑定群聊。请联系管理员，或在组织目录中为该单位配置群聊。`,
      );
    }
    const previous = ctx.chatUnitId;
    await bindChat(ctx.tx, {
      platform: ctx.platform,
      chatId: ctx.event.chatId,
      unitId: unit.id,
      boundBy: ctx.actor.person.id,
      now: ctx.now,
    });
    const lines = [
      `✅ 本群已绑定为${unit.name}的舆情工作群。此后${unit.name}的舆情卡片和提醒将发到本群，本群上报的舆情记为${unit.name}上报。`,
    ];
    if (previous && previous !== unit.id) {
      const name = ctx.org.units.get(previous)?.name ?? previous;
      lines.push(
        (await unitChat(ctx.tx, ctx.platform, previous))
          ? `本群原为${name}的工作群，${name}的消息今后发到其另一个工作群。`
          : `⚠️ 本群原为${name}的工作群，${name}在本平台已没有其他工作群，其舆情卡片将无法送达。请尽快在${name}的工作群发送 /绑定 单位:${name}。`,
      );
    }
    await ctx.reply(textMessage(lines.join('\n')));
  },
};
