// where/eval expression compiler: AST -> closure over a field getter. Regexes compile once at load
// through compileRegex (PCRE, linear-time) with their position in the rule; a missing field never matches.

import { HopscopeError } from '../../model/errors.ts';
import { compileRegex, translateRegex } from '../regex/index.ts';
import type { SafeRegex } from '../regex/api.ts';
import type { Expr } from './ast.ts';
import { locAt, type SourceText } from './source-text.ts';
import { strftime } from './time-format.ts';
import { RE2JS } from 're2js';

/** A field's value: single, multivalue (array) or missing. */
export type FieldValue = string | string[] | null;
export type EvalValue = string | number | boolean | null | string[];
export type Getter = (name: string) => FieldValue;
export type Evaluator = (get: Getter) => EvalValue;

export interface ExprContext {
  src: SourceText;
}

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

// Memory and work budget of one rule run. A string an expression makes is cut to VALUE_MAX_CHARS (a multivalue to
// MV_MAX_VALUES values of that many characters in all), so no rule text can grow a value without bound; the
// characters made and scanned are charged to the run's meter, which reads the clock by work rather than by rows.
/** Longest string an eval expression makes (longer results are cut; event fields themselves are not). */
export const VALUE_MAX_CHARS = 256 * 1024;
/** Most values in a multivalue an eval expression makes. */
export const MV_MAX_VALUES = 10_000;

/** Where an expression charges its work (characters made or scanned). */
export interface Meter {
  work(chars: number): void;
}
let meter: Meter | null = null;

/** Runs `f` with expressions charging `m` (rule runs are synchronous, so one meter is current at a time). */
export function withMeter<T>(m: Meter, f: () => T): T {
  const prev = meter;
  meter = m;
  try {
    return f();
  } finally {
    meter = prev;
  }
}

function charge(chars: number): void {
  if (meter !== null && chars > 0) meter.work(chars);
}
export const chargeWork = charge;

/** A string cut to `max` characters (never between the halves of a surrogate pair). */
export function cutText(s: string, max = VALUE_MAX_CHARS): string {
  if (s.length <= max) return s;
  const c = s.charCodeAt(max - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}

/** A made value within the caps, charged. */
function made(v: EvalValue): EvalValue {
  if (typeof v === 'string') {
    charge(v.length);
    return cutText(v);
  }
  if (Array.isArray(v)) {
    let total = 0;
    let n = 0;
    for (; n < v.length && n < MV_MAX_VALUES; n++) {
      total += v[n]!.length;
      if (total > VALUE_MAX_CHARS) break;
    }
    charge(total);
    if (n === v.length) return v;
    const out = v.slice(0, n);
    if (n < MV_MAX_VALUES && total > VALUE_MAX_CHARS) {
      const rest = VALUE_MAX_CHARS - (total - v[n]!.length);
      if (rest > 0) out.push(cutText(v[n]!, rest));
    }
    return out.length === 1 ? out[0]! : out;
  }
  return v;
}

export function toNumber(v: EvalValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return null;
}

export function toText(v: EvalValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v[0] ?? null;
}

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

/** Turn an eval result into a field value (numbers print like Splunk; booleans are not storable). */
export function toFieldValue(v: EvalValue): FieldValue {
  if (v === null || typeof v === 'boolean') return null;
  if (typeof v === 'number') return formatNumber(v);
  return v;
}

/** Field names an expression reads (for push-down decisions and explanations). */
export function exprFields(e: Expr, out = new Set<string>()): Set<string> {
  switch (e.t) {
    case 'field':
      out.add(e.name);
      break;
    case 'call':
      e.args.forEach((a) => exprFields(a, out));
      break;
    case 'bin':
      exprFields(e.l, out);
      exprFields(e.r, out);
      break;
    case 'not':
    case 'neg':
      exprFields(e.e, out);
      break;
    case 'in':
      exprFields(e.e, out);
      e.list.forEach((a) => exprFields(a, out));
      break;
    default:
      break;
  }
  return out;
}

function values(v: EvalValue): Array<string | number | boolean> {
  if (v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function compare(op: string, a: EvalValue, b: EvalValue): boolean | null {
  if (a === null || b === null) return null;
  // Multivalue operands compare true when any value does (Splunk where semantics).
  for (const x of values(a)) {
    for (const y of values(b)) {
      const nx = toNumber(x);
      const ny = toNumber(y);
      let c: number;
      if (nx !== null && ny !== null) c = nx < ny ? -1 : nx > ny ? 1 : 0;
      else {
        const sx = toText(x)!;
        const sy = toText(y)!;
        c = sx < sy ? -1 : sx > sy ? 1 : 0;
      }
      const ok = op === '=' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
      if (ok) return true;
    }
  }
  return false;
}

/** SQL LIKE (`%` any run, `_` one character), case-sensitive, without regex backtracking. */
export function likeMatch(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '_' || (pattern[p] !== '%' && pattern[p] === text[t]))) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === '%') {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '%') p++;
  return p === pattern.length;
}

// One-entry memo: consecutive match() calls usually test the same value (seed 000 runs five regexes on
// one command line), so it is lower-cased once.
let memoRaw: string | null = null;
let memoLower = '';
function lowerOnce(s: string): string {
  if (s !== memoRaw) {
    memoRaw = s;
    memoLower = s.toLowerCase();
  }
  return memoLower;
}

/** A regex test that runs cheap literal checks before the engine. */
export function prefiltered(re: SafeRegex): (s: string) => boolean {
  const lits = re.requiredLiterals;
  if (lits.length === 0) return (s) => (charge(s.length), re.test(s));
  return (s) => {
    charge(s.length);
    const lower = lowerOnce(s);
    for (const l of lits) if (!lower.includes(l)) return false;
    return re.test(s);
  };
}

export function compileExpr(e: Expr, ctx: ExprContext): Evaluator {
  const fail = (code: 'E_RULE_PARSE' | 'E_RULE_UNSUPPORTED', msg: string, at: number): never => {
    throw new HopscopeError(code, msg, locAt(ctx.src, at));
  };
  switch (e.t) {
    case 'lit': {
      const v = e.v;
      return () => v;
    }
    case 'field': {
      const name = e.name;
      return (get) => get(name);
    }
    case 'neg': {
      const f = compileExpr(e.e, ctx);
      return (g) => {
        const n = toNumber(f(g));
        return n === null ? null : -n;
      };
    }
    case 'not': {
      const f = compileExpr(e.e, ctx);
      return (g) => {
        const v = f(g);
        return v === null ? null : v !== true;
      };
    }
    case 'in': {
      const f = compileExpr(e.e, ctx);
      const list = e.list.map((x) => compileExpr(x, ctx));
      return (g) => {
        const v = f(g);
        if (v === null) return false;
        for (const x of list) if (compare('=', v, x(g)) === true) return true;
        return false;
      };
    }
    case 'bin': {
      const l = compileExpr(e.l, ctx);
      const r = compileExpr(e.r, ctx);
      switch (e.op) {
        case 'AND':
          return (g) => l(g) === true && r(g) === true;
        case 'OR':
          return (g) => l(g) === true || r(g) === true;
        case '=':
        case '!=':
        case '<':
        case '>':
        case '<=':
        case '>=': {
          const op = e.op;
          return (g) => compare(op, l(g), r(g));
        }
        case '.':
          return (g) => {
            const a = toText(l(g));
            const b = toText(r(g));
            return a === null || b === null ? null : made(cutText(a) + cutText(b));
          };
        case '+':
          return (g) => {
            const a = l(g);
            const b = r(g);
            const na = toNumber(a);
            const nb = toNumber(b);
            if (typeof a === 'number' || typeof b === 'number' || (na !== null && nb !== null)) return na === null || nb === null ? null : na + nb;
            const sa = toText(a);
            const sb = toText(b);
            return sa === null || sb === null ? null : made(cutText(sa) + cutText(sb));
          };
        default: {
          const op = e.op;
          return (g) => {
            const a = toNumber(l(g));
            const b = toNumber(r(g));
            if (a === null || b === null) return null;
            if (op === '-') return a - b;
            if (op === '*') return a * b;
            if (b === 0) return null;
            return op === '/' ? a / b : a % b;
          };
        }
      }
    }
    case 'call': {
      // Whatever a function makes is within the caps and charged.
      const f = compileCall(e, ctx, fail);
      return (g) => made(f(g));
    }
  }
}

function compileCall(
  e: Extract<Expr, { t: 'call' }>,
  ctx: ExprContext,
  fail: (code: 'E_RULE_PARSE' | 'E_RULE_UNSUPPORTED', msg: string, at: number) => never,
): Evaluator {
  const args = e.args.map((a) => compileExpr(a, ctx));
  const arity = (min: number, max = min) => {
    if (e.args.length < min || e.args.length > max) {
      fail('E_RULE_PARSE', `${e.name}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${e.args.length}`, e.start);
    }
  };
  const a = (i: number) => args[i]!;
  switch (e.name) {
    case 'match': {
      arity(2);
      const test = regexArg(e.args[1]!, ctx, fail);
      return (g) => {
        const v = a(0)(g);
        if (v === null) return false;
        for (const x of values(v)) if (test(toText(x)!)) return true;
        return false;
      };
    }
    case 'like': {
      arity(2);
      return (g) => {
        const v = a(0)(g);
        const p = toText(a(1)(g));
        if (v === null || p === null) return false;
        // likeMatch can retry the text once per % in the pattern.
        const retries = 1 + (p.split('%').length - 1);
        return values(v).some((x) => {
          const t = toText(x)!;
          charge(t.length * retries);
          return likeMatch(t, p);
        });
      };
    }
    case 'lower':
    case 'upper': {
      arity(1);
      const up = e.name === 'upper';
      return (g) => mapText(a(0)(g), (s) => (up ? s.toUpperCase() : s.toLowerCase()));
    }
    case 'trim':
    case 'ltrim':
    case 'rtrim': {
      arity(1, 2);
      const name = e.name;
      return (g) => {
        const chars = args[1] ? toText(args[1](g)) : null;
        return mapText(a(0)(g), (s) => trimChars(s, chars, name));
      };
    }
    case 'len':
      arity(1);
      return (g) => {
        const s = toText(a(0)(g));
        if (s === null) return null;
        charge(s.length);
        return [...s].length;
      };
    case 'isnull':
      arity(1);
      return (g) => a(0)(g) === null;
    case 'isnotnull':
      arity(1);
      return (g) => a(0)(g) !== null;
    case 'isnum':
      arity(1);
      return (g) => toNumber(a(0)(g)) !== null;
    case 'isstr':
      arity(1);
      return (g) => typeof a(0)(g) === 'string';
    case 'coalesce':
      return (g) => {
        for (const f of args) {
          const v = f(g);
          if (v !== null && v !== '') return v;
        }
        return null;
      };
    case 'if':
      arity(3);
      return (g) => (a(0)(g) === true ? a(1)(g) : a(2)(g));
    case 'case':
      if (args.length % 2 !== 0) fail('E_RULE_PARSE', 'case() takes condition/value pairs', e.start);
      return (g) => {
        for (let i = 0; i < args.length; i += 2) if (args[i]!(g) === true) return args[i + 1]!(g);
        return null;
      };
    case 'in':
      if (args.length < 2) fail('E_RULE_PARSE', 'in() takes a value and at least one candidate', e.start);
      return (g) => {
        const v = a(0)(g);
        if (v === null) return false;
        for (let i = 1; i < args.length; i++) if (compare('=', v, args[i]!(g)) === true) return true;
        return false;
      };
    case 'mvcount':
      arity(1);
      return (g) => {
        const v = a(0)(g);
        return v === null ? null : Array.isArray(v) ? v.length : 1;
      };
    case 'mvindex':
      arity(2, 3);
      return (g) => {
        const v = a(0)(g);
        if (v === null) return null;
        const arr = values(v).map((x) => toText(x)!);
        const norm = (i: number) => (i < 0 ? arr.length + i : i);
        const s = toNumber(a(1)(g));
        if (s === null) return null;
        const from = norm(s);
        if (!args[2]) return arr[from] ?? null;
        const eN = toNumber(args[2](g));
        if (eN === null) return null;
        const out = arr.slice(from, norm(eN) + 1);
        return out.length === 0 ? null : out.length === 1 ? out[0]! : out;
      };
    case 'mvjoin':
      arity(2);
      return (g) => {
        const v = a(0)(g);
        const d = toText(a(1)(g));
        if (v === null || d === null) return null;
        // Joined until the value cap: a long multivalue never becomes one giant string first.
        const parts: string[] = [];
        let len = 0;
        for (const x of values(v)) {
          const t = toText(x)!;
          parts.push(t);
          len += t.length + d.length;
          if (len > VALUE_MAX_CHARS) break;
        }
        return parts.join(d);
      };
    case 'split':
      arity(2);
      return (g) => {
        const s = toText(a(0)(g));
        const d = toText(a(1)(g));
        if (s === null || d === null) return null;
        charge(s.length);
        const parts = d === '' ? Array.from(s.slice(0, 2 * MV_MAX_VALUES)).slice(0, MV_MAX_VALUES) : s.split(d, MV_MAX_VALUES);
        return parts.length === 1 ? parts[0]! : parts;
      };
    case 'substr':
      arity(2, 3);
      return (g) => {
        const s = toText(a(0)(g));
        const st = toNumber(a(1)(g));
        if (s === null || st === null) return null;
        charge(s.length);
        const cps = [...s];
        // Splunk: 1-based start; negative counts from the end.
        const from = st > 0 ? st - 1 : st < 0 ? Math.max(cps.length + st, 0) : 0;
        const len = args[2] ? toNumber(args[2](g)) : null;
        return cps.slice(from, len === null ? undefined : from + Math.max(len, 0)).join('');
      };
    case 'replace': {
      arity(3);
      const replace = replacer(e.args[1]!, ctx, fail);
      return (g) => {
        const s = toText(a(0)(g));
        const r = toText(a(2)(g));
        if (s === null || r === null) return null;
        return replace(s, r);
      };
    }
    case 'tostring':
      arity(1, 2);
      return (g) => {
        const v = a(0)(g);
        if (v === null) return null;
        if (args[1]) {
          const fmt = toText(args[1](g));
          const n = toNumber(v);
          if (fmt === 'hex' && n !== null) return '0x' + Math.trunc(n).toString(16).toUpperCase();
          if (fmt === 'commas' && n !== null) return n.toLocaleString('en-US');
        }
        return Array.isArray(v) ? v : toText(v);
      };
    case 'tonumber':
      arity(1, 2);
      return (g) => {
        const s = toText(a(0)(g));
        if (s === null) return null;
        const base = args[1] ? toNumber(args[1](g)) : 10;
        if (base === 10 || base === null) return toNumber(s);
        const t = s.trim().replace(/^0x/i, '');
        if (!/^[0-9a-z]+$/i.test(t)) return null;
        const n = parseInt(t, base);
        return Number.isNaN(n) ? null : n;
      };
    case 'abs':
    case 'floor':
    case 'ceil':
    case 'ceiling':
    case 'round': {
      arity(1, 2);
      const name = e.name;
      return (g) => {
        const n = toNumber(a(0)(g));
        if (n === null) return null;
        if (name === 'abs') return Math.abs(n);
        if (name === 'floor') return Math.floor(n);
        if (name === 'round') {
          const d = args[1] ? (toNumber(args[1](g)) ?? 0) : 0;
          const f = 10 ** d;
          return Math.round(n * f) / f;
        }
        return Math.ceil(n);
      };
    }
    case 'strftime':
      arity(2);
      return (g) => {
        const n = toNumber(a(0)(g));
        const f = toText(a(1)(g));
        return n === null || f === null ? null : strftime(n, f);
      };
    case 'true':
      arity(0);
      return () => true;
    case 'false':
      arity(0);
      return () => false;
    case 'null':
      arity(0);
      return () => null;
    default:
      return fail('E_RULE_UNSUPPORTED', `eval function ${e.name}() is not supported`, e.start);
  }
}

function mapText(v: EvalValue, f: (s: string) => string): EvalValue {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(f);
  return f(toText(v)!);
}

function trimChars(s: string, chars: string | null, mode: string): string {
  const set = chars ?? ' \t\n\r';
  let a = 0;
  let b = s.length;
  if (mode !== 'rtrim') while (a < b && set.includes(s[a]!)) a++;
  if (mode !== 'ltrim') while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** The regex argument of match(): a literal compiles now (errors point into the rule), anything else per value. */
function regexArg(
  arg: Expr,
  ctx: ExprContext,
  fail: (code: 'E_RULE_PARSE' | 'E_RULE_UNSUPPORTED', msg: string, at: number) => never,
): (s: string) => boolean {
  if (arg.t === 'lit' && typeof arg.v === 'string') return prefiltered(compileLiteralRegex(arg.v, arg.start, ctx));
  if (arg.t === 'lit') return fail('E_RULE_PARSE', 'match() needs a regular expression string', arg.start);
  return fail('E_RULE_UNSUPPORTED', 'match() with a computed regular expression is not supported (use a string literal)', arg.start);
}

/** Offset of character `i` of a string literal's value in the expanded text (after its opening quote). */
function literalOffset(ctx: ExprContext, litStart: number, i: number): number {
  // Re-walk the literal: SPL escapes (\\ and \") make the value shorter than the source.
  const text = ctx.src.text;
  let pos = litStart + 1;
  for (let k = 0; k < i && pos < text.length; k++) {
    if (text[pos] === '\\' && (text[pos + 1] === '\\' || text[pos + 1] === '"')) pos += 2;
    else pos++;
  }
  return pos;
}

export function compileLiteralRegex(pattern: string, litStart: number, ctx: ExprContext): SafeRegex {
  try {
    return compileRegex(pattern);
  } catch (err) {
    if (err instanceof HopscopeError && err.code === 'E_RULE_REGEX') {
      const idx = (err.location?.column ?? 1) - 1;
      const loc = locAt(ctx.src, literalOffset(ctx, litStart, idx));
      const msg = err.message.replace(/ \(column \d+\)$/, '');
      throw new HopscopeError('E_RULE_REGEX', msg, loc);
    }
    throw err;
  }
}

function replacer(
  arg: Expr,
  ctx: ExprContext,
  fail: (code: 'E_RULE_PARSE' | 'E_RULE_UNSUPPORTED', msg: string, at: number) => never,
): (s: string, repl: string) => string {
  if (arg.t !== 'lit' || typeof arg.v !== 'string') return fail('E_RULE_UNSUPPORTED', 'replace() needs a string literal regular expression', arg.start);
  compileLiteralRegex(arg.v, arg.start, ctx); // validates and locates errors
  const t = translateRegex(arg.v);
  // Regex work per input character grows with the pattern.
  const weight = 1 + Math.floor(arg.v.length / 32);
  // Each match is replaced until the output reaches the value cap; then the rest of the input is left as it is (the
  // result is cut to the cap), so a replacement that multiplies its input never builds more than the cap.
  if (t.engine === 'native') {
    const re = new RegExp(t.pattern, t.caseInsensitive ? 'giu' : 'gu');
    return (s, r) => {
      charge(s.length * weight);
      const parts = replacementParts(r);
      let made = 0;
      return s.replace(re, (...m: unknown[]) => {
        const whole = m[0] as string;
        if (made > VALUE_MAX_CHARS) return whole;
        const groups = typeof m[m.length - 1] === 'object' ? m.length - 4 : m.length - 3;
        const out = expandReplacement(parts, (k) => (k === 0 ? whole : k <= groups ? ((m[k] as string | undefined) ?? '') : null));
        made += out.length;
        return out;
      });
    };
  }
  const re = RE2JS.compile(t.pattern, t.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  return (s, r) => {
    charge(s.length * weight);
    const parts = replacementParts(r);
    const m = re.matcher(s);
    const groups = m.groupCount();
    let out = '';
    let last = 0;
    while (out.length <= VALUE_MAX_CHARS && m.find()) {
      out += s.slice(last, m.start()) + expandReplacement(parts, (k) => (k <= groups ? (m.group(k) ?? '') : null));
      last = m.end();
    }
    return out + s.slice(last);
  };
}

/** A Splunk replacement string as literal text and `\N` group references. */
function replacementParts(r: string): Array<string | number> {
  const parts: Array<string | number> = [];
  let lit = '';
  for (let i = 0; i < r.length; i++) {
    const c = r.charCodeAt(i);
    const d = r.charCodeAt(i + 1);
    if (c === 92 && d >= 48 && d <= 57) {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(d - 48);
      i++;
    } else lit += r[i];
  }
  if (lit) parts.push(lit);
  return parts;
}

/** A replacement with its group references filled in (a group the pattern lacks stays as written, as `$N` did). */
function expandReplacement(parts: ReadonlyArray<string | number>, group: (k: number) => string | null): string {
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : (group(p) ?? `$${p}`);
  return out;
}
