// The case's event store: segments from one or more parse workers / evidence files behind global rows.
// Invariant: immutable after construction; derived indexes (time order, host ids) are built lazily
// once, and queries over a time range touch only the rows in that range.

import type { EventLocator } from '../model/fields.ts';
import { addCount, mergeSkew, byteSize as segmentByteSize, type EvidenceStatsData, type RejectSampleData, type Segment } from './segment.ts';
import { SegmentView } from './segment-view.ts';
import { lowerBound, stableTimeOrder, type TimeOrder } from './time-order.ts';
import { viewIndexAt, type EventSource } from './view.ts';

/** Lane key of events without a host (the one definition is store/host.ts; hostIndex follows the same rule). */
export { NO_HOST } from './host.ts';
import { NO_HOST } from './host.ts';

export interface HostCount {
  host: string;
  count: number;
  firstMs: number;
  lastMs: number;
}

export interface EvidenceStats extends EvidenceStatsData {
  rejectSamples: RejectSampleData[];
}

export interface HostBucketCounts {
  startMs: number;
  endMs: number;
  bucketMs: number;
  buckets: number;
  /** Host names by host id (all hosts of the store). */
  hosts: readonly string[];
  /** counts[hostId][bucket]; rows outside [startMs, endMs) are not counted. */
  counts: Uint32Array[];
}

export const MAX_BUCKETS = 20_000;

export class EventStore implements EventSource {
  readonly rowCount: number;
  readonly views: readonly SegmentView[];
  private readonly evidenceNames = new Map<number, string>();
  private time: TimeOrder | null = null;
  private hostIdx: { names: string[]; ofRow: Uint32Array; counts: HostCount[] } | null = null;
  private hostRows: { offsets: Uint32Array; rows: Uint32Array } | null = null;
  private eventKinds: Uint8Array | null = null;
  private kindPresent: Uint8Array | null = null;
  private readonly singleView: SegmentView | null;
  private readonly segments: readonly Segment[];

  constructor(segments: readonly Segment[], evidenceNames?: ReadonlyMap<number, string> | readonly string[]) {
    this.segments = segments;
    for (const seg of segments) for (const [i, name] of seg.evidenceNames) this.evidenceNames.set(i, name);
    if (evidenceNames) {
      const entries: Iterable<[number, string]> = Array.isArray(evidenceNames)
        ? (evidenceNames as readonly string[]).map((n, i) => [i, n] as [number, string])
        : (evidenceNames as ReadonlyMap<number, string>).entries();
      for (const [i, n] of entries) this.evidenceNames.set(i, n);
    }
    const nameOf = (e: number): string => this.evidenceName(e);
    let base = 0;
    const views: SegmentView[] = [];
    for (const seg of segments) {
      if (seg.rowCount === 0) continue;
      views.push(new SegmentView(seg, base, nameOf));
      base += seg.rowCount;
    }
    this.views = views;
    this.rowCount = base;
    this.singleView = views.length === 1 ? views[0]! : null;
  }

  evidenceName(evidence: number): string {
    return this.evidenceNames.get(evidence) ?? `evidence-${evidence}`;
  }

  /** View and local row of a global row. */
  locate(globalRow: number): { view: SegmentView; row: number } {
    if (this.singleView && globalRow >= 0 && globalRow < this.rowCount) return { view: this.singleView, row: globalRow };
    const view = this.views[viewIndexAt(this.views, globalRow)];
    if (!view || globalRow < view.base || globalRow >= view.base + view.rowCount || !Number.isInteger(globalRow)) {
      throw new RangeError(`row ${globalRow} out of range`);
    }
    return { view, row: globalRow - view.base };
  }

  /** Index of the view holding a global row. */
  viewIndexOf(globalRow: number): number {
    return viewIndexAt(this.views, globalRow);
  }

  timeAt(globalRow: number): number {
    const { view, row } = this.locate(globalRow);
    return view.timeMs[row]!;
  }

  /** The row's time as read from the evidence (before any clock correction). */
  originalTimeAt(globalRow: number): number {
    const { view, row } = this.locate(globalRow);
    return (view.segment.timeMsOriginal ?? view.timeMs)[row]!;
  }

  locator(globalRow: number): EventLocator {
    const { view, row } = this.locate(globalRow);
    return view.locator(row);
  }

  evidenceOf(globalRow: number): { evidence: number; name: string } {
    const { view, row } = this.locate(globalRow);
    const e = view.segment.evidence[row]!;
    return { evidence: e, name: this.evidenceName(e) };
  }

  /** Field value of a global row (`_time` as epoch seconds, like view.ts fieldAt). */
  value(globalRow: number, field: string): string | null {
    const { view, row } = this.locate(globalRow);
    if (field === '_time') return String(view.timeMs[row]! / 1000);
    return view.column(field)?.get(row) ?? null;
  }

  private timeIndex(): TimeOrder {
    if (!this.time) {
      const all = new Float64Array(this.rowCount);
      for (const v of this.views) all.set(v.timeMs, v.base);
      this.time = stableTimeOrder(all);
    }
    return this.time;
  }

  /** Global rows sorted by time (stable). Built once. */
  timeOrder(): Uint32Array {
    return this.timeIndex().order;
  }

  /** Times in `timeOrder()` order (ascending). */
  sortedTimes(): Float64Array {
    return this.timeIndex().sortedTimes;
  }

  /** Positions [lo, hi) in timeOrder() of rows with startMs <= time < endMs. */
  orderRange(startMs: number, endMs: number): { lo: number; hi: number } {
    const t = this.sortedTimes();
    const lo = lowerBound(t, startMs);
    const hi = Math.max(lo, lowerBound(t, endMs));
    return { lo, hi };
  }

  timeRange(): { firstMs: number; lastMs: number } | null {
    if (this.rowCount === 0) return null;
    const t = this.sortedTimes();
    return { firstMs: t[0]!, lastMs: t[t.length - 1]! };
  }

  private hostIndex(): NonNullable<EventStore['hostIdx']> {
    if (this.hostIdx) return this.hostIdx;
    const ids = new Map<string, number>();
    const names: string[] = [];
    const counts: HostCount[] = [];
    const idOf = (h: string): number => {
      let id = ids.get(h);
      if (id === undefined) {
        id = names.push(h) - 1;
        ids.set(h, id);
        counts.push({ host: h, count: 0, firstMs: Infinity, lastMs: -Infinity });
      }
      return id;
    };
    const ofRow = new Uint32Array(this.rowCount);
    for (const v of this.views) {
      const out = ofRow.subarray(v.base, v.base + v.rowCount);
      const dest = v.column('dest');
      const hostCol = v.column('host');
      const fallback = (row: number): string => hostCol?.get(row) || NO_HOST;
      if (dest?.dict) {
        // One lookup per distinct host, not per row.
        const { ids: dids, values } = dest.dict;
        const map = new Int32Array(values.length).fill(-1);
        for (let i = 0; i < values.length; i++) if (values[i]) map[i] = idOf(values[i]!);
        for (let r = 0; r < v.rowCount; r++) {
          const m = map[dids[r]!]!;
          out[r] = m >= 0 ? m : idOf(fallback(r));
        }
      } else {
        for (let r = 0; r < v.rowCount; r++) out[r] = idOf(dest?.get(r) || fallback(r));
      }
      for (let r = 0; r < v.rowCount; r++) {
        const c = counts[out[r]!]!;
        const t = v.timeMs[r]!;
        c.count++;
        if (t < c.firstMs) c.firstMs = t;
        if (t > c.lastMs) c.lastMs = t;
      }
    }
    this.hostIdx = { names, ofRow, counts };
    return this.hostIdx;
  }

  /** Host id (index into hostNames()) of a global row. Lane host = `dest`, else `host`, else NO_HOST. */
  hostIdOf(globalRow: number): number {
    return this.hostIndex().ofRow[globalRow]!;
  }

  /**
   * The event kind (index into model/event-kinds.ts EVENT_KINDS) of every global row, read-only: the segment's own
   * one-byte column when the store has one view, else the views' columns side by side (built once, a byte a row).
   */
  eventKindsOfRows(): Uint8Array {
    if (this.eventKinds) return this.eventKinds;
    if (this.singleView) this.eventKinds = this.singleView.segment.eventKind.subarray(0, this.rowCount);
    else {
      const all = new Uint8Array(this.rowCount);
      for (const v of this.views) all.set(v.segment.eventKind.subarray(0, v.rowCount), v.base);
      this.eventKinds = all;
    }
    return this.eventKinds;
  }

  /** Per kind index, 1 when some row of the store has that kind (built once). */
  kindsPresent(): Uint8Array {
    if (this.kindPresent) return this.kindPresent;
    const present = new Uint8Array(256);
    const ek = this.eventKindsOfRows();
    for (let i = 0; i < ek.length; i++) present[ek[i]!] = 1;
    this.kindPresent = present;
    return present;
  }

  /** Host id of every global row (read-only: shared with the index). */
  hostIdsOfRows(): Uint32Array {
    return this.hostIndex().ofRow;
  }

  hostNames(): readonly string[] {
    return this.hostIndex().names;
  }

  hostId(host: string): number {
    return this.hostIndex().names.indexOf(host);
  }

  /** Hosts with event counts and time span, sorted by name. */
  hosts(): HostCount[] {
    return this.hostIndex()
      .counts.map((c) => ({ ...c }))
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  }

  /** Global rows of one host, in time order. */
  rowsOfHost(hostId: number): Uint32Array {
    if (!this.hostRows) {
      const idx = this.hostIndex();
      const offsets = new Uint32Array(idx.names.length + 1);
      for (let h = 0; h < idx.names.length; h++) offsets[h + 1] = offsets[h]! + idx.counts[h]!.count;
      const fill = offsets.slice(0, idx.names.length);
      const rows = new Uint32Array(this.rowCount);
      const order = this.timeOrder();
      for (let i = 0; i < order.length; i++) {
        const g = order[i]!;
        rows[fill[this.hostIdOf(g)]!++] = g;
      }
      this.hostRows = { offsets, rows };
    }
    const { offsets, rows } = this.hostRows;
    if (hostId < 0 || hostId + 1 >= offsets.length) return new Uint32Array(0);
    return rows.subarray(offsets[hostId]!, offsets[hostId + 1]!);
  }

  /**
   * Event counts per host and time bucket over [startMs, endMs); cost proportional to rows in range.
   * `rowFilter` (global row) narrows the counted rows.
   */
  countsByHostAndBucket(startMs: number, endMs: number, buckets: number, rowFilter?: (globalRow: number) => boolean): HostBucketCounts {
    const nb = Math.max(1, Math.min(MAX_BUCKETS, Math.floor(buckets) || 1));
    const span = Math.max(endMs - startMs, 1e-9);
    const bucketMs = span / nb;
    const names = this.hostNames();
    const counts = names.map(() => new Uint32Array(nb));
    const { lo, hi } = this.orderRange(startMs, endMs);
    const order = this.timeOrder();
    const t = this.sortedTimes();
    for (let i = lo; i < hi; i++) {
      const g = order[i]!;
      if (rowFilter && !rowFilter(g)) continue;
      const b = Math.min(nb - 1, Math.floor((t[i]! - startMs) / bucketMs));
      counts[this.hostIdOf(g)]![b]!++;
    }
    return { startMs, endMs, bucketMs, buckets: nb, hosts: names, counts };
  }

  /** Most frequent values of a field (missing excluded), count descending then value; evaluates dictionaries per id. */
  distinct(field: string, limit = 100): Array<{ value: string; count: number }> {
    const counts = new Map<string, number>();
    for (const v of this.views) {
      const col = v.column(field);
      if (!col) continue;
      if (col.dict) {
        const { ids, values } = col.dict;
        const per = new Uint32Array(values.length);
        for (let r = 0; r < v.rowCount; r++) per[ids[r]!]!++;
        for (let i = 0; i < values.length; i++) {
          const s = values[i];
          if (s === null || s === undefined || per[i] === 0) continue;
          counts.set(s, (counts.get(s) ?? 0) + per[i]!);
        }
      } else {
        for (let r = 0; r < v.rowCount; r++) {
          const s = col.get(r);
          if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1);
        }
      }
    }
    return [...counts]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, Math.max(0, limit));
  }

  /** Records, rejections and non-process events per evidence file, with the first reject samples. */
  stats(): EvidenceStats[] {
    const by = new Map<number, EvidenceStats>();
    for (const seg of this.segments) {
      for (const s of seg.stats) {
        let e = by.get(s.evidence);
        if (!e) {
          e = { ...s, rejectedByReason: {}, nonProcessByKind: {}, byKind: {}, appended: 0, rejected: 0, nonProcess: 0, assumedUtc: 0, rejectSamples: [] };
          by.set(s.evidence, e);
        }
        e.appended += s.appended;
        e.rejected += s.rejected;
        e.nonProcess += s.nonProcess;
        e.assumedUtc += s.assumedUtc;
        for (const [k, n] of Object.entries(s.rejectedByReason)) addCount(e.rejectedByReason, k, n);
        for (const [k, n] of Object.entries(s.nonProcessByKind)) addCount(e.nonProcessByKind, k, n);
        for (const [k, n] of Object.entries(s.byKind ?? {})) addCount(e.byKind, k, n);
        if (s.timeSkew?.length) {
          const into = (e.timeSkew = e.timeSkew === s.timeSkew ? [] : (e.timeSkew ?? []));
          for (const t of s.timeSkew) {
            let m = into.find((x) => x.chosen === t.chosen && x.other === t.other);
            if (!m) {
              m = { ...t, n: 0, chosenAssumedUtc: 0, otherAssumedUtc: 0, minMs: Infinity, maxMs: -Infinity, buckets: {}, bucketKeys: 0, spill: 0 };
              into.push(m);
            }
            mergeSkew(m, t);
          }
        }
      }
      for (const sample of seg.rejectSamples) {
        const e = by.get(sample.evidence);
        if (e && e.rejectSamples.length < 100) e.rejectSamples.push(sample);
      }
    }
    return [...by.values()].sort((a, b) => a.evidence - b.evidence);
  }

  /** Bytes this store holds: segments (typed arrays, arenas, estimated dictionary strings), arrays its views derived, and built indexes. */
  byteSize(): number {
    let n = 0;
    for (const v of this.views) n += segmentByteSize(v.segment) + v.derivedByteSize();
    if (this.time) n += this.time.order.byteLength + this.time.sortedTimes.byteLength;
    if (this.hostIdx) n += this.hostIdx.ofRow.byteLength;
    if (this.hostRows) n += this.hostRows.rows.byteLength + this.hostRows.offsets.byteLength;
    return n;
  }
}
