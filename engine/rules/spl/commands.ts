// Pipeline commands after the leading filter, compiled once to row transformers.
// Invariant: every transformer carries lineage (stats merges its group's lineage; filters keep or drop whole rows).

import { HopscopeError } from '../../model/errors.ts';
import type { AggSpec, Command, SearchNode } from './ast.ts';
import { compileExpr, cutText, formatNumber, toFieldValue, toNumber, type ExprContext, type FieldValue } from './eval-expr.ts';
import { cmpValueTest, termMatcher, type RunCtx } from './event-pred.ts';
import { closedRow, fieldNames, getField, matchName, substituteName, valueList, withFields, type Row } from './rows.ts';
import { locAt } from './source-text.ts';
import { strftime } from './time-format.ts';

export type RowTransform = (rows: Row[], run: RunCtx) => Row[];

/** Characters one eval command may store in one row. */
export const ROW_MAX_CHARS = 1024 * 1024;
/** Groups one row may fan out to through multivalue by-fields. */
export const MAX_FANOUT = 10_000;

function valueChars(v: FieldValue): number {
  if (v === null) return 0;
  if (typeof v === 'string') return v.length;
  let n = 0;
  for (const x of v) n += x.length;
  return n;
}

function cutValues(v: string[], room: number): FieldValue {
  const out: string[] = [];
  for (const x of v) {
    if (room <= 0) break;
    const t = cutText(x, room);
    out.push(t);
    room -= t.length;
  }
  return out.length === 0 ? null : out.length === 1 ? out[0]! : out;
}

export interface StatsOptions {
  /** Field actually read for a name as written (tstats: `Processes.x` -> `x`). */
  resolveField: (name: string) => string;
  /** tstats fillnull_value: missing by-fields take this value instead of dropping the event. */
  fillnull?: string;
}

export function compileCommand(cmd: Command, ctx: ExprContext): RowTransform {
  switch (cmd.c) {
    case 'search': {
      const test = compileRowSearch(cmd.expr);
      return (rows, run) => rows.filter((r) => (run.tick(), test(r)));
    }
    case 'where': {
      const ev = compileExpr(cmd.expr, ctx);
      return (rows, run) => rows.filter((r) => (run.tick(), ev((n) => getField(r, n)) === true));
    }
    case 'eval': {
      const assigns = cmd.assigns.map((a) => ({ field: a.field, ev: compileExpr(a.expr, ctx) }));
      return (rows, run) =>
        rows.map((r) => {
          run.tick();
          const out = withFields(r);
          // One eval stores at most ROW_MAX_CHARS in a row (later values are cut to what is left), all counted.
          let room = ROW_MAX_CHARS;
          for (const a of assigns) {
            let v = toFieldValue(a.ev((n) => getField(out, n)));
            const size = valueChars(v);
            if (size > room) v = typeof v === 'string' ? cutText(v, room) : Array.isArray(v) ? cutValues(v, room) : v;
            const kept = Math.min(size, room);
            room -= kept;
            run.hold(kept);
            out.fields!.set(a.field, v);
          }
          return out;
        });
    }
    case 'table':
      return (rows, run) => rows.map((r) => (run.tick(), project(r, cmd.fields)));
    case 'fields':
      if (!cmd.remove) return (rows, run) => rows.map((r) => (run.tick(), project(r, cmd.fields)));
      return (rows, run) =>
        rows.map((r) => {
          run.tick();
          const out = withFields(r);
          for (const name of fieldNames(r)) if (cmd.fields.some((p) => matchName(p, name))) out.fields!.set(name, null);
          return out;
        });
    case 'rename':
      return (rows, run) => rows.map((r) => (run.tick(), renameRow(r, cmd.pairs)));
    case 'bin': {
      const { field, spanSec } = cmd;
      const target = cmd.as ?? field;
      return (rows, run) =>
        rows.map((r) => {
          run.tick();
          const n = toNumber(getField(r, field) as string | null);
          const out = withFields(r);
          // Floor to span boundaries of UTC epoch time (Splunk bins _time on epoch seconds).
          out.fields!.set(target, n === null ? null : formatNumber(Math.floor(n / spanSec) * spanSec));
          return out;
        });
    }
    case 'convert':
      return (rows, run) =>
        rows.map((r) => {
          run.tick();
          const out = withFields(r);
          for (const c of cmd.conversions) {
            const v = getField(r, c.field);
            const n = toNumber(Array.isArray(v) ? (v[0] ?? null) : v);
            // Non-numeric values are left as they are (Splunk leaves unconvertible values unchanged).
            out.fields!.set(c.as ?? c.field, n === null ? v : strftime(n, cmd.timeformat));
          }
          return out;
        });
    case 'sort':
      return (rows) => rows;
    case 'fillnull':
      return (rows, run) => {
        // Without a field list Splunk fills every field that appears anywhere in the results.
        let fields = cmd.fields;
        if (fields.length === 0) {
          const all = new Set<string>();
          for (const r of rows) for (const n of fieldNames(r)) all.add(n);
          fields = [...all];
        }
        return rows.map((r) => {
          run.tick();
          const out = withFields(r);
          for (const f of fields) if (getField(r, f) === null) out.fields!.set(f, cmd.value);
          return out;
        });
      };
    case 'stats': {
      if (cmd.tstats) throw new HopscopeError('E_RULE_UNSUPPORTED', 'tstats must be the first command', locAt(ctx.src, cmd.start));
      return compileStats(cmd.aggs, cmd.by, { resolveField: (n) => n });
    }
  }
}

function project(r: Row, patterns: readonly string[]): Row {
  const fields = new Map<string, FieldValue>();
  const names = patterns.some((p) => p.includes('*')) ? fieldNames(r) : [];
  for (const p of patterns) {
    if (p.includes('*')) {
      for (const n of names) if (matchName(p, n)) fields.set(n, getField(r, n));
    } else {
      const v = getField(r, p);
      if (v !== null) fields.set(p, v);
    }
  }
  return closedRow(fields, r.lineage, r);
}

function renameRow(r: Row, pairs: ReadonlyArray<{ from: string; to: string }>): Row {
  const out = withFields(r);
  for (const { from, to } of pairs) {
    const names = from.includes('*') ? fieldNames(out) : [from];
    for (const n of names) {
      const caps = matchName(from, n);
      if (!caps) continue;
      const target = substituteName(to, caps);
      if (target === n) continue;
      const v = getField(out, n);
      out.fields!.set(n, null);
      out.fields!.set(target, v);
    }
  }
  return out;
}

/** A search command after the leading stage: terms match the event text (or, for result rows, any field value). */
export function compileRowSearch(node: SearchNode): (r: Row) => boolean {
  switch (node.t) {
    case 'all':
      return () => true;
    case 'term': {
      const m = termMatcher(node);
      return (r) => {
        const raw = r.view && !r.closed ? r.view.text(r.local) : fieldNames(r).map((n) => `${n}=${valueList(getField(r, n)).join(' ')}`).join('\n');
        return m(raw.toLowerCase(), () => raw);
      };
    }
    case 'cmp':
    case 'in': {
      const t = cmpValueTest(node);
      const field = node.field;
      return (r) => {
        const v = getField(r, field);
        if (v === null) return t(null);
        return valueList(v).some((x) => t(x));
      };
    }
    case 'not': {
      const inner = compileRowSearch(node.item);
      return (r) => !inner(r);
    }
    case 'and': {
      const kids = node.items.map(compileRowSearch);
      return (r) => kids.every((k) => k(r));
    }
    case 'or': {
      const kids = node.items.map(compileRowSearch);
      return (r) => kids.some((k) => k(r));
    }
  }
}

// ---- stats ----

function cmpValues(a: string, b: string): number {
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== null && nb !== null) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function fromList(vals: string[]): FieldValue {
  if (vals.length === 0) return null;
  return vals.length === 1 ? vals[0]! : vals;
}

function aggregate(fn: string, vals: string[], rows: Row[], read: string): FieldValue {
  switch (fn) {
    case 'count':
      return String(vals.length);
    case 'values':
      // Splunk's values(): distinct, sorted lexicographically.
      return fromList([...new Set(vals)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    case 'list':
      return fromList(vals);
    case 'dc':
      return String(new Set(vals).size);
    case 'min':
    case 'max': {
      if (vals.length === 0) return null;
      const allNum = vals.every((v) => toNumber(v) !== null);
      let best = vals[0]!;
      for (const v of vals) {
        const c = allNum ? toNumber(v)! - toNumber(best)! : v < best ? -1 : v > best ? 1 : 0;
        if (fn === 'min' ? c < 0 : c > 0) best = v;
      }
      return allNum ? formatNumber(toNumber(best)!) : best;
    }
    case 'sum':
    case 'avg': {
      const nums = vals.map(toNumber).filter((n): n is number => n !== null);
      if (nums.length === 0) return null;
      const s = nums.reduce((a, b) => a + b, 0);
      return formatNumber(fn === 'sum' ? s : s / nums.length);
    }
    case 'first':
    case 'last':
      return vals.length === 0 ? null : (fn === 'first' ? vals[0] : vals[vals.length - 1]) ?? null;
    case 'earliest':
    case 'latest': {
      let best: { t: number; v: FieldValue } | null = null;
      for (const r of rows) {
        const v = getField(r, read);
        if (v === null) continue;
        const t = toNumber(getField(r, '_time') as string | null) ?? 0;
        if (!best || (fn === 'earliest' ? t < best.t : t > best.t)) best = { t, v };
      }
      return best ? best.v : null;
    }
    default:
      return null;
  }
}

export function compileStats(aggs: readonly AggSpec[], by: readonly string[], opts: StatsOptions): RowTransform {
  const byRead = by.map((b) => opts.resolveField(b));
  const bySet = new Set([...by, ...byRead]);
  const fill = opts.fillnull;
  return (rows, run) => {
    const groups = new Map<string, { byVals: string[]; rows: Row[] }>();
    for (const r of rows) {
      run.tick();
      // One group per combination of by-values (multivalue by-fields fan out, as in Splunk).
      let combos: string[][] = [[]];
      let dropped = false;
      for (const f of byRead) {
        let vals = valueList(getField(r, f));
        if (vals.length === 0) {
          if (fill === undefined) {
            dropped = true;
            break;
          }
          vals = [fill];
        }
        if (combos.length * vals.length > MAX_FANOUT) {
          throw new HopscopeError('E_RULE_BUDGET', `stats: one row's multivalue by-fields make more than ${MAX_FANOUT} groups`);
        }
        combos = combos.flatMap((c) => vals.map((v) => [...c, v]));
      }
      if (dropped) continue;
      for (const c of combos) {
        const key = c.join('\u0000');
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { byVals: c, rows: [] }));
        g.rows.push(r);
      }
    }
    const sorted = [...groups.values()].sort((a, b) => {
      for (let i = 0; i < a.byVals.length; i++) {
        const c = cmpValues(a.byVals[i]!, b.byVals[i]!);
        if (c !== 0) return c;
      }
      return 0;
    });
    const out: Row[] = [];
    for (const g of sorted) {
      run.tick();
      const fields = new Map<string, FieldValue>();
      by.forEach((b, i) => fields.set(b, g.byVals[i]!));
      for (const a of aggs) {
        if (a.arg !== null && a.arg.includes('*')) {
          // values(*) as *: every field the group's rows have, except the by-fields.
          const seen = new Set<string>();
          for (const r of g.rows) for (const n of fieldNames(r)) seen.add(n);
          for (const n of [...seen].sort()) {
            if (bySet.has(n)) continue;
            const caps = matchName(a.arg, n);
            if (!caps) continue;
            const vals = g.rows.flatMap((r) => valueList(getField(r, n)));
            const outName = a.out.includes('*') ? substituteName(a.out, caps) : `${a.fn}(${n})`;
            fields.set(outName, aggregate(a.fn, vals, g.rows, n));
          }
          continue;
        }
        const read = a.arg === null ? null : opts.resolveField(a.arg);
        const vals = read === null ? g.rows.map(() => '1') : g.rows.flatMap((r) => valueList(getField(r, read)));
        fields.set(a.out, aggregate(a.fn, vals, g.rows, read ?? '_time'));
      }
      const lineage: number[] = [];
      for (const r of g.rows) for (const l of r.lineage) lineage.push(l);
      out.push(closedRow(fields, lineage));
    }
    return out;
  };
}
