// The command parser as it was before it was made linear (quadratic on unclosed quotes): the
// reference the property test in command-parser-linear.test.ts compares the linear one with.
/**
 * Tokenises a chat command: a leading bot mention, `/名称` (full-width ／ too), then words,
 * quoted titles (“…” "…" 「…」 ‘…’) and `键:值` / `键：值` / `键=值` options.
 */

export interface ParsedCommand {
  /** The command word as typed, without the slash, e.g. 上报 or report. */
  name: string;
  /** Free words in order (quoted ones without their quotes). */
  positional: string[];
  /** Options by canonical key (类别, 级别, …); a key given twice keeps both values. */
  options: Map<string, string[]>;
  /** Bare flags such as 突发. */
  flags: Set<string>;
  /** Everything after the command word, trimmed, for commands that take free text. */
  rest: string;
}

/** Canonical option keys and what users may type for them. */
export const OPTION_KEYS: Record<string, string[]> = {
  类别: ['category', 'cat', '分类', '类型'],
  级别: ['level', '等级'],
  来源: ['source', 'channel', '渠道'],
  链接: ['link', 'url', '网址'],
  事发: ['at', 'occurred', 'time', '事发时间', '时间'],
  涉事: ['involved', '涉事单位'],
  单位: ['unit'],
  受理: ['accepted', '受理日期'],
};

export const FLAG_KEYS: Record<string, string[]> = {
  突发: ['emergency', 'urgent', '突发事件'],
  伤亡: ['casualties', '人员伤亡', '重大伤亡'],
  影响较大: ['large-impact', '社会影响较大', '较大社会影响'],
};

// Quotes group words only where a token (or an option's value) begins: 网传“某校停课”不实
// and 《通知》 keep their marks as part of the title.
const QUOTES: Record<string, string> = { '“': '”', '"': '"', '「': '」', '‘': '’' };
const KV = /^([^:：=＝]+)[:：=＝]([\s\S]*)$/;
const TIME_ONLY = /^\d{1,2}(?:[:：]\d{2}|[点时](?:\d{1,2}分?)?)$/;
const DATE_ONLY = /^(今天|昨天|前天|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/月]\d{1,2}日?)$/;

const fold = (s: string) => s.normalize('NFKC').trim().toLowerCase();

function canonical(table: Record<string, string[]>, word: string): string | undefined {
  const w = fold(word);
  for (const [key, aliases] of Object.entries(table)) {
    if (fold(key) === w || aliases.some((a) => fold(a) === w)) return key;
  }
  return undefined;
}

interface Token {
  text: string;
  quoted: boolean;
}

/** A token that is itself a known `key:value` option (so it is not a value for the key before it). */
function isOption(tok: Token): boolean {
  const kv = tok.quoted ? null : KV.exec(tok.text);
  return kv !== null && canonical(OPTION_KEYS, kv[1] as string) !== undefined;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let cur = '';
  let quoted = false;
  let started = false;
  const flush = () => {
    if (started) tokens.push({ text: cur, quoted });
    cur = '';
    quoted = false;
    started = false;
  };
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    if (/\s/.test(ch)) {
      flush();
      continue;
    }
    const close = QUOTES[ch];
    if (close !== undefined && (cur === '' || /[:：=＝]$/.test(cur))) {
      const end = input.indexOf(close, i + 1);
      if (end !== -1) {
        if (!started) quoted = true;
        started = true;
        cur += input.slice(i + 1, end);
        i = end;
        continue;
      }
    }
    started = true;
    cur += ch;
  }
  flush();
  return tokens;
}

/** Strips leading @-mentions (`@_user_1`, `@回音`) and returns the rest. */
export function stripLeadingMentions(text: string): string {
  return text.replace(/^(?:[\s\u3000]*@[^\s\u3000/／]+)+[\s\u3000]*/u, '').trim();
}

const COMMAND = /^[/／]([^\s\u3000“"「‘]+)([\s\S]*)$/u;

/** Whether the text is a command (what parseCommand would parse), without tokenising it. */
export const isCommand = (text: string): boolean => COMMAND.test(stripLeadingMentions(text));

/** Parses a command message; null when the text is not a command at all. */
export function parseCommand(text: string): ParsedCommand | null {
  const body = stripLeadingMentions(text);
  const m = COMMAND.exec(body);
  if (!m) return null;
  const name = (m[1] as string).normalize('NFKC');
  const rest = (m[2] as string).trim();
  const tokens = tokenize(rest);
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  const flags = new Set<string>();

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    if (!tok.quoted) {
      const kv = KV.exec(tok.text);
      const key = kv ? canonical(OPTION_KEYS, kv[1] as string) : undefined;
      if (kv && key) {
        let value = (kv[2] as string).trim();
        const next = tokens[i + 1];
        // `类别: 教育` — a space after the separator.
        if (value === '' && next && !isOption(next)) {
          value = next.text;
          i++;
        }
        // `事发:昨天 18:00` — a date and its time as two words.
        const after = tokens[i + 1];
        if (
          key === '事发' &&
          DATE_ONLY.test(value.normalize('NFKC')) &&
          after &&
          TIME_ONLY.test(after.text.normalize('NFKC'))
        ) {
          value = `${value} ${after.text}`;
          i++;
        }
        options.set(key, [...(options.get(key) ?? []), value]);
        continue;
      }
      const flag = canonical(FLAG_KEYS, tok.text);
      if (flag) {
        flags.add(flag);
        continue;
      }
    }
    positional.push(tok.text);
  }
  return { name, positional, options, flags, rest };
}

/** The last value given for an option, if any. */
export const optionValue = (cmd: ParsedCommand, key: string): string | undefined => {
  const values = cmd.options.get(key);
  return values ? values[values.length - 1] : undefined;
};
