// SPL tokenizer over macro-expanded text: pipeline splitting and per-command tokens with offsets.
// Invariant: string literals follow SPL rules (`\\` -> `\`, `\"` -> `"`, other backslashes kept) and keep a value->source map.

import { HopscopeError } from '../../model/errors.ts';
import { locAt, type SourceText } from './source-text.ts';

export type TokenKind = 'word' | 'str' | 'fieldref' | 'lp' | 'rp' | 'comma' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Processed value: the unescaped string for `str`/`fieldref`, the raw text otherwise. */
  value: string;
  /** Offsets into the expanded text. */
  start: number;
  end: number;
  /** For `str`: text offset of each character of `value` (for locating regex errors). */
  valueOffsets?: number[];
}

/** `search` mode keeps `*`, `-`, `/` inside words; `eval` mode splits arithmetic operators and reads 'field' refs. */
export type LexMode = 'search' | 'eval';

export interface Segment {
  start: number;
  end: number;
}

/** Split on `|` outside double quotes. */
export function splitPipeline(src: SourceText): Segment[] {
  const text = src.text;
  const out: Segment[] = [];
  let start = 0;
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
      continue;
    }
    if (c === '"') inQuote = true;
    else if (c === '|') {
      out.push({ start, end: i });
      start = i + 1;
    }
  }
  if (inQuote) throw new HopscopeError('E_RULE_PARSE', 'unterminated string literal', locAt(src, lastQuote(text)));
  out.push({ start, end: text.length });
  return out;
}

function lastQuote(text: string): number {
  // Re-scan to find where the unterminated literal began.
  let inQuote = false;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') {
      inQuote = true;
      at = i;
    }
  }
  return at;
}

const SPACE = /\s/;

export function tokenize(src: SourceText, seg: Segment, mode: LexMode): Token[] {
  const text = src.text;
  const toks: Token[] = [];
  let i = seg.start;
  const end = seg.end;
  while (i < end) {
    const c = text[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || (mode === 'eval' && c === "'")) {
      const q = c;
      i++;
      let value = '';
      const valueOffsets: number[] = [];
      for (;;) {
        if (i >= end) throw new HopscopeError('E_RULE_PARSE', 'unterminated string literal', locAt(src, start));
        const d = text[i]!;
        if (d === q) {
          i++;
          break;
        }
        if (d === '\\' && (text[i + 1] === '\\' || text[i + 1] === q) && i + 1 < end) {
          valueOffsets.push(i);
          value += text[i + 1];
          i += 2;
          continue;
        }
        valueOffsets.push(i);
        value += d;
        i++;
      }
      toks.push({ kind: q === '"' ? 'str' : 'fieldref', value, start, end: i, valueOffsets });
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      toks.push({ kind: c === '(' ? 'lp' : c === ')' ? 'rp' : 'comma', value: c, start, end: i + 1 });
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '==' || two === '<=' || two === '>=') {
      toks.push({ kind: 'op', value: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      toks.push({ kind: 'op', value: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (mode === 'eval' && (c === '+' || c === '-' || c === '*' || c === '/' || c === '%')) {
      toks.push({ kind: 'op', value: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (mode === 'eval' && c === '.' && !/[0-9]/.test(text[i + 1] ?? '')) {
      toks.push({ kind: 'op', value: '.', start, end: i + 1 });
      i++;
      continue;
    }
    // A word: up to whitespace, a quote, a parenthesis, a comma or an operator.
    while (i < end) {
      const d = text[i]!;
      if (SPACE.test(d) || d === '"' || d === '(' || d === ')' || d === ',' || d === '=' || d === '<' || d === '>') break;
      if (d === '!' && text[i + 1] === '=') break;
      if (mode === 'eval' && (d === '+' || d === '*' || d === '/' || d === '%' || d === "'")) break;
      if (mode === 'eval' && d === '-' && !/[eE]/.test(text[i - 1] ?? '')) break;
      i++;
    }
    if (i === start) {
      // A lone character no rule above consumed (e.g. "!" not followed by "="): its own word.
      i++;
    }
    toks.push({ kind: 'word', value: text.slice(start, i), start, end: i });
  }
  toks.push({ kind: 'eof', value: '', start: end, end });
  return toks;
}
