import { describe, expect, it } from 'vitest';
import { HuiyinError } from '../../src/core/errors.js';
import {
  ITEM_ACTIONS,
  ITEM_STATES,
  type ItemAction,
  type ItemState,
  isItemState,
  nextState,
} from '../../src/core/item-state.js';
import { caught } from '../helpers/caught.js';

/** Every allowed (state, action) pair and the state it leads to; everything else is refused. */
const ALLOWED: [ItemState, ItemAction, ItemState][] = [
  ['reported', 'claim', 'claimed'],
  ['reported', 'grade', 'reported'],
  ['claimed', 'grade', 'claimed'],
  ['awaiting_approval', 'grade', 'awaiting_approval'],
  ['responding', 'grade', 'responding'],
  ['reported', 'transfer', 'reported'],
  ['claimed', 'transfer', 'reported'],
  ['claimed', 'submit_wording', 'awaiting_approval'],
  ['responding', 'submit_wording', 'responding'],
  ['awaiting_approval', 'approve_wording', 'responding'],
  ['responding', 'approve_wording', 'responding'],
  ['awaiting_approval', 'reject_wording', 'claimed'],
  ['responding', 'reject_wording', 'responding'],
  ['awaiting_approval', 'withdraw_wording', 'claimed'],
  ['responding', 'withdraw_wording', 'responding'],
  ['claimed', 'publish', 'responding'],
  ['responding', 'publish', 'responding'],
  ['claimed', 'press_conference', 'responding'],
  ['responding', 'press_conference', 'responding'],
  ['responding', 'update', 'responding'],
  ['reported', 'escalate', 'reported'],
  ['claimed', 'escalate', 'claimed'],
  ['awaiting_approval', 'escalate', 'awaiting_approval'],
  ['responding', 'escalate', 'responding'],
  ['reported', 'extend', 'reported'],
  ['claimed', 'extend', 'claimed'],
  ['claimed', 'close', 'closed'],
  ['responding', 'close', 'closed'],
];

const STATES = Object.keys(ITEM_STATES) as ItemState[];
const ACTIONS = Object.keys(ITEM_ACTIONS) as ItemAction[];
const REFUSED = STATES.flatMap((s) =>
  ACTIONS.filter((a) => !ALLOWED.some(([fs, fa]) => fs === s && fa === a)).map(
    (a) => [s, a] as [ItemState, ItemAction],
  ),
);

describe('nextState', () => {
  it.each(ALLOWED)('%s --%s--> %s', (from, action, to) => {
    expect(nextState(from, action)).toBe(to);
  });

  it.each(REFUSED)('%s refuses %s', (from, action) => {
    const err = caught(() => nextState(from, action));
    expect(err).toBeInstanceOf(HuiyinError);
    expect(err).toMatchObject({ code: 'huiyin_invalid_transition' });
  });

  it('refuses to claim a closed item, naming the states where claiming works', () => {
    const err = caught(() => nextState('closed', 'claim'));
    expect(err).toMatchObject({
      name: 'HuiyinError',
      code: 'huiyin_invalid_transition',
      message: '该舆情当前状态为「已办结」，不能认领（仅在待认领时可以）。',
    });
  });

  it('refuses to close an item nobody has claimed', () => {
    expect(caught(() => nextState('reported', 'close'))).toMatchObject({
      code: 'huiyin_invalid_transition',
      message: '该舆情当前状态为「待认领」，不能办结（仅在处置中、已回应时可以）。',
    });
  });

  it('nothing is allowed once closed', () => {
    expect(REFUSED.filter(([s]) => s === 'closed').map(([, a]) => a)).toEqual(ACTIONS);
  });

  it('the full life cycle of seed 000 三(四)', () => {
    const path: ItemAction[] = [
      'claim',
      'grade',
      'submit_wording',
      'approve_wording',
      'publish',
      'update',
      'close',
    ];
    const seen: ItemState[] = [];
    let s: ItemState = 'reported';
    for (const a of path) {
      s = nextState(s, a);
      seen.push(s);
    }
    expect(seen).toEqual([
      'claimed',
      'claimed',
      'awaiting_approval',
      'responding',
      'responding',
      'responding',
      'closed',
    ]);
  });
});

describe('isItemState', () => {
  it.each([
    ['reported', true],
    ['closed', true],
    ['待认领', false],
    ['toString', false],
    ['', false],
  ])('%j → %s', (s, expected) => {
    expect(isItemState(s)).toBe(expected);
  });
});
