// EventView over one columnar Segment: canonical, original and synthetic fields, event text, raw text.
// Invariant: answers exactly what createMemoryView (memory-view.ts) answers for the same events, except
// `_raw` of records without raw text, which is rebuilt from the original fields (CSV line / JSON object).

import { CANONICAL_FIELDS, isCanonicalField, type EventLocator, type SourceKind } from '../model/fields.ts';
import { SOURCETYPE_BY_KIND, VENDOR_PRODUCT_BY_KIND } from '../model/synthetic.ts';
import { EVENT_KINDS, type EventKind } from '../model/event-kinds.ts';
import { decodeArena, decodeGuidColumn } from './columns.ts';
import { escapeVariant, fillSkeleton, scanSkeleton, type SkeletonScan } from './raw-template.ts';
import { formatTimeText } from './time-text.ts';
import {
  RAW_ALIAS,
  TIME_ALIAS,
  transferables,
  type ArenaColumnData,
  type ColumnData,
  type DictColumnData,
  type DictIds,
  type Segment,
  type StoredColumnData,
} from './segment.ts';
import type { EventView, StringColumn } from './view.ts';

type Getter = (row: number) => string | null;

const SYNTHETIC = new Set(['host', 'source', 'sourcetype', 'vendor_product', '_raw', 'event_kind']);

function dictColumn(d: DictColumnData): StringColumn {
  const { ids, values } = d;
  return { dict: { ids, values }, get: (row) => values[ids[row]!] ?? null };
}

function arenaColumn(a: ArenaColumnData): StringColumn {
  return { get: (row) => decodeArena(a, row) };
}

function storedColumn(c: StoredColumnData): StringColumn {
  if (c.kind === 'dict') return dictColumn(c);
  if (c.kind === 'guid') return { get: (row) => decodeGuidColumn(c, row) };
  return arenaColumn(c);
}

/** Same column with '' reported as missing (canonical fields treat an empty value as absent). */
function emptyAsMissing(c: StringColumn): StringColumn {
  if (c.dict) {
    const { ids } = c.dict;
    const values = c.dict.values.map((v) => (v === '' ? null : v));
    return { dict: { ids, values }, get: (row) => values[ids[row]!] ?? null };
  }
  const g = c.get;
  return {
    get: (row) => {
      const v = g(row);
      return v === '' ? null : v;
    },
  };
}

/**
 * A dictionary column whose missing (or, for canonical fields, empty) rows fall back to another column
 * (the reference semantics), still dictionary-encoded so consumers keep their per-distinct path.
 * Only the rows the fallback changes get new ids; when none do, no per-row array is built.
 */
function mergeDict(
  primary: NonNullable<StringColumn['dict']>,
  fallback: StringColumn,
  rowCount: number,
  emptyIsMissing: boolean,
): StringColumn {
  const { ids: cids, values: cvals } = primary;
  const values: Array<string | null> = emptyIsMissing ? cvals.map((v) => (v === '' ? null : v)) : cvals.slice();
  const emptyId = new Uint8Array(cvals.length);
  cvals.forEach((v, i) => {
    if (v === null || (emptyIsMissing && v === '')) emptyId[i] = 1;
  });
  let ids: DictIds | null = null;
  const extra = new Map<string, number>();
  for (let r = 0; r < rowCount; r++) {
    const id = cids[r]!;
    if (emptyId[id] === 0) continue;
    const o = fallback.get(r);
    if (o === null) continue;
    // Widened: the fallback's values may take ids past what the narrow array holds.
    if (!ids) ids = cids instanceof Uint32Array ? cids.slice() : Uint32Array.from(cids);
    let e = extra.get(o);
    if (e === undefined) {
      e = values.push(o) - 1;
      extra.set(o, e);
    }
    ids[r] = e;
  }
  const finalIds = ids ?? cids;
  return { dict: { ids: finalIds, values }, get: (row) => values[finalIds[row]!] ?? null };
}

const JSON_ESCAPED = /[\u0000-\u001f\uD800-\uDFFF]/;
/** A string as it reads inside JSON text (escapes only where JSON.stringify writes them). */
function jsonText(v: string): string {
  return JSON_ESCAPED.test(v) ? JSON.stringify(v) : v;
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

export class SegmentView implements EventView {
  readonly rowCount: number;
  readonly timeMs: Float64Array;
  private readonly columns = new Map<string, StringColumn | null>();
  private readonly originalIndex = new Map<string, number>();
  private readonly internalCanon = new Map<string, StringColumn>();
  private readonly aliasMask = new Map<number, Uint8Array>();
  private names: string[] | null = null;
  private readonly templates: StringColumn;

  constructor(
    readonly segment: Segment,
    readonly base: number,
    private readonly evidenceName: (evidence: number) => string,
  ) {
    this.rowCount = segment.rowCount;
    this.timeMs = segment.timeMs;
    this.templates = storedColumn(segment.rawTemplate);
    segment.originalNames.forEach((n, i) => {
      if (!this.originalIndex.has(n)) this.originalIndex.set(n, i);
    });
  }

  /** A canonical column exactly as stored ('' kept, unlike column(name)); what the event text is made of. */
  canonicalColumn(name: string): StringColumn | undefined {
    return this.canonInternal(name);
  }

  /** A canonical column exactly as stored ('' kept). */
  private canonInternal(name: string): StringColumn | undefined {
    let c = this.internalCanon.get(name);
    if (c) return c;
    const data = this.segment.canonical[name];
    if (!data || data.kind === 'alias') return undefined;
    c = storedColumn(data);
    this.internalCanon.set(name, c);
    return c;
  }

  /** Per shape: 1 when the shape has original column `idx`. */
  private maskOf(idx: number): Uint8Array {
    let m = this.aliasMask.get(idx);
    if (!m) {
      m = new Uint8Array(this.segment.shapes.length);
      this.segment.shapes.forEach((s, i) => {
        if (s.columns.includes(idx)) m![i] = 1;
      });
      this.aliasMask.set(idx, m);
    }
    return m;
  }

  /** Reader of original column `idx` (alias columns read their canonical column on rows whose shape has them). */
  private originalColumn(idx: number): StringColumn {
    const data: ColumnData = this.segment.original[idx]!;
    if (data.kind !== 'alias') return storedColumn(data);
    // A time column is the time as read, not as a clock correction moved it.
    const times = this.segment.timeMsOriginal ?? this.timeMs;
    const format = data.timeFormat ?? 'T3Z';
    const canon: StringColumn | undefined =
      data.canonical === RAW_ALIAS
        ? arenaColumn(this.segment.raw)
        : data.canonical === TIME_ALIAS
          ? { get: (row) => formatTimeText(times[row]!, format) }
          : this.canonInternal(data.canonical);
    if (!canon) return { get: () => null };
    const mask = this.maskOf(idx);
    if (mask.every((b) => b === 1)) return canon;
    const shape = this.segment.shape;
    const g = canon.get;
    return { get: (row) => (mask[shape[row]!] === 1 ? g(row) : null) };
  }

  column(name: string): StringColumn | undefined {
    const cached = this.columns.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const c = this.buildColumn(name);
    this.columns.set(name, c ?? null);
    return c;
  }

  private buildColumn(name: string): StringColumn | undefined {
    const seg = this.segment;
    if (isCanonicalField(name)) {
      const canon = this.canonInternal(name);
      const oi = this.originalIndex.get(name);
      if (oi === undefined) return canon ? emptyAsMissing(canon) : undefined;
      const orig = this.originalColumn(oi);
      if (!canon) return orig;
      const od = seg.original[oi]!;
      // An original column that mirrors this canonical field on every row reads the same values.
      if (od.kind === 'alias' && od.canonical === name && orig === canon) return canon;
      if (canon.dict) return mergeDict(canon.dict, orig, this.rowCount, true);
      const cg = canon.get;
      const og = orig.get;
      return {
        get: (row) => {
          const v = cg(row);
          return v !== null && v !== '' ? v : og(row);
        },
      };
    }
    if (SYNTHETIC.has(name)) return this.synthetic(name);
    const oi = this.originalIndex.get(name);
    return oi === undefined ? undefined : this.originalColumn(oi);
  }

  private synthetic(name: string): StringColumn | undefined {
    const seg = this.segment;
    const oi = this.originalIndex.get(name);
    const orig = oi === undefined ? undefined : this.originalColumn(oi);
    const withOriginal = (fallback: Getter): StringColumn => {
      if (!orig) return { get: fallback };
      const og = orig.get;
      return { get: (row) => og(row) ?? fallback(row) };
    };
    switch (name) {
      case 'host': {
        const dest = this.canonInternal('dest');
        if (!orig) return dest;
        if (!dest) return orig;
        // The event's own `host` wins; rows without one fall back to dest (still one dictionary).
        if (orig.dict) return mergeDict(orig.dict, dest, this.rowCount, false);
        return withOriginal(dest.get);
      }
      case 'source':
        return this.derivedDict(orig, seg.evidence, (e) => this.evidenceName(e));
      case 'sourcetype':
        return this.derivedDict(orig, seg.kind, (k) => SOURCETYPE_BY_KIND[seg.kinds[k]!]);
      case 'vendor_product':
        return this.derivedDict(orig, seg.kind, (k) => VENDOR_PRODUCT_BY_KIND[seg.kinds[k]!]);
      case '_raw':
        return { get: (row) => this.rawText(row) };
      case 'event_kind':
        // The store's own classification: a record's field of that name does not override it.
        return this.derivedDict(undefined, seg.eventKind, (k) => EVENT_KINDS[k] ?? 'other');
      default:
        return undefined;
    }
  }

  /**
   * A synthetic field computed from a small per-row code (evidence index, source kind), as a dictionary
   * so consumers evaluate it once per distinct value; the record's own field of that name wins.
   */
  private derivedDict(orig: StringColumn | undefined, codes: Uint8Array | Uint16Array, valueOf: (code: number) => string): StringColumn {
    const idOfCode = new Map<number, number>();
    const values: Array<string | null> = [null];
    const ids = new Uint32Array(this.rowCount);
    let lastCode = -1;
    let lastId = 0;
    for (let r = 0; r < ids.length; r++) {
      const code = codes[r]!;
      if (code !== lastCode) {
        let id = idOfCode.get(code);
        if (id === undefined) {
          id = values.push(valueOf(code)) - 1;
          idOfCode.set(code, id);
        }
        lastCode = code;
        lastId = id;
      }
      ids[r] = lastId;
    }
    const derived: StringColumn = { dict: { ids, values }, get: (row) => values[ids[row]!] ?? null };
    if (!orig) return derived;
    if (orig.dict) return mergeDict(orig.dict, derived, this.rowCount, false);
    const og = orig.get;
    return { get: (row) => og(row) ?? values[ids[row]!] ?? null };
  }

  /** Bytes of per-row arrays this view derived on demand (merged or synthetic dictionaries). */
  derivedByteSize(): number {
    const own = new Set<ArrayBufferLike>(transferables(this.segment));
    const seen = new Set<ArrayBufferLike>();
    let n = 0;
    for (const c of this.columns.values()) {
      const ids = c?.dict?.ids;
      if (!ids || own.has(ids.buffer) || seen.has(ids.buffer)) continue;
      seen.add(ids.buffer);
      n += ids.byteLength;
    }
    return n;
  }

  fieldNames(): readonly string[] {
    if (this.names) return this.names;
    const seg = this.segment;
    const names = new Set<string>(seg.originalNames);
    for (const n of seg.canonicalNonEmpty) names.add(n);
    if (seg.rowCount > 0) {
      for (const n of ['source', 'sourcetype', 'vendor_product', '_raw', 'event_kind']) names.add(n);
      if (seg.canonical['dest'] || this.originalIndex.has('host')) names.add('host');
    }
    this.names = [...names].sort();
    return this.names;
  }

  eventKindAt(row: number): EventKind {
    return EVENT_KINDS[this.segment.eventKind[row]!] ?? 'other';
  }

  kindAt(row: number): SourceKind {
    return this.segment.kinds[this.segment.kind[row]!]!;
  }

  /** The field the row's time was read from (formats/time-fields.ts), or null when its mapper named none. */
  timeFieldAt(row: number): string | null {
    const s = this.segment;
    return s.timeFields[s.timeField[row]!] || null;
  }

  providerAt(row: number): string | null {
    const p = this.segment.provider;
    return p.values[p.ids[row]!] ?? null;
  }

  locator(row: number): EventLocator {
    const s = this.segment;
    return { evidence: s.evidence[row]!, record: s.record[row]!, line: s.line[row]!, byteOffset: s.byteOffset[row]! };
  }

  /**
   * `text(row)` contains `needle` (case-insensitive), without building the text where that is provably
   * the same: a needle without space, '=' or line break cannot span the raw text, a canonical name and
   * its value, or two pairs, so it is in the text exactly when it is in the raw text, a present canonical
   * field's name, or its value (tested once per distinct value for dictionary columns).
   */
  textContains(needle: string): (row: number) => boolean {
    const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'i');
    if (needle.length === 0) return () => true;
    if (/[ =\n\r]/.test(needle)) return (row) => re.test(this.text(row));
    const parts: Array<(row: number) => boolean> = [];
    for (const name of CANONICAL_FIELDS) {
      const col = this.canonInternal(name);
      if (!col) continue;
      const nameHit = re.test(name);
      if (col.dict) {
        const { ids, values } = col.dict;
        const memo = new Uint8Array(values.length);
        parts.push((row) => {
          const id = ids[row]!;
          let r = memo[id]!;
          if (r === 0) {
            const v = values[id];
            r = v !== null && v !== undefined && v !== '' && (nameHit || re.test(v)) ? 2 : 1;
            memo[id] = r;
          }
          return r === 2;
        });
      } else {
        const get = col.get;
        parts.push((row) => {
          const v = get(row);
          return v !== null && v !== '' && (nameHit || re.test(v));
        });
      }
    }
    const rawTest = this.rawTextTest(re, needle.toLowerCase(), true);
    return (row) => {
      for (const p of parts) if (p(row)) return true;
      return rawTest(row);
    };
  }

  /** Canonical `name=value` pairs, as in model/synthetic.ts canonicalText. */
  canonicalText(row: number): string {
    let out = '';
    for (const name of CANONICAL_FIELDS) {
      const c = this.canonInternal(name);
      if (!c) continue;
      const v = c.get(row);
      if (v === null || v === '') continue;
      out += (out ? ' ' : '') + name + '=' + v;
    }
    return out;
  }

  text(row: number): string {
    return this.rawText(row) + '\n' + this.canonicalText(row);
  }

  /** Original fields of a row in record order, missing values left out. */
  originalFields(row: number): Array<[string, string]> {
    const seg = this.segment;
    const shape = seg.shapes[seg.shape[row]!];
    const out: Array<[string, string]> = [];
    const extra = decodeArena(seg.extra, row);
    const extraPairs = extra ? (JSON.parse(extra) as Array<[string, string]>) : [];
    let e = 0;
    if (shape) {
      for (const idx of shape.columns) {
        if (idx < 0) {
          const p = extraPairs[e++];
          if (p) out.push(p);
          continue;
        }
        const v = this.originalColumnCached(idx).get(row);
        if (v !== null) out.push([seg.originalNames[idx]!, v]);
      }
    }
    while (e < extraPairs.length) out.push(extraPairs[e++]!);
    return out;
  }

  private readonly originalCache = new Map<number, StringColumn>();
  private originalColumnCached(idx: number): StringColumn {
    let c = this.originalCache.get(idx);
    if (!c) {
      c = this.originalColumn(idx);
      this.originalCache.set(idx, c);
    }
    return c;
  }

  /**
   * A test of the raw text for a case-insensitive literal (`re` finds `needleLower`) without rebuilding
   * skeleton texts where scanSkeleton proves the pieces can be searched apart. Holes whose column mirrors
   * a canonical field are skipped when `canonicalCovered` (the caller tests canonical values itself).
   */
  rawTextTest(re: RegExp, needleLower: string, canonicalCovered: boolean): (row: number) => boolean {
    const seg = this.segment;
    const scans = new Map<string, SkeletonScan | null>();
    const test = (s: string): boolean => re.test(s);
    const scanOf = (skeleton: string): SkeletonScan | null => {
      let sc = scans.get(skeleton);
      if (sc === undefined) {
        sc = scanSkeleton(skeleton, needleLower, test);
        if (scans.size < 4096) scans.set(skeleton, sc);
      }
      return sc;
    };
    const tplDict = this.templates.dict;
    const dictScans = tplDict ? new Array<SkeletonScan | null | undefined>(tplDict.values.length) : null;
    const rebuilt = this.rebuiltTextTest(re, needleLower, canonicalCovered);
    return (row) => {
      if ((seg.raw.present[row >>> 3]! & (1 << (row & 7))) !== 0) return re.test(this.rawText(row));
      let sc: SkeletonScan | null | undefined;
      if (tplDict && dictScans) {
        const id = tplDict.ids[row]!;
        if (id === 0) return rebuilt(row);
        sc = dictScans[id];
        if (sc === undefined) sc = dictScans[id] = scanSkeleton(tplDict.values[id]!, needleLower, test);
      } else {
        const skeleton = this.templates.get(row);
        if (skeleton === null) return rebuilt(row);
        sc = scanOf(skeleton);
      }
      if (sc === null) return re.test(this.rawText(row));
      if (sc.literalHit) return true;
      const shape = seg.shapes[seg.shape[row]!]!;
      for (const h of sc.holes) {
        const idx = shape.columns[h.position];
        if (idx === undefined || idx < 0) continue;
        const data = seg.original[idx]!;
        if (canonicalCovered && h.variant === 0 && data.kind === 'alias' && isCanonicalField(data.canonical)) continue;
        const v = this.originalColumnCached(idx).get(row);
        if (v !== null && re.test(escapeVariant(v, h.variant))) return true;
      }
      return false;
    };
  }

  /**
   * The same test for texts rebuilt from the original fields. A needle without the CSV separators
   * (`,` `"` CR LF) cannot span two cells or touch the quoting, so the line contains it exactly when a
   * cell does; likewise a needle without JSON punctuation, backslash or control characters and a JSON
   * object's names and values. Otherwise the text is rebuilt.
   */
  private rebuiltTextTest(re: RegExp, needleLower: string, canonicalCovered: boolean): (row: number) => boolean {
    const seg = this.segment;
    const csvSplit = !/[,"\r\n]/.test(needleLower);
    const jsonSplit = !/["\\:,{}\u0000-\u001f\uD800-\uDFFF]/.test(needleLower);
    const plans = new Array<Array<(row: number) => boolean> | null | undefined>(seg.shapes.length);
    const planOf = (shapeId: number): Array<(row: number) => boolean> | null => {
      const shape = seg.shapes[shapeId]!;
      if (!(shape.format === 'csv' ? csvSplit : jsonSplit)) return null;
      const tests: Array<(row: number) => boolean> = [];
      for (const idx of new Set(shape.columns)) {
        if (idx < 0) continue;
        const data = seg.original[idx]!;
        const col = this.originalColumnCached(idx);
        // JSON writes each present field's name as well.
        const json = shape.format === 'json';
        const nameHit = json && re.test(jsonText(seg.originalNames[idx]!));
        // JSON spells control characters and lone surrogates as escapes, which a needle can match.
        const shown = json ? jsonText : (v: string): string => v;
        const covered = canonicalCovered && data.kind === 'alias' && isCanonicalField(data.canonical);
        if (covered && !nameHit) continue;
        if (col.dict) {
          const { ids, values } = col.dict;
          const memo = new Uint8Array(values.length);
          tests.push((row) => {
            const id = ids[row]!;
            let m = memo[id]!;
            if (m === 0) {
              const v = values[id];
              m = v !== null && v !== undefined && (nameHit || re.test(shown(v))) ? 2 : 1;
              memo[id] = m;
            }
            return m === 2;
          });
        } else {
          const get = col.get;
          tests.push((row) => {
            const v = get(row);
            return v !== null && (nameHit || re.test(shown(v)));
          });
        }
      }
      return tests;
    };
    return (row) => {
      // Fields over the column cap live in `extra`: rebuild those rows.
      if ((seg.extra.present[row >>> 3]! & (1 << (row & 7))) !== 0) return re.test(this.rawText(row));
      const sid = seg.shape[row]!;
      let plan = plans[sid];
      if (plan === undefined) plan = plans[sid] = planOf(sid);
      if (plan === null) return re.test(this.rawText(row));
      for (const t of plan) if (t(row)) return true;
      return false;
    };
  }

  /** The record's own text when it brought one, else its original fields re-serialised. */
  rawText(row: number): string {
    const seg = this.segment;
    const raw = decodeArena(seg.raw, row);
    if (raw !== null) return raw;
    const shape = seg.shapes[seg.shape[row]!];
    if (!shape) return '';
    const skeleton = this.templates.get(row);
    if (skeleton !== null) {
      return fillSkeleton(skeleton, (position) => {
        const idx = shape.columns[position];
        return idx === undefined || idx < 0 ? null : this.originalColumnCached(idx).get(row);
      });
    }
    if (shape.format === 'json') {
      let out = '{';
      let first = true;
      for (const [k, v] of this.originalFields(row)) {
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + JSON.stringify(v);
        first = false;
      }
      return out + '}';
    }
    // CSV keeps the header's column order, empty cells for missing values.
    const cells: string[] = [];
    const extra = decodeArena(seg.extra, row);
    const extraPairs = extra ? (JSON.parse(extra) as Array<[string, string]>) : [];
    let e = 0;
    for (const idx of shape.columns) {
      if (idx < 0) {
        cells.push(csvCell(extraPairs[e++]?.[1] ?? ''));
        continue;
      }
      cells.push(csvCell(this.originalColumnCached(idx).get(row) ?? ''));
    }
    while (e < extraPairs.length) cells.push(csvCell(extraPairs[e++]![1]));
    return cells.join(',');
  }
}
