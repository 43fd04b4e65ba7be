// Reference EventView over materialised events: small, obviously correct, used by tests and as the
// oracle the columnar store is checked against. Not for bulk data.

import { CANONICAL_FIELDS, type CanonicalEvent } from '../model/fields.ts';
import { SOURCETYPE_BY_KIND, VENDOR_PRODUCT_BY_KIND, eventText } from '../model/synthetic.ts';
import type { EventSource, EventView, StringColumn } from './view.ts';

export interface MemoryViewOptions {
  /** Dictionary-encode every column (default true) so consumers exercise their per-distinct path. */
  dictionary?: boolean;
  /** Evidence file names by evidence index, for the synthetic `source` field. */
  evidenceNames?: readonly string[];
}

export function syntheticFields(ev: CanonicalEvent, evidenceNames?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const host = ev.original['host'] ?? ev.fields.dest;
  if (host !== undefined) out['host'] = host;
  out['source'] = ev.original['source'] ?? evidenceNames?.[ev.locator.evidence] ?? `evidence-${ev.locator.evidence}`;
  out['sourcetype'] = ev.original['sourcetype'] ?? SOURCETYPE_BY_KIND[ev.source];
  out['vendor_product'] = ev.original['vendor_product'] ?? VENDOR_PRODUCT_BY_KIND[ev.source];
  out['_raw'] = ev.raw ?? '';
  out['event_kind'] = ev.kind ?? 'process_creation';
  return out;
}

export function createMemoryView(events: readonly CanonicalEvent[], base = 0, opts: MemoryViewOptions = {}): EventView {
  const dictionary = opts.dictionary ?? true;
  const rows: Array<Map<string, string>> = events.map((ev) => {
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(ev.original)) m.set(k, v);
    for (const [k, v] of Object.entries(syntheticFields(ev, opts.evidenceNames))) m.set(k, v);
    for (const name of CANONICAL_FIELDS) {
      const v = ev.fields[name];
      if (v !== undefined && v !== '') m.set(name, v);
    }
    return m;
  });
  const names = new Set<string>();
  for (const r of rows) for (const k of r.keys()) names.add(k);
  const columns = new Map<string, StringColumn>();
  for (const name of names) {
    const values: Array<string | null> = rows.map((r) => r.get(name) ?? null);
    if (dictionary) {
      const dictValues: Array<string | null> = [null];
      const index = new Map<string, number>();
      const ids = new Uint32Array(values.length);
      values.forEach((v, i) => {
        if (v === null) return;
        let id = index.get(v);
        if (id === undefined) {
          id = dictValues.length;
          dictValues.push(v);
          index.set(v, id);
        }
        ids[i] = id;
      });
      columns.set(name, { dict: { ids, values: dictValues }, get: (row) => dictValues[ids[row]!] ?? null });
    } else {
      columns.set(name, { get: (row) => values[row] ?? null });
    }
  }
  const fieldNames = [...names].sort();
  const timeMs = Float64Array.from(events, (e) => e.timeMs);
  return {
    base,
    rowCount: events.length,
    timeMs,
    column: (name) => columns.get(name),
    fieldNames: () => fieldNames,
    text: (row) => eventText(events[row]!),
  };
}

/** A source made of one or more memory views (split at the given sizes to exercise segment boundaries). */
export function createMemorySource(events: readonly CanonicalEvent[], segmentSizes?: readonly number[], opts?: MemoryViewOptions): EventSource {
  const views: EventView[] = [];
  let base = 0;
  const sizes = segmentSizes ?? [events.length];
  for (const size of sizes) {
    views.push(createMemoryView(events.slice(base, base + size), base, opts));
    base += size;
  }
  if (base < events.length) views.push(createMemoryView(events.slice(base), base, opts));
  return { rowCount: events.length, views };
}
