import type { ItemRow } from '../../../db/repos/item-repo.js';
import { ITEM_STATES, isItemState } from '../../../src/core/item-state.js';
import type { Org } from '../../../src/core/org.js';
import { RELEASE_STAGES } from '../../../src/core/vocabulary.js';

/** How a unit's part in an item is named on the card. */
export const ROLE_LABELS: Record<string, string> = {
  responsible: '责任单位',
  coordinator: '协调单位',
  involved: '涉事地区',
  cc: '抄送',
};

/** 一般（上报人建议，待研判） until 研判 sets the level. */
export function levelLabel(item: ItemRow): string {
  if (item.level) return item.level;
  if (item.proposedLevel) return `${item.proposedLevel}（上报人建议，待研判）`;
  return '待研判';
}

/** An item state as officers read it (已上报, 已认领, …). */
export const stateLabel = (state: string) => (isItemState(state) ? ITEM_STATES[state] : state);

/** Each unit taking part in an item and its role there (responsible, coordinator, involved, cc). */
export type UnitRoles = { unitId: string; role: string }[];

/** The names of the units with `role`, joined for a card field. */
export const namesWithRole = (org: Org, roles: UnitRoles, role: string) =>
  roles
    .filter((r) => r.role === role)
    .map((r) => org.units.get(r.unitId)?.name ?? r.unitId)
    .join('、');

/** The release stages so far: 快报事实 ✓ → 慎报原因 → …. */
export const stageLine = (reached: number) =>
  RELEASE_STAGES.map((s, i) => (i < reached ? `${s} ✓` : s)).join(' → ');

const WORDING_STATUS: Record<string, string> = {
  pending: '审核中',
  rejected: '已退回，待修改后重新提交',
  withdrawn: '已撤回',
};

/** A wording status as the card shows it. */
export const wordingStatusLabel = (status: string) => WORDING_STATUS[status] ?? status;
