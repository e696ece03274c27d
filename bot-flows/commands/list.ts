import { listOpenItems, unitRolesOfItems } from '../../db/repos/item-repo.js';
import type { CommandSpec } from '../../src/bot/dispatcher.js';
import { HuiyinError } from '../../src/core/errors.js';
import { textMessage } from '../../src/core/message.js';
import { levelLabel, namesWithRole, stateLabel } from '../cards/item-card/labels.js';

const USAGE = '/列表 [本单位|我的|全部]';
const LIMIT = 20;
const SCOPES: Record<string, string[]> = {
  本单位: ['unit', '单位'],
  我的: ['mine', 'my', '我'],
  全部: ['all', '所有'],
};

export const listCommand: CommandSpec = {
  name: '列表',
  aliases: ['list'],
  usage: USAGE,
  summary: '列出未办结的舆情：本单位（默认）、我上报的或全部',
  async handler(ctx) {
    const arg = (ctx.command?.positional[0] ?? '本单位').toLowerCase();
    const scope = Object.entries(SCOPES).find(([k, v]) => k === arg || v.includes(arg))?.[0];
    if (!scope)
      throw new HuiyinError(
        'huiyin_unknown_scope',
        `无法识别的范围「${arg}」。可用范围：本单位、我的、全部。`,
      );
    let title: string;
    let rows: Awaited<ReturnType<typeof listOpenItems>>;
    if (scope === '我的') {
      if (!ctx.actor)
        throw new HuiyinError('huiyin_unknown_person', '你不在组织目录中，无法查看“我的”舆情。');
      rows = await listOpenItems(ctx.tx, { reporterPersonId: ctx.actor.person.id, limit: LIMIT });
      title = '我上报的未办结舆情';
    } else if (scope === '全部') {
      rows = await listOpenItems(ctx.tx, { limit: LIMIT });
      title = '全部未办结舆情';
    } else {
      const unitIds = ctx.chatUnitId ? [ctx.chatUnitId] : (ctx.actor?.memberships.map((m) => m.unitId) ?? []);
      if (unitIds.length === 0)
        throw new HuiyinError(
          'huiyin_missing_unit',
          '本群未绑定单位，你也不属于任何单位。请使用「/列表 我的」或「/列表 全部」。',
        );
      rows = await listOpenItems(ctx.tx, { unitIds, limit: LIMIT });
      title = `${unitIds.map((id) => ctx.org.units.get(id)?.name ?? id).join('、')}的未办结舆情`;
    }
    if (rows.length === 0) {
      await ctx.reply(textMessage(`${title}：暂无。`));
      return;
    }
    const lines = [`${title}（最近 ${rows.length} 条）：`];
    const roles = await unitRolesOfItems(
      ctx.tx,
      rows.map((item) => item.id),
    );
    for (const item of rows) {
      lines.push(
        `· ${item.number}《${item.title}》${stateLabel(item.state)}｜${levelLabel(item)}｜${namesWithRole(ctx.org, roles.get(item.id) ?? [], 'responsible')}`,
      );
    }
    lines.push('发送 /查询 <编号> 查看详情。');
    await ctx.reply(textMessage(lines.join('\n')));
  },
};
