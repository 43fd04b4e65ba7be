// Field names a filter uses, checked against the case: a name that is neither canonical nor a field of any evidence
// file would silently match nothing, so it is refused with its column and the nearest known name.
// Invariant: only `name:value` / `name:/re/` terms are checked; free text, time and annotation terms are not fields.

import { CANONICAL_FIELDS, isCanonicalField } from '../model/fields.ts';
import { HopscopeError } from '../model/errors.ts';
import type { EventView } from '../store/view.ts';
import { DETECTION_TERMS, type FilterNode } from './filter.ts';

function* fieldTerms(node: FilterNode): Generator<{ field: string; column: number }> {
  switch (node.kind) {
    case 'field':
    case 'fieldRegex':
      yield { field: node.field, column: node.column };
      return;
    case 'and':
    case 'or':
      for (const n of node.items) yield* fieldTerms(n);
      return;
    case 'not':
      yield* fieldTerms(node.item);
      return;
    default:
      return;
  }
}

/** Edit distance, bounded: stops counting past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known name closest to `name`: the same name in another case first, else one or two edits away. */
export function nearestField(name: string, known: Iterable<string>): string | null {
  const lower = name.toLowerCase();
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    if (k.toLowerCase() === lower) return k;
    const d = distance(lower, k.toLowerCase(), 2);
    if (d < bestD || (d === bestD && best !== null && k < best)) {
      best = k;
      bestD = d;
    }
  }
  return bestD <= 2 ? best : null;
}

/**
 * Throws E_USAGE at the first field term whose name no view answers (not canonical, not an original or synthetic
 * field of any evidence file of the case).
 */
export function checkFilterFields(ast: FilterNode, views: readonly EventView[]): void {
  for (const { field, column } of fieldTerms(ast)) {
    if (DETECTION_TERMS.has(field) || isCanonicalField(field) || views.some((v) => v.column(field) !== undefined)) continue;
    const names = new Set<string>(CANONICAL_FIELDS);
    for (const v of views) for (const n of v.fieldNames()) names.add(n);
    const near = nearestField(field, names);
    throw new HopscopeError(
      'E_USAGE',
      `unknown field '${field}': no event of this case has it${near ? `; did you mean '${near}'?` : ' (a canonical name such as process_name, dest, user, or a field of the evidence; quote the term to search the text)'}`,
      { column },
    );
  }
}
