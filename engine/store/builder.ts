// Columnar segment builder: the RecordSink a parser writes into, producing one transferable Segment.
// Invariant: append() allocates nothing per row beyond what the record brings (typed arrays grow by
// doubling; strings are interned or copied into arenas); every record lands in append/reject/nonProcess.

import { CANONICAL_FIELDS, DICTIONARY_FIELDS, type CanonicalField, type SourceKind } from '../model/fields.ts';
import { EVENT_KINDS, EVENT_KIND_INDEX } from '../model/event-kinds.ts';
import type { IngestRecord, RecordSink, Rejection, TimeAlt } from '../model/sink.ts';
import { ArenaWriter, FIRST_SWITCH_CHECK, RESERVED_GROWTH, StringColumnWriter, grow, resize, trim } from './columns.ts';
import { RAW_ALIAS, TIME_ALIAS, addCount, addSkew, type TimeSkewData } from './segment.ts';
import { detectTimeTextFormat, formatTimeText, isTimeText, type TimeTextFormat } from './time-text.ts';
import { makeSkeleton } from './raw-template.ts';
import type {
  ColumnData,
  EvidenceStatsData,
  RawFormat,
  RecordShape,
  RejectSampleData,
  Segment,
} from './segment.ts';

export interface SegmentBuilderOptions {
  /** Evidence index in the case (0..65535). */
  evidence?: number;
  /** Evidence file name (the synthetic `source` field). */
  evidenceName?: string;
  /** How to rebuild raw text for records without `raw`: CSV line or JSON object (default json). */
  rawFormat?: RawFormat;
  /** Distinct values before a column first weighs dictionary vs arena (default FIRST_SWITCH_CHECK). */
  firstSwitchCheck?: { canonical: number; original: number };
}

/** Original columns beyond this many go to the per-row `extra` text (hostile key explosions). */
export const MAX_ORIGINAL_COLUMNS = 1024;
/** Distinct record shapes beyond this many are stored as `extra` text too. */
export const MAX_SHAPES = 4096;
export const MAX_REJECT_SAMPLES = 100;
const RECENT_SHAPES = 4;
/** A column becomes an arena when distinct values exceed this fraction of its rows (dictionary fields: higher). */
const ARENA_FRACTION = 0.5;
const DICTIONARY_FIELD_ARENA_FRACTION = 0.9;

const N_CANON = CANONICAL_FIELDS.length;
const CANONICAL_INDEX: ReadonlyMap<string, number> = new Map(CANONICAL_FIELDS.map((f, i) => [f, i]));

interface OriginalWriter {
  name: string;
  /** Canonical field it mirrors while every value so far equalled it. */
  alias: CanonicalField | null;
  aliasIndex: number;
  /** Mirrors the record's raw text while every value so far equalled it (Splunk `_raw`). */
  rawAlias: boolean;
  /** The event time written in this format while every value so far was exactly that (time-text.ts). */
  timeFormat: TimeTextFormat | null;
  data: StringColumnWriter | null;
}

interface ShapeEntry {
  names: readonly string[];
  format: RawFormat;
  /** Column index per position, -1 when over the column cap. */
  cols: Int32Array;
  has: Set<number>;
  /** 1 at positions whose column is stored and appears once in the shape (readable back by position). */
  unique: Uint8Array;
  /** Over the shape cap: every original field of such a row goes to `extra`. */
  overflow: boolean;
}

export class SegmentBuilder implements RecordSink {
  private rows = 0;
  private capacity = 1024;
  private timeMs = new Float64Array(1024);
  private evidenceCol = new Uint16Array(1024);
  private recordCol = new Uint32Array(1024);
  private lineCol = new Uint32Array(1024);
  /** Byte offsets in 4 bytes a row until one is 4 GiB or more (then 8): most evidence files are smaller. */
  private byteOffsetCol: Float64Array | Uint32Array = new Uint32Array(1024);
  private kindCol = new Uint8Array(1024);
  private eventKindCol = new Uint8Array(1024);
  private shapeCol = new Uint16Array(1024);
  /** Per row: index into `timeFields`, the field its time was read from (0: not named). */
  private timeFieldCol = new Uint8Array(1024);
  private timeFields: string[] = [''];
  private timeFieldIds = new Map<string, number>();
  /** Per evidence file: its records' time fields compared pairwise (key: chosen + '\n' + other). */
  private skew = new Map<number, Map<string, TimeSkewData>>();
  private kinds: SourceKind[] = [];
  /** Appended rows per event kind of the current evidence file (flushed into its stats by flushKinds). */
  private kindCounts = new Float64Array(EVENT_KINDS.length);
  private lastKind: SourceKind | null = null;
  private lastKindId = 0;
  private provider = new StringColumnWriter(Infinity);
  private canonical: Array<StringColumnWriter | null> = new Array<StringColumnWriter | null>(N_CANON).fill(null);
  private originals: OriginalWriter[] = [];
  private originalByName = new Map<string, number>();
  private shapes: ShapeEntry[] = [];
  private shapeByKey = new Map<string, number>();
  private lastShape = -1;
  /** Most recently used shape ids (never the overflow shapes). */
  private recentShapes: number[] = [];
  private lastNames: readonly string[] | null = null;
  private raw = new ArenaWriter();
  private rawTemplate = new StringColumnWriter(ARENA_FRACTION, FIRST_SWITCH_CHECK.original);
  private extra = new ArenaWriter();
  private evidence = 0;
  private rawFormat: RawFormat = 'json';
  private evidenceNames = new Map<number, string>();
  private stats = new Map<number, EvidenceStatsData>();
  private currentStats!: EvidenceStatsData;
  private samples: RejectSampleData[] = [];
  private finished = false;
  private readonly firstCheck: { canonical: number; original: number };

  constructor(opts: SegmentBuilderOptions = {}) {
    this.firstCheck = opts.firstSwitchCheck ?? FIRST_SWITCH_CHECK;
    this.setEvidence(opts.evidence ?? 0, opts.evidenceName ?? `evidence-${opts.evidence ?? 0}`, opts.rawFormat ?? 'json');
  }

  /** Subsequent records belong to this evidence file (one builder may take several files). */
  setEvidence(evidence: number, name: string, rawFormat: RawFormat = this.rawFormat): void {
    if (!Number.isInteger(evidence) || evidence < 0 || evidence > 0xffff) throw new RangeError(`evidence index ${evidence} out of range`);
    if (this.currentStats) this.flushKinds();
    this.evidence = evidence;
    this.rawFormat = rawFormat;
    this.evidenceNames.set(evidence, name);
    let st = this.stats.get(evidence);
    if (!st) {
      st = { evidence, name, appended: 0, rejected: 0, nonProcess: 0, assumedUtc: 0, rejectedByReason: {}, nonProcessByKind: {}, byKind: {} };
      this.stats.set(evidence, st);
    }
    st.name = name;
    this.currentStats = st;
    this.lastNames = null;
    this.lastShape = -1;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Rows expected in all (estimated by the reader): columns are sized for them instead of doubling past them. */
  private reserved = 0;

  /**
   * Sizes every per-row array for `rows` rows (an estimate from the bytes read so far): no doubling slack,
   * and finish() can keep the arrays instead of copying them (trim).
   */
  reserve(rows: number): void {
    if (this.finished || !Number.isFinite(rows) || rows <= this.reserved) return;
    rows = Math.min(Math.ceil(rows), 0xffff_fffe);
    this.reserved = rows;
    if (rows > this.capacity) {
      this.timeMs = resize(this.timeMs, rows);
      this.evidenceCol = resize(this.evidenceCol, rows);
      this.recordCol = resize(this.recordCol, rows);
      this.lineCol = resize(this.lineCol, rows);
      this.byteOffsetCol = resize(this.byteOffsetCol, rows);
      this.kindCol = resize(this.kindCol, rows);
      this.eventKindCol = resize(this.eventKindCol, rows);
      this.shapeCol = resize(this.shapeCol, rows);
      this.timeFieldCol = resize(this.timeFieldCol, rows);
      this.capacity = rows;
    }
    this.provider.reserve(rows);
    for (const c of this.canonical) c?.reserve(rows);
    for (const o of this.originals) o.data?.reserve(rows);
  }

  /** Approximate bytes held so far (callers may finish a segment early to bound worker memory). */
  approxBytes(): number {
    let n = this.capacity * (8 + 2 + 4 + 4 + 8 + 1 + 1 + 2 + 1) + this.raw.byteLength + this.rawTemplate.byteLength + this.extra.byteLength;
    for (const c of this.canonical) if (c) n += c.byteLength;
    for (const o of this.originals) if (o.data) n += o.data.byteLength;
    return n;
  }

  append(rec: IngestRecord): void {
    if (this.finished) throw new Error('SegmentBuilder used after finish()');
    if (!Number.isFinite(rec.timeMs)) {
      this.reject({ reason: 'event time is not a finite number', code: 'bad-time', record: rec.record, line: rec.line, byteOffset: rec.byteOffset });
      return;
    }
    const row = this.rows;
    if (row === this.capacity) this.growRows();
    this.timeMs[row] = rec.timeMs;
    this.evidenceCol[row] = this.evidence;
    this.recordCol[row] = rec.record >>> 0;
    this.lineCol[row] = rec.line >>> 0;
    const off = rec.byteOffset;
    if (off > 0xffff_ffff && !(this.byteOffsetCol instanceof Float64Array)) this.byteOffsetCol = Float64Array.from(this.byteOffsetCol);
    this.byteOffsetCol[row] = off;
    if (rec.source !== this.lastKind) {
      let k = this.kinds.indexOf(rec.source);
      if (k < 0) k = this.kinds.push(rec.source) - 1;
      this.lastKind = rec.source;
      this.lastKindId = k;
    }
    this.kindCol[row] = this.lastKindId;
    const ek = rec.kind === undefined ? 0 : EVENT_KIND_INDEX.get(rec.kind);
    if (ek === undefined) {
      this.reject({ reason: `mapper gave no known event kind ("${String(rec.kind).slice(0, 40)}")`, code: 'bad-kind', record: rec.record, line: rec.line, byteOffset: rec.byteOffset });
      return;
    }
    this.eventKindCol[row] = ek;
    this.kindCounts[ek]!++;
    if (rec.provider != null) this.provider.set(row, rec.provider);
    if (rec.timeField !== undefined) this.timeFieldCol[row] = this.timeFieldId(rec.timeField);
    if (rec.timeAlts !== undefined && rec.timeField !== undefined) this.compareTimes(rec.timeField, rec.timeMs, rec.timeAlts, rec.assumedUtc === true);
    if (rec.assumedUtc) this.currentStats.assumedUtc++;

    const fields = rec.fields;
    // Only the fields the record has (about half of them), each by its own key: a keyed load per canonical field
    // name went through V8's megamorphic cache 17 times a row.
    for (const name in fields) {
      const f = CANONICAL_INDEX.get(name);
      if (f === undefined) continue;
      const v = fields[name as CanonicalField];
      // `== null`: a mapper bug that hands over null must not become the text "null".
      if (v == null) continue;
      let col = this.canonical[f];
      if (!col) {
        col = new StringColumnWriter(
          DICTIONARY_FIELDS.has(CANONICAL_FIELDS[f]!) ? DICTIONARY_FIELD_ARENA_FRACTION : ARENA_FRACTION,
          this.firstCheck.canonical,
        );
        if (this.reserved) col.reserve(this.reserved);
        this.canonical[f] = col;
      }
      col.set(row, v);
    }

    const names = rec.originalNames;
    const values = rec.originalValues;
    const shapeId = this.shapeFor(names, values, fields, rec.raw, rec.timeMs);
    this.shapeCol[row] = shapeId;
    const shape = this.shapes[shapeId]!;
    const cols = shape.cols;

    if (rec.raw != null) {
      // XML text is mostly the same skeleton around the record's own values: store that skeleton once.
      const raw = String(rec.raw);
      const unique = shape.unique;
      const skeleton = shape.overflow ? null : makeSkeleton(raw, values, (i) => unique[i] === 1);
      if (skeleton !== null) this.rawTemplate.set(row, skeleton);
      else this.raw.put(row, raw);
    }
    let extra: Array<[string, string]> | null = null;
    if (shape.overflow) {
      for (let i = 0; i < names.length; i++) {
        const v = values[i];
        if (v != null) (extra ??= []).push([names[i]!, String(v)]);
      }
    }
    for (let i = 0; i < cols.length; i++) {
      const v = values[i];
      const c = cols[i]!;
      if (c < 0) {
        if (v != null) (extra ??= []).push([names[i]!, String(v)]);
        continue;
      }
      const w = this.originals[c]!;
      if (w.alias !== null) {
        if (fields[w.alias] === v) continue;
        this.materialise(c, row);
      } else if (w.rawAlias) {
        if (rec.raw === v) continue;
        this.materialise(c, row);
      } else if (w.timeFormat !== null) {
        if (v !== undefined && v !== null && isTimeText(v, rec.timeMs, w.timeFormat)) continue;
        this.materialise(c, row);
      }
      if (v != null) w.data!.set(row, v);
    }
    if (extra) this.extra.put(row, JSON.stringify(extra));

    this.currentStats.appended++;
    this.rows = row + 1;
  }

  reject(rej: Rejection): void {
    const st = this.currentStats;
    st.rejected++;
    addCount(st.rejectedByReason, rej.code);
    if (this.samples.length < MAX_REJECT_SAMPLES) {
      const s: RejectSampleData = { evidence: this.evidence, reason: rej.reason, code: rej.code };
      if (rej.record !== undefined) s.record = rej.record;
      if (rej.line !== undefined) s.line = rej.line;
      if (rej.byteOffset !== undefined) s.byteOffset = rej.byteOffset;
      this.samples.push(s);
    }
  }

  /** Moves the per-kind row counts into the current file's stats (`byKind`). */
  private flushKinds(): void {
    const c = this.kindCounts;
    for (let k = 0; k < c.length; k++) {
      if (c[k]! > 0) addCount(this.currentStats.byKind, EVENT_KINDS[k]!, c[k]!);
      c[k] = 0;
    }
  }

  /** The id of a time field name (at most 255 distinct per segment; beyond that a row's field is not named). */
  private timeFieldId(name: string): number {
    let id = this.timeFieldIds.get(name);
    if (id === undefined) {
      if (this.timeFields.length > 0xff) return 0;
      id = this.timeFields.push(name) - 1;
      this.timeFieldIds.set(name, id);
    }
    return id;
  }

  /** Running per-file comparison of a record's time with its other time fields (query/time-skew.ts reads it). */
  private compareTimes(chosen: string, ms: number, alts: readonly TimeAlt[], chosenAssumedUtc: boolean): void {
    let m = this.skew.get(this.evidence);
    if (!m) {
      m = new Map();
      this.skew.set(this.evidence, m);
    }
    for (const a of alts) {
      const key = chosen + '\n' + a.field;
      let st = m.get(key);
      if (!st) {
        st = { chosen, other: a.field, n: 0, chosenAssumedUtc: 0, otherAssumedUtc: 0, minMs: Infinity, maxMs: -Infinity, buckets: {}, bucketKeys: 0, spill: 0 };
        m.set(key, st);
        (this.currentStats.timeSkew ??= []).push(st);
      }
      addSkew(st, a.ms - ms, chosenAssumedUtc, a.assumedUtc);
    }
  }

  nonProcess(kind: string, _record: number): void {
    const st = this.currentStats;
    st.nonProcess++;
    addCount(st.nonProcessByKind, kind);
  }

  private growRows(): void {
    const factor = this.reserved ? RESERVED_GROWTH : 2;
    const n = Math.ceil(this.capacity * factor);
    this.timeMs = grow(this.timeMs, n, Infinity, factor);
    this.evidenceCol = grow(this.evidenceCol, n, Infinity, factor);
    this.recordCol = grow(this.recordCol, n, Infinity, factor);
    this.lineCol = grow(this.lineCol, n, Infinity, factor);
    this.byteOffsetCol = grow(this.byteOffsetCol, n, Infinity, factor);
    this.kindCol = grow(this.kindCol, n, Infinity, factor);
    this.eventKindCol = grow(this.eventKindCol, n, Infinity, factor);
    this.shapeCol = grow(this.shapeCol, n, Infinity, factor);
    this.timeFieldCol = grow(this.timeFieldCol, n, Infinity, factor);
    this.capacity = this.timeMs.length;
  }

  private sameNames(a: readonly string[], b: readonly string[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** The shape of this record's original names: by reference (CSV header), then by content, then new. */
  private shapeFor(
    names: readonly string[],
    values: ReadonlyArray<string | undefined>,
    fields: IngestRecord['fields'],
    raw: string | undefined,
    timeMs: number,
  ): number {
    if (names === this.lastNames) return this.lastShape;
    // Records alternating among a few shapes (mixed Sysmon versions) are found without building a key.
    for (const id of this.recentShapes) {
      const s = this.shapes[id]!;
      if (s.format === this.rawFormat && this.sameNames(s.names, names)) {
        this.lastNames = names;
        this.lastShape = id;
        return id;
      }
    }
    const key = this.rawFormat + '\u0000' + names.join('\u0000');
    let id = this.shapeByKey.get(key);
    if (id === undefined && this.shapes.length >= MAX_SHAPES) {
      const overflowKey = this.rawFormat + '\u0000\u0001overflow';
      id = this.shapeByKey.get(overflowKey);
      if (id === undefined) {
        id = this.shapes.push({ names: [], format: this.rawFormat, cols: new Int32Array(0), has: new Set(), unique: new Uint8Array(0), overflow: true }) - 1;
        this.shapeByKey.set(overflowKey, id);
      }
      // Not cached as lastNames: the next record must be looked up again.
      this.lastShape = -1;
      this.lastNames = null;
      return id;
    }
    if (id === undefined) {
      const cols = new Int32Array(names.length);
      const has = new Set<number>();
      for (let i = 0; i < names.length; i++) {
        const c = this.columnFor(names[i]!, values[i], fields, raw, timeMs);
        cols[i] = c;
        if (c >= 0) has.add(c);
      }
      const seen = new Map<number, number>();
      for (const c of cols) seen.set(c, (seen.get(c) ?? 0) + 1);
      const unique = Uint8Array.from(cols, (c) => (c >= 0 && seen.get(c) === 1 ? 1 : 0));
      id = this.shapes.push({ names: names.slice(), format: this.rawFormat, cols, has, unique, overflow: false }) - 1;
      this.shapeByKey.set(key, id);
    }
    this.lastShape = id;
    this.lastNames = names;
    if (!this.recentShapes.includes(id)) {
      this.recentShapes.unshift(id);
      if (this.recentShapes.length > RECENT_SHAPES) this.recentShapes.pop();
    }
    return id;
  }

  /** Find or create the column of an original name; a new column aliases an equal canonical field or raw text. */
  private columnFor(name: string, v: string | undefined, fields: IngestRecord['fields'], raw: string | undefined, timeMs: number): number {
    const existing = this.originalByName.get(name);
    if (existing !== undefined) return existing;
    if (this.originals.length >= MAX_ORIGINAL_COLUMNS) return -1;
    let alias: CanonicalField | null = null;
    let aliasIndex = -1;
    if (v !== undefined) {
      const same = CANONICAL_FIELDS.indexOf(name as CanonicalField);
      if (same >= 0 && fields[name as CanonicalField] === v) {
        alias = name as CanonicalField;
        aliasIndex = same;
      } else if (v !== '') {
        for (let f = 0; f < N_CANON; f++) {
          if (fields[CANONICAL_FIELDS[f]!] === v) {
            alias = CANONICAL_FIELDS[f]!;
            aliasIndex = f;
            break;
          }
        }
      }
    }
    const rawAlias = alias === null && v !== undefined && v !== '' && v === raw;
    const timeFormat = alias === null && !rawAlias && typeof v === 'string' ? detectTimeTextFormat(v, timeMs) : null;
    const w: OriginalWriter = { name, alias, aliasIndex, rawAlias, timeFormat, data: null };
    if (alias === null && !rawAlias && timeFormat === null) {
      w.data = new StringColumnWriter(ARENA_FRACTION, this.firstCheck.original);
      if (this.reserved) w.data.reserve(this.reserved);
    }
    const id = this.originals.push(w) - 1;
    this.originalByName.set(name, id);
    return id;
  }

  /** An alias stopped holding at `row`: copy the canonical (or raw) values of the earlier rows that had this column. */
  private materialise(c: number, row: number): void {
    const w = this.originals[c]!;
    const canon = w.rawAlias ? this.raw : w.alias !== null ? this.canonical[w.aliasIndex] : null;
    const data = new StringColumnWriter(ARENA_FRACTION, this.firstCheck.original);
    if (this.reserved) data.reserve(this.reserved);
    const format = w.timeFormat;
    if (format !== null) {
      for (let r = 0; r < row; r++) {
        if (this.shapes[this.shapeCol[r]!]!.has.has(c)) data.set(r, formatTimeText(this.timeMs[r]!, format));
      }
    } else if (canon) {
      const shapeCol = this.shapeCol;
      for (let r = 0; r < row; r++) {
        if (!this.shapes[shapeCol[r]!]!.has.has(c)) continue;
        const v = canon.get(r);
        if (v !== null) data.set(r, v);
      }
    }
    w.alias = null;
    w.rawAlias = false;
    w.timeFormat = null;
    w.data = data;
  }

  finish(): Segment {
    if (this.finished) throw new Error('SegmentBuilder.finish() called twice');
    this.finished = true;
    this.flushKinds();
    const n = this.rows;
    // Each writer is dropped as soon as its trimmed copy exists, so the oversized growth buffers can be
    // collected during finish and nothing of them stays reachable from a builder the caller keeps.
    const canonical: Record<string, ColumnData> = {};
    const canonicalNonEmpty: string[] = [];
    for (let f = 0; f < N_CANON; f++) {
      const c = this.canonical[f];
      if (!c) continue;
      canonical[CANONICAL_FIELDS[f]!] = c.finish(n);
      if (c.nonEmpty) canonicalNonEmpty.push(CANONICAL_FIELDS[f]!);
      this.canonical[f] = null;
    }
    const original: ColumnData[] = this.originals.map((w) => {
      const data: ColumnData =
        w.alias !== null
          ? { kind: 'alias', canonical: w.alias }
          : w.rawAlias
            ? { kind: 'alias', canonical: RAW_ALIAS }
            : w.timeFormat !== null
              ? { kind: 'alias', canonical: TIME_ALIAS, timeFormat: w.timeFormat }
              : w.data!.finish(n);
      w.data = null;
      return data;
    });
    const shapes: RecordShape[] = this.shapes.map((s) => ({ format: s.format, columns: Array.from(s.cols) }));
    const providerCol = this.provider.finish(n);
    const seg: Segment = {
      rowCount: n,
      timeMs: trim(this.timeMs, n),
      evidence: trim(this.evidenceCol, n),
      record: trim(this.recordCol, n),
      line: trim(this.lineCol, n),
      byteOffset: trim(this.byteOffsetCol, n),
      kind: trim(this.kindCol, n),
      kinds: this.kinds,
      eventKind: trim(this.eventKindCol, n),
      timeField: trim(this.timeFieldCol, n),
      timeFields: this.timeFields,
      provider: providerCol.kind === 'dict' ? providerCol : { kind: 'dict', ids: new Uint32Array(n), values: [null] },
      canonical,
      originalNames: this.originals.map((w) => w.name),
      original,
      shape: trim(this.shapeCol, n),
      shapes,
      raw: this.raw.finish(n),
      rawTemplate: this.rawTemplate.finish(n),
      extra: this.extra.finish(n),
      canonicalNonEmpty,
      evidenceNames: [...this.evidenceNames],
      stats: [...this.stats.values()],
      rejectSamples: this.samples,
    };
    this.release();
    return seg;
  }

  private release(): void {
    this.timeMs = new Float64Array(0);
    this.evidenceCol = new Uint16Array(0);
    this.recordCol = new Uint32Array(0);
    this.lineCol = new Uint32Array(0);
    this.byteOffsetCol = new Uint32Array(0);
    this.kindCol = new Uint8Array(0);
    this.eventKindCol = new Uint8Array(0);
    this.shapeCol = new Uint16Array(0);
    this.timeFieldCol = new Uint8Array(0);
    this.capacity = 0;
    this.originals = [];
    this.originalByName = new Map();
    this.shapes = [];
    this.shapeByKey = new Map();
    this.raw = new ArenaWriter();
    this.rawTemplate = new StringColumnWriter(ARENA_FRACTION);
    this.extra = new ArenaWriter();
    this.provider = new StringColumnWriter(Infinity);
  }
}
