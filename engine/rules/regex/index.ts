// compileRegex: PCRE in, a safe matcher out (see api.ts). Patterns run on the linear-time RE2 port
// unless they need lookaround/back-references AND pass a conservative static ReDoS check; else refused.

import { RE2JS } from 're2js';
import { HopscopeError, type SourceLocation } from '../../model/errors.ts';
import type { CompileRegex, RegexOptions, SafeRegex } from './api.ts';
import { PcreError, parsePcre, type Range, type RxNode } from './pcre-parse.ts';
import { checkBackrefs, checkBacktrackingSafe, needsBacktracking } from './safety.ts';

export type { CompileRegex, RegexOptions, SafeRegex } from './api.ts';

export interface RegexTranslation {
  engine: 'native' | 'linear';
  /** Pattern text handed to the engine (RE2 syntax for linear, JavaScript `u`-mode syntax for native). */
  pattern: string;
  caseInsensitive: boolean;
  requiredLiterals: string[];
}

/** Translate without building the matcher (for tests and for "explain" output). */
export function translateRegex(pcre: string, opts: RegexOptions = {}): RegexTranslation {
  try {
    return translate(pcre, opts);
  } catch (err) {
    throw toLocated(err, pcre, opts.location);
  }
}

export const compileRegex: CompileRegex = (pcre, opts = {}) => {
  let t: RegexTranslation;
  try {
    t = translate(pcre, opts);
  } catch (err) {
    throw toLocated(err, pcre, opts.location);
  }
  let test: (input: string) => boolean;
  if (t.engine === 'native') {
    let re: RegExp;
    try {
      re = new RegExp(t.pattern, t.caseInsensitive ? 'iu' : 'u');
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw toLocated(new PcreError(`pattern rejected by the JavaScript engine: ${why}`, 0), pcre, opts.location);
    }
    test = (input) => re.test(input);
  } else {
    let re: RE2JS;
    try {
      re = RE2JS.compile(t.pattern, t.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw toLocated(new PcreError(`pattern rejected by the linear-time engine: ${why}`, 0), pcre, opts.location);
    }
    test = (input) => re.test(input);
  }
  const regex: SafeRegex = {
    source: pcre,
    engine: t.engine,
    requiredLiterals: t.requiredLiterals,
    test,
  };
  return regex;
};

function toLocated(err: unknown, pcre: string, loc: SourceLocation | undefined): unknown {
  if (!(err instanceof PcreError)) return err;
  const location: SourceLocation = { ...loc, column: (loc?.column ?? 1) + err.pos };
  const snippet = pcre.length > 60 ? pcre.slice(0, 57) + '...' : pcre;
  return new HopscopeError('E_RULE_REGEX', `regex /${snippet}/ at offset ${err.pos}: ${err.message}`, location);
}

function translate(pcre: string, opts: RegexOptions): RegexTranslation {
  const parsed = parsePcre(pcre, {
    i: opts.caseInsensitive ?? false,
    m: opts.multiline ?? false,
    s: opts.dotAll ?? false,
    x: false,
  });
  const ciValues = new Set<boolean>();
  let firstMixedPos = 0;
  walk(parsed.root, (n) => {
    if (n.k === 'char' || n.k === 'class' || n.k === 'backref') {
      if (ciValues.size === 1 && !ciValues.has(n.ci) && firstMixedPos === 0) firstMixedPos = n.pos;
      ciValues.add(n.ci);
    }
  });
  // With one case mode throughout, it becomes the engine flag; otherwise scope it per node (RE2 only).
  const globalCi = ciValues.size === 1 ? ciValues.has(true) : false;
  const mixed = ciValues.size > 1;
  const requiredLiterals = collectLiterals(parsed.root);
  if (needsBacktracking(parsed.root)) {
    if (mixed) throw new PcreError('an inline flag that changes case sensitivity mid-pattern cannot be scoped in JavaScript', firstMixedPos);
    checkBackrefs(parsed.root);
    checkBacktrackingSafe(parsed.root);
    const js = new JsEmitter(parsed.groupCount, parsed.groupNames).emit(parsed.root);
    return { engine: 'native', pattern: js, caseInsensitive: globalCi, requiredLiterals };
  }
  const re2 = new Re2Emitter(globalCi, mixed).emit(parsed.root, true);
  return { engine: 'linear', pattern: re2, caseInsensitive: globalCi, requiredLiterals };
}

export function walk(n: RxNode, fn: (n: RxNode) => void): void {
  fn(n);
  switch (n.k) {
    case 'seq':
      for (const c of n.items) walk(c, fn);
      break;
    case 'alt':
      for (const c of n.branches) walk(c, fn);
      break;
    case 'group':
    case 'look':
    case 'repeat':
      walk(n.body, fn);
      break;
    default:
      break;
  }
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase();
}

class Re2Emitter {
  constructor(
    private readonly globalCi: boolean,
    private readonly mixed: boolean,
  ) {}

  private scopeCi(ci: boolean, text: string): string {
    if (!this.mixed || ci === this.globalCi) return text;
    return ci ? `(?i:${text})` : `(?-i:${text})`;
  }

  private lit(cp: number): string {
    return /[A-Za-z0-9_]/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : `\\x{${hex(cp)}}`;
  }

  private cls(ranges: readonly Range[], negated: boolean): string {
    let body = '';
    for (const [lo, hi] of ranges) body += lo === hi ? `\\x{${hex(lo)}}` : `\\x{${hex(lo)}}-\\x{${hex(hi)}}`;
    if (ranges.length === 0) return negated ? '(?s:.)' : '[^\\x{0}-\\x{10FFFF}]';
    return `[${negated ? '^' : ''}${body}]`;
  }

  /** `tail`: nothing after this node can consume input, so PCRE's `$` may consume an optional final newline. */
  emit(n: RxNode, tail: boolean): string {
    switch (n.k) {
      case 'empty':
        return '';
      case 'char':
        return this.scopeCi(n.ci, this.lit(n.cp));
      case 'class':
        return this.scopeCi(n.ci, this.cls(n.ranges, n.negated));
      case 'dot':
        return n.dotAll ? '(?s:.)' : '[^\\n]';
      case 'assert':
        switch (n.kind) {
          case 'bol':
          case 'start':
            return '\\A';
          case 'mbol':
            return '(?m:^)';
          case 'meol':
            return '(?m:$)';
          case 'end':
            return '\\z';
          case 'eol':
          case 'endnl':
            // PCRE `$` also matches before a final newline; RE2 has no lookahead, so consume it,
            // which is only equivalent when nothing follows.
            if (!tail) throw new PcreError('"$"/"\\Z" followed by more pattern cannot be expressed on the linear engine; use \\z', n.pos);
            return '(?:\\n?\\z)';
          case 'wordb':
            return '\\b';
          case 'nonwordb':
            return '\\B';
        }
        break;
      case 'seq':
        return n.items.map((c, i) => this.emit(c, tail && i === n.items.length - 1)).join('');
      case 'alt':
        return `(?:${n.branches.map((b) => this.emit(b, tail)).join('|')})`;
      case 'group':
        if (!n.capture) return `(?:${this.emit(n.body, tail)})`;
        return n.name ? `(?P<${n.name}>${this.emit(n.body, tail)})` : `(${this.emit(n.body, tail)})`;
      case 'repeat': {
        const q = quant(n.min, n.max) + (n.lazy ? '?' : '');
        return `(?:${this.emit(n.body, false)})${q}`;
      }
      case 'look':
      case 'backref':
        throw new PcreError('lookaround/back-reference needs the backtracking engine', n.pos);
    }
    return '';
  }
}

function quant(min: number, max: number): string {
  if (min === 0 && max === Infinity) return '*';
  if (min === 1 && max === Infinity) return '+';
  if (min === 0 && max === 1) return '?';
  if (max === Infinity) return `{${min},}`;
  if (min === max) return `{${min}}`;
  return `{${min},${max}}`;
}

class JsEmitter {
  constructor(
    private readonly groupCount: number,
    private readonly groupNames: readonly string[],
  ) {}

  private lit(cp: number): string {
    return /[A-Za-z0-9_]/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : `\\u{${hex(cp)}}`;
  }

  private cls(ranges: readonly Range[], negated: boolean): string {
    if (ranges.length === 0) return negated ? '[\\s\\S]' : '[^\\s\\S]';
    let body = '';
    for (const [lo, hi] of ranges) body += lo === hi ? `\\u{${hex(lo)}}` : `\\u{${hex(lo)}}-\\u{${hex(hi)}}`;
    return `[${negated ? '^' : ''}${body}]`;
  }

  emit(n: RxNode): string {
    switch (n.k) {
      case 'empty':
        return '';
      case 'char':
        return this.lit(n.cp);
      case 'class':
        return this.cls(n.ranges, n.negated);
      case 'dot':
        return n.dotAll ? '[\\s\\S]' : '[^\\n]';
      case 'assert':
        switch (n.kind) {
          case 'bol':
          case 'start':
            return '(?<![\\s\\S])';
          case 'mbol':
            return '(?<![^\\n])';
          case 'meol':
            return '(?![^\\n])';
          case 'end':
            return '(?![\\s\\S])';
          case 'eol':
          case 'endnl':
            return '(?=\\n?(?![\\s\\S]))';
          case 'wordb':
            return '\\b';
          case 'nonwordb':
            return '\\B';
        }
        break;
      case 'seq':
        return n.items.map((c) => this.emit(c)).join('');
      case 'alt':
        return `(?:${n.branches.map((b) => this.emit(b)).join('|')})`;
      case 'group':
        if (!n.capture) return `(?:${this.emit(n.body)})`;
        return n.name ? `(?<${n.name}>${this.emit(n.body)})` : `(${this.emit(n.body)})`;
      case 'look':
        return `(?${n.ahead ? '' : '<'}${n.negate ? '!' : '='}${this.emit(n.body)})`;
      case 'backref':
        if (n.name !== undefined) {
          if (!this.groupNames.includes(n.name)) throw new PcreError(`reference to non-existent group "${n.name}"`, n.pos);
          return `\\k<${n.name}>`;
        }
        if ((n.index ?? 0) > this.groupCount) throw new PcreError(`reference to non-existent group ${n.index}`, n.pos);
        return `(?:\\${n.index})`;
      case 'repeat':
        return `(?:${this.emit(n.body)})${quant(n.min, n.max)}${n.lazy ? '?' : ''}`;
    }
    return '';
  }
}

/**
 * Literal runs every match must contain, lower-cased. Only ASCII runs are kept (lower-casing is then
 * length-preserving), and under case-insensitive matching runs split at `s`/`k`, which Unicode case
 * folding also matches as U+017F / U+212A: a prefilter must never reject a real match.
 */
function collectLiterals(root: RxNode): string[] {
  const out = new Set<string>();
  let run = '';
  const flush = () => {
    if (run.length >= 2) out.add(run);
    run = '';
  };
  const visit = (n: RxNode): void => {
    switch (n.k) {
      case 'char': {
        const ch = String.fromCodePoint(n.cp);
        if (n.cp > 0x7f) return flush();
        const lower = ch.toLowerCase();
        if (n.ci && (lower === 's' || lower === 'k')) return flush();
        run += lower;
        return;
      }
      case 'seq':
        for (const c of n.items) visit(c);
        return;
      case 'group':
        flush();
        visit(n.body);
        flush();
        return;
      case 'repeat':
        flush();
        if (n.min >= 1) {
          visit(n.body);
          flush();
        }
        return;
      case 'assert':
      case 'empty':
        return;
      default:
        flush();
        return;
    }
  };
  visit(root);
  flush();
  return [...out];
}
