import type { ItemRow } from '../../db/repos/item-repo.js';
import type { WordingDecisionRow, WordingRow } from '../../db/repos/wording-repo.js';
import type { CardSpec, Part } from '../../src/core/message.js';
import { parts } from '../../src/core/message.js';
import type { Org } from '../../src/core/org.js';
import { cite, type PolicyPack } from '../../src/core/policy-pack.js';
import { formatShanghai } from '../../src/core/time.js';

/** Each unit's standing on a wording: 已同意（姓名）, 已退回（姓名）, or 待审核. */
export function decisionLine(org: Org, wording: WordingRow, decisions: WordingDecisionRow[]): string {
  return wording.unitIds
    .map((id) => {
      const d = decisions.find((x) => x.unitId === id);
      const name = org.units.get(id)?.name ?? id;
      if (!d) return `${name}：待审核`;
      return `${name}：${d.decision === 'approved' ? '已同意' : '已退回'}（${d.personName}）`;
    })
    .join('；');
}

const STATUS: Record<string, string> = {
  pending: '待审核',
  approved: '已审定',
  rejected: '已退回',
  withdrawn: '已撤回',
};

/**
 * The approval card for one unit's approvers: the wording, who has decided, and while that unit
 * has not, a form with the 保密审查 confirmation, a reason box and 同意 / 退回.
 */
export function approvalCard(
  pack: PolicyPack,
  org: Org,
  item: ItemRow,
  wording: WordingRow,
  decisions: WordingDecisionRow[],
  unitId: string,
  mentions: Part[],
): CardSpec {
  const unit = org.units.get(unitId)?.name ?? unitId;
  const open = wording.status === 'pending' && !decisions.some((d) => d.unitId === unitId);
  const rejected = decisions.find((d) => d.decision === 'rejected');
  const value = { item: item.id, v: item.version, w: wording.id, u: unitId };
  const fields = [
    { label: '编号', value: item.number },
    { label: '状态', value: STATUS[wording.status] ?? wording.status },
    { label: '拟稿人', value: wording.drafterName },
    { label: '提交时间', value: formatShanghai(wording.submittedAt) },
    { label: '审核', value: decisionLine(org, wording, decisions) },
  ];
  if (rejected?.reason) fields.push({ label: '退回理由', value: rejected.reason });
  const named = wording.unitIds.length > 1 && unitId !== wording.unitIds[0];
  const ask = open ? (named ? `口径涉及${unit}，请审核确认：` : `请${unit}审核以下回应口径：`) : '回应口径：';
  return {
    title: `口径审核 ${item.number}｜${item.title}`,
    template: wording.status === 'approved' ? 'green' : wording.status === 'rejected' ? 'grey' : 'orange',
    fields,
    body: parts(
      open ? mentions.flatMap((m) => [m, { t: 'text' as const, v: ' ' }]) : [],
      `${ask}\n${wording.text}`,
    ),
    note: parts(`${cite(pack, pack.clauses.approval)}\n${cite(pack, pack.clauses.secrecy)}`),
    // The drafter (or the responsible unit) may take it back while it waits.
    buttons:
      wording.status === 'pending' && unitId === wording.unitIds[0]
        ? [
            {
              label: '撤回（拟稿人）',
              style: 'default',
              value: { a: 'withdraw_wording', ...value },
              command: `/撤回 ${item.number}`,
            },
          ]
        : [],
    forms: open
      ? [
          {
            name: 'decide',
            title: '审核意见（审核人、领导）',
            fields: [
              { kind: 'check', name: 'secrecy', label: '已完成保密审查（同意前必须勾选）' },
              { kind: 'text', name: 'reason', label: '退回理由', placeholder: '退回时必填' },
            ],
            buttons: [
              {
                label: '同意',
                style: 'primary',
                value: { a: 'approve_wording', ...value },
                command: `/同意 ${item.number} 保密审查`,
              },
              {
                label: '退回',
                style: 'danger',
                value: { a: 'reject_wording', ...value },
                command: `/退回 ${item.number} <理由>`,
              },
            ],
          },
        ]
      : [],
  };
}
