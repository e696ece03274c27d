import { HuiyinError } from './errors.js';

/**
 * The item life cycle of seed 000 三(四): 发现上报 → 认领 → 研判 → 口径审核 → 发布回应 → 办结.
 * Transitions are data so flows, cards and the README read the same table.
 */
export const ITEM_STATES = {
  reported: '待认领',
  claimed: '处置中',
  awaiting_approval: '口径审核中',
  responding: '已回应',
  closed: '已办结',
} as const;
export type ItemState = keyof typeof ITEM_STATES;

export const ITEM_ACTIONS = {
  claim: '认领',
  grade: '研判',
  transfer: '转办',
  submit_wording: '提交口径',
  approve_wording: '同意口径',
  reject_wording: '退回口径',
  withdraw_wording: '撤回口径',
  publish: '发布',
  press_conference: '发布会',
  update: '续报',
  escalate: '报告上级',
  extend: '延期',
  close: '办结',
} as const;
export type ItemAction = keyof typeof ITEM_ACTIONS;

/** An action's transitions: the first whose `from` holds the item's state applies. */
interface Transition {
  action: ItemAction;
  from: ItemState[];
  /** Omitted: the state stays as it is. */
  to?: ItemState;
}

export const TRANSITIONS: Transition[] = [
  { action: 'claim', from: ['reported'], to: 'claimed' },
  { action: 'grade', from: ['reported', 'claimed', 'awaiting_approval', 'responding'] },
  { action: 'transfer', from: ['reported', 'claimed'], to: 'reported' },
  // The first wording holds the item in 口径审核中 until it is approved (then 已回应) or sent back.
  { action: 'submit_wording', from: ['claimed'], to: 'awaiting_approval' },
  { action: 'approve_wording', from: ['awaiting_approval'], to: 'responding' },
  { action: 'reject_wording', from: ['awaiting_approval'], to: 'claimed' },
  // A revised wording for an item already 已回应 leaves it there: updates go on meanwhile.
  { action: 'submit_wording', from: ['responding'] },
  { action: 'approve_wording', from: ['responding'] },
  { action: 'reject_wording', from: ['responding'] },
  { action: 'withdraw_wording', from: ['awaiting_approval'], to: 'claimed' },
  { action: 'withdraw_wording', from: ['responding'] },
  { action: 'publish', from: ['claimed', 'responding'], to: 'responding' },
  { action: 'press_conference', from: ['claimed', 'responding'], to: 'responding' },
  { action: 'update', from: ['responding'] },
  // Escalating to the superior (/报告) may not wait for a claim: its clock runs from 事发.
  { action: 'escalate', from: ['reported', 'claimed', 'awaiting_approval', 'responding'] },
  { action: 'extend', from: ['reported', 'claimed'] },
  { action: 'close', from: ['claimed', 'responding'], to: 'closed' },
];

export const isItemState = (s: string): s is ItemState => Object.hasOwn(ITEM_STATES, s);

/** The state after `action`, or a HuiyinError naming the states the action is allowed in. */
export function nextState(state: ItemState, action: ItemAction): ItemState {
  const ts = TRANSITIONS.filter((x) => x.action === action);
  if (ts.length === 0) throw new Error(`no transition for ${action}`);
  const t = ts.find((x) => x.from.includes(state));
  if (!t) {
    const allowed = ts
      .flatMap((x) => x.from)
      .map((s) => ITEM_STATES[s])
      .join('、');
    throw new HuiyinError(
      'huiyin_invalid_transition',
      `该舆情当前状态为「${ITEM_STATES[state]}」，不能${ITEM_ACTIONS[action]}（仅在${allowed}时可以）。`,
    );
  }
  return t.to ?? state;
}
