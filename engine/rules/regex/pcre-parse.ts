// PCRE pattern parser: turns a rule's regex into an AST with inline flags resolved onto each node.
// Invariant: every construct is either represented exactly or refused with the offset where it starts.

export type Range = readonly [number, number];

export type RxNode =
  | { k: 'empty' }
  | { k: 'char'; cp: number; ci: boolean; pos: number }
  | { k: 'class'; ranges: Range[]; negated: boolean; ci: boolean; pos: number }
  | { k: 'dot'; dotAll: boolean; pos: number }
  | { k: 'assert'; kind: AssertKind; pos: number }
  | { k: 'seq'; items: RxNode[] }
  | { k: 'alt'; branches: RxNode[] }
  /** `index` is the capture number (0 for non-capturing); `end` the offset just after its ")". */
  | { k: 'group'; capture: boolean; name?: string; index: number; end: number; body: RxNode }
  | { k: 'look'; ahead: boolean; negate: boolean; body: RxNode; pos: number }
  | { k: 'backref'; index?: number; name?: string; ci: boolean; pos: number }
  | { k: 'repeat'; body: RxNode; min: number; max: number; lazy: boolean; pos: number };

/** bol/eol are PCRE `^`/`$` without (?m); mbol/meol with it; start=\A, end=\z, endnl=\Z. */
export type AssertKind = 'bol' | 'eol' | 'mbol' | 'meol' | 'start' | 'end' | 'endnl' | 'wordb' | 'nonwordb';

export interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
}

export interface ParsedPattern {
  root: RxNode;
  groupCount: number;
  groupNames: string[];
}

/** A refusal at a pattern offset (0-based); the caller turns it into a located HopscopeError. */
export class PcreError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

const MAX_CP = 0x10ffff;

export const DIGIT: Range[] = [[0x30, 0x39]];
export const WORD: Range[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
// PCRE2 \s: space, \t \n \v(0x0b) \f \r (Perl 5.18 semantics, no Unicode spaces without UCP).
export const SPACE: Range[] = [[0x09, 0x0d], [0x20, 0x20]];
const HSPACE: Range[] = [
  [0x09, 0x09], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x180e, 0x180e],
  [0x2000, 0x200a], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000],
];
const VSPACE: Range[] = [[0x0a, 0x0d], [0x85, 0x85], [0x2028, 0x2029]];

const POSIX: Record<string, Range[]> = {
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  digit: DIGIT,
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  upper: [[0x41, 0x5a]],
  lower: [[0x61, 0x7a]],
  space: SPACE,
  blank: [[0x09, 0x09], [0x20, 0x20]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
  word: WORD,
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  print: [[0x20, 0x7e]],
  graph: [[0x21, 0x7e]],
  ascii: [[0x00, 0x7f]],
};

export function normalizeRanges(input: readonly Range[]): Range[] {
  const sorted = [...input].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function complementRanges(input: readonly Range[]): Range[] {
  const norm = normalizeRanges(input);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of norm) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

const UNSUPPORTED_ESCAPES: Record<string, string> = {
  G: '\\G (match start anchor)',
  K: '\\K (match reset)',
  X: '\\X (extended grapheme cluster)',
  C: '\\C (single code unit)',
  R: '\\R (atomic newline sequence)',
  g: '\\g (subroutine call or relative back-reference)',
  N: '\\N{...} (named character)',
  p: '\\p{...} (Unicode property)',
  P: '\\P{...} (Unicode property)',
};

export function parsePcre(pattern: string, initial: Flags): ParsedPattern {
  return new Parser(pattern, initial).parseAll();
}

class Parser {
  private pos = 0;
  private groupCount = 0;
  private readonly groupNames: string[] = [];
  private readonly src: string;

  constructor(
    src: string,
    private readonly initial: Flags,
  ) {
    this.src = src;
  }

  parseAll(): ParsedPattern {
    const flags = { ...this.initial };
    const root = this.parseAlt(flags, 0);
    if (this.pos < this.src.length) throw new PcreError('unmatched ")"', this.pos);
    return { root, groupCount: this.groupCount, groupNames: this.groupNames };
  }

  /** Parses branches until ")" or end; `flags` is mutated by inline (?i) so it lasts to the group's end. */
  private parseAlt(flags: Flags, depth: number): RxNode {
    if (depth > 200) throw new PcreError('pattern nests too deeply', this.pos);
    const branches: RxNode[] = [];
    for (;;) {
      branches.push(this.parseSeq(flags, depth));
      if (this.peek() === '|') {
        this.pos++;
        continue;
      }
      break;
    }
    return branches.length === 1 ? branches[0]! : { k: 'alt', branches };
  }

  private peek(off = 0): string | undefined {
    return this.src[this.pos + off];
  }

  private parseSeq(flags: Flags, depth: number): RxNode {
    const items: RxNode[] = [];
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === '|' || c === ')') break;
      if (flags.x && this.skipExtended()) continue;
      const atomStart = this.pos;
      const atom = this.parseAtom(flags, depth, items);
      if (atom === null) continue;
      const rep = this.parseQuantifier(atom, atomStart, flags);
      items.push(rep);
    }
    if (items.length === 0) return { k: 'empty' };
    return items.length === 1 ? items[0]! : { k: 'seq', items };
  }

  /** In (?x) mode whitespace and #-comments outside classes are not part of the pattern. */
  private skipExtended(): boolean {
    const c = this.src[this.pos]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      this.pos++;
      return true;
    }
    if (c === '#') {
      while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      return true;
    }
    return false;
  }

  private readQuantifier(flags: Flags): { min: number; max: number; pos: number } | null {
    if (flags.x) while (this.pos < this.src.length && this.skipExtended());
    const c = this.peek();
    const pos = this.pos;
    if (c === '*') return (this.pos++, { min: 0, max: Infinity, pos });
    if (c === '+') return (this.pos++, { min: 1, max: Infinity, pos });
    if (c === '?') return (this.pos++, { min: 0, max: 1, pos });
    if (c !== '{') return null;
    const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos));
    // PCRE treats a "{" that does not start a valid quantifier as a literal.
    if (!m || (m[1] === '' && (m[2] === undefined || m[3] === ''))) return null;
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > 65535 || (max !== Infinity && max > 65535)) throw new PcreError('repetition count too large', pos);
    if (max < min) throw new PcreError('numbers out of order in {} quantifier', pos);
    this.pos += m[0].length;
    return { min, max, pos };
  }

  private parseQuantifier(atom: RxNode, atomStart: number, flags: Flags): RxNode {
    const q = this.readQuantifier(flags);
    if (!q) return atom;
    if (atom.k === 'assert' || atom.k === 'look') {
      // PCRE allows quantified assertions but they mean at most "once"; refuse rather than guess.
      throw new PcreError('quantifier on an assertion', q.pos);
    }
    let lazy = false;
    if (this.peek() === '?') {
      lazy = true;
      this.pos++;
    } else if (this.peek() === '+') {
      throw new PcreError('possessive quantifier is not supported (JavaScript has no atomic matching)', this.pos);
    }
    const node: RxNode = { k: 'repeat', body: atom, min: q.min, max: q.max, lazy, pos: atomStart };
    const save = this.pos;
    if (this.readQuantifier(flags)) throw new PcreError('nested quantifier without a group', save);
    return node;
  }

  /** One atom, or null when the construct produced nothing (comment, flag setting, \Q\E handled inline). */
  private parseAtom(flags: Flags, depth: number, items: RxNode[]): RxNode | null {
    const start = this.pos;
    const c = this.src[this.pos]!;
    switch (c) {
      case '(':
        return this.parseGroup(flags, depth);
      case '[':
        return this.parseClass(flags);
      case '.':
        this.pos++;
        return { k: 'dot', dotAll: flags.s, pos: start };
      case '^':
        this.pos++;
        return { k: 'assert', kind: flags.m ? 'mbol' : 'bol', pos: start };
      case '$':
        this.pos++;
        return { k: 'assert', kind: flags.m ? 'meol' : 'eol', pos: start };
      case '\\':
        return this.parseEscape(flags, items);
      case '*':
      case '+':
      case '?':
        throw new PcreError(`quantifier "${c}" does not follow a repeatable item`, start);
      default: {
        const cp = this.src.codePointAt(this.pos)!;
        this.pos += cp > 0xffff ? 2 : 1;
        return { k: 'char', cp, ci: flags.i, pos: start };
      }
    }
  }

  private parseGroup(flags: Flags, depth: number): RxNode | null {
    const start = this.pos;
    this.pos++; // (
    if (this.peek() === '*') throw new PcreError('backtracking verbs and start-of-pattern options "(*...)" are not supported', start);
    if (this.peek() !== '?') {
      const index = ++this.groupCount;
      const inner = { ...flags };
      const body = this.parseAlt(inner, depth + 1);
      this.expectClose(start);
      return { k: 'group', capture: true, index, end: this.pos, body };
    }
    this.pos++; // ?
    const c = this.peek();
    const rest = this.src.slice(this.pos);
    if (c === '#') {
      const end = this.src.indexOf(')', this.pos);
      if (end < 0) throw new PcreError('unterminated comment group', start);
      this.pos = end + 1;
      return null;
    }
    if (c === ':') {
      this.pos++;
      const body = this.parseAlt({ ...flags }, depth + 1);
      this.expectClose(start);
      return { k: 'group', capture: false, index: 0, end: this.pos, body };
    }
    if (c === '=' || c === '!') {
      this.pos++;
      const body = this.parseAlt({ ...flags }, depth + 1);
      this.expectClose(start);
      return { k: 'look', ahead: true, negate: c === '!', body, pos: start };
    }
    if (rest.startsWith('<=') || rest.startsWith('<!')) {
      const negate = rest[1] === '!';
      this.pos += 2;
      const body = this.parseAlt({ ...flags }, depth + 1);
      this.expectClose(start);
      return { k: 'look', ahead: false, negate, body, pos: start };
    }
    let nameMatch = /^(?:P<|<|')([A-Za-z_][A-Za-z0-9_]{0,31})[>']/.exec(rest);
    if (nameMatch) {
      const name = nameMatch[1]!;
      if (this.groupNames.includes(name)) throw new PcreError(`duplicate group name "${name}"`, start);
      this.groupNames.push(name);
      const index = ++this.groupCount;
      this.pos += nameMatch[0].length;
      const body = this.parseAlt({ ...flags }, depth + 1);
      this.expectClose(start);
      return { k: 'group', capture: true, name, index, end: this.pos, body };
    }
    nameMatch = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
    if (nameMatch) {
      this.pos += nameMatch[0].length;
      return { k: 'backref', name: nameMatch[1]!, ci: flags.i, pos: start };
    }
    if (c === '>') throw new PcreError('atomic group "(?>" is not supported (JavaScript has no atomic matching)', start);
    if (c === '|') throw new PcreError('branch reset group "(?|" is not supported', start);
    if (c === '(') throw new PcreError('conditional group "(?(" is not supported', start);
    if (c === 'R' || c === '&' || (c !== undefined && /[0-9+-]/.test(c) && /^[+-]?\d/.test(rest)) || rest.startsWith('P>')) {
      throw new PcreError('recursion / subroutine call is not supported', start);
    }
    if (c === 'C') throw new PcreError('callout "(?C" is not supported', start);
    // Inline flags: (?imsx-imsx) or (?imsx-imsx:...)
    const fm = /^([a-zA-Z^]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest);
    if (!fm) throw new PcreError('unrecognised group syntax after "(?"', start);
    const on = fm[1]!;
    const off = fm[2] ?? '';
    const next = { ...flags };
    for (const [letters, value] of [[on, true], [off, false]] as const) {
      for (const f of letters) {
        if (f === 'i' || f === 'm' || f === 's' || f === 'x') next[f] = value;
        else throw new PcreError(`inline option "${f}" is not supported`, start);
      }
    }
    this.pos += fm[0].length;
    if (fm[3] === ':') {
      const body = this.parseAlt(next, depth + 1);
      this.expectClose(start);
      return { k: 'group', capture: false, index: 0, end: this.pos, body };
    }
    // (?i) without a colon: applies to the rest of the enclosing group, including later branches.
    flags.i = next.i;
    flags.m = next.m;
    flags.s = next.s;
    flags.x = next.x;
    return null;
  }

  private expectClose(start: number): void {
    if (this.peek() !== ')') throw new PcreError('missing ")"', start);
    this.pos++;
  }

  /** Escapes outside classes. */
  private parseEscape(flags: Flags, items: RxNode[]): RxNode | null {
    const start = this.pos;
    const e = this.src[this.pos + 1];
    if (e === undefined) throw new PcreError('pattern ends with a backslash', start);
    this.pos += 2;
    switch (e) {
      case 'A':
        return { k: 'assert', kind: 'start', pos: start };
      case 'z':
        return { k: 'assert', kind: 'end', pos: start };
      case 'Z':
        return { k: 'assert', kind: 'endnl', pos: start };
      case 'b':
        return { k: 'assert', kind: 'wordb', pos: start };
      case 'B':
        return { k: 'assert', kind: 'nonwordb', pos: start };
      case 'E':
        return null; // PCRE ignores an \E that ends no \Q
      case 'Q': {
        // \Q...\E: everything literal; the last char is returned so a quantifier binds to it, as in PCRE.
        const end = this.src.indexOf('\\E', this.pos);
        const text = end < 0 ? this.src.slice(this.pos) : this.src.slice(this.pos, end);
        const litStart = this.pos;
        this.pos = end < 0 ? this.src.length : end + 2;
        const cps = [...text];
        if (cps.length === 0) return null;
        let off = litStart;
        for (let i = 0; i < cps.length - 1; i++) {
          items.push({ k: 'char', cp: cps[i]!.codePointAt(0)!, ci: flags.i, pos: off });
          off += cps[i]!.length;
        }
        return { k: 'char', cp: cps[cps.length - 1]!.codePointAt(0)!, ci: flags.i, pos: off };
      }
      case 'k': {
        const m = /^(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|\{([A-Za-z_]\w*)\})/.exec(this.src.slice(this.pos));
        if (!m) throw new PcreError('malformed \\k back-reference', start);
        this.pos += m[0].length;
        return { k: 'backref', name: m[1] ?? m[2] ?? m[3]!, ci: flags.i, pos: start };
      }
      default:
        break;
    }
    if (e === 'N' && this.peek() !== '{') {
      // \N: any character except a newline, whatever (?s) says.
      return { k: 'class', ranges: complementRanges([[0x0a, 0x0a]]), negated: false, ci: false, pos: start };
    }
    if (e >= '1' && e <= '9') {
      const m = /^\d+/.exec(this.src.slice(start + 1))!;
      this.pos = start + 1 + m[0].length;
      return { k: 'backref', index: Number(m[0]), ci: flags.i, pos: start };
    }
    this.pos = start;
    const set = this.parseSetOrCharEscape(false);
    if (set.kind === 'set') return { k: 'class', ranges: set.ranges, negated: false, ci: flags.i, pos: start };
    return { k: 'char', cp: set.cp, ci: flags.i, pos: start };
  }

  /** Escapes valid both inside and outside classes: a single code point or a set of ranges. */
  private parseSetOrCharEscape(inClass: boolean): { kind: 'cp'; cp: number } | { kind: 'set'; ranges: Range[] } {
    const start = this.pos;
    const e = this.src[this.pos + 1];
    if (e === undefined) throw new PcreError('pattern ends with a backslash', start);
    this.pos += 2;
    const cp = (n: number) => ({ kind: 'cp' as const, cp: n });
    const set = (r: Range[]) => ({ kind: 'set' as const, ranges: r });
    switch (e) {
      case 'd': return set(DIGIT);
      case 'D': return set(complementRanges(DIGIT));
      case 'w': return set(WORD);
      case 'W': return set(complementRanges(WORD));
      case 's': return set(SPACE);
      case 'S': return set(complementRanges(SPACE));
      case 'h': return set(HSPACE);
      case 'H': return set(complementRanges(HSPACE));
      case 'v': return set(VSPACE);
      case 'V': return set(complementRanges(VSPACE));
      case 'n': return cp(0x0a);
      case 'r': return cp(0x0d);
      case 't': return cp(0x09);
      case 'f': return cp(0x0c);
      case 'e': return cp(0x1b);
      case 'a': return cp(0x07);
      case 'b':
        if (inClass) return cp(0x08);
        break;
      case 'x': {
        const rest = this.src.slice(this.pos);
        const braced = /^\{([0-9a-fA-F]{1,8})\}/.exec(rest);
        if (braced) {
          this.pos += braced[0].length;
          const v = parseInt(braced[1]!, 16);
          if (v > MAX_CP || (v >= 0xd800 && v <= 0xdfff)) throw new PcreError('\\x{...} code point out of range', start);
          return cp(v);
        }
        if (rest.startsWith('{')) throw new PcreError('malformed \\x{...} escape', start);
        const short = /^[0-9a-fA-F]{1,2}/.exec(rest);
        if (!short) return cp(0); // PCRE: \x with no hex digits is NUL
        this.pos += short[0].length;
        return cp(parseInt(short[0], 16));
      }
      case 'o': {
        const m = /^\{([0-7]{1,11})\}/.exec(this.src.slice(this.pos));
        if (!m) throw new PcreError('malformed \\o{...} escape', start);
        this.pos += m[0].length;
        const v = parseInt(m[1]!, 8);
        if (v > MAX_CP) throw new PcreError('\\o{...} code point out of range', start);
        return cp(v);
      }
      case 'c': {
        const ch = this.src[this.pos];
        if (ch === undefined || ch.charCodeAt(0) > 0x7f) throw new PcreError('malformed \\c escape', start);
        this.pos++;
        return cp(ch.toUpperCase().charCodeAt(0) ^ 0x40);
      }
      case '0': {
        const m = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))!;
        this.pos += m[0].length;
        return cp(parseInt('0' + m[0], 8));
      }
      default:
        break;
    }
    if (inClass && e >= '1' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(this.src.slice(start + 1))!;
      this.pos = start + 1 + m[0].length;
      return cp(parseInt(m[0], 8));
    }
    if (UNSUPPORTED_ESCAPES[e] !== undefined) throw new PcreError(`${UNSUPPORTED_ESCAPES[e]} is not supported`, start);
    if (/[A-Za-z0-9]/.test(e)) throw new PcreError(`unrecognised escape "\\${e}"`, start);
    // Any other escaped character stands for itself (PCRE).
    const v = this.src.codePointAt(start + 1)!;
    this.pos = start + 1 + (v > 0xffff ? 2 : 1);
    return cp(v);
  }

  private parseClass(flags: Flags): RxNode {
    const start = this.pos;
    this.pos++; // [
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Range[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= this.src.length) throw new PcreError('missing terminating "]" for character class', start);
      const c = this.src[this.pos]!;
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[') {
        const pm = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
        if (pm) {
          const named = POSIX[pm[2]!];
          if (!named) throw new PcreError(`unknown POSIX class "${pm[2]}"`, this.pos);
          ranges.push(...(pm[1] ? complementRanges(named) : named));
          this.pos += pm[0].length;
          continue;
        }
        if (/^\[[.=]/.test(this.src.slice(this.pos))) throw new PcreError('POSIX collating elements are not supported', this.pos);
      }
      if (c === '\\' && this.src[this.pos + 1] === 'Q') {
        const end = this.src.indexOf('\\E', this.pos + 2);
        const text = end < 0 ? this.src.slice(this.pos + 2) : this.src.slice(this.pos + 2, end);
        for (const ch of text) {
          const v = ch.codePointAt(0)!;
          ranges.push([v, v]);
        }
        this.pos = end < 0 ? this.src.length : end + 2;
        continue;
      }
      if (c === '\\' && this.src[this.pos + 1] === 'E') {
        this.pos += 2;
        continue;
      }
      const lo = this.classAtom();
      if (lo.kind === 'set') {
        ranges.push(...lo.ranges);
        continue;
      }
      // A range "a-z", unless "-" is last or the right side is a set.
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        const save = this.pos;
        this.pos++;
        if (this.peek() === '[' && /^\[:\^?[a-z]+:\]/.test(this.src.slice(this.pos))) {
          throw new PcreError('invalid range in character class', save);
        }
        const hi = this.classAtom();
        if (hi.kind === 'set') throw new PcreError('invalid range in character class', save);
        if (hi.cp < lo.cp) throw new PcreError('range out of order in character class', save);
        ranges.push([lo.cp, hi.cp]);
        continue;
      }
      ranges.push([lo.cp, lo.cp]);
    }
    return { k: 'class', ranges: normalizeRanges(ranges), negated, ci: flags.i, pos: start };
  }

  private classAtom(): { kind: 'cp'; cp: number } | { kind: 'set'; ranges: Range[] } {
    const c = this.src[this.pos]!;
    if (c === '\\') return this.parseSetOrCharEscape(true);
    const v = this.src.codePointAt(this.pos)!;
    this.pos += v > 0xffff ? 2 : 1;
    return { kind: 'cp', cp: v };
  }
}
