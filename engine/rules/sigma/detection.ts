// Sigma detection identifiers to value tests: field items with their modifier chain, keyword lists,
// maps (AND) and lists of maps (OR). Invariant: everything is compiled here once; a test is a pure
// function of the field's value (and lower-cased value), so callers may cache it per distinct value.

import type { CompileRegex, SafeRegex } from '../regex/api.ts';
import { HopscopeError, type ErrorCode } from '../../model/errors.ts';
import { parseCidr, parseIp, type Cidr } from './cidr.ts';
import { AUTOMATON_MIN_NEEDLES, containsAny, type ContainsAny } from './multi-contains.ts';
import {
  base64Encode,
  base64OffsetVariants,
  compilePattern,
  parseSigmaString,
  patternLiteral,
  utf16Bytes,
  utf8Bytes,
  windash,
  type CompiledPattern,
  type Pattern,
} from './sigma-string.ts';
import type { SLoc, SNode, SScalar } from './yaml-tree.ts';

export class DetectionError extends Error {
  constructor(
    message: string,
    readonly loc: SLoc,
    readonly kind: 'error' | 'unsupported',
    readonly code: ErrorCode,
  ) {
    super(message);
  }
}

/** Test of a field's value; `lower` is `value.toLowerCase()` (callers compute it once per value). */
export type ValueTest = (value: string | null, lower: string | null) => boolean;

export interface FieldItem {
  kind: 'field';
  field: string;
  modifiers: readonly string[];
  /** Short Sigma spelling for explanations. */
  text: string;
  loc: SLoc;
  /** Present unless `fieldref`: a pure function of this field's value. */
  test?: ValueTest;
  /** `fieldref`: compares this field with another field's value. */
  ref?: { field: string; test: (value: string | null, other: string | null) => boolean };
}

export interface KeywordItem {
  kind: 'keywords';
  text: string;
  loc: SLoc;
  /** Test of the event's text and its lower-cased copy. */
  test: (text: string, lowerText: string) => boolean;
}

export type DetExpr = { kind: 'and'; items: DetExpr[] } | { kind: 'or'; items: DetExpr[] } | FieldItem | KeywordItem;

export interface DetectionContext {
  compileRegex: CompileRegex;
  file: string;
}

export const KNOWN_MODIFIERS: ReadonlySet<string> = new Set([
  'contains', 'startswith', 'endswith', 'all', 're', 'i', 'ignorecase', 'm', 'multiline', 's', 'dotall',
  'windash', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'cased', 'exists', 'fieldref',
  'gt', 'gte', 'lt', 'lte', 'cidr',
]);

const MAX_TEXT = 160;

/** Compile the value of one detection identifier. */
export function compileIdentifier(node: SNode, ctx: DetectionContext): DetExpr {
  if (node.kind === 'map') return compileMap(node, ctx);
  if (node.kind === 'seq') {
    if (node.items.length === 0) throw new DetectionError('empty detection list', node.loc, 'error', 'E_RULE_PARSE');
    if (node.items.every((it) => it.kind === 'scalar')) return compileKeywords(node.items as SScalar[], [], node.loc);
    const items = node.items.map((it): DetExpr => {
      if (it.kind === 'map') return compileMap(it, ctx);
      if (it.kind === 'scalar') return compileKeywords([it], [], it.loc);
      throw new DetectionError('nested lists are not valid in a detection', it.loc, 'error', 'E_RULE_PARSE');
    });
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }
  if (node.text === null) throw new DetectionError('detection identifier has no value', node.loc, 'error', 'E_RULE_PARSE');
  return compileKeywords([node], [], node.loc);
}

function compileMap(node: Extract<SNode, { kind: 'map' }>, ctx: DetectionContext): DetExpr {
  if (node.entries.length === 0) throw new DetectionError('empty detection map', node.loc, 'error', 'E_RULE_PARSE');
  const items = node.entries.map((e) => compileField(e.key, e.keyLoc, e.value, ctx));
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}

function scalars(value: SNode, loc: SLoc): SScalar[] {
  if (value.kind === 'scalar') return [value];
  if (value.kind === 'seq') {
    return value.items.map((it) => {
      if (it.kind !== 'scalar') throw new DetectionError('a field value list may hold only plain values', it.loc, 'error', 'E_RULE_PARSE');
      return it;
    });
  }
  throw new DetectionError('a field value must be a value or a list of values', loc, 'error', 'E_RULE_PARSE');
}

function itemText(key: string, values: SScalar[]): string {
  const vals = values.map((v) => (v.text === null ? 'null' : v.text));
  let t = `${key}: ${vals.length === 1 ? vals[0] : '[' + vals.join(', ') + ']'}`;
  if (t.length > MAX_TEXT) t = t.slice(0, MAX_TEXT - 1) + '…';
  return t;
}

/** One value's alternatives after the modifier chain (base64offset gives three). */
interface Val {
  p: Pattern;
  /** The pattern's characters are bytes (after utf16/wide), not text. */
  bytes: boolean;
}

interface Group {
  /** Test of a present, non-null value. */
  test: (v: string, lower: string) => boolean;
  /** Result for a missing (or empty, which stores keep as missing) value. */
  onMissing: boolean;
}

function compileField(key: string, keyLoc: SLoc, value: SNode, ctx: DetectionContext): FieldItem | KeywordItem {
  const segs = key.split('|');
  const field = segs[0]!;
  const modifiers = segs.slice(1);
  for (const m of modifiers) {
    if (!KNOWN_MODIFIERS.has(m)) throw new DetectionError(`unsupported modifier "${m}" on ${field || 'keywords'}`, keyLoc, 'unsupported', 'E_RULE_UNSUPPORTED');
  }
  const vals = scalars(value, keyLoc);
  if (vals.length === 0) throw new DetectionError(`empty value list for ${field || 'keywords'}`, keyLoc, 'error', 'E_RULE_PARSE');
  const text = itemText(key, vals);
  const has = (m: string): boolean => modifiers.includes(m);
  if (field === '') return compileKeywords(vals, modifiers, keyLoc);

  if (has('exists')) {
    const v = vals[0];
    if (vals.length !== 1 || !v || v.type !== 'boolean') throw new DetectionError('"exists" needs true or false', v?.loc ?? keyLoc, 'error', 'E_RULE_PARSE');
    const want = v.text!.toLowerCase() === 'true';
    return { kind: 'field', field, modifiers, text, loc: keyLoc, test: (x) => (x !== null && x !== '') === want };
  }

  if (has('fieldref')) {
    const others = vals.map((v) => {
      if (v.text === null) throw new DetectionError('"fieldref" needs a field name', v.loc, 'error', 'E_RULE_PARSE');
      return v.text;
    });
    const cased = has('cased');
    const mode = has('contains') ? 'contains' : has('startswith') ? 'startswith' : has('endswith') ? 'endswith' : 'equals';
    const cmp = (a: string, b: string): boolean => {
      const x = cased ? a : a.toLowerCase();
      const y = cased ? b : b.toLowerCase();
      return mode === 'equals' ? x === y : mode === 'contains' ? x.includes(y) : mode === 'startswith' ? x.startsWith(y) : x.endsWith(y);
    };
    if (others.length !== 1) throw new DetectionError('"fieldref" with several fields is not supported', keyLoc, 'unsupported', 'E_RULE_UNSUPPORTED');
    return {
      kind: 'field', field, modifiers, text, loc: keyLoc,
      ref: { field: others[0]!, test: (a, b) => a !== null && b !== null && cmp(a, b) },
    };
  }

  const groups: Group[] = [];
  const cmpMod = ['gt', 'gte', 'lt', 'lte'].find(has);
  if (cmpMod) {
    for (const v of vals) {
      const n = v.text === null ? NaN : parseNumber(v.text);
      if (Number.isNaN(n)) throw new DetectionError(`"${cmpMod}" needs a number`, v.loc, 'error', 'E_RULE_PARSE');
      const op = cmpMod;
      groups.push({
        onMissing: false,
        test: (x) => {
          const f = parseNumber(x);
          if (Number.isNaN(f)) return false;
          return op === 'gt' ? f > n : op === 'gte' ? f >= n : op === 'lt' ? f < n : f <= n;
        },
      });
    }
  } else if (has('cidr')) {
    for (const v of vals) {
      const c: Cidr | undefined = v.text === null ? undefined : parseCidr(v.text);
      if (!c) throw new DetectionError(`invalid CIDR "${v.text ?? 'null'}"`, v.loc, 'error', 'E_RULE_PARSE');
      groups.push({ onMissing: false, test: (x) => { const ip = parseIp(x.trim()); return ip !== undefined && c.contains(ip); } });
    }
  } else if (has('re')) {
    for (const m of modifiers) {
      if (!['re', 'i', 'ignorecase', 'm', 'multiline', 's', 'dotall', 'all'].includes(m)) {
        throw new DetectionError(`modifier "${m}" cannot be combined with "re"`, keyLoc, 'unsupported', 'E_RULE_UNSUPPORTED');
      }
    }
    for (const v of vals) {
      if (v.text === null) throw new DetectionError('"re" needs a pattern', v.loc, 'error', 'E_RULE_PARSE');
      const rx = compileRe(v.text, v.loc, ctx, has('i') || has('ignorecase'), has('m') || has('multiline'), has('s') || has('dotall'));
      const lits = rx.requiredLiterals;
      groups.push({
        onMissing: false,
        test: lits.length
          ? (x, l) => { for (const lit of lits) if (!l.includes(lit)) return false; return rx.test(x); }
          : (x) => rx.test(x),
      });
    }
  } else {
    for (const m of ['i', 'ignorecase', 'm', 'multiline', 's', 'dotall']) {
      if (has(m)) throw new DetectionError(`modifier "${m}" only applies to "re"`, keyLoc, 'error', 'E_RULE_PARSE');
    }
    const cased = has('cased');
    const perValue = vals.map((v) => stringAlternatives(v, modifiers));
    if (has('all')) {
      for (const alts of perValue) groups.push(patternGroup(alts, cased));
    } else {
      // One OR over every value's alternatives, so equality sets and the automaton see them all.
      groups.push(patternGroup({ nullValue: perValue.some((a) => a.nullValue), patterns: perValue.flatMap((a) => a.patterns) }, cased));
    }
  }

  const test = combineGroups(groups, has('all'));
  return { kind: 'field', field, modifiers, text, loc: keyLoc, test };
}

function combineGroups(groups: Group[], all: boolean): ValueTest {
  if (groups.length === 1) {
    const g = groups[0]!;
    return (v, l) => (v === null ? g.onMissing : g.test(v, l!));
  }
  if (all) {
    const missing = groups.every((g) => g.onMissing);
    return (v, l) => {
      if (v === null) return missing;
      for (const g of groups) if (!g.test(v, l!)) return false;
      return true;
    };
  }
  const missing = groups.some((g) => g.onMissing);
  return (v, l) => {
    if (v === null) return missing;
    for (const g of groups) if (g.test(v, l!)) return true;
    return false;
  };
}

interface Alternatives {
  /** The value was YAML null: matches a missing or empty field. */
  nullValue: boolean;
  patterns: CompiledPattern[];
}

function patternGroup(a: Alternatives, cased: boolean): Group {
  if (a.patterns.length === 0) return { onMissing: a.nullValue, test: (x) => x === '' };
  const any = anyPattern(a.patterns, cased);
  const test = a.nullValue ? (x: string, l: string) => x === '' || any(x, l) : any;
  return { onMissing: a.nullValue || any('', ''), test };
}

function stringAlternatives(v: SScalar, modifiers: readonly string[]): Alternatives {
  if (v.text === null) return { nullValue: true, patterns: [] };
  const cased = modifiers.includes('cased');
  let alts: Val[] = [{ p: parseSigmaString(v.text), bytes: false }];
  for (const m of modifiers) {
    switch (m) {
      case 'contains':
        alts = alts.map((a) => ({ ...a, p: [{ t: 'star' }, ...a.p, { t: 'star' }] }));
        break;
      case 'startswith':
        alts = alts.map((a) => ({ ...a, p: [...a.p, { t: 'star' }] }));
        break;
      case 'endswith':
        alts = alts.map((a) => ({ ...a, p: [{ t: 'star' }, ...a.p] }));
        break;
      case 'windash':
        alts = alts.map((a) => ({ ...a, p: windash(a.p) }));
        break;
      case 'wide':
      case 'utf16le':
      case 'utf16be':
      case 'utf16':
        alts = alts.map((a) => {
          const endian = m === 'utf16be' ? 'be' : 'le';
          let first = true;
          const p: Pattern = a.p.map((part) => {
            if (part.t !== 'lit') return part;
            const bytes = utf16Bytes(part.s, endian, m === 'utf16' && first);
            first = false;
            return { t: 'lit', s: String.fromCharCode(...bytes) };
          });
          return { p, bytes: true };
        });
        break;
      case 'base64':
      case 'base64offset':
        alts = alts.flatMap((a) => {
          const lit = patternLiteral(a.p);
          if (lit === undefined) throw new DetectionError(`"${m}" of a value with wildcards is not supported`, v.loc, 'unsupported', 'E_RULE_UNSUPPORTED');
          const bytes = a.bytes ? Array.from(lit, (c) => c.charCodeAt(0) & 0xff) : utf8Bytes(lit);
          const encoded = m === 'base64' ? [base64Encode(bytes)] : base64OffsetVariants(bytes);
          return encoded.map((s) => ({ p: s ? [{ t: 'lit' as const, s }] : [], bytes: false }));
        });
        break;
      default:
        break;
    }
  }
  return { nullValue: false, patterns: alts.map((a) => compilePattern(a.p, cased)) };
}

/**
 * OR over patterns: equality through one Set, many `contains` through one automaton, then
 * prefix/suffix, then general globs.
 */
function anyPattern(list: CompiledPattern[], cased: boolean): (v: string, l: string) => boolean {
  if (list.length === 1) return list[0]!.match;
  const eq = new Set<string>();
  const needles: string[] = [];
  let rest: CompiledPattern[] = [];
  for (const c of list) {
    if (c.equals !== undefined) eq.add(c.equals);
    else if (c.contains !== undefined) needles.push(c.contains);
    else rest.push(c);
  }
  let multi: ContainsAny | undefined;
  if (needles.length >= AUTOMATON_MIN_NEEDLES) multi = containsAny(needles);
  else rest = [...rest, ...list.filter((c) => c.equals === undefined && c.contains !== undefined)];
  rest.sort((a, b) => a.cost - b.cost);
  const matchers = rest.map((c) => c.match);
  return (v, l) => {
    const s = cased ? v : l;
    if (eq.size && eq.has(s)) return true;
    if (multi && multi(s)) return true;
    for (const m of matchers) if (m(v, l)) return true;
    return false;
  };
}

function compileKeywords(vals: SScalar[], modifiers: readonly string[], loc: SLoc): KeywordItem {
  for (const m of modifiers) {
    if (!['all', 'contains', 'cased'].includes(m)) {
      throw new DetectionError(`modifier "${m}" is not supported on keywords`, loc, 'unsupported', 'E_RULE_UNSUPPORTED');
    }
  }
  const cased = modifiers.includes('cased');
  const pats = vals
    .filter((v) => v.text !== null)
    .map((v) => compilePattern([{ t: 'star' }, ...parseSigmaString(v.text!), { t: 'star' }], cased).match);
  if (pats.length === 0) throw new DetectionError('keyword list has no values', loc, 'error', 'E_RULE_PARSE');
  const all = modifiers.includes('all');
  const text = itemText(modifiers.length ? `keywords|${modifiers.join('|')}` : 'keywords', vals);
  const test = all
    ? (t: string, l: string) => pats.every((p) => p(t, l))
    : (t: string, l: string) => pats.some((p) => p(t, l));
  return { kind: 'keywords', text, loc, test };
}

function compileRe(pattern: string, loc: SLoc, ctx: DetectionContext, i: boolean, m: boolean, s: boolean): SafeRegex {
  try {
    return ctx.compileRegex(pattern, {
      caseInsensitive: i,
      multiline: m,
      dotAll: s,
      location: { file: ctx.file, line: loc.line, column: loc.column },
    });
  } catch (err) {
    const code: ErrorCode = err instanceof HopscopeError ? err.code : 'E_RULE_REGEX';
    const msg = err instanceof HopscopeError ? err.message : err instanceof Error ? err.message : String(err);
    throw new DetectionError(`regular expression: ${msg}`, loc, code === 'E_RULE_UNSUPPORTED' ? 'unsupported' : 'error', code === 'E_RULE_UNSUPPORTED' ? code : 'E_RULE_REGEX');
  }
}

/** Decimal or `0x` hexadecimal (Security 4688 ids), else NaN. */
export function parseNumber(s: string): number {
  // Field values are hostile: bound the length, and keep the patterns free of ambiguous repetition.
  if (s.length > 64) return NaN;
  const t = s.trim();
  const hex = /^([+-]?)0x([0-9a-f]+)$/i.exec(t);
  if (hex) return (hex[1] === '-' ? -1 : 1) * parseInt(hex[2]!, 16);
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(t)) return NaN;
  return Number(t);
}
