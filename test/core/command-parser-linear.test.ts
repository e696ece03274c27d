import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandName, type ParsedCommand, parseCommand } from '../../src/core/command-parser.js';
import * as reference from './command-parser-reference.js';

const plain = (cmd: ParsedCommand | null) =>
  cmd && {
    name: cmd.name,
    positional: cmd.positional,
    options: [...cmd.options],
    flags: [...cmd.flags],
    rest: cmd.rest,
  };

// The characters the parser treats specially, with some ordinary ones: random text over them
// reaches every branch (quotes opened and closed or not, separators, options, flags, dates).
const ALPHABET = [
  ...'“”"「」‘’:：=＝ \u3000\n\t/／@',
  '类别',
  '级别',
  'cat',
  '教育',
  '较大',
  '突发',
  '事发',
  '昨天',
  '18:00',
  '标题',
  'x',
  '上报',
];
const message = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }).map((xs) => xs.join(''));

describe('the linear command parser', () => {
  it('parses every message exactly as the reference parser did', () => {
    fc.assert(
      fc.property(message, (body) => {
        for (const text of [body, `/上报 ${body}`, `@回音 /上报 ${body}`]) {
          expect(plain(parseCommand(text))).toEqual(plain(reference.parseCommand(text)));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the command word of any message without tokenising it', () => {
    fc.assert(
      fc.property(message, (body) => {
        for (const text of [body, `/上报 ${body}`, `@回音 ／查询${body}`]) {
          expect(commandName(text)).toBe(reference.parseCommand(text)?.name ?? null);
        }
      }),
      { numRuns: 500 },
    );
  });

  // The reference parser needs over 30 s for each of these (quadratic); the linear one returns at
  // once, so within the test's timeout.
  it.each([
    ['unclosed quotes', `/上报 ${'“ '.repeat(75_000)}`],
    ['unclosed quotes after separators', `/上报 ${'a:“'.repeat(50_000)}`],
    ['one option given 25,000 times', `/上报 ${'类别:教育 '.repeat(25_000)}`],
  ])('returns on 150,000 characters of %s', (_name, text) => {
    expect(text.length).toBeGreaterThanOrEqual(150_000);
    const parsed = parseCommand(text);
    expect(parsed?.name).toBe('上报');
  });
});
