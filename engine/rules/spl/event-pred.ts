// Vectorised event predicates for the leading search / tstats-where (and where clauses pushed before stats).
// Invariant: field conditions on dictionary columns run once per distinct value; the event text is built
// (and lower-cased) at most once per candidate row, and only after cheaper field conditions narrowed the rows.

import { HopscopeError } from '../../model/errors.ts';
import type { EventView, StringColumn } from '../../store/view.ts';
import type { Expr, SearchNode } from './ast.ts';
import { chargeWork, compileExpr, exprFields, toNumber, type ExprContext, type FieldValue, type Meter } from './eval-expr.ts';

/** Characters of work (made, scanned, matched) between two readings of the clock. */
export const WORK_CHECK_CHARS = 1 << 20;
/** Characters the values a run stores in its rows may add up to (its memory budget). */
export const RUN_MAX_CHARS = 256 * 1024 * 1024;

/**
 * Cooperative budget/cancellation check shared by every loop of one rule run. The clock is read every 1,024 rows and
 * every WORK_CHECK_CHARS characters of work, so a few costly rows are stopped as surely as many cheap ones; the
 * characters stored in rows are counted against RUN_MAX_CHARS.
 */
export class RunCtx implements Meter {
  private counter = 0;
  private worked = 0;
  private held = 0;
  private readonly t0: number;
  constructor(
    private readonly now: () => number,
    private readonly budgetMs: number | undefined,
    private readonly isCancelled: (() => boolean) | undefined,
  ) {
    this.t0 = now();
  }
  elapsed(): number {
    return this.now() - this.t0;
  }
  tick(): void {
    if ((++this.counter & 1023) !== 0) return;
    this.check();
  }
  work(chars: number): void {
    this.worked += chars;
    if (this.worked < WORK_CHECK_CHARS) return;
    this.worked = 0;
    this.check();
  }
  /** Counts characters a command stores in a row. */
  hold(chars: number): void {
    this.held += chars;
    if (this.held > RUN_MAX_CHARS) {
      throw new HopscopeError('E_RULE_BUDGET', `rule exceeded its memory budget: its rows hold more than ${RUN_MAX_CHARS} characters of computed values`);
    }
  }
  check(): void {
    if (this.isCancelled?.()) throw new HopscopeError('E_CANCELLED', 'rule run cancelled');
    if (this.budgetMs !== undefined && this.now() - this.t0 > this.budgetMs) {
      throw new HopscopeError('E_RULE_BUDGET', `rule exceeded its time budget of ${this.budgetMs} ms`);
    }
  }
}

/** The event's search text, lower-cased once on first use. */
export class RowText {
  private cached: string | null = null;
  constructor(
    private readonly view: EventView,
    private readonly local: number,
  ) {}
  get(): string {
    if (this.cached === null) {
      this.cached = this.view.text(this.local).toLowerCase();
      chargeWork(this.cached.length);
    }
    return this.cached;
  }
}

export interface BoundPred {
  /** Subset of the candidate local rows (ascending) that satisfy the predicate. */
  filter(cand: Uint32Array): Uint32Array;
  test(local: number, text: RowText): boolean;
}

export interface EventPred {
  readonly usesText: boolean;
  bind(view: EventView, run: RunCtx): BoundPred;
}

/** Where an event field comes from: `_time` is synthetic seconds; everything else is a column. */
export function columnOf(view: EventView, field: string): StringColumn | undefined {
  if (field === '_time') {
    return { get: (row) => String(view.timeMs[row]! / 1000) };
  }
  return view.column(field);
}

// ---- glob / term matching (linear, no regex) ----

/** Case-insensitive `*` wildcard match of a whole value (search `field=value`). Pattern lower-cased. */
export function globMatcher(pattern: string): (value: string) => boolean {
  const p = pattern.toLowerCase();
  if (!p.includes('*')) return (v) => v.length === p.length && v.toLowerCase() === p;
  if (/^\*+$/.test(p)) return () => true;
  const parts = p.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((s) => s !== '');
  return (value) => {
    const v = value.toLowerCase();
    if (v.length < first.length + last.length) return false;
    if (!v.startsWith(first) || !v.endsWith(last)) return false;
    let pos = first.length;
    const endLimit = v.length - last.length;
    for (const m of middle) {
      const at = v.indexOf(m, pos);
      if (at < 0 || at + m.length > endLimit) return false;
      pos = at + m.length;
    }
    return true;
  };
}

const WORDISH = /[A-Za-z0-9_]/;

/** A text term: substring of the (lower-cased) event text; `*` splits ordered pieces; TERM() needs non-word edges. */
export function termMatcher(node: Extract<SearchNode, { t: 'term' }>): (lowerText: string, rawText: () => string) => boolean {
  const value = node.cased ? node.value : node.value.toLowerCase();
  const pieces = value.split('*').filter((s) => s !== '');
  if (pieces.length === 0) return () => true;
  if (node.cased) {
    return (_lower, raw) => {
      const t = raw();
      let pos = 0;
      for (const piece of pieces) {
        const at = t.indexOf(piece, pos);
        if (at < 0) return false;
        pos = at + piece.length;
      }
      return true;
    };
  }
  if (node.bounded && pieces.length === 1) {
    const piece = pieces[0]!;
    return (t) => {
      for (let at = t.indexOf(piece); at >= 0; at = t.indexOf(piece, at + 1)) {
        const before = at > 0 ? t[at - 1]! : ' ';
        const after = at + piece.length < t.length ? t[at + piece.length]! : ' ';
        if (!WORDISH.test(before) && !WORDISH.test(after)) return true;
      }
      return false;
    };
  }
  return (t) => {
    let pos = 0;
    for (const piece of pieces) {
      const at = t.indexOf(piece, pos);
      if (at < 0) return false;
      pos = at + piece.length;
    }
    return true;
  };
}

/** The value test of a search comparison (`=`/`!=` case-insensitive with wildcards; `<`... numeric). */
export function cmpValueTest(node: Extract<SearchNode, { t: 'cmp' } | { t: 'in' }>): (v: string | null) => boolean {
  if (node.t === 'in') {
    const ms = node.values.map(globMatcher);
    return (v) => v !== null && ms.some((m) => m(v));
  }
  const { op, value } = node;
  if (op === '=' || op === '!=') {
    const m = globMatcher(value);
    // A missing field is neither equal nor unequal (use NOT field=value for "missing or different").
    return op === '=' ? (v) => v !== null && m(v) : (v) => v !== null && !m(v);
  }
  const rn = toNumber(value);
  return (v) => {
    if (v === null) return false;
    const ln = toNumber(v);
    let c: number;
    if (ln !== null && rn !== null) c = ln - rn;
    else c = v < value ? -1 : v > value ? 1 : 0;
    return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
  };
}

// ---- per-distinct-value caching ----

/** Test a column with a value predicate, once per dictionary value when the column is dictionary-encoded. */
function bindColumnTest(col: StringColumn | undefined, test: (v: string | null) => boolean): (local: number) => boolean {
  if (!col) {
    const missing = test(null);
    return () => missing;
  }
  const dict = col.dict;
  if (dict) {
    const cache = new Int8Array(dict.values.length).fill(-1);
    const { ids, values } = dict;
    return (local) => {
      const id = ids[local]!;
      let c = cache[id]!;
      if (c < 0) {
        c = test(values[id] ?? null) ? 1 : 0;
        cache[id] = c;
      }
      return c === 1;
    };
  }
  return (local) => test(col.get(local));
}

function filterBy(cand: Uint32Array, run: RunCtx, keep: (local: number) => boolean): Uint32Array {
  const out = new Uint32Array(cand.length);
  let n = 0;
  for (let i = 0; i < cand.length; i++) {
    run.tick();
    const r = cand[i]!;
    if (keep(r)) out[n++] = r;
  }
  return out.subarray(0, n);
}

function rowwise(view: EventView, run: RunCtx, test: (local: number, text: RowText) => boolean): BoundPred {
  return {
    filter: (cand) => filterBy(cand, run, (r) => test(r, new RowText(view, r))),
    test,
  };
}

function minus(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out[n++] = x;
  }
  return out.subarray(0, n);
}

function mergeSorted(parts: Uint32Array[]): Uint32Array {
  const all = new Uint32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all.sort();
}

// ---- compile search nodes ----

export interface SearchCompileOptions {
  /** Map a field name as written to the event field it reads (tstats: `Processes.x` -> `x`). */
  resolveField: (name: string) => string;
}

export function compileSearchPred(node: SearchNode, opts: SearchCompileOptions): EventPred {
  switch (node.t) {
    case 'all':
      return { usesText: false, bind: () => ({ filter: (c) => c, test: () => true }) };
    case 'term': {
      const m = termMatcher(node);
      return {
        usesText: true,
        bind: (view, run) => rowwise(view, run, (local, text) => m(text.get(), () => view.text(local))),
      };
    }
    case 'cmp':
    case 'in': {
      const field = opts.resolveField(node.field);
      const test = cmpValueTest(node);
      return {
        usesText: false,
        bind: (view, run) => {
          const t = bindColumnTest(columnOf(view, field), test);
          return { filter: (c) => filterBy(c, run, t), test: (l) => t(l) };
        },
      };
    }
    case 'not': {
      const inner = compileSearchPred(node.item, opts);
      return {
        usesText: inner.usesText,
        bind: (view, run) => {
          const b = inner.bind(view, run);
          const test = (l: number, t: RowText) => !b.test(l, t);
          if (inner.usesText) return rowwise(view, run, test);
          return { filter: (c) => minus(c, b.filter(c)), test };
        },
      };
    }
    case 'and': {
      const kids = node.items.map((k) => compileSearchPred(k, opts));
      const fieldKids = kids.filter((k) => !k.usesText);
      const textKids = kids.filter((k) => k.usesText);
      return {
        usesText: textKids.length > 0,
        bind: (view, run) => {
          const fb = fieldKids.map((k) => k.bind(view, run));
          const tb = textKids.map((k) => k.bind(view, run));
          const test = (l: number, t: RowText) => fb.every((b) => b.test(l, t)) && tb.every((b) => b.test(l, t));
          return {
            filter: (cand) => {
              let c = cand;
              for (const b of fb) {
                if (c.length === 0) return c;
                c = b.filter(c);
              }
              if (tb.length === 0 || c.length === 0) return c;
              // One text build per surviving row for all text conditions together.
              return filterBy(c, run, (r) => {
                const t = new RowText(view, r);
                return tb.every((b) => b.test(r, t));
              });
            },
            test,
          };
        },
      };
    }
    case 'or': {
      const kids = node.items.map((k) => compileSearchPred(k, opts));
      const usesText = kids.some((k) => k.usesText);
      return {
        usesText,
        bind: (view, run) => {
          const bs = kids.map((k) => k.bind(view, run));
          const test = (l: number, t: RowText) => bs.some((b) => b.test(l, t));
          if (usesText) return rowwise(view, run, test);
          return {
            filter: (cand) => {
              const hits: Uint32Array[] = [];
              let rest = cand;
              for (const b of bs) {
                if (rest.length === 0) break;
                const h = b.filter(rest);
                if (h.length === 0) continue;
                hits.push(h);
                rest = minus(rest, h);
              }
              return mergeSorted(hits);
            },
            test,
          };
        },
      };
    }
  }
}

// ---- where expressions as event predicates ----

export interface ExprPredOptions {
  /** Event field read for each name the expression references (after undoing renames). */
  resolveField: (name: string) => string;
  /** Value a missing field takes (tstats fillnull_value), so a pushed-down where sees what stats would. */
  fillnull?: string;
}

export function compileExprPred(expr: Expr, ctx: ExprContext, opts: ExprPredOptions): EventPred {
  // AND/OR of boolean sub-expressions decompose exactly (where keeps a row only when the value is true),
  // so each leaf reading one dictionary column is cached per distinct value and the cheap leaves narrow first.
  if (expr.t === 'bin' && (expr.op === 'AND' || expr.op === 'OR')) {
    const kids = flatten(expr, expr.op).map((k) => compileExprPred(k, ctx, opts));
    const isAnd = expr.op === 'AND';
    return {
      usesText: false,
      bind: (view, run) => {
        const bs = kids.map((k) => k.bind(view, run));
        const test = isAnd ? (l: number, t: RowText) => bs.every((b) => b.test(l, t)) : (l: number, t: RowText) => bs.some((b) => b.test(l, t));
        return {
          filter: (cand) => {
            if (isAnd) {
              let c = cand;
              for (const b of bs) {
                if (c.length === 0) break;
                c = b.filter(c);
              }
              return c;
            }
            const hits: Uint32Array[] = [];
            let rest = cand;
            for (const b of bs) {
              if (rest.length === 0) break;
              const h = b.filter(rest);
              if (h.length === 0) continue;
              hits.push(h);
              rest = minus(rest, h);
            }
            return mergeSorted(hits);
          },
          test,
        };
      },
    };
  }
  return compileLeafPred(expr, ctx, opts);
}

function flatten(e: Expr, op: string): Expr[] {
  if (e.t === 'bin' && e.op === op) return [...flatten(e.l, op), ...flatten(e.r, op)];
  return [e];
}

function compileLeafPred(expr: Expr, ctx: ExprContext, opts: ExprPredOptions): EventPred {
  const ev = compileExpr(expr, ctx);
  const names = [...exprFields(expr)];
  const fill = opts.fillnull ?? null;
  return {
    usesText: false,
    bind: (view, run) => {
      const cols = new Map<string, StringColumn | undefined>();
      for (const n of names) cols.set(n, columnOf(view, opts.resolveField(n)));
      if (names.length === 1) {
        // One field: evaluate once per distinct value through the dictionary.
        const name = names[0]!;
        const t = bindColumnTest(cols.get(name), (v) => ev(() => v ?? fill) === true);
        return { filter: (c) => filterBy(c, run, t), test: (l) => t(l) };
      }
      const test = (local: number) =>
        ev((n): FieldValue => {
          const col = cols.get(n);
          return (col ? col.get(local) : null) ?? fill;
        }) === true;
      return { filter: (c) => filterBy(c, run, test), test: (l) => test(l) };
    },
  };
}
