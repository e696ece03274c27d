import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { ITEM_ACTIONS } from '../../src/core/item-state.js';
import { PERMISSIONS, ROLE_NAMES } from '../../src/core/permissions.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The cells of each row of the first table under `heading`. */
function tableRows(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no "${heading}" section`);
  const lines = markdown.slice(start + heading.length + 1).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const table = lines.slice(
    first,
    lines.findIndex((l, i) => i > first && !l.startsWith('|')),
  );
  return table.slice(2).map((row) =>
    row
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

describe('docs/develop/conventions.md error codes', () => {
  it('lists exactly the registered codes, in order, with their meanings', () => {
    const rows = tableRows(read('docs/develop/conventions.md'), '## Errors');
    expect(rows.map(([code, meaning]) => [code?.replaceAll('`', ''), meaning])).toEqual(
      Object.entries(ERROR_CODES),
    );
  });
});

describe('docs/user/commands.md 谁可以操作', () => {
  it('names, for every item action, the roles PERMISSIONS allows', () => {
    const rows = tableRows(read('docs/user/commands.md'), '## 谁可以操作');
    expect(rows.map(([action]) => action)).toEqual(Object.values(ITEM_ACTIONS));
    for (const [action, perm] of Object.entries(PERMISSIONS)) {
      const row = rows.find(([name]) => name === ITEM_ACTIONS[action as keyof typeof ITEM_ACTIONS]);
      // The roles cell starts with exactly the allowed roles (a note in parentheses may follow).
      const roles = (row?.[1] ?? '').replace(/（.*）$/, '');
      expect(roles, action).toBe(perm.roles.map((r) => ROLE_NAMES[r]).join('、'));
      const units = row?.[2] ?? '';
      if (perm.units === 'wording') expect(units, action).toContain('口径请求审核的单位');
      else if (perm.units.includes('coordinator')) expect(units, action).toBe('责任单位或协调单位');
      else expect(units, action).toBe('责任单位');
    }
  });
});
