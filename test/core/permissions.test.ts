import { describe, expect, it } from 'vitest';
import { ITEM_ACTIONS, TRANSITIONS } from '../../src/core/item-state.js';
import { mayAct, PERMISSIONS } from '../../src/core/permissions.js';

describe('item permissions', () => {
  it('every action the state machine knows says who may take it', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(ITEM_ACTIONS).sort());
    for (const t of TRANSITIONS) expect(PERMISSIONS[t.action].roles.length, t.action).toBeGreaterThan(0);
  });

  it('a role counts only in a unit in scope', () => {
    const spokesperson = [{ unitId: 'jyt', roles: ['spokesperson'] }];
    expect(mayAct(spokesperson, ['jyt'], 'claim')).toBe(true);
    expect(mayAct(spokesperson, ['gat'], 'claim')).toBe(false);
    // The spokesperson may not grade (研判 is for leaders and approvers) nor extend a 网民留言.
    expect(mayAct(spokesperson, ['jyt'], 'grade')).toBe(false);
    expect(mayAct(spokesperson, ['jyt'], 'extend')).toBe(false);
    expect(mayAct([{ unitId: 'jyt', roles: ['officer', 'approver'] }], ['jyt'], 'extend')).toBe(true);
    expect(mayAct([], ['jyt'], 'close')).toBe(false);
  });
});
