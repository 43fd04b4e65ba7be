// Read contract between the event store and its consumers (rules, detection, queries).
// Invariant: rows are addressed by a global index = view.base + local row; values are strings or null.

import type { CanonicalEvent } from '../model/fields.ts';
import type { DictIds } from './segment.ts';

/** One string-valued field of a segment. */
export interface StringColumn {
  /**
   * Present when the column is dictionary-encoded: `ids[row]` indexes `values`, and `values[0]`
   * is always null (missing). Consumers evaluate a predicate once per distinct value through this.
   */
  readonly dict?: { readonly ids: DictIds; readonly values: ReadonlyArray<string | null> };
  /** The value at a local row, or null when the event lacks the field. */
  get(row: number): string | null;
}

/**
 * A row test from a value test: present values only (an absent value matches nothing), evaluated once per distinct
 * value when the column is dictionary-encoded. The one place this pattern lives for new code (issue 17 item 3).
 */
export function valuePredicate(col: StringColumn, test: (v: string) => boolean): (row: number) => boolean {
  if (col.dict) {
    const { ids, values } = col.dict;
    // Per distinct value: 0 = not yet evaluated, 1 = no, 2 = yes.
    const memo = new Uint8Array(values.length);
    return (row) => {
      const id = ids[row]!;
      let r = memo[id]!;
      if (r === 0) {
        const v = values[id];
        r = v === null || v === undefined ? 1 : test(v) ? 2 : 1;
        memo[id] = r;
      }
      return r === 2;
    };
  }
  const get = col.get.bind(col);
  return (row) => {
    const v = get(row);
    return v !== null && test(v);
  };
}

/**
 * A contiguous run of events (one store segment). Field names are canonical names
 * (see model/fields.ts), synthetic names (`_time`, `_raw`, `host`, `source`, `sourcetype`,
 * `vendor_product`) or original names exactly as the evidence spelled them.
 */
export interface EventView {
  /** Global index of local row 0. */
  readonly base: number;
  readonly rowCount: number;
  /** UTC epoch milliseconds per local row. */
  readonly timeMs: Float64Array;
  column(name: string): StringColumn | undefined;
  fieldNames(): readonly string[];
  /** The event's text for bare search terms: original record text, newline, canonical `name=value` pairs. */
  text(row: number): string;
  /**
   * Optional: a row test equal to "`text(row)` contains `needle`, ignoring case" (RegExp `i` folding),
   * answered without building the text where the view can (the columnar store does). Consumers fall
   * back to `text(row)` when a view lacks it.
   */
  textContains?(needle: string): (row: number) => boolean;
}

/** The whole case: segments in order, global rows 0..rowCount-1. */
export interface EventSource {
  readonly rowCount: number;
  readonly views: readonly EventView[];
}

/** Index of the last view whose base is <= globalRow (binary search over bases; 0 for an empty list). */
export function viewIndexAt(views: ReadonlyArray<{ readonly base: number }>, globalRow: number): number {
  let lo = 0;
  let hi = views.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (views[mid]!.base <= globalRow) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Resolve a global row to its view and local row. */
export function locateRow(source: EventSource, globalRow: number): { view: EventView; row: number } {
  const view = source.views[viewIndexAt(source.views, globalRow)];
  if (!view || globalRow < view.base || globalRow >= view.base + view.rowCount) {
    throw new RangeError(`row ${globalRow} out of range`);
  }
  return { view, row: globalRow - view.base };
}

/** Convenience accessor for a field of a global row. */
export function fieldAt(source: EventSource, globalRow: number, field: string): string | null {
  const { view, row } = locateRow(source, globalRow);
  if (field === '_time') return String(view.timeMs[row]! / 1000);
  return view.column(field)?.get(row) ?? null;
}
