// A compiled Sigma rule bound to EventSource views: closures per view, a result cache per distinct
// dictionary value, cooperative budget and cancellation. Invariant: bindings live for one pass over
// one view only, so memory stays bounded by the rule's size times the view's dictionary sizes.

import { HopscopeError } from '../../model/errors.ts';
import { locateRow, type EventSource, type EventView, type StringColumn } from '../../store/view.ts';
import type { DictIds } from '../../store/segment.ts';
import type { CompiledRule, MatchExplanation, RuleMeta, RuleRunOptions, RuleRunResult } from '../types.ts';
import type { CondNode } from './condition.ts';
import type { DetExpr, ValueTest } from './detection.ts';
import { bindField, describeMapping, type BoundField } from './field-map.ts';
import { bindLogsource, type LogsourceSpec } from './logsource.ts';

export interface SigmaIdentifier {
  name: string;
  expr: DetExpr;
}

export interface SigmaRuleParts<M extends RuleMeta = RuleMeta> {
  meta: M;
  identifiers: SigmaIdentifier[];
  condition: CondNode;
  conditionText: string;
  /** Which events the rule reads (logsource.ts); absent: every event (rules built in code, tests). */
  logsource?: LogsourceSpec;
}

type RowPred = (row: number) => boolean;

/** One column backing a Sigma field in a view, with memoised lower-case values. */
interface ColumnAccess {
  get(row: number): string | null;
  /** Lower-case of the value at `row` (the caller passes the value it already read). */
  lower(row: number, value: string): string;
  dict?: { ids: DictIds; values: ReadonlyArray<string | null>; lowerOf(id: number): string };
}

/** Per-view access to one Sigma field: its columns in mapping order; the first non-null value wins. */
interface Accessor {
  bound: BoundField;
  cols: ColumnAccess[];
  value(row: number): string | null;
}

function makeColumnAccess(col: StringColumn): ColumnAccess {
  let lastRow = -1;
  let lastLower = '';
  const ca: ColumnAccess = {
    get: (row) => col.get(row),
    lower(row, value) {
      if (row !== lastRow) {
        lastLower = value.toLowerCase();
        lastRow = row;
      }
      return lastLower;
    },
  };
  if (col.dict) {
    const { ids, values } = col.dict;
    const lowers: Array<string | undefined> = new Array(values.length);
    ca.dict = {
      ids,
      values,
      lowerOf(id) {
        let l = lowers[id];
        if (l === undefined) {
          l = (values[id] ?? '').toLowerCase();
          lowers[id] = l;
        }
        return l;
      },
    };
  }
  return ca;
}

function makeAccessor(view: EventView, field: string): Accessor {
  const bound = bindField(view, field);
  const cols = bound.columns.map(makeColumnAccess);
  const value =
    cols.length === 1
      ? cols[0]!.get
      : (row: number): string | null => {
          for (const c of cols) {
            const v = c.get(row);
            if (v !== null) return v;
          }
          return null;
        };
  return { bound, cols, value };
}

class ViewBinding {
  private readonly accessors = new Map<string, Accessor>();
  private textRow = -1;
  private textOrig = '';
  private textLower = '';
  constructor(readonly view: EventView) {}

  field(name: string): Accessor {
    let a = this.accessors.get(name);
    if (!a) {
      a = makeAccessor(this.view, name);
      this.accessors.set(name, a);
    }
    return a;
  }

  /** The event's text and its lower-case copy, memoised for the row being evaluated. */
  text(row: number): [string, string] {
    if (row !== this.textRow) {
      this.textOrig = this.view.text(row);
      this.textLower = this.textOrig.toLowerCase();
      this.textRow = row;
    }
    return [this.textOrig, this.textLower];
  }
}

/**
 * A predicate bound to one view, plus a cheap view-level check: `possible()` is false only when no
 * row of the view can satisfy it (decided over the dictionary's distinct values), so the whole view
 * can be skipped. It is conservative: true whenever it cannot tell.
 */
interface Bound {
  pred: RowPred;
  possible(): boolean;
  /** Rough cost of `possible()` (distinct values it may test), so cheap checks run first. */
  cost: number;
}

const ALWAYS = (): boolean => true;

function bindTest(acc: Accessor, test: ValueTest): Bound {
  const onMissing = test(null, null);
  if (acc.cols.length === 0) return { pred: () => onMissing, possible: () => onMissing, cost: 0 };
  // Each column answers 0 (no value in this row: ask the next mapping), 1 (true) or 2 (false).
  const checkers: Array<(row: number) => number> = [];
  const viewChecks: Array<{ cost: number; any: () => boolean }> = [];
  for (const c of acc.cols) {
    const dict = c.dict;
    if (dict) {
      const { ids, values } = dict;
      // 0 = not yet evaluated, 1 = true, 2 = false.
      const cache = new Uint8Array(values.length);
      const evalId = (id: number): number => {
        let r = cache[id]!;
        if (r === 0) {
          r = test(values[id]!, dict.lowerOf(id)) ? 1 : 2;
          cache[id] = r;
        }
        return r;
      };
      checkers.push((row) => {
        const id = ids[row]!;
        // Derived dictionaries (hash parts) may hold null past id 0: missing, like id 0.
        return id === 0 || values[id] === null ? 0 : evalId(id);
      });
      // The view-level check pays off only when distinct values are much fewer than rows.
      if (values.length * 4 <= ids.length) {
        viewChecks.push({
          cost: values.length,
          any: () => {
            for (let id = 1; id < values.length; id++) if (values[id] !== null && evalId(id) === 1) return true;
            return false;
          },
        });
      } else {
        viewChecks.push({ cost: 0, any: ALWAYS });
      }
    } else {
      checkers.push((row) => {
        const v = c.get(row);
        return v === null ? 0 : test(v, c.lower(row, v)) ? 1 : 2;
      });
      viewChecks.push({ cost: 0, any: ALWAYS });
    }
  }
  let pred: RowPred;
  if (checkers.length === 1) {
    const only = checkers[0]!;
    pred = (row) => {
      const r = only(row);
      return r === 0 ? onMissing : r === 1;
    };
  } else {
    pred = (row) => {
      for (const check of checkers) {
        const r = check(row);
        if (r !== 0) return r === 1;
      }
      return onMissing;
    };
  }
  viewChecks.sort((a, b) => a.cost - b.cost);
  return {
    pred,
    // Rows may lack every column, so a test that holds on missing values is always possible.
    possible: memo(() => onMissing || viewChecks.some((v) => v.any())),
    cost: viewChecks.reduce((sum, v) => sum + v.cost, 0),
  };
}

function memo(f: () => boolean): () => boolean {
  let v: boolean | undefined;
  return () => (v ??= f());
}

function byCost(items: Bound[]): Bound[] {
  return [...items].sort((a, b) => a.cost - b.cost);
}

function bindAll(items: Bound[]): Bound {
  const preds = items.map((b) => b.pred);
  const checks = byCost(items);
  return {
    pred: (row) => {
      for (const p of preds) if (!p(row)) return false;
      return true;
    },
    possible: memo(() => checks.every((b) => b.possible())),
    cost: checks[0]?.cost ?? 0,
  };
}

function bindAny(items: Bound[]): Bound {
  const preds = items.map((b) => b.pred);
  const checks = byCost(items);
  return {
    pred: (row) => {
      for (const p of preds) if (p(row)) return true;
      return false;
    },
    possible: memo(() => checks.some((b) => b.possible())),
    cost: items.reduce((sum, b) => sum + b.cost, 0),
  };
}

function bindExpr(expr: DetExpr, b: ViewBinding): Bound {
  switch (expr.kind) {
    case 'and':
      return bindAll(expr.items.map((e) => bindExpr(e, b)));
    case 'or':
      return bindAny(expr.items.map((e) => bindExpr(e, b)));
    case 'keywords': {
      const test = expr.test;
      return {
        pred: (row) => {
          const [t, l] = b.text(row);
          return test(t, l);
        },
        possible: ALWAYS,
        cost: 0,
      };
    }
    case 'field': {
      const acc = b.field(expr.field);
      if (expr.test) return bindTest(acc, expr.test);
      const ref = expr.ref!;
      const other = b.field(ref.field);
      return { pred: (row) => ref.test(acc.value(row), other.value(row)), possible: ALWAYS, cost: 0 };
    }
  }
}

function bindCondition(node: CondNode, ids: ReadonlyMap<string, Bound>): Bound {
  switch (node.t) {
    case 'id':
      return ids.get(node.name)!;
    case 'and':
      return bindAll(node.items.map((n) => bindCondition(n, ids)));
    case 'or':
      return bindAny(node.items.map((n) => bindCondition(n, ids)));
    case 'not': {
      const p = bindCondition(node.item, ids).pred;
      return { pred: (row) => !p(row), possible: ALWAYS, cost: 0 };
    }
    case 'of': {
      const items = node.names.map((n) => ids.get(n)!);
      return node.quant === 'all' ? bindAll(items) : bindAny(items);
    }
  }
}

function exprText(expr: DetExpr): string {
  switch (expr.kind) {
    case 'and':
      return expr.items.map(exprText).join(' AND ');
    case 'or':
      return expr.items.map((e) => (e.kind === 'and' ? `(${exprText(e)})` : exprText(e))).join(' OR ');
    default:
      return expr.text;
  }
}

function exprFields(expr: DetExpr, out: string[] = []): string[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const e of expr.items) exprFields(e, out);
      break;
    case 'field':
      if (!out.includes(expr.field)) out.push(expr.field);
      if (expr.ref && !out.includes(expr.ref.field)) out.push(expr.ref.field);
      break;
    case 'keywords':
      break;
  }
  return out;
}

const CHECK_EVERY = 1024;

export class SigmaCompiledRule<M extends RuleMeta = RuleMeta> implements CompiledRule {
  readonly meta: M;
  private readonly parts: SigmaRuleParts<M>;

  constructor(parts: SigmaRuleParts<M>) {
    this.meta = parts.meta;
    this.parts = parts;
  }

  /** Identifier names and their Sigma text, for rule detail views. */
  get detection(): ReadonlyArray<{ name: string; text: string }> {
    return this.parts.identifiers.map((i) => ({ name: i.name, text: exprText(i.expr) }));
  }

  get conditionText(): string {
    return this.parts.conditionText;
  }

  private bind(view: EventView): { match: Bound; ids: Map<string, Bound> } {
    const b = new ViewBinding(view);
    const ids = new Map<string, Bound>();
    for (const id of this.parts.identifiers) ids.set(id.name, bindExpr(id.expr, b));
    return { match: bindCondition(this.parts.condition, ids), ids };
  }

  run(source: EventSource, opts: RuleRunOptions = {}): RuleRunResult {
    const now = opts.now ?? Date.now;
    const start = now();
    const out: number[] = [];
    const finish = (error?: HopscopeError): RuleRunResult => {
      const res: RuleRunResult = { ruleId: this.meta.id, rows: Uint32Array.from(out), elapsedMs: now() - start };
      if (error) res.error = error.toInfo();
      return res;
    };
    const check = (): HopscopeError | undefined => {
      if (opts.isCancelled?.()) return new HopscopeError('E_CANCELLED', `rule ${this.meta.id} cancelled`);
      if (opts.budgetMs !== undefined && now() - start > opts.budgetMs) {
        return new HopscopeError('E_RULE_BUDGET', `rule ${this.meta.id} exceeded its budget of ${opts.budgetMs} ms`, { file: this.meta.source });
      }
      return undefined;
    };
    try {
      for (const view of source.views) {
        const stop = check();
        if (stop) return finish(stop);
        const scope = this.parts.logsource ? bindLogsource(this.parts.logsource, view) : null;
        if (scope === false) continue;
        const { match: bound } = this.bind(view);
        if (!bound.possible()) continue;
        const pred = bound.pred;
        const match = scope === null ? pred : (row: number) => scope(row) && pred(row);
        const n = view.rowCount;
        for (let row = 0; row < n; row++) {
          if (row % CHECK_EVERY === CHECK_EVERY - 1) {
            const s = check();
            if (s) return finish(s);
          }
          if (match(row)) out.push(view.base + row);
        }
      }
    } catch (err) {
      return finish(err instanceof HopscopeError ? err : new HopscopeError('E_INTERNAL', `rule ${this.meta.id}: ${err instanceof Error ? err.message : String(err)}`));
    }
    return finish();
  }

  explain(source: EventSource, globalRow: number): { matched: boolean; steps: MatchExplanation[] } {
    const { view, row } = locateRow(source, globalRow);
    const b = new ViewBinding(view);
    const { match, ids } = this.bind(view);
    const steps: MatchExplanation[] = [];
    for (const id of this.parts.identifiers) {
      const held = ids.get(id.name)!.pred(row);
      const fields: Record<string, string | null> = {};
      for (const f of exprFields(id.expr)) {
        const bound = b.field(f).bound;
        const got = bound.get(row);
        const src = got.source >= 0 ? bound.sources[got.source]! : undefined;
        const key = src ? (src.column === f ? f : `${f}→${src.column}`) : describeMapping(f);
        fields[key] = got.value;
      }
      steps.push({ stage: id.name, condition: `[${held ? 'held' : 'not held'}] ${exprText(id.expr)}`, fields });
    }
    const scope = this.parts.logsource ? bindLogsource(this.parts.logsource, view) : null;
    const inScope = scope === null ? true : scope === false ? false : scope(row);
    // Only an event outside the logsource gets the step: for the rest it adds nothing to "why".
    if (this.parts.logsource && !inScope) {
      steps.unshift({ stage: 'logsource', condition: `[${inScope ? 'held' : 'not held'}] ${this.parts.logsource.text}`, fields: { event_kind: view.column('event_kind')?.get(row) ?? null } });
    }
    const matched = inScope && match.pred(row);
    steps.push({ stage: 'condition', condition: `[${matched ? 'held' : 'not held'}] ${this.parts.conditionText}`, fields: {} });
    return { matched, steps };
  }
}
