// A compiled Sigma rule bound to EventSource views: closures per view, a result cache per distinct
// dictionary value, cooperative budget and cancellation. Invariant: bindings live for one pass over
// one view only, so memory stays bounded by the rule's size times the view's dictionary sizes.

import { HopscopeError } from '../../model/errors.ts';
import { locateRow, type EventSource, type EventView } from '../../store/view.ts';
import type { CompiledRule, MatchExplanation, RuleMeta, RuleRunOptions, RuleRunResult } from '../types.ts';
import type { CondNode } from './condition.ts';
import type { DetExpr, ValueTest } from './detection.ts';
import { bindField, describeMapping, type BoundField } from './field-map.ts';

export interface SigmaIdentifier {
  name: string;
  expr: DetExpr;
}

export interface SigmaRuleParts<M extends RuleMeta = RuleMeta> {
  meta: M;
  identifiers: SigmaIdentifier[];
  condition: CondNode;
  conditionText: string;
}

type RowPred = (row: number) => boolean;

/** Per-view access to one Sigma field: raw value and a memoised lower-case copy. */
interface Accessor {
  bound: BoundField;
  value(row: number): string | null;
  lower(row: number): string | null;
  /** Set when exactly one dictionary-encoded column backs the field: predicates cache per id. */
  dict?: { ids: Uint32Array; values: ReadonlyArray<string | null>; lowerOf(id: number): string | null };
}

function makeAccessor(view: EventView, field: string): Accessor {
  const bound = bindField(view, field);
  const col = bound.columns.length === 1 ? bound.columns[0]! : undefined;
  let lastRow = -1;
  let lastLower: string | null = null;
  const value = col ? (row: number) => col.get(row) : (row: number) => bound.get(row).value;
  const acc: Accessor = {
    bound,
    value,
    lower(row) {
      if (row !== lastRow) {
        const v = value(row);
        lastLower = v === null ? null : v.toLowerCase();
        lastRow = row;
      }
      return lastLower;
    },
  };
  if (col?.dict) {
    const { ids, values } = col.dict;
    const lowers: Array<string | null | undefined> = new Array(values.length);
    acc.dict = {
      ids,
      values,
      lowerOf(id) {
        let l = lowers[id];
        if (l === undefined) {
          const v = values[id] ?? null;
          l = v === null ? null : v.toLowerCase();
          lowers[id] = l;
        }
        return l;
      },
    };
  }
  return acc;
}

class ViewBinding {
  private readonly accessors = new Map<string, Accessor>();
  private textRow = -1;
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

  lowerText(row: number): string {
    if (row !== this.textRow) {
      this.textLower = this.view.text(row).toLowerCase();
      this.textRow = row;
    }
    return this.textLower;
  }
}

function bindTest(acc: Accessor, test: ValueTest): RowPred {
  if (acc.bound.columns.length === 0) {
    const constant = test(null, null);
    return () => constant;
  }
  const dict = acc.dict;
  if (dict) {
    // 0 = not yet evaluated, 1 = true, 2 = false.
    const cache = new Uint8Array(dict.values.length);
    const { ids, values } = dict;
    return (row) => {
      const id = ids[row]!;
      let c = cache[id]!;
      if (c === 0) {
        const v = values[id] ?? null;
        c = test(v, v === null ? null : dict.lowerOf(id)) ? 1 : 2;
        cache[id] = c;
      }
      return c === 1;
    };
  }
  return (row) => {
    const v = acc.value(row);
    return test(v, v === null ? null : acc.lower(row));
  };
}

function bindExpr(expr: DetExpr, b: ViewBinding): RowPred {
  switch (expr.kind) {
    case 'and': {
      const preds = expr.items.map((e) => bindExpr(e, b));
      return (row) => {
        for (const p of preds) if (!p(row)) return false;
        return true;
      };
    }
    case 'or': {
      const preds = expr.items.map((e) => bindExpr(e, b));
      return (row) => {
        for (const p of preds) if (p(row)) return true;
        return false;
      };
    }
    case 'keywords': {
      const test = expr.test;
      return (row) => test(b.lowerText(row));
    }
    case 'field': {
      const acc = b.field(expr.field);
      if (expr.test) return bindTest(acc, expr.test);
      const ref = expr.ref!;
      const other = b.field(ref.field);
      return (row) => ref.test(acc.value(row), other.value(row));
    }
  }
}

function bindCondition(node: CondNode, preds: ReadonlyMap<string, RowPred>): RowPred {
  switch (node.t) {
    case 'id':
      return preds.get(node.name)!;
    case 'and': {
      const ps = node.items.map((n) => bindCondition(n, preds));
      return (row) => {
        for (const p of ps) if (!p(row)) return false;
        return true;
      };
    }
    case 'or': {
      const ps = node.items.map((n) => bindCondition(n, preds));
      return (row) => {
        for (const p of ps) if (p(row)) return true;
        return false;
      };
    }
    case 'not': {
      const p = bindCondition(node.item, preds);
      return (row) => !p(row);
    }
    case 'of': {
      const ps = node.names.map((n) => preds.get(n)!);
      if (node.quant === 'all') {
        return (row) => {
          for (const p of ps) if (!p(row)) return false;
          return true;
        };
      }
      return (row) => {
        for (const p of ps) if (p(row)) return true;
        return false;
      };
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

  private bind(view: EventView): { match: RowPred; preds: Map<string, RowPred> } {
    const b = new ViewBinding(view);
    const preds = new Map<string, RowPred>();
    for (const id of this.parts.identifiers) preds.set(id.name, bindExpr(id.expr, b));
    return { match: bindCondition(this.parts.condition, preds), preds };
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
        const { match } = this.bind(view);
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
    const { match, preds } = this.bind(view);
    const steps: MatchExplanation[] = [];
    for (const id of this.parts.identifiers) {
      const held = preds.get(id.name)!(row);
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
    const matched = match(row);
    steps.push({ stage: 'condition', condition: `[${matched ? 'held' : 'not held'}] ${this.parts.conditionText}`, fields: {} });
    return { matched, steps };
  }
}
