// Types shared by the ingest readers and the format mappers: format ids, the generic column mapping,
// the flattened record a reader hands to a mapper, and what a mapper answers. Pure data, no behaviour.

import type { CanonicalField, SourceKind } from '../model/fields.ts';
import type { IngestRecord } from '../model/sink.ts';

/** A log family (how fields map), independent of the container (csv / json / xml). */
export type FormatId =
  | 'windows-xml'
  | 'windows-flat'
  | 'evtx-json'
  | 'evtxecmd'
  | 'winevent-csv'
  | 'splunk-cim'
  | 'ecs'
  | 'crowdstrike'
  | 'defender'
  | 'generic';

export const FORMAT_IDS: readonly FormatId[] = [
  'windows-xml', 'windows-flat', 'evtx-json', 'evtxecmd', 'winevent-csv', 'splunk-cim', 'ecs', 'crowdstrike', 'defender', 'generic',
];

export type ContainerKind = 'csv' | 'ndjson' | 'json-array' | 'json-stream' | 'xml';

/** User-chosen column mapping for unknown CSV/JSON (remembered per header signature by the UI). */
export interface GenericMapping {
  /** Original column holding the time. */
  time: string;
  /** Original column holding the host name. */
  host?: string;
  /** canonical field -> original column name. */
  fields: Partial<Record<CanonicalField, string>>;
  /** Source kind to report; `generic` when absent. */
  source?: SourceKind;
}

/** One record as a reader produced it: flattened original names and values, and where it came from. */
export interface FlatRecord {
  names: readonly string[];
  values: ReadonlyArray<string | undefined>;
  /** name -> index into names/values (shared per file for CSV). */
  index: ReadonlyMap<string, number>;
  /** The record's text (XML element, JSON object); CSV leaves it out. */
  text?: string;
  record: number;
  line: number;
  byteOffset: number;
}

export type MapOutcome =
  | { kind: 'event'; rec: IngestRecord }
  | { kind: 'reject'; code: string; reason: string }
  | { kind: 'nonProcess'; what: string };

export interface DetectSample {
  container: ContainerKind;
  /** Union of original names of the first records (CSV: the header). */
  names: ReadonlySet<string>;
  records: readonly FlatRecord[];
}

export interface Detection {
  score: number;
  reason: string;
}

export interface FormatMapper {
  id: FormatId;
  label: string;
  detect(sample: DetectSample): Detection;
  map(rec: FlatRecord): MapOutcome;
}

export function get(rec: FlatRecord, name: string): string | undefined {
  const i = rec.index.get(name);
  return i === undefined ? undefined : rec.values[i];
}

/** First non-empty value among `names`. */
export function getFirst(rec: FlatRecord, names: readonly string[]): string | undefined {
  for (const n of names) {
    const i = rec.index.get(n);
    if (i === undefined) continue;
    const v = rec.values[i];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

export function indexOfNames(names: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    if (!m.has(n)) m.set(n, i);
  }
  return m;
}
