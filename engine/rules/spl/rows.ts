// Result rows flowing through the SPL pipeline after the leading event filter, with their lineage.
// Invariant: a row's lineage lists the global event rows that contributed to it; commands never lose it.

import type { EventView } from '../../store/view.ts';
import { columnOf } from './event-pred.ts';
import type { FieldValue } from './eval-expr.ts';

export interface Row {
  /** The underlying event for event rows (fields fall back to its columns unless `closed`). */
  view: EventView | null;
  local: number;
  /** Fields set or removed (null) by commands; for closed rows, the complete field set. */
  fields: Map<string, FieldValue> | null;
  closed: boolean;
  lineage: number[];
}

export function eventRow(view: EventView, local: number): Row {
  return { view, local, fields: null, closed: false, lineage: [view.base + local] };
}

export function getField(row: Row, name: string): FieldValue {
  if (row.fields?.has(name)) return row.fields.get(name) ?? null;
  if (row.closed || !row.view) return null;
  return columnOf(row.view, name)?.get(row.local) ?? null;
}

/** Names of the fields this row has a value for, sorted. */
export function fieldNames(row: Row): string[] {
  const out = new Set<string>();
  if (!row.closed && row.view) {
    for (const n of row.view.fieldNames()) if (row.view.column(n)?.get(row.local) != null) out.add(n);
    out.add('_time');
  }
  if (row.fields) {
    for (const [k, v] of row.fields) {
      if (v === null) out.delete(k);
      else out.add(k);
    }
  }
  return [...out].sort();
}

/** Copy-on-write: a row with its own fields map. */
export function withFields(row: Row): Row {
  return { ...row, fields: new Map(row.fields ?? []) };
}

export function closedRow(fields: Map<string, FieldValue>, lineage: number[], from?: Row): Row {
  return { view: from?.view ?? null, local: from?.local ?? 0, fields, closed: true, lineage };
}

/** Case-sensitive `*` wildcard match of a field name, returning the text each `*` matched (or null). */
export function matchName(pattern: string, name: string): string[] | null {
  if (!pattern.includes('*')) return pattern === name ? [] : null;
  const parts = pattern.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return null;
  const caps: string[] = [];
  let pos = first.length;
  const endLimit = name.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const piece = parts[i]!;
    const at = name.indexOf(piece, pos);
    if (at < 0 || at + piece.length > endLimit) return null;
    caps.push(name.slice(pos, at));
    pos = at + piece.length;
  }
  caps.push(name.slice(pos, endLimit));
  return caps;
}

export function substituteName(pattern: string, caps: readonly string[]): string {
  const parts = pattern.split('*');
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++) out += (caps[i - 1] ?? '') + parts[i]!;
  return out;
}

export function valueList(v: FieldValue): string[] {
  if (v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** A field as one string for RuleRunResult.rowFields: multivalues newline-separated (what detect splits on). */
export function valueText(v: FieldValue): string | null {
  if (v === null) return null;
  return Array.isArray(v) ? v.join('\n') : v;
}
