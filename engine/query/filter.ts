// The search/filter language of the UI, parsed once to an AST that keeps 1-based columns.
// Invariant: compiled per view to a row predicate that evaluates dictionary columns once per distinct
// value; every parse error is E_USAGE with the column where the problem starts.

import { HopscopeError } from '../model/errors.ts';
import { EVENT_KINDS, isEventKind } from '../model/event-kinds.ts';
import { compileRegex } from '../rules/regex/index.ts';
import type { SafeRegex } from '../rules/regex/api.ts';
import { valuePredicate, type EventView } from '../store/view.ts';
import { ANNOTATION_STATUSES, type Annotation } from '../case/annotations.ts';
import { rowStatuses, type AnnotationIndex } from './annotation-index.ts';
import type { FindingIndex } from './finding-index.ts';

/*
 * Grammar (NOT binds tightest, then AND — explicit or implicit by juxtaposition — then OR):
 *   expr   := and ('OR' and)*
 *   and    := unary (['AND'] unary)*
 *   unary  := 'NOT' unary | '(' expr ')' | term
 *   term   := "phrase" | /regex/flags | name (':' | '=' | '!=') value | time op instant | word
 *   value  := "quoted" | /regex/flags | bare          op := '>=' | '>' | '<=' | '<' | '=' | ':'
 * A word is a /regex/ only when it starts with `/` and its first unescaped `/` comes before any space and is
 * followed by nothing but flag letters up to a space, a parenthesis or the end (write `\s` for a space in a regex);
 * any other word with slashes is text (`cmd.exe /Q`, `/c`, `C:/Temp/x`). An unquoted `|` starting a word is refused:
 * there are no pipelines.
 * Free text (word, phrase, /regex/) tests the event text (raw record text + canonical pairs), words and
 * phrases case-insensitively. Field values match the whole value, case-insensitively, with `*` (any run)
 * and `?` (one character); `name:*` means the field is present, `name:""` empty or absent; an absent
 * field matches neither `=` nor `!=`. A field name has two or more characters and starts with a letter
 * (any script), `_` or `@`, so `C:\Windows` and `08:00:17` are free text. `time`/`_time` take ISO 8601
 * (no zone = UTC, or an offset) or epoch milliseconds.
 * Annotation terms test the analyst's notes (the event's own and those of findings holding it), not log
 * fields: `status:<status>` (`!=` too), `tag:<glob>`, `starred` / `is:starred`, `commented` / `is:commented`,
 * `is:annotated`. Quote the word ("starred") to search the text instead.
 * Detection terms test the case's findings, not log fields: `rule:<glob or /regex/>` an event of a finding of that
 * rule (its id), `finding:<glob>` of that finding (its id; `finding:*` any), `!=` the events that are not.
 * `kind:<kind>` (also `kind!=`, globs) is the event's kind (model/event-kinds.ts: process_creation, logon, share_access ...).
 */

export const MAX_FILTER_LENGTH = 8192;
export const MAX_REGEX_LENGTH = 1024;

export type TimeOp = '>=' | '>' | '<=' | '<' | '=';

export type FilterNode =
  | { kind: 'and' | 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode }
  | { kind: 'text'; value: string; column: number }
  | { kind: 'textRegex'; regex: SafeRegex; column: number }
  | { kind: 'field'; field: string; negate: boolean; value: string; column: number }
  | { kind: 'fieldRegex'; field: string; negate: boolean; regex: SafeRegex; column: number }
  | { kind: 'time'; op: TimeOp; timeMs: number; column: number }
  | { kind: 'annotation'; term: AnnotationTerm; negate: boolean; value: string; column: number }
  | { kind: 'all' };

export type AnnotationTerm = 'status' | 'tag' | 'starred' | 'commented' | 'annotated';
const IS_TERMS: ReadonlySet<string> = new Set(['starred', 'commented', 'annotated']);

type Tok =
  | { t: 'lparen' | 'rparen' | 'and' | 'or' | 'not'; col: number }
  | { t: 'term'; node: FilterNode; col: number };

function usage(message: string, column: number): HopscopeError {
  return new HopscopeError('E_USAGE', message, { column });
}

const NAME_STOP = new Set([' ', '\t', '\r', '\n', '(', ')', '"', ':', '=', '!', '<', '>']);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

class Lexer {
  pos = 0;
  constructor(private readonly src: string) {}

  tokens(): Tok[] {
    const out: Tok[] = [];
    const s = this.src;
    while (true) {
      while (isSpace(s[this.pos])) this.pos++;
      if (this.pos >= s.length) return out;
      const col = this.pos + 1;
      const c = s[this.pos]!;
      if (c === '(') {
        this.pos++;
        out.push({ t: 'lparen', col });
      } else if (c === ')') {
        this.pos++;
        out.push({ t: 'rparen', col });
      } else if (c === '"') {
        out.push({ t: 'term', node: { kind: 'text', value: this.quoted(), column: col }, col });
      } else if (c === '/' && this.regexAhead()) {
        out.push({ t: 'term', node: { kind: 'textRegex', regex: this.regex(), column: col }, col });
      } else if (c === '|') {
        throw usage("pipes ('|') are not supported: the filter is one search, not an SPL pipeline (quote \"|\" to find the character)", col);
      } else {
        out.push(this.wordOrField(col));
      }
    }
  }

  private quoted(): string {
    const s = this.src;
    const start = this.pos;
    this.pos++;
    let out = '';
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === '\\' && (s[this.pos + 1] === '"' || s[this.pos + 1] === '\\')) {
        out += s[this.pos + 1];
        this.pos += 2;
      } else if (c === '"') {
        this.pos++;
        return out;
      } else {
        out += c;
        this.pos++;
      }
    }
    throw usage('unterminated quoted string', start + 1);
  }

  /**
   * True when the `/` at `pos` opens a /regex/: its first unescaped `/` after it comes before any space and is
   * followed only by letters (the flags) up to a space, a parenthesis or the end. Otherwise the word is text:
   * `/Q`, `/c`, `/usr/bin/x` and `cmd.exe /c whoami /all` search the event text as written.
   */
  private regexAhead(): boolean {
    const s = this.src;
    let i = this.pos + 1;
    while (i < s.length && !isSpace(s[i])) {
      const c = s[i]!;
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '/') {
        i++;
        while (i < s.length && /[a-z]/i.test(s[i]!)) i++;
        return i >= s.length || isSpace(s[i]) || s[i] === ')' || s[i] === '(';
      }
      i++;
    }
    return false;
  }

  private regex(): SafeRegex {
    const s = this.src;
    const start = this.pos;
    this.pos++;
    let body = '';
    let closed = false;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === '\\' && this.pos + 1 < s.length) {
        // `\/` is a literal slash; every other escape reaches the regex engine as written.
        body += s[this.pos + 1] === '/' ? '/' : c + s[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (c === '/') {
        closed = true;
        this.pos++;
        break;
      }
      body += c;
      this.pos++;
    }
    if (!closed) throw usage('unterminated /regex/', start + 1);
    let flags = '';
    while (this.pos < s.length && /[a-z]/i.test(s[this.pos]!)) flags += s[this.pos++];
    for (const f of flags) if (!'ims'.includes(f)) throw usage(`unknown regex flag '${f}' (use i, m, s)`, this.pos - flags.length + flags.indexOf(f) + 1);
    if (body.length === 0) throw usage('empty /regex/', start + 1);
    if (body.length > MAX_REGEX_LENGTH) throw usage(`regex longer than ${MAX_REGEX_LENGTH} characters`, start + 1);
    try {
      return compileRegex(body, {
        caseInsensitive: flags.includes('i'),
        multiline: flags.includes('m'),
        dotAll: flags.includes('s'),
        location: { column: start + 2 },
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const col = err instanceof HopscopeError && err.location?.column !== undefined ? err.location.column : start + 1;
      throw usage(`regex refused: ${why.replace(/ \(column \d+\)$/, '')}`, col);
    }
  }

  private bare(): string {
    const s = this.src;
    let out = '';
    while (this.pos < s.length && !isSpace(s[this.pos]) && s[this.pos] !== '(' && s[this.pos] !== ')') out += s[this.pos++];
    return out;
  }

  private wordOrField(col: number): Tok {
    const s = this.src;
    const start = this.pos;
    let name = '';
    while (this.pos < s.length && !NAME_STOP.has(s[this.pos]!)) name += s[this.pos++];
    const rest = s.slice(this.pos, this.pos + 2);
    let op: string | null = null;
    if (rest.startsWith('!=') || rest.startsWith('>=') || rest.startsWith('<=')) op = rest;
    else if (rest[0] === ':' || rest[0] === '=' || rest[0] === '<' || rest[0] === '>') op = rest[0];
    if (name === 'AND' || name === 'OR' || name === 'NOT') {
      if (op === null) return { t: name === 'AND' ? 'and' : name === 'OR' ? 'or' : 'not', col };
    }
    if (op === null && (name === 'starred' || name === 'commented')) {
      return { t: 'term', node: { kind: 'annotation', term: name, negate: false, value: '', column: col }, col };
    }
    if ((op === ':' || op === '=' || op === '!=') && (name === 'status' || name === 'tag' || name === 'is')) {
      return this.annotationTerm(name, op, col);
    }
    const isTime = name === 'time' || name === '_time';
    // Field names start with a letter, `_` or `@`: `08:00:17` and `C:\Windows` are free text.
    const fieldLike = name.length >= 2 && /^[\p{L}_@]/u.test(name);
    if (op === null || !fieldLike || ((op === '<' || op === '>' || op === '<=' || op === '>=') && !isTime)) {
      // Free text: the whole run up to whitespace or a parenthesis.
      this.pos = start;
      const word = this.bare();
      if (word.length === 0) throw usage(`unexpected '${s[this.pos]}'`, col);
      return { t: 'term', node: { kind: 'text', value: word, column: col }, col };
    }
    this.pos += op.length;
    const valueCol = this.pos + 1;
    if (isTime) {
      const timeOp: TimeOp = op === ':' ? '=' : (op as TimeOp);
      if (op === '!=') throw usage('time does not support !=; use NOT or a range', col);
      const text = s[this.pos] === '"' ? this.quoted() : this.bare();
      if (text === '') throw usage(`missing time after '${name}${op}'`, valueCol);
      return { t: 'term', node: { kind: 'time', op: timeOp, timeMs: parseInstant(text, valueCol), column: col }, col };
    }
    const negate = op === '!=';
    if (s[this.pos] === '/' && this.regexAhead()) {
      return { t: 'term', node: { kind: 'fieldRegex', field: name, negate, regex: this.regex(), column: col }, col };
    }
    const quoted = s[this.pos] === '"';
    const value = quoted ? this.quoted() : this.bare();
    if (!quoted && value === '') throw usage(`missing value after '${name}${op}' (use "" for an empty value)`, valueCol);
    // `kind:logon` is the event's kind (the store's `event_kind`); a misspelt kind is an error, not an empty table.
    if (name === 'kind' || name === 'event_kind') {
      if (!/[*?]/.test(value) && !isEventKind(value.toLowerCase())) throw usage(`unknown kind '${value}' (use ${EVENT_KINDS.join(', ')})`, valueCol);
      return { t: 'term', node: { kind: 'field', field: 'event_kind', negate, value, column: col }, col };
    }
    return { t: 'term', node: { kind: 'field', field: name, negate, value, column: col }, col };
  }

  private annotationTerm(name: 'status' | 'tag' | 'is', op: string, col: number): Tok {
    const s = this.src;
    this.pos += op.length;
    const valueCol = this.pos + 1;
    const value = s[this.pos] === '"' ? this.quoted() : this.bare();
    if (value === '') throw usage(`missing value after '${name}${op}'`, valueCol);
    const negate = op === '!=';
    if (name === 'status') {
      const v = value.toLowerCase();
      if (!(ANNOTATION_STATUSES as readonly string[]).includes(v)) throw usage(`unknown status '${value}' (use ${ANNOTATION_STATUSES.join(', ')})`, valueCol);
      return { t: 'term', node: { kind: 'annotation', term: 'status', negate, value: v, column: col }, col };
    }
    if (name === 'tag') return { t: 'term', node: { kind: 'annotation', term: 'tag', negate, value, column: col }, col };
    const v = value.toLowerCase();
    if (!IS_TERMS.has(v)) throw usage(`unknown 'is:${value}' (use is:starred, is:commented or is:annotated)`, valueCol);
    return { t: 'term', node: { kind: 'annotation', term: v as AnnotationTerm, negate, value: '', column: col }, col };
  }
}

/** ISO 8601 (zone optional, UTC when absent) or epoch milliseconds. */
export function parseInstant(text: string, column: number): number {
  if (/^-?\d{1,16}(\.\d+)?$/.test(text)) return Number(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) throw usage(`'${text}' is not a time (use ISO 8601 like 2024-05-01T08:00:00Z, or epoch milliseconds)`, column);
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  let ms = Date.UTC(+y!, +mo! - 1, +d!, +(h ?? 0), +(mi ?? 0), +(sec ?? 0)) + (frac ? Number(frac) * 1000 : 0);
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +(h ?? 0) > 23 || +(mi ?? 0) > 59 || +(sec ?? 0) > 60) {
    throw usage(`'${text}' is not a valid date`, column);
  }
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/** Nesting of parentheses and NOT: deeper filters are refused before recursion can overflow the stack. */
export const MAX_FILTER_DEPTH = 256;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[], private readonly length: number) {}

  parse(): FilterNode {
    if (this.toks.length === 0) return { kind: 'all' };
    const node = this.or();
    const t = this.toks[this.i];
    if (t) throw usage(t.t === 'rparen' ? "unmatched ')'" : 'unexpected input', t.col);
    return node;
  }

  private or(): FilterNode {
    const items = [this.and()];
    while (this.toks[this.i]?.t === 'or') {
      this.i++;
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private and(): FilterNode {
    const items = [this.unary()];
    while (true) {
      const t = this.toks[this.i];
      if (!t || t.t === 'or' || t.t === 'rparen') break;
      if (t.t === 'and') this.i++;
      items.push(this.unary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private unary(): FilterNode {
    const t = this.toks[this.i];
    if (!t) throw usage('expected a search term', this.length + 1);
    if ((t.t === 'not' || t.t === 'lparen') && this.depth >= MAX_FILTER_DEPTH) {
      throw usage(`parentheses and NOT nested deeper than ${MAX_FILTER_DEPTH} levels`, t.col);
    }
    switch (t.t) {
      case 'not': {
        this.i++;
        this.depth++;
        const item = this.unary();
        this.depth--;
        return { kind: 'not', item };
      }
      case 'lparen': {
        this.i++;
        if (this.toks[this.i]?.t === 'rparen') throw usage('empty parentheses', t.col);
        this.depth++;
        const inner = this.or();
        this.depth--;
        const close = this.toks[this.i];
        if (!close || close.t !== 'rparen') throw usage("missing ')' for '('", t.col);
        this.i++;
        return inner;
      }
      case 'term':
        this.i++;
        return t.node;
      default:
        throw usage(`'${t.t.toUpperCase()}' needs a search term before it`, t.col);
    }
  }
}

export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) throw usage(`filter longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH + 1);
  return new Parser(new Lexer(text).tokens(), text.length).parse();
}

// ---- value matching -------------------------------------------------------------------------

/** Case-insensitive whole-string glob: `*` any run, `?` one character; linear backtracking to the last star. */
export function globMatch(patternLower: string, value: string): boolean {
  const v = value.toLowerCase();
  let p = 0;
  let s = 0;
  let star = -1;
  let mark = 0;
  while (s < v.length) {
    const pc = patternLower[p];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === v[s])) {
      p++;
      s++;
    } else if (pc === '*') {
      star = p++;
      mark = s;
    } else if (star >= 0) {
      p = star + 1;
      s = ++mark;
    } else return false;
  }
  while (patternLower[p] === '*') p++;
  return p === patternLower.length;
}

function valueMatcher(value: string): (v: string) => boolean {
  const lower = value.toLowerCase();
  if (lower === '*') return () => true;
  if (!lower.includes('*') && !lower.includes('?')) return (v) => v.toLowerCase() === lower;
  return (v) => globMatch(lower, v);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const isLiteral = (value: string): boolean => !value.includes('*') && !value.includes('?');

function textMatcher(value: string): (text: string) => boolean {
  if (isLiteral(value)) {
    // A case-insensitive literal regex scans without lower-casing a copy of every event text.
    const re = new RegExp(escapeRegExp(value), 'i');
    return (t) => re.test(t);
  }
  const pattern = '*' + value.toLowerCase() + '*';
  return (t) => globMatch(pattern, t);
}

/** Longest input handed to a regex test (event text beyond it is not searched by /regex/). */
export const MAX_REGEX_INPUT = 1 << 20;

// ---- compilation ----------------------------------------------------------------------------

export type RowTest = (row: number) => boolean;

export interface CompiledFilter {
  readonly source: string;
  readonly ast: FilterNode;
  /** Row predicate for one view (cached per view). */
  forView(view: EventView): RowTest;
  /** Time window every match lies in (from top-level time terms), for narrowing scans. */
  readonly startMs: number;
  readonly endMs: number;
  /** True when the filter accepts every row. */
  readonly matchesAll: boolean;
}

function annotationMatcher(node: Extract<FilterNode, { kind: 'annotation' }>): (list: readonly Annotation[]) => boolean {
  switch (node.term) {
    case 'status':
      return (list) => rowStatuses(list).includes(node.value as Annotation['status']);
    case 'tag': {
      const m = valueMatcher(node.value);
      return (list) => list.some((a) => a.tags.some(m));
    }
    case 'starred':
      return (list) => list.some((a) => a.star);
    case 'commented':
      return (list) => list.some((a) => a.comments.length > 0);
    case 'annotated':
      return (list) => list.length > 0;
  }
}

/** Names the filter reads from the findings (`rule:`, `finding:`), never from a log field of that name. */
export const DETECTION_TERMS: ReadonlySet<string> = new Set(['rule', 'finding']);

function detectionTest(node: Extract<FilterNode, { kind: 'field' | 'fieldRegex' }>, view: EventView, findings?: FindingIndex): RowTest {
  const match: (v: string) => boolean =
    node.kind === 'fieldRegex' ? (v) => node.regex.test(v) : node.value === '' ? () => false : valueMatcher(node.value);
  const key = node.field === 'rule' ? (f: { ruleId: string }) => f.ruleId : (f: { id: string }) => f.id;
  const want = !node.negate;
  if (!findings) return () => !want;
  const of = findings.forView(view);
  // Per finding list (rows of one finding share it): evaluated once.
  const memo = new WeakMap<readonly unknown[], boolean>();
  return (row) => {
    const list = of(row);
    if (list.length === 0) return !want;
    let hit = memo.get(list);
    if (hit === undefined) {
      hit = list.some((f) => match(key(f)));
      memo.set(list, hit);
    }
    return hit === want;
  };
}

function compileNode(node: FilterNode, view: EventView, annotations?: AnnotationIndex, findings?: FindingIndex): RowTest {
  switch (node.kind) {
    case 'annotation': {
      const test = annotationMatcher(node);
      const want = !node.negate;
      // Without the case's notes every row is un-annotated.
      const empty = test([]) === want;
      if (!annotations) return () => empty;
      const of = annotations.forView(view);
      return (row) => test(of(row)) === want;
    }
    case 'all':
      return () => true;
    case 'and': {
      const parts = node.items.map((n) => compileNode(n, view, annotations, findings));
      return (row) => {
        for (const p of parts) if (!p(row)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = node.items.map((n) => compileNode(n, view, annotations, findings));
      return (row) => {
        for (const p of parts) if (p(row)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compileNode(node.item, view, annotations, findings);
      return (row) => !inner(row);
    }
    case 'text': {
      // Views that can search their text without building it (the store's segments) do so.
      if (view.textContains && isLiteral(node.value) && node.value.length > 0) return view.textContains(node.value);
      const m = textMatcher(node.value);
      return (row) => m(view.text(row));
    }
    case 'textRegex': {
      const re = node.regex;
      // Literals every match must contain: cheap text searches rule most rows out before the regex runs.
      const needs = view.textContains ? re.requiredLiterals.filter((l) => l.length > 0).map((l) => view.textContains!(l)) : [];
      return (row) => {
        for (const n of needs) if (!n(row)) return false;
        const t = view.text(row);
        return re.test(t.length > MAX_REGEX_INPUT ? t.slice(0, MAX_REGEX_INPUT) : t);
      };
    }
    case 'time': {
      const t = view.timeMs;
      const x = node.timeMs;
      switch (node.op) {
        case '>=':
          return (row) => t[row]! >= x;
        case '>':
          return (row) => t[row]! > x;
        case '<=':
          return (row) => t[row]! <= x;
        case '<':
          return (row) => t[row]! < x;
        default:
          return (row) => t[row] === x;
      }
    }
    case 'field':
    case 'fieldRegex': {
      if (DETECTION_TERMS.has(node.field)) return detectionTest(node, view, findings);
      const col = view.column(node.field);
      if (!col) return () => false;
      let test: (v: string) => boolean;
      if (node.kind === 'field') {
        const m = valueMatcher(node.value);
        // `field:""` asks for an empty (or absent) value.
        if (node.value === '') return node.negate ? (row) => (col.get(row) ?? '') !== '' : (row) => (col.get(row) ?? '') === '';
        test = m;
      } else {
        const re = node.regex;
        test = (v) => re.test(v.length > MAX_REGEX_INPUT ? v.slice(0, MAX_REGEX_INPUT) : v);
      }
      // A field that is absent matches neither `=` nor `!=` (as in SPL).
      const want = !node.negate;
      return valuePredicate(col, want ? test : (v) => !test(v));
    }
  }
}

function timeBounds(node: FilterNode): { startMs: number; endMs: number } {
  let startMs = -Infinity;
  let endMs = Infinity;
  const terms = node.kind === 'and' ? node.items : [node];
  for (const t of terms) {
    if (t.kind !== 'time') continue;
    if (t.op === '>=' || t.op === '=') startMs = Math.max(startMs, t.timeMs);
    if (t.op === '>') startMs = Math.max(startMs, t.timeMs);
    if (t.op === '<') endMs = Math.min(endMs, t.timeMs);
    // Bounds are a superset (ends exclusive); the predicate itself decides the edge rows.
    if (t.op === '<=' || t.op === '=') endMs = Math.min(endMs, t.timeMs + 1);
  }
  return { startMs, endMs };
}

/** True when the filter has annotation terms (its answers depend on the case's notes). */
export function usesAnnotations(node: FilterNode): boolean {
  switch (node.kind) {
    case 'annotation':
      return true;
    case 'and':
    case 'or':
      return node.items.some(usesAnnotations);
    case 'not':
      return usesAnnotations(node.item);
    default:
      return false;
  }
}

/** Parse and prepare a filter; throws HopscopeError('E_USAGE') with the 1-based column of the problem. */
export function compileFilter(text: string, opts: { annotations?: AnnotationIndex; findings?: FindingIndex } = {}): CompiledFilter {
  const ast = parseFilter(text);
  const cache = new WeakMap<EventView, RowTest>();
  const { startMs, endMs } = timeBounds(ast);
  return {
    source: text,
    ast,
    startMs,
    endMs,
    matchesAll: ast.kind === 'all',
    forView(view) {
      let fn = cache.get(view);
      if (!fn) {
        fn = compileNode(ast, view, opts.annotations, opts.findings);
        cache.set(view, fn);
      }
      return fn;
    },
  };
}
