import type { CardSpec, OutMessage, Part } from '../../core/message.js';

/** A run of text, or an @-mention to resolve to a room member when sending. */
export type Piece = string | { at: string; name: string };

/**
 * WeCom refuses a text over 2,048 bytes; a message is cut below that, leaving room for the
 * continuation mark and for names a mention may render longer than it was measured.
 */
export const WECOM_MAX_BYTES = 1800;

/** The item a message is about, so it can say so: WeCom has no threads. */
export interface ItemRef {
  number: string;
  title: string;
}

type Line = Piece[];

const bytes = (p: Piece) => Buffer.byteLength(typeof p === 'string' ? p : `@${p.name} `, 'utf8');
const lineBytes = (l: Line) => l.reduce((n, p) => n + bytes(p), 0);

/** Parts as lines of pieces, split at line breaks. */
function linesOf(parts: Part[]): Line[] {
  const lines: Line[] = [[]];
  for (const p of parts) {
    if (p.t === 'at') {
      (lines[lines.length - 1] as Line).push({ at: p.id, name: p.name });
      continue;
    }
    p.v.split('\n').forEach((seg, i) => {
      if (i > 0) lines.push([]);
      if (seg) (lines[lines.length - 1] as Line).push(seg);
    });
  }
  return lines;
}

/**
 * A card as compact text: its title, fields, body and note, then each thing the card lets one
 * do as the exact command to type (回复「/认领 YQ20261122-003」认领).
 */
function cardLines(card: CardSpec): Line[] {
  const lines: Line[] = [[`【${card.title}】`]];
  for (const f of card.fields) lines.push([`${f.label}：${f.value}`]);
  if (card.body.length > 0) lines.push(...linesOf(card.body));
  if (card.note && card.note.length > 0) lines.push(...linesOf(card.note));
  const actions: [string, string][] = [];
  for (const b of card.buttons) if (b.command) actions.push([b.command, b.label]);
  for (const s of card.selects ?? []) {
    if (s.command)
      actions.push([s.command, `${s.placeholder}，可选：${s.options.map((o) => o.label).join('、')}`]);
  }
  for (const f of card.forms ?? []) {
    for (const b of f.buttons)
      if (b.command) actions.push([b.command, f.buttons.length === 1 ? f.title : b.label]);
  }
  const seen = new Set<string>();
  const unique = actions.filter(([c]) => !seen.has(c) && seen.add(c));
  if (unique.length > 0) {
    lines.push(['可回复以下命令：']);
    for (const [command, label] of unique) lines.push([`· 回复「${command}」${label}`]);
  }
  return lines;
}

/** Splits a line too long for one message into pieces that fit. */
function splitLine(line: Line, max: number): Line[] {
  const out: Line[] = [[]];
  let size = 0;
  for (const p of line) {
    if (typeof p !== 'string') {
      if (size + bytes(p) > max && size > 0) {
        out.push([]);
        size = 0;
      }
      (out[out.length - 1] as Line).push(p);
      size += bytes(p);
      continue;
    }
    let run = '';
    for (const ch of p) {
      const b = Buffer.byteLength(ch, 'utf8');
      if (size + b > max) {
        if (run) (out[out.length - 1] as Line).push(run);
        out.push([]);
        run = '';
        size = 0;
      }
      run += ch;
      size += b;
    }
    if (run) (out[out.length - 1] as Line).push(run);
  }
  return out;
}

/**
 * A message as one or more WeCom texts, each under `maxBytes`. A message about an item starts
 * with its number and title (unless its first line already has both); each further part of a
 * long message says which part it is.
 */
export function renderWecom(
  message: OutMessage,
  item: ItemRef | null,
  maxBytes = WECOM_MAX_BYTES,
): Piece[][] {
  const lines = message.kind === 'card' ? cardLines(message.card) : linesOf(message.parts);
  const first = (lines[0] ?? []).map((p) => (typeof p === 'string' ? p : '')).join('');
  if (item && message.kind === 'text' && !(first.includes(item.number) && first.includes(item.title))) {
    lines.unshift([`【${item.number}《${item.title}》】`]);
  }
  // Leave room for the continuation mark.
  const budget = maxBytes - 64;
  const chunks: Line[][] = [[]];
  let size = 0;
  for (const line of lines.flatMap((l) => (lineBytes(l) > budget ? splitLine(l, budget) : [l]))) {
    const b = lineBytes(line) + 1;
    if (size + b > budget && size > 0) {
      chunks.push([]);
      size = 0;
    }
    (chunks[chunks.length - 1] as Line[]).push(line);
    size += b;
  }
  return chunks.map((chunk, i) => {
    const pieces: Piece[] = [];
    // The first part says more follows; each further part which one it is.
    if (i === 0 && chunks.length > 1) chunk.push([`（未完，共 ${chunks.length} 条）`]);
    if (i > 0) {
      const mark = item
        ? `【${item.number} 续${i + 1}/${chunks.length}】`
        : `（续${i + 1}/${chunks.length}）`;
      pieces.push(`${mark}\n`);
    }
    chunk.forEach((line, j) => {
      if (j > 0) pieces.push('\n');
      pieces.push(...line);
    });
    // Adjacent strings as one.
    return pieces.reduce<Piece[]>((acc, p) => {
      const last = acc[acc.length - 1];
      if (typeof p === 'string' && typeof last === 'string') acc[acc.length - 1] = last + p;
      else acc.push(p);
      return acc;
    }, []);
  });
}

/** The text a piece list shows, mentions as @名字 (for logs and tests). */
export const piecesText = (pieces: Piece[]) =>
  pieces.map((p) => (typeof p === 'string' ? p : `@${p.name}`)).join('');
