// Which findings hold an event: for the `rule:` / `finding:` filter terms and the table's detections column.
// Invariant: built once per findings array (cached), looked up per global row; rows in no finding answer [].

import type { Finding } from '../detect/types.ts';
import type { EventView } from '../store/view.ts';

export interface FindingIndex {
  /** The findings holding global row `g`, in the order the case lists them. */
  of(g: number): readonly Finding[];
  /** The same per local row of one view. */
  forView(view: EventView): (row: number) => readonly Finding[];
}

const NONE: readonly Finding[] = [];
const cache = new WeakMap<readonly Finding[], FindingIndex>();

export function findingIndex(findings: readonly Finding[]): FindingIndex {
  let idx = cache.get(findings);
  if (idx) return idx;
  const byRow = new Map<number, Finding[]>();
  for (const f of findings) {
    for (const e of f.events) {
      const list = byRow.get(e.row);
      if (!list) byRow.set(e.row, [f]);
      else if (list[list.length - 1] !== f) list.push(f);
    }
  }
  const of = (g: number): readonly Finding[] => byRow.get(g) ?? NONE;
  idx = { of, forView: (view) => (row) => of(view.base + row) };
  cache.set(findings, idx);
  return idx;
}

/** The table's detections column: the distinct rule ids of the findings holding the row, comma-separated, or null. */
export function rulesOfRow(index: FindingIndex, g: number): string | null {
  const list = index.of(g);
  if (list.length === 0) return null;
  return [...new Set(list.map((f) => f.ruleId))].join(', ');
}

/** Column name of the detections column in `query.rows` (not a log field: the engine fills it from the findings). */
export const RULES_COLUMN = '_rules';
