// The table's per-column filters (Timeline Explorer's filter row): events whose value in a column contains the typed
// text, any case. Invariant: the text is taken literally, never parsed (quotes, backslashes, `*`, `?`, `/`, `(` are
// characters to find), so no typed text can break the query or widen it; a dictionary column is tested once per
// distinct value; an absent value contains nothing.

import type { ColumnFilter } from '../rpc/api.ts';
import type { EventStore } from '../store/store.ts';
import { valuePredicate, type EventView } from '../store/view.ts';
import type { Finding } from '../detect/types.ts';
import { findingIndex, RULES_COLUMN, rulesOfRow } from './finding-index.ts';

type RowTest = (row: number) => boolean;

/** The filters that test anything (an empty text is none), one per field (two on one field: both must hold). */
export function activeColumnFilters(filters: readonly ColumnFilter[] | undefined): ColumnFilter[] {
  return (filters ?? []).filter((f) => typeof f.field === 'string' && f.field !== '' && typeof f.text === 'string' && f.text !== '');
}

/** A stable cache key for the filters (order kept: it does not change the answer, but keys stay simple). */
export function columnFiltersKey(filters: readonly ColumnFilter[] | undefined): string | null {
  const a = activeColumnFilters(filters);
  return a.length === 0 ? null : JSON.stringify(a.map((f) => [f.field, f.text]));
}

/** Case-insensitive literal containment (both sides lower-cased the same way, so the test is symmetric). */
export function containsText(needleLower: string): (v: string) => boolean {
  return (v) => v.toLowerCase().includes(needleLower);
}

function isoUtc(timeMs: number): string {
  const d = new Date(Math.floor(timeMs));
  return Number.isNaN(d.getTime()) ? String(timeMs) : d.toISOString();
}

function viewTest(view: EventView, f: ColumnFilter, rulesOf: ((g: number) => string | null) | null): RowTest {
  const has = containsText(f.text.toLowerCase());
  if (f.field === '_time') {
    const t = view.timeMs;
    return (row) => has(isoUtc(t[row]!));
  }
  if (f.field === RULES_COLUMN) {
    if (!rulesOf) return () => false;
    return (row) => {
      const v = rulesOf(view.base + row);
      return v !== null && has(v);
    };
  }
  const col = view.column(f.field);
  if (!col) return () => false;
  return valuePredicate(col, has);
}

/** A predicate over global rows holding every column filter; undefined when there is none. */
export function columnFiltersTest(store: EventStore, filters: readonly ColumnFilter[] | undefined, findings?: readonly Finding[]): ((g: number) => boolean) | undefined {
  const active = activeColumnFilters(filters);
  if (active.length === 0) return undefined;
  const idx = findings ? findingIndex(findings) : null;
  const rulesOf = idx ? (g: number): string | null => rulesOfRow(idx, g) : null;
  const perView: RowTest[] = store.views.map((view) => {
    const tests = active.map((f) => viewTest(view, f, rulesOf));
    return tests.length === 1
      ? tests[0]!
      : (row: number): boolean => {
          for (const t of tests) if (!t(row)) return false;
          return true;
        };
  });
  if (perView.length === 1) return perView[0]!;
  return (g) => {
    const i = store.viewIndexOf(g);
    return perView[i]!(g - store.views[i]!.base);
  };
}

/** Both tests (either may be absent). */
export function bothTests(a: ((g: number) => boolean) | undefined, b: ((g: number) => boolean) | undefined): ((g: number) => boolean) | undefined {
  if (!a) return b;
  if (!b) return a;
  return (g) => a(g) && b(g);
}
