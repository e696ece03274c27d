import type { ItemRow } from '../../../db/repos/item-repo.js';
import type { WordingRow } from '../../../db/repos/wording-repo.js';
import { type CardSpec, type Part, parts } from '../../../src/core/message.js';
import type { Org } from '../../../src/core/org.js';
import { cite, type PolicyPack } from '../../../src/core/policy-pack.js';
import { formatShanghai } from '../../../src/core/time.js';
import { isMajor, LEVELS } from '../../../src/core/vocabulary.js';
import { itemForms } from './forms.js';
import {
  levelLabel,
  namesWithRole,
  ROLE_LABELS,
  stageLine,
  stateLabel,
  type UnitRoles,
  wordingStatusLabel,
} from './labels.js';
import { routingClause } from './routing-clause.js';

/** The item's latest wording and its latest approved one (the 统一口径), for the card. */
export interface ItemWordings {
  latest: WordingRow | null;
  approved: WordingRow | null;
}

/** What the card asks of the unit whose group it is in. */
function askOf(org: Org, item: ItemRow, roles: UnitRoles, unitId: string | null): string {
  const unit = unitId ? org.units.get(unitId)?.name : undefined;
  const role = roles.find((r) => r.unitId === unitId)?.role;
  if (!unit || !role) return '';
  if (role === 'coordinator' && item.routingRule === 'multi_department') {
    return `请${unit}会同有关部门做好组织协调、督促指导工作，必要时确定牵头部门。`;
  }
  if (role !== 'responsible') return '';
  return item.state === 'reported' ? `请${unit}认领并组织处置。` : `由${unit}负责处置。`;
}

/** The item card as the group of `forUnitId` sees it (null: a group with no part in the item). */
export function itemCard(
  pack: PolicyPack,
  org: Org,
  item: ItemRow,
  roles: UnitRoles,
  mentions: Part[],
  forUnitId: string | null,
  wordings: ItemWordings = { latest: null, approved: null },
): CardSpec {
  const level = item.level ?? item.proposedLevel;
  const reporterUnit = item.reporterUnitId ? org.units.get(item.reporterUnitId)?.name : undefined;
  const fields = [
    { label: '编号', value: item.number },
    { label: '状态', value: stateLabel(item.state) },
    { label: '类别', value: item.category },
    { label: '级别', value: levelLabel(item) },
    { label: '事发时间', value: formatShanghai(item.occurredAt) },
    { label: '上报时间', value: formatShanghai(item.reportedAt) },
    { label: '上报人', value: `${item.reporterName}（${reporterUnit ?? '上报单位未知：本群未绑定单位'}）` },
    { label: '责任单位', value: namesWithRole(org, roles, 'responsible') || '—' },
  ];
  for (const role of ['coordinator', 'involved', 'cc']) {
    const names = namesWithRole(org, roles, role);
    if (names) fields.push({ label: ROLE_LABELS[role] as string, value: names });
  }
  if (item.channel) fields.push({ label: '来源', value: item.channel });
  if (item.link) fields.push({ label: '链接', value: item.link });
  if (item.emergency) fields.push({ label: '突发事件', value: '是' });
  if (item.casualties) fields.push({ label: '人员伤亡', value: '是' });
  if (item.largeImpact) fields.push({ label: '社会影响', value: '较大' });
  if (item.kind === 'netizen_message') {
    fields.push({ label: '留言类型', value: item.netizenMessageType ?? '' });
    if (item.acceptedAt)
      fields.push({ label: '受理日期', value: formatShanghai(item.acceptedAt).slice(0, 10) });
  }
  if (item.kind === 'opinion' && isMajor(level))
    fields.push({ label: '发布阶段', value: stageLine(item.releaseStage) });
  if (wordings.approved) fields.push({ label: '统一口径', value: wordings.approved.text });
  if (wordings.latest && wordings.latest.status !== 'approved') {
    const status = wordingStatusLabel(wordings.latest.status);
    fields.push({ label: wordings.approved ? '修改口径' : '口径', value: status });
  }

  const ask = askOf(org, item, roles, forUnitId);
  const body = parts(
    mentions.flatMap((m, i) => (i === 0 ? [m] : [{ t: 'text' as const, v: ' ' }, m])),
    mentions.length > 0 && ask ? ' ' : '',
    ask,
    mentions.length > 0 || ask ? '\n' : '',
    cite(pack, routingClause(pack, item)),
  );
  const note = [cite(pack, pack.clauses.notifySpokesperson)];
  if (isMajor(level)) note.push(cite(pack, pack.clauses.majorReport));
  if (level === '特别重大') note.push(cite(pack, pack.clauses.criticalLeader));
  return {
    title: `舆情 ${item.number}｜${item.title}`,
    template: isMajor(level) ? 'red' : level === '较大' ? 'orange' : 'blue',
    fields,
    body,
    note: parts(note.join('\n')),
    buttons: [
      ...(item.state === 'reported'
        ? [
            {
              label: '认领',
              style: 'primary' as const,
              value: { a: 'claim', item: item.id, v: item.version },
              command: `/认领 ${item.number}`,
            },
          ]
        : []),
      ...(item.kind === 'opinion' && (item.state === 'claimed' || item.state === 'responding')
        ? [
            {
              label: '已发布',
              style: 'primary' as const,
              value: { a: 'publish', item: item.id, v: item.version },
              command: `/发布 ${item.number}`,
            },
          ]
        : []),
      {
        label: '刷新',
        style: 'default',
        value: { a: 'refresh', item: item.id, v: item.version },
      },
      {
        label: '查看进展',
        style: 'default',
        value: { a: 'detail', item: item.id, v: item.version },
        command: `/查询 ${item.number}`,
      },
    ],
    selects:
      item.state === 'closed'
        ? []
        : [
            {
              name: 'level',
              placeholder: '研判定级（领导、审核人）',
              options: LEVELS.map((l) => ({ label: l, value: l })),
              value: { a: 'grade', item: item.id, v: item.version },
              command: `/研判 ${item.number} 级别:重大`,
            },
          ],
    forms: itemForms(item),
  };
}
