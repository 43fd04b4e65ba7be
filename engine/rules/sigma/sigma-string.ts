// Sigma string values: parsing (`*`, `?`, `\` escapes as pySigma reads them), value transformations
// (windash, utf16, base64) and compilation to a matcher. Invariant: matching never uses a regex, so
// it is linear in the value for prefix/suffix/contains and at worst O(value x segment) otherwise.

/** One piece of a Sigma string pattern. `class` matches one character of `chars` (windash). */
export type Part =
  | { t: 'lit'; s: string }
  | { t: 'star' }
  | { t: 'one' }
  | { t: 'class'; chars: string };

export type Pattern = Part[];

/**
 * Parse a Sigma string value. As in pySigma: `*` any run, `?` one character, `\*` `\?` `\\` the literal
 * character, and a backslash before any other character (or at the end) stays a literal backslash.
 */
export function parseSigmaString(raw: string): Pattern {
  const out: Pattern = [];
  let lit = '';
  const flush = (): void => {
    if (lit) out.push({ t: 'lit', s: lit });
    lit = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else {
        lit += '\\';
      }
    } else if (c === '*') {
      flush();
      out.push({ t: 'star' });
    } else if (c === '?') {
      flush();
      out.push({ t: 'one' });
    } else {
      lit += c;
    }
  }
  flush();
  return normalize(out);
}

export function literalPattern(s: string): Pattern {
  return s ? [{ t: 'lit', s }] : [];
}

/** Merge adjacent literals and collapse runs of stars (they mean the same thing). */
export function normalize(p: Pattern): Pattern {
  const out: Pattern = [];
  for (const part of p) {
    const last = out[out.length - 1];
    if (part.t === 'lit') {
      if (!part.s) continue;
      if (last?.t === 'lit') out[out.length - 1] = { t: 'lit', s: last.s + part.s };
      else out.push(part);
    } else if (part.t === 'star') {
      if (last?.t !== 'star') out.push(part);
    } else {
      out.push(part);
    }
  }
  return out;
}

export function hasWildcards(p: Pattern): boolean {
  return p.some((x) => x.t !== 'lit');
}

/** The plain text of a wildcard-free pattern. */
export function patternLiteral(p: Pattern): string | undefined {
  if (hasWildcards(p)) return undefined;
  return p.map((x) => (x.t === 'lit' ? x.s : '')).join('');
}

/** Sigma spelling of a pattern (for explanations): escapes re-applied. */
export function patternToString(p: Pattern): string {
  return p
    .map((x) => {
      switch (x.t) {
        case 'lit':
          return x.s.replace(/[*?]/g, (m) => '\\' + m).replace(/\\(?=[*?\\]|$)/g, '\\\\');
        case 'star':
          return '*';
        case 'one':
          return '?';
        case 'class':
          return `[${x.chars}]`;
      }
    })
    .join('');
}

export const WINDASH_CHARS = '-/\u2013\u2014\u2015';

const WORD = /[\p{L}\p{N}_]/u;
function isWordChar(c: string | undefined): boolean {
  return c !== undefined && WORD.test(c);
}

/**
 * pySigma's windash: every `-` or `/` matching `\B[-/]\b` (not after a word character, before one)
 * may be any of `-`, `/`, en dash, em dash, horizontal bar. A character class instead of the
 * cartesian expansion keeps many flags from multiplying variants.
 */
export function windash(p: Pattern): Pattern {
  const out: Pattern = [];
  for (const part of p) {
    if (part.t !== 'lit') {
      out.push(part);
      continue;
    }
    const s = part.s;
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if ((c === '-' || c === '/') && !isWordChar(s[i - 1]) && isWordChar(s[i + 1])) {
        if (i > start) out.push({ t: 'lit', s: s.slice(start, i) });
        out.push({ t: 'class', chars: WINDASH_CHARS });
        start = i + 1;
      }
    }
    if (start < s.length) out.push({ t: 'lit', s: s.slice(start) });
  }
  return normalize(out);
}

export function utf8Bytes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}

/** UTF-16 code units as bytes, little- or big-endian, optionally with a byte-order mark. */
export function utf16Bytes(s: string, endian: 'le' | 'be', bom: boolean): number[] {
  const out: number[] = bom ? (endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]) : [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (endian === 'le') out.push(u & 0xff, u >> 8);
    else out.push(u >> 8, u & 0xff);
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export function base64Encode(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += b === undefined ? '=' : B64[(n >> 6) & 63]!;
    out += c === undefined ? '=' : B64[n & 63]!;
  }
  return out;
}

/**
 * pySigma's base64offset: the three encodings of the value at byte offsets 0, 1 and 2 in a larger
 * base64 stream, trimmed to the characters that do not depend on the unknown neighbours.
 */
export function base64OffsetVariants(bytes: readonly number[]): string[] {
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = base64Encode([...new Array<number>(i).fill(0x20), ...bytes]);
    const end = ends[(bytes.length + i) % 3];
    out.push(enc.slice(starts[i], end));
  }
  return out;
}

/** One character position of a segment: exact char, any char (null) or a class. */
type Unit = string | null | { chars: string };

interface Segment {
  units: Unit[];
  /** Set when every unit is an exact character: the segment's text. */
  plain?: string;
}

export type StringMatcher = (value: string, lower: string) => boolean;

export interface CompiledPattern {
  match: StringMatcher;
  /** Cheapest first: 0 equals, 1 prefix/suffix/contains, 2 general wildcard. */
  cost: 0 | 1 | 2;
  /** For a wildcard-free pattern: the (lower-cased unless cased) text, for set lookups. */
  equals?: string;
  /** For `*text*`: the (lower-cased unless cased) text, for multi-needle search. */
  contains?: string;
}

/** Compile a pattern; case-insensitive unless `cased` (then the matcher reads `value`, else `lower`). */
export function compilePattern(p: Pattern, cased: boolean): CompiledPattern {
  const fold = (s: string): string => (cased ? s : s.toLowerCase());
  const segments: Segment[] = [];
  let cur: Unit[] = [];
  for (const part of p) {
    if (part.t === 'star') {
      segments.push(toSegment(cur));
      cur = [];
    } else if (part.t === 'lit') {
      for (const ch of fold(part.s)) {
        // Lower-casing can change a character's length; compare per UTF-16 code unit.
        for (let k = 0; k < ch.length; k++) cur.push(ch[k]!);
      }
    } else if (part.t === 'one') {
      cur.push(null);
    } else {
      cur.push({ chars: cased ? part.chars : part.chars.toLowerCase() });
    }
  }
  segments.push(toSegment(cur));
  const pick = cased ? (v: string, _l: string) => v : (_v: string, l: string) => l;

  if (segments.length === 1) {
    const seg = segments[0]!;
    if (seg.plain !== undefined) {
      const text = seg.plain;
      return { match: (v, l) => pick(v, l) === text, cost: 0, equals: text };
    }
    return { match: (v, l) => { const s = pick(v, l); return s.length === seg.units.length && segmentAt(seg, s, 0); }, cost: 2 };
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1);
  if (middle.length === 0 && first.plain !== undefined && last.plain !== undefined) {
    const a = first.plain;
    const b = last.plain;
    if (!a && !b) return { match: () => true, cost: 1 };
    if (!b) return { match: (v, l) => pick(v, l).startsWith(a), cost: 1 };
    if (!a) return { match: (v, l) => pick(v, l).endsWith(b), cost: 1 };
    return { match: (v, l) => { const s = pick(v, l); return s.length >= a.length + b.length && s.startsWith(a) && s.endsWith(b); }, cost: 1 };
  }
  if (middle.length === 1 && first.units.length === 0 && last.units.length === 0 && middle[0]!.plain !== undefined) {
    const m = middle[0]!.plain;
    return { match: (v, l) => pick(v, l).includes(m), cost: 1, contains: m };
  }
  return {
    match: (v, l) => {
      const s = pick(v, l);
      const minLen = first.units.length + last.units.length;
      if (s.length < minLen) return false;
      if (!segmentAt(first, s, 0)) return false;
      const endStart = s.length - last.units.length;
      if (!segmentAt(last, s, endStart)) return false;
      let pos = first.units.length;
      for (const seg of middle) {
        const at = findSegment(seg, s, pos, endStart);
        if (at < 0) return false;
        pos = at + seg.units.length;
      }
      return true;
    },
    cost: 2,
  };
}

function toSegment(units: Unit[]): Segment {
  const plain = units.every((u) => typeof u === 'string') ? (units as string[]).join('') : undefined;
  return plain !== undefined ? { units, plain } : { units };
}

function unitMatches(u: Unit, c: string): boolean {
  if (u === null) return true;
  if (typeof u === 'string') return u === c;
  return u.chars.includes(c);
}

function segmentAt(seg: Segment, s: string, at: number): boolean {
  if (seg.plain !== undefined) return s.startsWith(seg.plain, at);
  const units = seg.units;
  if (at + units.length > s.length) return false;
  for (let i = 0; i < units.length; i++) if (!unitMatches(units[i]!, s[at + i]!)) return false;
  return true;
}

/** Leftmost start in [from, limit - len] where the segment matches, else -1 (leftmost is optimal for globs). */
function findSegment(seg: Segment, s: string, from: number, limit: number): number {
  const len = seg.units.length;
  if (seg.plain !== undefined) {
    const i = s.indexOf(seg.plain, from);
    return i >= 0 && i + len <= limit ? i : -1;
  }
  for (let i = from; i + len <= limit; i++) if (segmentAt(seg, s, i)) return i;
  return -1;
}
