/** Card markdown with its HTML entities (&#35; …) decoded: the text a reader sees. */
export const decodeEntities = (md: string) =>
  md.replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)));

/**
 * The markdown constructs still active in card markdown (other than the renderer's own `**label**`
 * and `<at id=…></at>` mentions): headings, rules, lists, quotes, links, emphasis, code and tags.
 * Empty when every character of the text shows as itself.
 */
export function activeMarkdown(md: string): string[] {
  const text = md
    .replace(/<at id=[^>]*><\/at>/g, '')
    .replace(/\*\*[^*\n]*\*\*：/g, '')
    // An entity shows one literal character.
    .replace(/&#\d+;/g, '·');
  const found: string[] = [];
  for (const line of text.split('\n')) {
    if (/^[ \t]*(#|[-+*=_]|\d+[.)]|>)/.test(line)) found.push(`line start: ${line}`);
  }
  for (const re of [/\[[^\]]*\]\([^)]*\)/, /[*_~`[\]<>#|]/]) {
    const m = re.exec(text);
    if (m) found.push(`syntax: ${m[0]}`);
  }
  return found;
}
