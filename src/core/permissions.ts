import { HuiyinError } from './errors.js';
import type { ItemAction } from './item-state.js';
import type { UnitRole } from './routing.js';

/** A person's roles in a unit, as the org directory gives them. */
export const ROLES = ['spokesperson', 'leader', 'approver', 'officer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  spokesperson: '新闻发言人',
  officer: '工作人员',
  leader: '领导',
  approver: '审核人',
  admin: '管理员',
};

/**
 * Which units' people may act: the owning unit and the item's units with one of these roles, or
 * `wording`: each unit whose approval the wording under review asks for (its own decision).
 */
export type UnitScope = readonly UnitRole[] | 'wording';

/**
 * Who may take each item action: a person holding one of `roles` in the item's owning unit or
 * in a unit that takes part in it as one of `units`. `what` completes the refusal
 * 「只有…的…可以<what>。」. Beside the state machine's transitions (item-state.ts): one says
 * when an action may happen, this says by whom.
 */
export interface Permission {
  roles: readonly Role[];
  units: UnitScope;
  what: string;
}

const HANDLERS = ['spokesperson', 'officer', 'leader'] as const;
const DECIDERS = ['leader', 'approver'] as const;

export const PERMISSIONS: Record<ItemAction, Permission> = {
  claim: { roles: ['spokesperson', 'officer'], units: ['responsible'], what: '认领' },
  grade: { roles: DECIDERS, units: ['responsible'], what: '研判定级' },
  // A coordinating office may hand an item on (转办) as well as the owner.
  transfer: { roles: DECIDERS, units: ['coordinator'], what: '转办' },
  submit_wording: { roles: HANDLERS, units: ['responsible'], what: '提交口径' },
  approve_wording: { roles: ['approver', 'leader'], units: 'wording', what: '审核此口径' },
  reject_wording: { roles: ['approver', 'leader'], units: 'wording', what: '审核此口径' },
  withdraw_wording: { roles: HANDLERS, units: ['responsible'], what: '撤回口径（拟稿人本人也可以）' },
  publish: { roles: HANDLERS, units: ['responsible'], what: '记录发布' },
  press_conference: { roles: HANDLERS, units: ['responsible'], what: '记录新闻发布会' },
  update: { roles: HANDLERS, units: ['responsible'], what: '续报' },
  escalate: { roles: HANDLERS, units: ['responsible'], what: '记录报告上级' },
  extend: { roles: ['approver'], units: ['responsible'], what: '批准延期' },
  close: { roles: HANDLERS, units: ['responsible'], what: '办结' },
};

/** Whether someone with these memberships may take `action` for one of `unitIds` (the units in scope). */
export function mayAct(
  memberships: readonly { unitId: string; roles: readonly string[] }[],
  unitIds: readonly string[],
  action: ItemAction,
): boolean {
  const { roles } = PERMISSIONS[action];
  return memberships.some(
    (m) => unitIds.includes(m.unitId) && m.roles.some((r) => (roles as readonly string[]).includes(r)),
  );
}

/** The refusal when nobody of `unitNames` in the needed roles is asking: it names who may. */
export function notAllowed(unitNames: readonly string[], action: ItemAction): HuiyinError {
  const { roles, what } = PERMISSIONS[action];
  return new HuiyinError(
    'huiyin_not_allowed',
    `只有${[...new Set(unitNames)].join('、')}的${roles.map((r) => ROLE_NAMES[r]).join('、')}可以${what}。`,
  );
}
