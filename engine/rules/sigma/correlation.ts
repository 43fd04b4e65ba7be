// Sigma v2 correlation rules (event_count, value_count, temporal, temporal_ordered) over the hits of
// their base rules. Invariant: one sort of the hits by (group, time, row), then linear sliding windows,
// so a run is n log n in the base hits; the correlation's rows are the base events that made it fire.

import { HopscopeError } from '../../model/errors.ts';
import type { EventSource } from '../../store/view.ts';
import type { CompiledRule, MatchExplanation, RuleMeta, RuleRunOptions, RuleRunResult } from '../types.ts';
import { bindField } from './field-map.ts';

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';
export type CorrelationOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CorrelationParts<M extends RuleMeta = RuleMeta> {
  meta: M;
  type: CorrelationType;
  bases: CompiledRule[];
  groupBy: string[];
  /** alias -> base rule id -> that rule's field */
  aliases: Map<string, Map<string, string>>;
  timespanMs: number;
  op: CorrelationOp;
  threshold: number;
  /** value_count's field (may be an alias). */
  field?: string;
}

/** Longest group value kept in a key: crafted megabyte values cannot make keys huge. */
const MAX_GROUP_VALUE = 1024;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000 };

/** `5m` -> 300000; undefined for anything else. */
export function parseTimespan(text: string): number | undefined {
  const m = /^(\d{1,9})([smhdwMy])$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  return ms > 0 ? ms : undefined;
}

export function testOp(op: CorrelationOp, n: number, v: number): boolean {
  switch (op) {
    case 'gt': return n > v;
    case 'gte': return n >= v;
    case 'lt': return n < v;
    case 'lte': return n <= v;
    case 'eq': return n === v;
    case 'neq': return n !== v;
  }
}

interface Hit {
  row: number;
  timeMs: number;
  base: number;
  key: number;
  groupValues: Array<string | null>;
  value: string | null;
}

interface Fired {
  bases: string[];
  group: Record<string, string | null>;
  count: number;
  firstMs: number;
  lastMs: number;
}

export class SigmaCorrelationRule<M extends RuleMeta = RuleMeta> implements CompiledRule {
  readonly meta: M;
  private readonly lastRun = new WeakMap<EventSource, Map<number, Fired>>();

  constructor(readonly parts: CorrelationParts<M>) {
    this.meta = parts.meta;
  }

  private fieldFor(name: string, base: CompiledRule): string {
    return this.parts.aliases.get(name)?.get(base.meta.id) ?? name;
  }

  run(source: EventSource, opts: RuleRunOptions = {}): RuleRunResult {
    const now = opts.now ?? Date.now;
    const start = now();
    const p = this.parts;
    const hits: Hit[] = [];
    // Group keys interned to numbers: the sort compares integers, not crafted long strings.
    const keyIds = new Map<string, number>();
    for (let b = 0; b < p.bases.length; b++) {
      const base = p.bases[b]!;
      const remaining = opts.budgetMs === undefined ? undefined : Math.max(0, opts.budgetMs - (now() - start));
      const sub: RuleRunOptions = { ...opts };
      if (remaining !== undefined) sub.budgetMs = remaining;
      const res = base.run(source, sub);
      if (res.error) return { ruleId: this.meta.id, rows: new Uint32Array(0), error: res.error, elapsedMs: now() - start };
      const groupFields = p.groupBy.map((g) => this.fieldFor(g, base));
      const valueField = p.field !== undefined ? this.fieldFor(p.field, base) : undefined;
      let vi = -1;
      let bound: { gs: ReturnType<typeof bindField>[]; v?: ReturnType<typeof bindField> } | undefined;
      for (const g of res.rows) {
        while (vi + 1 < source.views.length && source.views[vi + 1]!.base <= g) {
          vi++;
          bound = undefined;
        }
        const view = source.views[vi]!;
        if (!bound) {
          bound = { gs: groupFields.map((f) => bindField(view, f)) };
          if (valueField !== undefined) bound.v = bindField(view, valueField);
        }
        const row = g - view.base;
        const groupValues = bound.gs.map((bf) => {
          const v = bf.get(row).value;
          return v === null ? null : v.length > MAX_GROUP_VALUE ? v.slice(0, MAX_GROUP_VALUE) : v;
        });
        // Sigma: an event without a group-by field does not take part in the correlation.
        if (groupValues.some((v) => v === null)) continue;
        const value = bound.v ? bound.v.get(row).value : null;
        if (valueField !== undefined && value === null) continue;
        const text = JSON.stringify(groupValues);
        let key = keyIds.get(text);
        if (key === undefined) {
          key = keyIds.size;
          keyIds.set(text, key);
        }
        hits.push({ row: g, timeMs: view.timeMs[row]!, base: b, key, groupValues, value });
      }
    }
    hits.sort((a, b) => a.key - b.key || a.timeMs - b.timeMs || a.row - b.row);
    const fired = new Map<number, Fired>();
    const mark = (from: number, to: number, count: number, group: Hit[], lo: number, hi: number): void => {
      const g = group[0]!;
      const info: Fired = {
        bases: [...new Set(group.slice(from, to + 1).map((h) => p.bases[h.base]!.meta.id))],
        group: Object.fromEntries(p.groupBy.map((name, i) => [name, g.groupValues[i] ?? null])),
        count,
        firstMs: group[lo]!.timeMs,
        lastMs: group[hi]!.timeMs,
      };
      for (let k = from; k <= to; k++) fired.set(group[k]!.row, info);
    };
    let i = 0;
    while (i < hits.length) {
      let j = i;
      while (j < hits.length && hits[j]!.key === hits[i]!.key) j++;
      this.window(hits.slice(i, j), mark);
      i = j;
      if (opts.isCancelled?.()) return { ruleId: this.meta.id, rows: new Uint32Array(0), error: new HopscopeError('E_CANCELLED', `rule ${this.meta.id} cancelled`).toInfo(), elapsedMs: now() - start };
    }
    this.lastRun.set(source, fired);
    const rows = Uint32Array.from(fired.keys()).sort();
    return { ruleId: this.meta.id, rows, elapsedMs: now() - start };
  }

  /** Sliding windows over one group's hits (time-ordered); `mark` records the hits of each window that fired. */
  private window(group: Hit[], mark: (from: number, to: number, count: number, group: Hit[], lo: number, hi: number) => void): void {
    const p = this.parts;
    let lo = 0;
    let marked = -1;
    const fire = (from: number, to: number, count: number): void => {
      const f = Math.max(from, marked + 1);
      if (f <= to) mark(f, to, count, group, from, to);
      marked = Math.max(marked, to);
    };
    if (p.type === 'temporal_ordered') {
      // chains[k]: indexes of the latest-starting chain base0..basek seen so far.
      const chains: Array<number[] | undefined> = [];
      for (let hi = 0; hi < group.length; hi++) {
        const h = group[hi]!;
        const k = h.base;
        if (k === 0) chains[0] = [hi];
        else if (chains[k - 1]) chains[k] = [...chains[k - 1]!, hi];
        const last = chains[p.bases.length - 1];
        if (last && last[last.length - 1] === hi) {
          const first = group[last[0]!]!;
          if (h.timeMs - first.timeMs <= p.timespanMs && testOp(p.op, p.bases.length, p.threshold)) {
            for (const idx of last) if (idx > marked) mark(idx, idx, p.bases.length, group, last[0]!, hi);
            marked = Math.max(marked, hi);
          }
          chains[p.bases.length - 1] = undefined;
        }
      }
      return;
    }
    const counts = new Map<string | number, number>();
    const keyOf = (h: Hit): string | number => (p.type === 'value_count' ? h.value ?? '' : h.base);
    for (let hi = 0; hi < group.length; hi++) {
      const h = group[hi]!;
      while (h.timeMs - group[lo]!.timeMs > p.timespanMs) {
        const k = keyOf(group[lo]!);
        const c = counts.get(k)! - 1;
        if (c === 0) counts.delete(k);
        else counts.set(k, c);
        lo++;
      }
      const k = keyOf(h);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      const n = p.type === 'event_count' ? hi - lo + 1 : counts.size;
      if (p.type === 'temporal' ? counts.size === p.bases.length && testOp(p.op, n, p.threshold) : testOp(p.op, n, p.threshold)) fire(lo, hi, n);
    }
  }

  explain(source: EventSource, row: number): { matched: boolean; steps: MatchExplanation[] } {
    let fired = this.lastRun.get(source);
    if (!fired) {
      this.run(source);
      fired = this.lastRun.get(source)!;
    }
    const f = fired.get(row);
    const p = this.parts;
    const cond = p.type === 'temporal_ordered' ? 'in order' : `${p.field ? `distinct ${p.field} ` : ''}${p.op} ${p.threshold}`;
    const text = `${p.type} of ${p.bases.map((b) => b.meta.id).join(', ')} by ${p.groupBy.join(', ') || '(all)'} within ${p.timespanMs / 1000}s: ${cond}`;
    if (!f) return { matched: false, steps: [{ stage: 'correlation', condition: `[not held] ${text}`, fields: {} }] };
    const fields: Record<string, string | null> = { ...f.group, count: String(f.count), window: `${new Date(f.firstMs).toISOString()} .. ${new Date(f.lastMs).toISOString()}`, rules: f.bases.join(', ') };
    return { matched: true, steps: [{ stage: 'correlation', condition: `[held] ${text}`, fields }] };
  }
}
