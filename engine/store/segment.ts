// A finished store segment: plain typed arrays and string arrays, structured-clone friendly.
// Invariant: every per-row array has exactly `rowCount` entries (arena offsets rowCount + 1), so a
// parse worker can transfer the buffers to the engine worker and nothing else references them.

import type { SourceKind } from '../model/fields.ts';

/** Per-row dictionary ids in the narrowest type that holds the dictionary (1, 2 or 4 bytes a row). */
export type DictIds = Uint8Array | Uint16Array | Uint32Array;

/** Dictionary-encoded strings: `ids[row]` indexes `values`; `values[0]` is null (missing). */
export interface DictColumnData {
  kind: 'dict';
  ids: DictIds;
  values: Array<string | null>;
}

/** Near-unique strings: UTF-8 bytes of row r are `bytes[offsets[r] .. offsets[r + 1])`; bit r of `present` says it exists. */
export interface ArenaColumnData {
  kind: 'arena';
  bytes: Uint8Array;
  offsets: Uint32Array;
  present: Uint8Array;
  /** Command-line columns: row r's value is `prefixes[prefixIds[r]]` + its bytes (`prefixes[0]` = ''). */
  prefixIds?: Uint16Array;
  prefixes?: string[];
}

/** GUIDs as 16 bytes per row (row r at `bytes[16r..]`), written back in the column's one text style. */
export interface GuidColumnData {
  kind: 'guid';
  bytes: Uint8Array;
  present: Uint8Array;
  braces: boolean;
  upper: boolean;
}

/** `AliasColumnData.canonical` of an original column that holds the record's raw text (Splunk `_raw`). */
export const RAW_ALIAS = '_raw';

/** `AliasColumnData.canonical` of an original column that is the event time written as text. */
export const TIME_ALIAS = '_time';

/**
 * An original column stored as the canonical column of the same values (CIM exports), as the raw text,
 * or as the event time in a text format.
 */
export interface AliasColumnData {
  kind: 'alias';
  /** Canonical field name, RAW_ALIAS or TIME_ALIAS. */
  canonical: string;
  /** With TIME_ALIAS: the format (time-text.ts). */
  timeFormat?: string;
}

/** A column that holds its own values. */
export type StoredColumnData = DictColumnData | ArenaColumnData | GuidColumnData;
export type ColumnData = StoredColumnData | AliasColumnData;

/** How a record's raw text is rebuilt when the record did not bring it. */
export type RawFormat = 'csv' | 'json';

/** The ordered original field names of a group of records (CSV header, JSON key order). */
export interface RecordShape {
  format: RawFormat;
  /** Indexes into `Segment.original`, in the record's own field order. */
  columns: number[];
}

export interface RejectSampleData {
  evidence: number;
  reason: string;
  code: string;
  record?: number;
  line?: number;
  byteOffset?: number;
}

export interface EvidenceStatsData {
  evidence: number;
  name: string;
  appended: number;
  rejected: number;
  nonProcess: number;
  assumedUtc: number;
  rejectedByReason: Record<string, number>;
  nonProcessByKind: Record<string, number>;
  /** Appended events per event kind (model/event-kinds.ts names); the counts add up to `appended`. */
  byKind: Record<string, number>;
  /** The file's time fields compared record by record, one entry per (chosen field, other field) pair. */
  timeSkew?: TimeSkewData[];
}

/**
 * Running comparison of two time fields over the records that carry both: `other` minus `chosen` (the field the
 * event's time came from), in a histogram of whole seconds. Sums of these merge exactly (mergeSkew).
 */
export interface TimeSkewData {
  chosen: string;
  other: string;
  /** Records carrying both. */
  n: number;
  /** Of them, records whose chosen / other field was written without zone (read as UTC). */
  chosenAssumedUtc: number;
  otherAssumedUtc: number;
  /** Extremes of other - chosen, ms. */
  minMs: number;
  maxMs: number;
  /** Records per other - chosen rounded to whole seconds (key: the seconds); at most MAX_SKEW_BUCKETS keys. */
  buckets: Record<string, number>;
  bucketKeys: number;
  /** Records whose offset found no bucket (the cap was reached). */
  spill: number;
}

export const MAX_SKEW_BUCKETS = 2048;

/** Adds one record's offset (other - chosen, ms) to `st`. */
export function addSkew(st: TimeSkewData, diffMs: number, chosenAssumedUtc: boolean, otherAssumedUtc: boolean, count = 1): void {
  st.n += count;
  if (chosenAssumedUtc) st.chosenAssumedUtc += count;
  if (otherAssumedUtc) st.otherAssumedUtc += count;
  if (diffMs < st.minMs) st.minMs = diffMs;
  if (diffMs > st.maxMs) st.maxMs = diffMs;
  const k = String(Math.round(diffMs / 1000));
  const prev = st.buckets[k];
  if (prev !== undefined) st.buckets[k] = prev + count;
  else if (st.bucketKeys < MAX_SKEW_BUCKETS) {
    st.buckets[k] = count;
    st.bucketKeys++;
  } else st.spill += count;
}

/** Merges `from` (same pair) into `into`. */
export function mergeSkew(into: TimeSkewData, from: TimeSkewData): void {
  into.n += from.n;
  into.chosenAssumedUtc += from.chosenAssumedUtc;
  into.otherAssumedUtc += from.otherAssumedUtc;
  into.minMs = Math.min(into.minMs, from.minMs);
  into.maxMs = Math.max(into.maxMs, from.maxMs);
  into.spill += from.spill;
  for (const [k, c] of Object.entries(from.buckets)) {
    const prev = into.buckets[k];
    if (prev !== undefined) into.buckets[k] = prev + c;
    else if (into.bucketKeys < MAX_SKEW_BUCKETS) {
      into.buckets[k] = c;
      into.bucketKeys++;
    } else into.spill += c;
  }
}

export interface Segment {
  rowCount: number;
  timeMs: Float64Array;
  /** Evidence index in the case, per row. */
  evidence: Uint16Array;
  record: Uint32Array;
  line: Uint32Array;
  /** Uint32 while every offset fits (files under 4 GiB), Float64 past that. */
  byteOffset: Float64Array | Uint32Array;
  /** Index into `kinds` per row. */
  kind: Uint8Array;
  kinds: SourceKind[];
  /** Event kind per row: an index into EVENT_KINDS (model/event-kinds.ts), fixed across segments. */
  eventKind: Uint8Array;
  /** Per row: index into `timeFields`, the source field of the row's time (formats/time-fields.ts); 0 = not named. */
  timeField: Uint8Array;
  /** Time field names of this segment; `timeFields[0]` is ''. */
  timeFields: string[];
  /** The times as read, when a clock correction moved some of `timeMs` (EngineSession.setClockCorrections). */
  timeMsOriginal?: Float64Array;
  /** Provider / channel per row (dictionary; not a searchable field of the view). */
  provider: DictColumnData;
  /** Canonical fields by name; '' is stored as '' (the view reports it as missing). */
  canonical: Record<string, ColumnData>;
  /** Original fields in first-seen order. */
  originalNames: string[];
  original: ColumnData[];
  /** Index into `shapes` per row (MAX_SHAPES keeps it within 16 bits). */
  shape: Uint16Array;
  shapes: RecordShape[];
  /** `rec.raw` verbatim when it could not be stored as a skeleton; otherwise rebuilt (see rawTemplate, shape). */
  raw: ArenaColumnData;
  /** Skeleton of `rec.raw` with holes for the record's original values (raw-template.ts), per row. */
  rawTemplate: StoredColumnData;
  /** Original fields beyond the column cap, per row, as a JSON object text (hostile inputs only). */
  extra: ArenaColumnData;
  /** Canonical fields that hold a non-empty value in some row. */
  canonicalNonEmpty: string[];
  evidenceNames: Array<[number, string]>;
  stats: EvidenceStatsData[];
  rejectSamples: RejectSampleData[];
}

/** counts[key] += n, safe for keys taken from evidence (`__proto__`, `constructor` stay own data properties). */
export function addCount(counts: Record<string, number>, key: string, n = 1): void {
  const prev = Object.prototype.hasOwnProperty.call(counts, key) ? counts[key]! : 0;
  Object.defineProperty(counts, key, { value: prev + n, writable: true, enumerable: true, configurable: true });
}

function columnBuffers(c: ColumnData, out: Set<ArrayBuffer>): void {
  if (c.kind === 'dict') out.add(c.ids.buffer as ArrayBuffer);
  else if (c.kind === 'arena') {
    out.add(c.bytes.buffer as ArrayBuffer);
    out.add(c.offsets.buffer as ArrayBuffer);
    out.add(c.present.buffer as ArrayBuffer);
  } else if (c.kind === 'guid') {
    out.add(c.bytes.buffer as ArrayBuffer);
    out.add(c.present.buffer as ArrayBuffer);
  }
}

/** The buffers to list as transferables when posting a segment to another worker (no copy). */
export function transferables(seg: Segment): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of [seg.timeMs, seg.evidence, seg.record, seg.line, seg.byteOffset, seg.kind, seg.eventKind, seg.timeField, seg.shape]) {
    out.add(a.buffer as ArrayBuffer);
  }
  columnBuffers(seg.provider, out);
  columnBuffers(seg.raw, out);
  columnBuffers(seg.rawTemplate, out);
  columnBuffers(seg.extra, out);
  for (const c of Object.values(seg.canonical)) columnBuffers(c, out);
  for (const c of seg.original) columnBuffers(c, out);
  return [...out];
}

/** Estimated heap bytes of a JS string kept in a dictionary (header + one-byte or two-byte chars + array slot). */
export function stringBytes(s: string): number {
  let wide = false;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      wide = true;
      break;
    }
  }
  return 24 + (wide ? 2 * s.length : s.length);
}

export function columnByteSize(c: ColumnData): number {
  if (c.kind === 'alias') return 0;
  if (c.kind === 'arena') {
    let n = c.bytes.byteLength + c.offsets.byteLength + c.present.byteLength;
    if (c.prefixIds) n += c.prefixIds.byteLength;
    for (const p of c.prefixes ?? []) n += stringBytes(p);
    return n;
  }
  if (c.kind === 'guid') return c.bytes.byteLength + c.present.byteLength;
  let n = c.ids.byteLength + 8;
  for (let i = 1; i < c.values.length; i++) n += stringBytes(c.values[i]!);
  return n;
}

/** Bytes the segment holds: typed arrays, arenas and an estimate of dictionary strings. */
export function byteSize(seg: Segment): number {
  let n = 0;
  for (const a of [seg.timeMs, seg.evidence, seg.record, seg.line, seg.byteOffset, seg.kind, seg.eventKind, seg.timeField, seg.shape]) n += a.byteLength;
  n += columnByteSize(seg.provider) + columnByteSize(seg.raw) + columnByteSize(seg.rawTemplate) + columnByteSize(seg.extra);
  for (const c of Object.values(seg.canonical)) n += columnByteSize(c);
  for (const c of seg.original) n += columnByteSize(c);
  for (const s of seg.shapes) n += 32 + 8 * s.columns.length;
  return n;
}
