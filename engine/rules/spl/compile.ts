// SPL rule compiler: expanded pipeline -> plan (vectorised leading event filter, with where clauses pushed
// down when semantics allow, then row commands). Invariant: pushing down never changes which events a rule returns.

import { dataModel } from '../../model/event-kinds.ts';
import { HopscopeError, toErrorInfo, type SourceLocation } from '../../model/errors.ts';
import { locateRow, type EventSource, type EventView } from '../../store/view.ts';
import type { CompiledRule, MatchExplanation, RuleMeta, RuleRunOptions, RuleRunResult } from '../types.ts';
import type { Command, Expr, SearchNode } from './ast.ts';
import { compileCommand, compileStats, type RowTransform } from './commands.ts';
import { exprFields, withMeter, type ExprContext } from './eval-expr.ts';
import { RowText, RunCtx, columnOf, compileExprPred, compileSearchPred, type EventPred } from './event-pred.ts';
import { expandMacros, type MacroTable } from './macros.ts';
import { parsePipeline } from './parser.ts';
import { eventRow, fieldNames, getField, matchName, substituteName, valueText, type Row } from './rows.ts';
import { locAt, sourceFromText, type SourceText } from './source-text.ts';

/** One conjunct of an event-level stage, kept for explanations. */
interface EventCondition {
  stage: string;
  /** A top-level conjunct (all must hold); nested ones only explain an OR. */
  top: boolean;
  text: string;
  pred: EventPred;
  /** Names as written and the event fields they read. */
  fields: Array<[string, string]>;
  fillnull?: string;
}

interface PostStage {
  name: string;
  text: string;
  run: RowTransform;
}

export interface SplProgram {
  /** The macro-expanded search, for display. */
  readonly expanded: string;
  /** Conditions evaluated per event before any row command (search, tstats where, pushed-down where). */
  readonly eventStages: readonly string[];
  readonly postStages: readonly string[];
  run(source: EventSource, opts?: RuleRunOptions): Omit<RuleRunResult, 'ruleId'>;
  explain(source: EventSource, row: number): { matched: boolean; steps: MatchExplanation[] };
}

export interface SplCompileInput {
  text: string;
  /** Where the search text starts in its file (so errors point into the rule file). */
  file?: string;
  line?: number;
  column?: number;
  /** Per-character origins, when the caller knows them better (e.g. a YAML block scalar). */
  source?: SourceText;
  macros: MacroTable;
}

export function compileSpl(input: SplCompileInput): SplProgram {
  const raw = input.source ?? sourceFromText(input.text, input.file, input.line ?? 1, input.column ?? 1);
  const src = expandMacros(raw, input.macros);
  const pipeline = parsePipeline(src);
  const ctx: ExprContext = { src };
  const cmds = [...pipeline.commands];
  const snippet = (s: { start: number; end: number }) => src.text.slice(s.start, s.end).trim().replace(/\s+/g, ' ');
  const first = cmds[0];
  if (!first) throw new HopscopeError('E_RULE_PARSE', 'empty search', locAt(src, 0));

  const conditions: EventCondition[] = [];
  const preds: EventPred[] = [];
  // Explanations list each top-level conjunct; inside an OR they also list each alternative (and its
  // conjuncts), so "why not" can point at the one regex that failed.
  const addSearch = (stage: string, node: SearchNode, resolve: (n: string) => string) => {
    preds.push(compileSearchPred(node, { resolveField: resolve }));
    const explainNode = (n: SearchNode, label: string, top: boolean, depth: number) => {
      conditions.push({ stage: label, top, text: snippet(n), pred: compileSearchPred(n, { resolveField: resolve }), fields: searchFields(n).map((f) => [f, resolve(f)]) });
      if (depth >= 2 || (n.t !== 'or' && n.t !== 'and')) return;
      if (n.t === 'or') n.items.forEach((b, i) => explainBranch(b, `${label} › alternative ${i + 1}`, depth + 1));
    };
    const explainBranch = (n: SearchNode, label: string, depth: number) => {
      for (const c of n.t === 'and' ? n.items : [n]) explainNode(c, label, false, depth);
    };
    for (const c of node.t === 'and' ? node.items : [node]) explainNode(c, stage, true, 0);
  };
  const addWhere = (stage: string, expr: Expr, resolve: (n: string) => string, fillnull?: string) => {
    preds.push(compileExprPred(expr, ctx, { resolveField: resolve, fillnull }));
    const explainExpr = (e: Expr, label: string, top: boolean, depth: number) => {
      conditions.push({
        stage: label,
        top,
        text: snippet(e),
        pred: compileExprPred(e, ctx, { resolveField: resolve, fillnull }),
        fields: [...exprFields(e)].map((f) => [f, resolve(f)]),
        fillnull,
      });
      if (depth >= 2 || e.t !== 'bin' || e.op !== 'OR') return;
      flattenOp(e, 'OR').forEach((b, i) => {
        for (const c of flattenOp(b, 'AND')) explainExpr(c, `${label} › alternative ${i + 1}`, false, depth + 1);
      });
    };
    for (const c of flattenOp(expr, 'AND')) explainExpr(c, stage, true, 0);
  };

  let head: RowTransform | null = null;
  let headName = '';
  let byMap: Map<string, string | null> | null = null;
  let fillnull: string | undefined;
  const identity = (n: string) => n;

  if (first.c === 'stats' && first.tstats) {
    const ts = first.tstats;
    const prefix = ts.nodePrefix ? ts.nodePrefix + '.' : null;
    const resolve = (n: string) => (prefix && n.startsWith(prefix) ? n.slice(prefix.length) : n);
    fillnull = ts.options['fillnull_value'];
    // The data model holds only its kinds' events (Endpoint.Processes: process creations), as in Splunk.
    const model = ts.datamodel !== null ? dataModel(ts.datamodel) : undefined;
    if (model) {
      const span = { start: first.start, end: first.start };
      preds.push(compileSearchPred({ t: 'in', field: 'event_kind', values: [...model.kinds], ...span }, { resolveField: identity }));
      conditions.push({ stage: `datamodel=${ts.datamodel}`, top: true, text: `event_kind IN (${model.kinds.join(', ')})`, pred: preds[preds.length - 1]!, fields: [['event_kind', 'event_kind']] });
    }
    if (ts.where) addSearch('tstats where', ts.where, resolve);
    head = compileStats(first.aggs, first.by, { resolveField: resolve, fillnull });
    headName = 'tstats';
    byMap = aggregateNames(first.aggs, first.by, resolve);
    cmds.shift();
  } else if (first.c === 'search') {
    addSearch('search', first.expr, identity);
    cmds.shift();
    // Filters straight after the search still see unchanged events: evaluate them per event too.
    for (let c = cmds[0]; c && (c.c === 'where' || c.c === 'search'); c = cmds[0]) {
      cmds.shift();
      if (c.c === 'where') addWhere('where', c.expr, identity);
      else addSearch('search', c.expr, identity);
    }
    const next = cmds[0];
    if (next && next.c === 'stats' && !next.tstats) {
      head = compileStats(next.aggs, next.by, { resolveField: identity });
      headName = 'stats';
      byMap = aggregateNames(next.aggs, next.by, identity);
      cmds.shift();
    }
  } else {
    throw new HopscopeError('E_RULE_UNSUPPORTED', `a rule must start with a search or | tstats, not "${first.c}"`, locAt(src, first.start));
  }

  // Push where clauses that only read per-group constants (by-fields, through renames) before the aggregation.
  const post: PostStage[] = [];
  if (byMap) {
    let open = true;
    for (const c of cmds) {
      if (open && c.c === 'where') {
        const fields = [...exprFields(c.expr)];
        if (fields.every((f) => typeof byMap!.get(f) === 'string')) {
          const map = new Map(byMap);
          addWhere(`where (before ${headName})`, c.expr, (n) => map.get(n) as string, fillnull);
          continue;
        }
      } else if (open && c.c === 'search' && c.expr.t === 'all') {
        continue; // `search *` (the *_filter tuning macros) keeps every row
      } else if (open) {
        open = trackNames(byMap, c);
      }
      post.push({ name: c.c, text: snippet(c), run: compileCommand(c, ctx) });
    }
  } else {
    for (const c of cmds) post.push({ name: c.c, text: snippet(c), run: compileCommand(c, ctx) });
  }
  const pred = preds.length === 0 ? compileSearchPred({ t: 'all', start: 0, end: 0 }, { resolveField: identity }) : andPreds(preds);

  const execute = (source: EventSource, run: RunCtx, trace?: (stage: PostStage | null, rows: Row[]) => void): Row[] => {
    let rows: Row[] = [];
    for (const view of source.views) {
      run.check();
      const all = new Uint32Array(view.rowCount);
      for (let i = 0; i < all.length; i++) all[i] = i;
      const hits = pred.bind(view, run).filter(all);
      for (const r of hits) rows.push(eventRow(view, r));
    }
    if (head) rows = head(rows, run);
    trace?.(null, rows);
    for (const st of post) {
      rows = st.run(rows, run);
      trace?.(st, rows);
    }
    return rows;
  };

  const traceCache = new WeakMap<EventSource, { rowCount: number; stages: Array<{ name: string; text: string; rows: Set<number> }> }>();
  const finalRowsAreEvents = !head && post.every((p) => p.name === 'search' || p.name === 'where' || p.name === 'sort');

  const program: SplProgram = {
    expanded: src.text,
    eventStages: conditions.filter((c) => c.top).map((c) => `${c.stage}: ${c.text}`),
    postStages: post.map((p) => `${p.name}: ${p.text}`),
    run(source, opts = {}) {
      const now = opts.now ?? (() => Date.now());
      const run = new RunCtx(now, opts.budgetMs, opts.isCancelled);
      try {
        const rows = withMeter(run, () => execute(source, run));
        const seen = new Set<number>();
        const rowFields = finalRowsAreEvents ? undefined : new Map<number, Record<string, string>>();
        for (const r of rows) {
          let rec: Record<string, string> | undefined;
          if (rowFields) {
            rec = {};
            for (const n of fieldNames(r)) {
              const v = valueText(getField(r, n));
              if (v !== null) rec[n] = v;
            }
          }
          for (const l of r.lineage) {
            seen.add(l);
            if (rowFields && rec && !rowFields.has(l)) rowFields.set(l, rec);
          }
        }
        const out = Uint32Array.from(seen).sort();
        return rowFields ? { rows: out, rowFields, elapsedMs: run.elapsed() } : { rows: out, elapsedMs: run.elapsed() };
      } catch (err) {
        if (err instanceof HopscopeError && (err.code === 'E_RULE_BUDGET' || err.code === 'E_CANCELLED')) {
          return { rows: new Uint32Array(0), error: err.toInfo(), elapsedMs: run.elapsed() };
        }
        return { rows: new Uint32Array(0), error: toErrorInfo(err), elapsedMs: run.elapsed() };
      }
    },
    explain(source, row) {
      const { view, row: local } = locateRow(source, row);
      const run = new RunCtx(() => Date.now(), undefined, undefined);
      const steps: MatchExplanation[] = [];
      const text = new RowText(view, local);
      let allHeld = true;
      for (const c of conditions) {
        const held = c.pred.bind(view, run).test(local, text);
        if (c.top) allHeld &&= held;
        steps.push({ stage: c.stage, condition: `${held ? 'held' : 'failed'}: ${c.text}`, fields: readFields(view, local, c.fields, c.fillnull) });
      }
      if (!allHeld) return { matched: false, steps };
      // Which events survive each row stage: computed once per source (a finding explains many events).
      let cached = traceCache.get(source);
      if (!cached || cached.rowCount !== source.rowCount) {
        const stages: Array<{ name: string; text: string; rows: Set<number> }> = [];
        withMeter(run, () => execute(source, run, (stage, rows) => {
          if (!stage && !head) return;
          const set = new Set<number>();
          for (const r of rows) for (const l of r.lineage) set.add(l);
          stages.push({ name: stage ? stage.name : headName, text: stage ? stage.text : headName, rows: set });
        }));
        cached = { rowCount: source.rowCount, stages };
        traceCache.set(source, cached);
      }
      let matched = true;
      for (const st of cached.stages) {
        const inRows = st.rows.has(row);
        steps.push({ stage: st.name, condition: `${inRows ? 'held' : 'failed'}: ${st.text} (event ${inRows ? 'is in' : 'is not in'} an output row)`, fields: {} });
        matched = inRows;
      }
      return { matched, steps };
    },
  };
  return program;
}

function readFields(view: EventView, local: number, fields: Array<[string, string]>, fill: string | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [name, read] of fields) out[name] = columnOf(view, read)?.get(local) ?? fill ?? null;
  return out;
}

function andPreds(preds: EventPred[]): EventPred {
  if (preds.length === 1) return preds[0]!;
  const fieldFirst = [...preds.filter((p) => !p.usesText), ...preds.filter((p) => p.usesText)];
  return {
    usesText: preds.some((p) => p.usesText),
    bind: (view, run) => {
      const bs = fieldFirst.map((p) => p.bind(view, run));
      return {
        filter: (cand) => {
          let c = cand;
          for (const b of bs) {
            if (c.length === 0) break;
            c = b.filter(c);
          }
          return c;
        },
        test: (l, t) => bs.every((b) => b.test(l, t)),
      };
    },
  };
}

function flattenOp(e: Expr, op: 'AND' | 'OR'): Expr[] {
  if (e.t === 'bin' && e.op === op) return [...flattenOp(e.l, op), ...flattenOp(e.r, op)];
  return [e];
}

function searchFields(n: SearchNode, out: string[] = []): string[] {
  switch (n.t) {
    case 'cmp':
    case 'in':
      if (!out.includes(n.field)) out.push(n.field);
      break;
    case 'and':
    case 'or':
      n.items.forEach((i) => searchFields(i, out));
      break;
    case 'not':
      searchFields(n.item, out);
      break;
    default:
      break;
  }
  return out;
}

/** Output names of an aggregation: by-fields map to the event field they hold (null = not a per-event constant). */
function aggregateNames(aggs: ReadonlyArray<{ arg: string | null; out: string }>, by: readonly string[], resolve: (n: string) => string): Map<string, string | null> | null {
  if (aggs.some((a) => a.arg?.includes('*'))) return null; // output names unknown until run time
  const m = new Map<string, string | null>();
  for (const a of aggs) m.set(a.out, null);
  for (const b of by) m.set(b, b === '_time' ? null : resolve(b));
  return m;
}

/** Update the name map across a command; false when later names can no longer be traced. */
function trackNames(m: Map<string, string | null>, c: Command): boolean {
  switch (c.c) {
    case 'rename':
      for (const { from, to } of c.pairs) {
        for (const [name, src] of [...m]) {
          const caps = matchName(from, name);
          if (!caps) continue;
          m.delete(name);
          m.set(substituteName(to, caps), src);
        }
      }
      return true;
    case 'convert':
      for (const cv of c.conversions) m.set(cv.as ?? cv.field, null);
      return true;
    case 'eval':
      for (const a of c.assigns) m.set(a.field, null);
      return true;
    case 'where':
    case 'search':
    case 'sort':
      return true;
    case 'fillnull':
      // Filled fields no longer equal the event's (missing) value.
      for (const name of [...m.keys()]) if (c.fields.length === 0 || c.fields.includes(name)) m.set(name, null);
      return true;
    case 'table':
    case 'fields': {
      const keep = (n: string) => c.fields.some((p) => matchName(p, n) !== null);
      for (const name of [...m.keys()]) if ((c.c === 'fields' && c.remove) === keep(name)) m.delete(name);
      return true;
    }
    default:
      return false;
  }
}

/** Build a CompiledRule around a compiled SPL program. */
export function splRule(meta: RuleMeta, program: SplProgram): CompiledRule {
  return {
    meta,
    run: (source, opts) => ({ ruleId: meta.id, ...program.run(source, opts) }),
    explain: (source, row) => program.explain(source, row),
  };
}

export type { SourceLocation };
