// SPL parser: macro-expanded text -> pipeline AST. Search booleans bind NOT > OR > AND (implicit AND);
// where/eval bind NOT > AND > OR. Invariant: unsupported syntax is a located error, never ignored.

import { DATAMODEL_KINDS, dataModel } from '../../model/event-kinds.ts';
import { HopscopeError } from '../../model/errors.ts';
import type { AggSpec, CmpOp, Command, Expr, Pipeline, SearchNode, TstatsSpec } from './ast.ts';
import { splitPipeline, tokenize, type LexMode, type Token } from './lexer.ts';
import { locAt, type SourceText } from './source-text.ts';

const EVAL_MODE_COMMANDS = new Set(['where', 'eval']);

export function parsePipeline(src: SourceText): Pipeline {
  const segments = splitPipeline(src);
  const commands: Command[] = [];
  segments.forEach((seg, idx) => {
    const body = src.text.slice(seg.start, seg.end);
    if (body.trim() === '') {
      // A leading "|" (generating command) leaves an empty first segment; elsewhere it is an error.
      if (idx === 0) return;
      throw new HopscopeError('E_RULE_PARSE', 'empty command between pipes', locAt(src, seg.start));
    }
    const firstWord = /^\s*([A-Za-z_]+)/.exec(body)?.[1]?.toLowerCase() ?? '';
    const implicitSearch = idx === 0;
    const name = implicitSearch ? 'search' : firstWord;
    const mode: LexMode = EVAL_MODE_COMMANDS.has(name) ? 'eval' : 'search';
    const toks = tokenize(src, seg, mode);
    const p = new TokenParser(src, toks);
    // Skip the command name; before the first pipe an explicit "search" keyword is optional.
    if (!implicitSearch) p.next();
    else if (toks[0]?.kind === 'word' && /^search$/i.test(toks[0].value) && toks[1]?.kind !== 'op') p.next();
    commands.push(parseCommand(name, p, seg.start, seg.end));
  });
  return { commands };
}

function parseCommand(name: string, p: TokenParser, start: number, end: number): Command {
  switch (name) {
    case 'search': {
      const expr = p.atEnd() ? ({ t: 'all', start, end } as SearchNode) : p.searchExpr(() => false);
      p.expectEnd();
      return { c: 'search', expr, start, end };
    }
    case 'where': {
      const expr = p.evalExpr();
      p.expectEnd();
      return { c: 'where', expr, start, end };
    }
    case 'eval': {
      const assigns: Array<{ field: string; expr: Expr }> = [];
      do {
        const f = p.fieldName('field name');
        p.expectOp('=');
        assigns.push({ field: f, expr: p.evalExpr() });
      } while (p.eat('comma'));
      p.expectEnd();
      return { c: 'eval', assigns, start, end };
    }
    case 'table':
      return { c: 'table', fields: p.fieldList(), start, end };
    case 'fields': {
      let remove = false;
      const first = p.peek();
      if (first.kind === 'word' && (first.value === '-' || first.value === '+')) {
        remove = first.value === '-';
        p.next();
      }
      return { c: 'fields', remove, fields: p.fieldList(), start, end };
    }
    case 'rename': {
      const pairs: Array<{ from: string; to: string }> = [];
      do {
        const from = p.fieldName('field to rename');
        const as = p.next();
        if (as.kind !== 'word' || as.value.toLowerCase() !== 'as') p.fail(as, 'expected "as" in rename');
        const to = p.fieldName('new field name');
        if (from.split('*').length !== to.split('*').length && to.includes('*')) p.fail(as, 'rename wildcards must match in number');
        pairs.push({ from, to });
      } while (p.eat('comma') || p.peek().kind === 'word' || p.peek().kind === 'str');
      p.expectEnd();
      return { c: 'rename', pairs, start, end };
    }
    case 'bin':
    case 'bucket': {
      let spanSec: number | null = null;
      let field = '_time';
      let as: string | null = null;
      while (!p.atEnd()) {
        const t = p.next();
        if (t.kind === 'word' && p.peek().kind === 'op' && p.peek().value === '=') {
          p.next();
          const v = p.next();
          const opt = t.value.toLowerCase();
          if (opt !== 'span') p.unsupported(t, `bin option "${t.value}"`);
          spanSec = parseSpan(v, p);
        } else if (t.kind === 'word' && t.value.toLowerCase() === 'as') {
          as = p.fieldName('output field');
        } else if (t.kind === 'word' || t.kind === 'str') {
          field = t.value;
        } else {
          p.fail(t, 'unexpected token in bin');
        }
      }
      if (spanSec === null) p.unsupported(p.peek(), 'bin without span= (automatic bucket sizes)');
      return { c: 'bin', field, spanSec: spanSec!, as, start, end };
    }
    case 'stats': {
      const aggs = p.aggList(new Set(['by']));
      const by = p.byClause();
      p.expectEnd();
      if (aggs.length === 0) p.fail(p.peek(), 'stats needs at least one aggregation');
      return { c: 'stats', aggs, by, tstats: null, start, end };
    }
    case 'tstats':
      return parseTstats(p, start, end);
    case 'regex': {
      // regex [field=|field!=]"<PCRE>": the same filter as where [NOT] match(field, "<PCRE>"); default field _raw.
      let field = '_raw';
      let negate = false;
      const first = p.next();
      let pat = first;
      if (first.kind === 'word' && p.peek().kind === 'op' && (p.peek().value === '=' || p.peek().value === '!=')) {
        field = first.value;
        negate = p.next().value === '!=';
        pat = p.next();
      }
      if (pat.kind !== 'str') p.fail(pat, 'expected a quoted regular expression');
      p.expectEnd();
      const call: Expr = {
        t: 'call',
        name: 'match',
        args: [
          { t: 'field', name: field, start: first.start, end: first.end },
          { t: 'lit', v: pat.value, start: pat.start, end: pat.end },
        ],
        start: first.start,
        end: pat.end,
      };
      const expr: Expr = negate ? { t: 'not', e: call, start: first.start, end: pat.end } : call;
      return { c: 'where', expr, start, end };
    }
    case 'sort': {
      // A leading count limits the result (e.g. sort 10 -count): that changes the rows, so refuse it.
      const t = p.peek();
      if (t.kind === 'word' && /^\d+$/.test(t.value)) p.unsupported(t, 'sort with a result limit');
      while (!p.atEnd()) p.next();
      return { c: 'sort', start, end };
    }
    case 'fillnull': {
      let value = '0';
      const fields: string[] = [];
      while (!p.atEnd()) {
        const t = p.next();
        if (t.kind === 'comma') continue;
        if (t.kind === 'word' && t.value.toLowerCase() === 'value' && p.peek().kind === 'op' && p.peek().value === '=') {
          p.next();
          const v = p.next();
          if (v.kind !== 'word' && v.kind !== 'str') p.fail(v, 'expected a fill value');
          value = v.value;
          continue;
        }
        if (t.kind !== 'word' && t.kind !== 'str') p.fail(t, 'expected a field name');
        fields.push(t.value);
      }
      return { c: 'fillnull', value, fields, start, end };
    }
    case 'convert': {
      let timeformat = '%m/%d/%Y %H:%M:%S';
      const conversions: Array<{ fn: 'ctime'; field: string; as: string | null }> = [];
      while (!p.atEnd()) {
        const t = p.next();
        if (t.kind !== 'word') p.fail(t, 'expected a convert function or option');
        if (p.peek().kind === 'op' && p.peek().value === '=') {
          p.next();
          const v = p.next();
          if (t.value.toLowerCase() !== 'timeformat') p.unsupported(t, `convert option "${t.value}"`);
          timeformat = v.value;
          continue;
        }
        if (t.value.toLowerCase() !== 'ctime') p.unsupported(t, `convert function "${t.value}"`);
        p.expect('lp');
        const fields: string[] = [];
        do fields.push(p.fieldName('field')); while (p.eat('comma'));
        p.expect('rp');
        let as: string | null = null;
        if (p.peek().kind === 'word' && p.peek().value.toLowerCase() === 'as') {
          p.next();
          as = p.fieldName('output field');
        }
        for (const f of fields) conversions.push({ fn: 'ctime', field: f, as: fields.length === 1 ? as : null });
      }
      return { c: 'convert', timeformat, conversions, start, end };
    }
    default: {
      const t = p.first();
      throw new HopscopeError('E_RULE_UNSUPPORTED', `SPL command "${name || t.value}" is not supported`, p.loc(t));
    }
  }
}

function parseSpan(v: Token, p: TokenParser): number {
  const m = /^(\d+)(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days)?$/i.exec(v.value);
  if (!m) p.unsupported(v, `span "${v.value}"`);
  const n = Number(m![1]);
  const unit = (m![2] ?? 's').toLowerCase();
  const mult = unit.startsWith('s') ? 1 : unit.startsWith('m') ? 60 : unit.startsWith('h') ? 3600 : 86400;
  if (n <= 0) p.fail(v, 'span must be positive');
  return n * mult;
}

function parseTstats(p: TokenParser, start: number, end: number): Command {
  const options: Record<string, string> = {};
  // Options come first: name=value pairs (summariesonly, allow_old_summaries, fillnull_value, ...).
  while (p.peek().kind === 'word' && p.peek(1).kind === 'op' && p.peek(1).value === '=') {
    const k = p.next().value;
    p.next();
    const v = p.next();
    if (v.kind !== 'word' && v.kind !== 'str') p.fail(v, `expected a value for tstats option "${k}"`);
    options[k.toLowerCase()] = v.value;
  }
  while (p.peek().kind === 'word' && ['prestats', 'local', 'append'].includes(p.peek().value.toLowerCase()) && p.peek(1).kind === 'op') {
    p.next();
    p.next();
    p.next();
  }
  const aggs = p.aggList(new Set(['from', 'where', 'by']));
  let datamodel: string | null = null;
  let nodePrefix: string | null = null;
  let where: SearchNode | null = null;
  if (p.peekWord('from')) {
    p.next();
    const k = p.next();
    if (k.kind !== 'word' || k.value.toLowerCase() !== 'datamodel') p.unsupported(k, 'tstats from anything but datamodel=');
    p.expectOp('=');
    const dm = p.next();
    datamodel = dm.value;
    const model = dataModel(dm.value);
    if (!model) p.unsupported(dm, `data model "${dm.value}" (Hopscope has ${DATAMODEL_KINDS.map((d) => d.names[d.names.length - 1]).join(', ')})`);
    nodePrefix = model!.prefix;
  }
  if (p.peekWord('where')) {
    p.next();
    where = p.searchExpr((t) => t.kind === 'word' && t.value.toLowerCase() === 'by' && !(p.peekAfter(t).kind === 'op'));
  }
  const by = p.byClause();
  p.expectEnd();
  if (aggs.length === 0) p.fail(p.peek(), 'tstats needs at least one aggregation');
  const tstats: TstatsSpec = { options, datamodel, nodePrefix, where };
  return { c: 'stats', aggs, by, tstats, start, end };
}

const SEARCH_SCOPE_FIELDS = new Set(['index', 'earliest', 'latest', 'splunk_server']);

const AGG_FNS = new Set(['count', 'values', 'min', 'max', 'dc', 'distinct_count', 'earliest', 'latest', 'first', 'last', 'sum', 'avg', 'list']);

const MAX_NESTING = 200;
const MAX_CHAIN = 2000;

class TokenParser {
  private i = 0;
  /** Parenthesis nesting, bounded so a hostile rule cannot exhaust the stack. */
  private depth = 0;
  constructor(
    private readonly src: SourceText,
    private readonly toks: Token[],
  ) {}

  loc(t: Token) {
    return locAt(this.src, t.start);
  }

  first(): Token {
    return this.toks[0]!;
  }

  peek(n = 0): Token {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)]!;
  }

  peekAfter(t: Token): Token {
    const idx = this.toks.indexOf(t);
    return this.toks[Math.min(idx + 1, this.toks.length - 1)]!;
  }

  /** Binary operator chains become left-deep trees: bound them too. */
  private chain(t: Token, n: number): void {
    if (n > MAX_CHAIN) throw new HopscopeError('E_RULE_PARSE', `more than ${MAX_CHAIN} operators in one chain`, this.loc(t));
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_NESTING) throw new HopscopeError('E_RULE_PARSE', `expression nests deeper than ${MAX_NESTING} levels`, this.loc(t));
  }

  peekWord(w: string): boolean {
    const t = this.peek();
    return t.kind === 'word' && t.value.toLowerCase() === w;
  }

  next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }

  eat(kind: Token['kind']): boolean {
    if (this.peek().kind === kind) {
      this.next();
      return true;
    }
    return false;
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  fail(t: Token, msg: string): never {
    throw new HopscopeError('E_RULE_PARSE', t.kind === 'eof' ? `${msg} (reached the end of the command)` : `${msg}, found ${JSON.stringify(t.value)}`, this.loc(t));
  }

  unsupported(t: Token, what: string): never {
    throw new HopscopeError('E_RULE_UNSUPPORTED', `${what} is not supported`, this.loc(t));
  }

  expect(kind: Token['kind']): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, `expected ${kind === 'lp' ? '"("' : kind === 'rp' ? '")"' : kind}`);
    return this.next();
  }

  expectOp(op: string): void {
    const t = this.peek();
    if (t.kind !== 'op' || t.value !== op) this.fail(t, `expected "${op}"`);
    this.next();
  }

  expectEnd(): void {
    if (!this.atEnd()) this.fail(this.peek(), 'unexpected text');
  }

  fieldName(what: string): string {
    const t = this.next();
    if (t.kind !== 'word' && t.kind !== 'str' && t.kind !== 'fieldref') this.fail(t, `expected ${what}`);
    return t.value;
  }

  fieldList(): string[] {
    const out: string[] = [];
    while (!this.atEnd()) {
      if (this.eat('comma')) continue;
      out.push(this.fieldName('field name'));
    }
    return out;
  }

  byClause(): string[] {
    const by: string[] = [];
    if (this.peekWord('by')) {
      this.next();
      while (!this.atEnd()) {
        if (this.eat('comma')) continue;
        by.push(this.fieldName('group-by field'));
      }
      if (by.length === 0) this.fail(this.peek(), 'expected fields after "by"');
    }
    return by;
  }

  aggList(stopWords: Set<string>): AggSpec[] {
    const aggs: AggSpec[] = [];
    while (!this.atEnd()) {
      const t = this.peek();
      if (t.kind === 'comma') {
        this.next();
        continue;
      }
      if (t.kind !== 'word') this.fail(t, 'expected an aggregation');
      if (stopWords.has(t.value.toLowerCase())) break;
      this.next();
      const m = /^([A-Za-z_]+)$/.exec(t.value);
      const fn = m ? t.value.toLowerCase() : '';
      if (!AGG_FNS.has(fn)) {
        if (/^[A-Za-z_]+$/.test(t.value) && this.peek().kind === 'lp') this.unsupported(t, `aggregation "${t.value}"`);
        this.fail(t, 'expected an aggregation');
      }
      let arg: string | null = null;
      let end = t.end;
      if (this.peek().kind === 'lp') {
        this.next();
        arg = this.fieldName('field');
        end = this.expect('rp').end;
      } else if (fn !== 'count') {
        this.fail(this.peek(), `expected "(" after ${fn}`);
      }
      let out = arg === null ? fn : `${t.value}(${arg})`;
      if (this.peekWord('as')) {
        this.next();
        const o = this.next();
        if (o.kind !== 'word' && o.kind !== 'str') this.fail(o, 'expected a name after "as"');
        out = o.value;
        end = o.end;
      }
      aggs.push({ fn: fn === 'distinct_count' ? 'dc' : fn, arg, out, start: t.start, end });
    }
    return aggs;
  }

  // ---- search expressions: NOT > OR > AND ----

  searchExpr(stop: (t: Token) => boolean): SearchNode {
    const node = this.searchAnd(stop);
    return node;
  }

  private searchAnd(stop: (t: Token) => boolean): SearchNode {
    const items: SearchNode[] = [];
    const first = this.peek();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || t.kind === 'rp' || stop(t)) break;
      if (t.kind === 'word' && t.value === 'AND') {
        this.next();
        continue;
      }
      items.push(this.searchOr(stop));
    }
    if (items.length === 0) this.fail(this.peek(), 'expected a search term');
    if (items.length === 1) return items[0]!;
    return { t: 'and', items, start: first.start, end: items[items.length - 1]!.end };
  }

  private searchOr(stop: (t: Token) => boolean): SearchNode {
    const items = [this.searchNot(stop)];
    while (this.peek().kind === 'word' && this.peek().value === 'OR') {
      this.next();
      items.push(this.searchNot(stop));
    }
    if (items.length === 1) return items[0]!;
    return { t: 'or', items, start: items[0]!.start, end: items[items.length - 1]!.end };
  }

  private searchNot(stop: (t: Token) => boolean): SearchNode {
    const t = this.peek();
    if (t.kind === 'word' && t.value === 'NOT') {
      this.next();
      this.enter(t);
      const item = this.searchNot(stop);
      this.depth--;
      return { t: 'not', item, start: t.start, end: item.end };
    }
    return this.searchPrimary(stop);
  }

  private searchPrimary(stop: (t: Token) => boolean): SearchNode {
    const t = this.next();
    if (t.kind === 'lp') {
      this.enter(t);
      const inner = this.searchAnd(() => false);
      const rp = this.expect('rp');
      this.depth--;
      return { ...inner, start: t.start, end: rp.end } as SearchNode;
    }
    if (t.kind === 'word' && (t.value === 'TERM' || t.value === 'CASE') && this.peek().kind === 'lp') {
      const lp = this.next();
      // TERM/CASE take the raw text up to the matching ")".
      let depth = 1;
      let rp: Token | null = null;
      while (!this.atEnd()) {
        const u = this.next();
        if (u.kind === 'lp') depth++;
        if (u.kind === 'rp' && --depth === 0) {
          rp = u;
          break;
        }
      }
      if (!rp) this.fail(this.peek(), `expected ")" closing ${t.value}(`);
      let raw = this.src.text.slice(lp.end, rp.start).trim();
      if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) raw = raw.slice(1, -1);
      return { t: 'term', value: raw, cased: t.value === 'CASE', bounded: t.value === 'TERM', start: t.start, end: rp.end };
    }
    if (t.kind === 'word' || t.kind === 'str') {
      const n = this.peek();
      if (n.kind === 'op' && t.kind === 'word') {
        this.next();
        const v = this.next();
        if (v.kind !== 'word' && v.kind !== 'str') this.fail(v, `expected a value after ${t.value}${n.value}`);
        const op = (n.value === '==' ? '=' : n.value) as CmpOp;
        // Offline there is one index and no search time window: these selectors keep every event.
        if (op === '=' && SEARCH_SCOPE_FIELDS.has(t.value.toLowerCase())) return { t: 'all', start: t.start, end: v.end };
        return { t: 'cmp', field: t.value, op, value: v.value, start: t.start, end: v.end };
      }
      if (t.kind === 'word' && n.kind === 'word' && n.value.toUpperCase() === 'IN' && this.peek(1).kind === 'lp') {
        this.next();
        this.next();
        const values: string[] = [];
        for (;;) {
          const v = this.next();
          if (v.kind === 'word' || v.kind === 'str') values.push(v.value);
          else this.fail(v, 'expected a value in IN (...)');
          if (this.eat('comma')) continue;
          const rp = this.expect('rp');
          return { t: 'in', field: t.value, values, start: t.start, end: rp.end };
        }
      }
      if (t.kind === 'word' && t.value === '*') return { t: 'all', start: t.start, end: t.end };
      if (t.kind === 'word' && (t.value === 'OR' || t.value === 'AND')) this.fail(t, `"${t.value}" needs a term on both sides`);
      return { t: 'term', value: t.value, cased: false, bounded: false, start: t.start, end: t.end };
    }
    return this.fail(t, 'expected a search term');
  }

  // ---- eval expressions: NOT > AND > OR (lowest) ----

  evalExpr(): Expr {
    return this.evalOr();
  }

  private isKw(t: Token, kw: string): boolean {
    return t.kind === 'word' && t.value.toUpperCase() === kw;
  }

  private evalOr(): Expr {
    let l = this.evalAnd();
    let n = 0;
    while (this.isKw(this.peek(), 'OR')) {
      this.chain(this.next(), ++n);
      const r = this.evalAnd();
      l = { t: 'bin', op: 'OR', l, r, start: l.start, end: r.end };
    }
    return l;
  }

  private evalAnd(): Expr {
    let l = this.evalNot();
    let n = 0;
    while (this.isKw(this.peek(), 'AND')) {
      this.chain(this.next(), ++n);
      const r = this.evalNot();
      l = { t: 'bin', op: 'AND', l, r, start: l.start, end: r.end };
    }
    return l;
  }

  private evalNot(): Expr {
    const t = this.peek();
    if (this.isKw(t, 'NOT')) {
      this.next();
      this.enter(t);
      const e = this.evalNot();
      this.depth--;
      return { t: 'not', e, start: t.start, end: e.end };
    }
    return this.evalCmp();
  }

  private evalCmp(): Expr {
    const l = this.evalAdd();
    const t = this.peek();
    if (t.kind === 'op' && ['=', '==', '!=', '<', '>', '<=', '>='].includes(t.value)) {
      this.next();
      const r = this.evalAdd();
      return { t: 'bin', op: t.value === '==' ? '=' : t.value, l, r, start: l.start, end: r.end };
    }
    if (this.isKw(t, 'LIKE')) {
      this.next();
      const r = this.evalAdd();
      return { t: 'call', name: 'like', args: [l, r], start: l.start, end: r.end };
    }
    if (this.isKw(t, 'IN') && this.peek(1).kind === 'lp') {
      this.next();
      this.next();
      const list: Expr[] = [];
      if (this.peek().kind !== 'rp') {
        do list.push(this.evalOr());
        while (this.eat('comma'));
      }
      const rp = this.expect('rp');
      return { t: 'in', e: l, list, start: l.start, end: rp.end };
    }
    return l;
  }

  private evalAdd(): Expr {
    let l = this.evalMul();
    for (let n = 1; ; n++) {
      const t = this.peek();
      if (t.kind === 'op' && (t.value === '+' || t.value === '-' || t.value === '.')) {
        this.chain(this.next(), n);
        const r = this.evalMul();
        l = { t: 'bin', op: t.value, l, r, start: l.start, end: r.end };
      } else return l;
    }
  }

  private evalMul(): Expr {
    let l = this.evalUnary();
    for (let n = 1; ; n++) {
      const t = this.peek();
      if (t.kind === 'op' && (t.value === '*' || t.value === '/' || t.value === '%')) {
        this.chain(this.next(), n);
        const r = this.evalUnary();
        l = { t: 'bin', op: t.value, l, r, start: l.start, end: r.end };
      } else return l;
    }
  }

  private evalUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && t.value === '-') {
      this.next();
      this.enter(t);
      const e = this.evalUnary();
      this.depth--;
      return { t: 'neg', e, start: t.start, end: e.end };
    }
    return this.evalPrimary();
  }

  private evalPrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'lp': {
        this.enter(t);
        const e = this.evalOr();
        const rp = this.expect('rp');
        this.depth--;
        return { ...e, start: t.start, end: rp.end };
      }
      case 'str':
        return { t: 'lit', v: t.value, start: t.start, end: t.end };
      case 'fieldref':
        return { t: 'field', name: t.value, start: t.start, end: t.end };
      case 'word': {
        if (['AND', 'OR', 'NOT', 'IN', 'LIKE'].includes(t.value.toUpperCase()) && this.peek().kind !== 'lp') {
          this.fail(t, 'expected an operand');
        }
        if (this.peek().kind === 'lp') {
          this.enter(this.next());
          const args: Expr[] = [];
          if (this.peek().kind !== 'rp') {
            do args.push(this.evalOr());
            while (this.eat('comma'));
          }
          const rp = this.expect('rp');
          this.depth--;
          return { t: 'call', name: t.value.toLowerCase(), args, start: t.start, end: rp.end };
        }
        if (/^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t.value)) return { t: 'lit', v: Number(t.value), start: t.start, end: t.end };
        return { t: 'field', name: t.value, start: t.start, end: t.end };
      }
      default:
        return this.fail(t, 'expected an operand');
    }
  }
}
