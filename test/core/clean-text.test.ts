import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanStrings, cleanText } from '../../src/core/clean-text.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: what cleaning removes
const FORBIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200B\u200C\uFEFF]/;

// Any UTF-16 code units, weighted towards the ones cleaning is about (surrogate halves, joiners,
// variation selectors, bidi controls).
const codeUnits = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0xffff }),
      fc.constantFrom(0xd83d, 0xde00, 0xdc68, 0x200d, 0xfe0f, 0x202e, 0x2066, 0x200b, 0xfeff, 0, 0x0d),
    ),
    { maxLength: 60 },
  )
  .map((units) => String.fromCharCode(...units));

/** No lone surrogate: encodeURIComponent throws on one. */
const wellFormed = (s: string) => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};

describe('cleanText', () => {
  it.each<[string, string, string]>([
    ['NUL and other C0 controls go', '标\u0000题\u0001\u001F\u007F', '标题'],
    ['C1 controls go', 'a\u0085\u009Fb', 'ab'],
    ['line breaks and tabs stay', '第一行\n\t第二行', '第一行\n\t第二行'],
    ['a carriage return becomes a line break', 'a\r\nb\rc', 'a\nb\nc'],
    ['a lone high surrogate becomes U+FFFD', 'a\uD800b', 'a\uFFFDb'],
    ['a lone low surrogate becomes U+FFFD', '\uDC00x\uD83D', '\uFFFDx\uFFFD'],
    ['a real pair stays', '😀 通知', '😀 通知'],
    ['bidi overrides and isolates go', '某校\u202E知通\u202C停课\u2066x\u2069', '某校知通停课x'],
    ['implicit marks go', 'a\u200Eb\u200Fc\u061Cd', 'abcd'],
    ['zero-width characters go', '停\u200B课\u200C通\u200D知\u2060！\uFEFF', '停课通知！'],
    ['a joiner inside an emoji sequence stays', '👨\u200D👩\u200D👧 家庭', '👨\u200D👩\u200D👧 家庭'],
    ['a joiner after a skin tone inside an emoji sequence stays', '👩🏽\u200D💻', '👩🏽\u200D💻'],
    ['ordinary Chinese text is unchanged', '网传“某校停课”不实 类别：教育', '网传“某校停课”不实 类别：教育'],
  ])('%s', (_name, input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it('any string comes out well formed, without NUL, controls, bidi or zero-width characters', () => {
    fc.assert(
      fc.property(codeUnits, (s) => {
        const out = cleanText(s);
        // Cleaning twice changes nothing more.
        return wellFormed(out) && !FORBIDDEN.test(out) && cleanText(out) === out;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('cleanStrings', () => {
  it('cleans every string of a JSON-like value, keys too, and leaves dates and numbers alone', () => {
    const at = new Date('2026-11-22T03:00:00Z');
    const out = cleanStrings({
      text: 'a\u0000b',
      list: ['\u202Ex', 1, true, null],
      nested: { 'k\u0000': '\uD800' },
      at,
    });
    expect(out).toEqual({ text: 'ab', list: ['x', 1, true, null], nested: { k: '\uFFFD' }, at });
    expect(out.at).toBe(at);
  });
});
