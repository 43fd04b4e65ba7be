// Every event of a case as CSV or NDJSON (issue 13, `npm run events`): what EvtxECmd does for .evtx, for every format
// Hopscope reads. Each event: its UTC time and the field that time came from (and the time as read, when a clock
// correction moved it), its kind, where it is in the evidence (file, SHA-256, record, line, byte offset), its
// canonical (CIM) fields and its original fields as the evidence spelled them.
// Invariant: CSV cells are formula-safe (csv.ts); CSV columns are fixed for the whole export (every canonical field
// any event has, then `original.<name>` for every original name), so a spreadsheet reads one table.

import { CANONICAL_FIELDS } from '../model/fields.ts';
import type { EventStore } from '../store/store.ts';
import { csvRow } from './csv.ts';
import { isoUtc } from './report.ts';

export type EventsFormat = 'csv' | 'ndjson';

/** Columns before the fields, in order. */
export const EVENT_EXPORT_LEAD = ['time_utc', 'time_field', 'time_original_utc', 'kind', 'evidence_file', 'evidence_sha256', 'record', 'line', 'byte_offset'] as const;

export interface EventsExportColumns {
  canonical: string[];
  original: string[];
}

/**
 * Every canonical field some segment holds (in CANONICAL_FIELDS order) and every original name a segment has a column
 * for, sorted. Originals a record carried beyond its segment's columns (and a name repeated in one record) go to the
 * CSV's last column, `original_other`, as JSON pairs: nothing is dropped.
 */
export function eventsExportColumns(store: EventStore): EventsExportColumns {
  const names = new Set<string>();
  const original = new Set<string>();
  for (const v of store.views) {
    for (const n of v.fieldNames()) names.add(n);
    for (const n of v.segment.originalNames) original.add(n);
  }
  return { canonical: CANONICAL_FIELDS.filter((n) => names.has(n)), original: [...original].sort() };
}

export interface EventExportContext {
  store: EventStore;
  columns: EventsExportColumns;
  /** `columns.original` as a set. */
  originalSet: ReadonlySet<string>;
  /** SHA-256 of an evidence index ('' while unknown). */
  sha256: (evidence: number) => string;
  /** Whether clock corrections are set (then `time_original_utc` is filled). */
  corrected: boolean;
}

export function eventsCsvHeader(cols: EventsExportColumns): string {
  return csvRow([...EVENT_EXPORT_LEAD, ...cols.canonical, ...cols.original.map((n) => `original.${n}`), 'original_other']);
}

/** One event as a CSV row or an NDJSON line (no line end). */
export function eventLine(ctx: EventExportContext, row: number, format: EventsFormat): string {
  const { view, row: local } = ctx.store.locate(row);
  const loc = view.locator(local);
  const timeMs = view.timeMs[local]!;
  const original = ctx.corrected ? ctx.store.originalTimeAt(row) : timeMs;
  const kind = view.column('event_kind')?.get(local) ?? 'process_creation';
  const timeField = view.timeFieldAt(local);
  const file = ctx.store.evidenceName(loc.evidence);
  const sha = ctx.sha256(loc.evidence);
  const orig = view.originalFields(local);
  if (format === 'ndjson') {
    const fields: Record<string, string> = {};
    for (const n of ctx.columns.canonical) {
      const v = view.column(n)?.get(local);
      if (v !== null && v !== undefined && v !== '') fields[n] = v;
    }
    // Own properties only (a field named `__proto__` stays a field); a name repeated in one record keeps every value.
    const originals: Record<string, string> = {};
    for (const [k, v] of orig) {
      let key = k;
      for (let n = 2; Object.hasOwn(originals, key); n++) key = `${k}#${n}`;
      Object.defineProperty(originals, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return JSON.stringify({
      time: isoUtc(timeMs),
      ...(timeField ? { time_field: timeField } : {}),
      ...(original !== timeMs ? { time_original: isoUtc(original) } : {}),
      kind,
      evidence: { file, sha256: sha, record: loc.record, ...(loc.line ? { line: loc.line } : {}), ...(loc.byteOffset !== undefined ? { byte_offset: loc.byteOffset } : {}) },
      fields,
      original: originals,
    });
  }
  const byName = new Map<string, string>();
  const other: Array<[string, string]> = [];
  for (const [k, v] of orig) {
    if (!byName.has(k) && ctx.originalSet.has(k)) byName.set(k, v);
    else other.push([k, v]);
  }
  return csvRow([
    isoUtc(timeMs),
    timeField ?? '',
    original !== timeMs ? isoUtc(original) : '',
    kind,
    file,
    sha,
    loc.record,
    loc.line || '',
    loc.byteOffset ?? '',
    ...ctx.columns.canonical.map((n) => view.column(n)?.get(local) ?? ''),
    ...ctx.columns.original.map((n) => byName.get(n) ?? ''),
    other.length ? JSON.stringify(other) : '',
  ]);
}
