/**
 * What users type, made safe to store and to show before anything else reads it: every adapter
 * passes its normalised event through here before the event is stored.
 *
 * - C0 and C1 control characters go (Postgres refuses U+0000 in text and jsonb), except the line
 *   break and the tab; a carriage return becomes a line break.
 * - A lone surrogate (half of a UTF-16 pair, which no encoder can write) becomes U+FFFD.
 * - Bidirectional controls and zero-width characters go: they make a title display differently
 *   from what it is (a U+202E turns 通知 into 知通). A zero-width joiner inside an emoji sequence
 *   (👨‍👩‍👧) stays.
 */

// C0 but \t and \n, DEL, C1; \r is handled first.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// Bidi embeddings, overrides and isolates; the implicit marks LRM, RLM and ALM.
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
// Zero-width space and non-joiner, word joiner, invisible operators, deprecated format
// characters, the byte-order mark; a joiner except between two pictographs.
const INVISIBLE =
  /[\u200B\u200C\u2060-\u2064\u206A-\u206F\uFEFF]|(?<!\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D|\u200D(?!\p{Extended_Pictographic})/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** One string as it is kept and shown (see the module comment for what changes). */
export function cleanText(s: string): string {
  return s
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, '')
    .replace(BIDI, '')
    .replace(INVISIBLE, '');
}

/**
 * Every string in a JSON-like value cleaned, keys too: arrays and plain objects are rebuilt,
 * anything else (numbers, booleans, dates) is returned as it is.
 */
export function cleanStrings<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map((v) => cleanStrings(v)) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanStrings(v)])) as T;
  }
  return value;
}
