// Parallel ingest of one large UTF-8 CSV, NDJSON or Windows event XML file: the file is cut at record boundaries into byte ranges parsed at the same
// time (the first in this thread, the others in parse workers), each into its own segment. Invariant: the rows,
// record numbers, lines, byte offsets and rejections are exactly those of a sequential parse, or null is returned
// (a cut that turned out to be inside a quoted field, a worker that failed) and the caller parses sequentially.

import { open } from 'node:fs/promises';
import { HopscopeError } from '../model/errors.ts';
import { CsvReader } from '../ingest/csv-reader.ts';
import { XML_COMMENT_OPEN } from '../ingest/xml-reader.ts';
import { StreamDecoder, utf8Length, type TextEncodingName } from '../ingest/decode.ts';
import { sniffFormat } from '../ingest/index.ts';
import type { DetectedInfo } from '../ingest/ingestor.ts';
import { sniffContainer } from '../ingest/ingestor.ts';
import type { IngestStats } from '../model/sink.ts';
import type { FormatId, GenericMapping } from '../formats/types.ts';
import { SegmentBuilder } from '../store/builder.ts';
import type { RawFormat, Segment } from '../store/segment.ts';
import type { RecordSink } from '../model/sink.ts';
import { ingestFile } from './ingest-file.ts';
import { chunkHeaderReadable, isEvtxHead } from './evtx-file.ts';
import { EVTX_CHUNK_BYTES, EVTX_FILE_HEADER_BYTES } from '../ingest/evtx/types.ts';

import { CuttingSink, type PartialCutOptions } from './partial-cuts.ts';

/** One range parse: read `ranges` of the file in order as if they were the whole file, into one segment. */
export interface RangeJob {
  path: string;
  evidence: number;
  name: string;
  rawFormat: RawFormat;
  format?: FormatId;
  mapping?: GenericMapping;
  ranges: Array<[number, number]>;
}

export interface RangeResult {
  segment: Segment;
  stats: IngestStats;
  detected: DetectedInfo;
  encoding: TextEncodingName | 'binary';
  /** Bytes read (header prefix included). */
  bytes: number;
  /** '\n' bytes read (header prefix included). */
  newlines: number;
  warnings?: string[];
}

export interface RangeHooks {
  isCancelled?(): boolean;
  onProgress?(bytesDone: number, records: number, rejected: number): void;
  /** In-process ranges only: cut the range's builder as it parses and hand each cut segment over (partial-cuts.ts). */
  cuts?: { options: PartialCutOptions; onSegment(seg: Segment): void; onFormat?(format: FormatId): void };
}

/** Bytes read before the average row size is trusted for a reservation. */
const ESTIMATE_AFTER_BYTES = 8 << 20;

/**
 * A progress callback that reserves the builder, once, for the rows `totalBytes` will hold at the average row size
 * seen so far (capped at one row per 128 bytes, so an odd start cannot reserve far too much).
 */
export function reserveByEstimate(builder: SegmentBuilder, totalBytes: number): (bytesDone: number, records: number) => void {
  let done = false;
  return (bytesDone, records) => {
    if (done || bytesDone < Math.min(ESTIMATE_AFTER_BYTES, totalBytes) || records < 1) return;
    done = true;
    const rows = Math.min((records * totalBytes) / bytesDone, totalBytes / 128) * 1.02 + 1024;
    builder.reserve(rows);
  };
}

/** Parses one range job into a fresh builder (runs in a parse worker, or in the engine worker for the first range). */
export async function ingestRange(job: RangeJob, hooks: RangeHooks = {}): Promise<RangeResult> {
  const builderOpts = { evidence: job.evidence, evidenceName: job.name, rawFormat: job.rawFormat };
  const cutting = hooks.cuts ? new CuttingSink(builderOpts, hooks.cuts.options, hooks.cuts.onSegment) : null;
  const builder: RecordSink & { finish(): Segment } = cutting ?? new SegmentBuilder(builderOpts);
  let rejected = 0;
  let newlines = 0;
  let total = 0;
  for (const [start, end] of job.ranges) total += end - start;
  // A builder that is cut as it goes is never reserved for the whole range.
  const reserve = builder instanceof SegmentBuilder ? reserveByEstimate(builder, total) : () => undefined;
  const res = await ingestFile(job.path, {
    evidence: job.evidence,
    fileName: job.name,
    ...(job.format ? { format: job.format } : {}),
    ...(job.mapping ? { mapping: job.mapping } : {}),
    ranges: job.ranges,
    ...(hooks.cuts?.onFormat ? { onFormat: hooks.cuts.onFormat } : {}),
    sink: {
      append: (rec) => builder.append(rec),
      reject: (rej) => {
        rejected++;
        builder.reject(rej);
      },
      nonProcess: (kind, record) => builder.nonProcess(kind, record),
    },
    onChunk: (bytes) => {
      for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) newlines++;
    },
    ...(hooks.isCancelled ? { isCancelled: hooks.isCancelled } : {}),
    onProgress: (bytesDone, records) => {
      reserve(bytesDone, records);
      hooks.onProgress?.(bytesDone, records, rejected);
      cutting?.tick();
    },
  });
  return { segment: builder.finish(), stats: res.stats, detected: res.detected, encoding: res.encoding, bytes: res.bytes, newlines, ...(res.warnings?.length ? { warnings: res.warnings } : {}) };
}

/** Runs a range job somewhere (a parse worker; in-process in tests) and reports its progress. */
export type RangeRunner = (job: RangeJob, hooks: RangeHooks) => Promise<RangeResult>;

export interface ParallelOptions {
  path: string;
  evidence: number;
  name: string;
  rawFormat: RawFormat;
  format?: FormatId;
  mapping?: GenericMapping;
  /** Ranges to cut into (at most). */
  parts: number;
  /** Files smaller than this stay sequential (default 64 MB). */
  minBytes?: number;
  /** Smallest range (default 32 MB), so every worker has enough to do. */
  minPartBytes?: number;
  /** Runs the ranges after the first (the first always runs in this thread through ingestRange). */
  runRange: RangeRunner;
  /** Cut the first range as it parses (its later segments and the other ranges' come back in `segments`). */
  firstRangeCuts?: RangeHooks['cuts'];
  isCancelled?(): boolean;
  onProgress?(bytesDone: number, records: number, rejected: number): void;
}

export interface ParallelResult {
  segments: Segment[];
  stats: IngestStats;
  detected: DetectedInfo;
  encoding: TextEncodingName | 'binary';
  bytes: number;
  warnings?: string[];
}

const HEAD_BYTES = 1 << 20;
/** Bytes searched after a cut target for a line that parses as a record. */
const WINDOW_BYTES = 1 << 20;

interface Plan {
  /** Byte where the first data row starts: ranges after the first read [0, prefixEnd) first, for the header. */
  prefixEnd: number;
  prefixNewlines: number;
  /** Cut offsets, increasing, each at the start of a line (EVTX: of a chunk slot). */
  cuts: number[];
  format: FormatId;
  /** A binary Windows event log: ranges are chunk slots after the 4096-byte file header. */
  evtx?: boolean;
}

/** Ingests the file in parallel, or returns null when it should be parsed sequentially. */
export async function parallelIngest(opts: ParallelOptions): Promise<ParallelResult | null> {
  const plan = await planCuts(opts);
  if (!plan) return null;
  const { cuts, prefixEnd } = plan;
  const size = cuts[cuts.length - 1]!;
  const jobs: RangeJob[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const base = { path: opts.path, evidence: opts.evidence, name: opts.name, rawFormat: opts.rawFormat, ...(opts.mapping ? { mapping: opts.mapping } : {}) };
    jobs.push(
      k === 0
        ? { ...base, ...(opts.format ? { format: opts.format } : {}), ranges: [[0, cuts[1]!]] }
        : { ...base, format: plan.format, ranges: prefixEnd > 0 ? [[0, prefixEnd], [cuts[k]!, cuts[k + 1]!]] : [[cuts[k]!, cuts[k + 1]!]] },
    );
  }
  const progress = jobs.map(() => ({ bytes: 0, records: 0, rejected: 0 }));
  const report = (k: number, bytes: number, records: number, rejected: number): void => {
    // Ranges after the first also read the header prefix: count only their own bytes.
    progress[k] = { bytes: k === 0 ? bytes : Math.max(0, bytes - prefixEnd), records, rejected };
    let b = 0;
    let r = 0;
    let j = 0;
    for (const p of progress) {
      b += p.bytes;
      r += p.records;
      j += p.rejected;
    }
    opts.onProgress?.(b, r, j);
  };
  // One failed range stops the others: their work would be thrown away.
  let stop = false;
  const isCancelled = (): boolean => stop || (opts.isCancelled?.() ?? false);
  const settled = await Promise.allSettled(
    jobs.map((job, k) => {
      const hooks: RangeHooks = { isCancelled, onProgress: (b, r, j) => report(k, b, r, j), ...(k === 0 && opts.firstRangeCuts ? { cuts: opts.firstRangeCuts } : {}) };
      const p = k === 0 ? ingestRange(job, hooks) : opts.runRange(job, hooks);
      return p.catch((err: unknown) => {
        stop = true;
        throw err;
      });
    }),
  );
  if (opts.isCancelled?.()) throw new HopscopeError('E_CANCELLED', 'ingest cancelled', { file: opts.name });
  const results: RangeResult[] = [];
  for (const s of settled) {
    // A real problem with the file shows up again, with its proper location, in the sequential parse.
    if (s.status === 'rejected') return null;
    results.push(s.value);
  }
  const encoding = plan.evtx ? 'binary' : 'utf-8';
  if (results[0]!.detected.format !== plan.format || results.some((r) => r.encoding !== encoding)) return null;
  // Every range but the last must end outside quotes: only then was its cut a record boundary.
  for (let k = 0; k + 1 < results.length; k++) if ((results[k]!.stats.rejectedByReason['csv-quote'] ?? 0) > 0) return null;
  // Every XML range but the last must end outside a comment: a cut inside one is not where the sequential parse is.
  for (let k = 0; k + 1 < results.length; k++) if ((results[k]!.stats.rejectedByReason[XML_COMMENT_OPEN] ?? 0) > 0) return null;

  let recordsBefore = 0;
  let newlinesBefore = 0;
  const stats: IngestStats = { records: 0, appended: 0, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false };
  for (let k = 0; k < results.length; k++) {
    const r = results[k]!;
    const own = k === 0 ? r.newlines : r.newlines - plan.prefixNewlines;
    if (k > 0) {
      // Local line 1 + prefixNewlines is the cut's line, 1 + newlinesBefore in the file.
      shiftLocators(r.segment, recordsBefore, newlinesBefore - plan.prefixNewlines, cuts[k]! - prefixEnd);
    }
    recordsBefore += r.stats.records;
    newlinesBefore += own;
    addStats(stats, r.stats);
  }
  const warnings = [...new Set(results.flatMap((r) => r.warnings ?? []))];
  return { segments: results.map((r) => r.segment), stats, detected: results[0]!.detected, encoding, bytes: size, ...(warnings.length ? { warnings } : {}) };
}

/** Moves a later range's locators from "header prefix + range" to the whole file. */
export function shiftLocators(seg: Segment, records: number, lines: number, bytes: number): void {
  const rec = seg.record;
  const line = seg.line;
  // Narrow offsets that would pass 4 GiB once shifted widen first (the last row's offset is the largest).
  if (seg.byteOffset instanceof Uint32Array && seg.rowCount > 0 && seg.byteOffset[seg.rowCount - 1]! + bytes > 0xffff_ffff) {
    seg.byteOffset = Float64Array.from(seg.byteOffset);
  }
  const off = seg.byteOffset;
  for (let i = 0; i < seg.rowCount; i++) {
    rec[i] = rec[i]! + records;
    line[i] = line[i]! + lines;
    off[i] = off[i]! + bytes;
  }
  for (const s of seg.rejectSamples) {
    if (s.record !== undefined) s.record += records;
    if (s.line !== undefined) s.line += lines;
    if (s.byteOffset !== undefined) s.byteOffset += bytes;
  }
}

function addStats(into: IngestStats, s: IngestStats): void {
  into.records += s.records;
  into.appended += s.appended;
  into.rejected += s.rejected;
  into.nonProcess += s.nonProcess;
  into.invalidBytesReplaced += s.invalidBytesReplaced;
  into.assumedUtc ||= s.assumedUtc;
  for (const [k, n] of Object.entries(s.rejectedByReason)) {
    Object.defineProperty(into.rejectedByReason, k, { value: (into.rejectedByReason[k] ?? 0) + n, writable: true, enumerable: true, configurable: true });
  }
}

/** Header prefix, format and cut offsets; null when the file should be parsed sequentially. */
async function planCuts(opts: ParallelOptions): Promise<Plan | null> {
  if (opts.parts < 2) return null;
  try {
    return await planCutsOf(opts);
  } catch {
    // Whatever is wrong with the head (no header, a format error), the sequential parse reports it properly.
    return null;
  }
}

async function planCutsOf(opts: ParallelOptions): Promise<Plan | null> {
  let fh;
  try {
    fh = await open(opts.path, 'r');
  } catch {
    return null;
  }
  try {
    const size = (await fh.stat()).size;
    if (size < (opts.minBytes ?? 64 << 20)) return null;
    const minPart = opts.minPartBytes ?? 32 << 20;
    const parts = Math.min(opts.parts, Math.floor(size / minPart));
    if (parts < 2) return null;

    const head = Buffer.allocUnsafe(HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
    if (isEvtxHead(head.subarray(0, bytesRead))) {
      // Chunks are independent: cut at the chunk slot nearest each even share, after the file header.
      if (opts.format && opts.format !== 'windows-xml') return null;
      // A cut falls only between two readable chunks (signature, header checksum, record ids): a slot that cannot say
      // what it held is counted from its neighbours' ids, which a range must then hold both of.
      const cuts = [0];
      const slots = Math.ceil((size - EVTX_FILE_HEADER_BYTES) / EVTX_CHUNK_BYTES);
      const head = Buffer.allocUnsafe(512);
      const readable = async (slot: number): Promise<boolean> => {
        if (slot < 0 || slot >= slots) return false;
        const { bytesRead } = await fh.read(head, 0, 512, EVTX_FILE_HEADER_BYTES + slot * EVTX_CHUNK_BYTES);
        return bytesRead === 512 && chunkHeaderReadable(head);
      };
      for (let k = 1; k < parts; k++) {
        let slot = Math.round((slots * k) / parts);
        const limit = Math.min(slots - 1, slot + 64);
        while (slot < limit && !((await readable(slot - 1)) && (await readable(slot)))) slot++;
        const at = EVTX_FILE_HEADER_BYTES + slot * EVTX_CHUNK_BYTES;
        if (slot < limit && at > cuts[cuts.length - 1]! + EVTX_FILE_HEADER_BYTES && at < size) cuts.push(at);
      }
      cuts.push(size);
      return cuts.length > 2 ? { prefixEnd: EVTX_FILE_HEADER_BYTES, prefixNewlines: 0, cuts, format: 'windows-xml', evtx: true } : null;
    }
    const decoder = new StreamDecoder();
    const text = decoder.push(head.subarray(0, bytesRead));
    const info = decoder.detected;
    if (!info || info.encoding !== 'utf-8') return null;
    const container = sniffContainer(text, false)?.container;
    // NDJSON records are lines (JSON strings hold no raw line breaks), so every line start is a record boundary.
    if (container !== 'csv' && container !== 'ndjson' && container !== 'xml') return null;
    let format = opts.format;
    if (!format) {
      const sniffed = sniffFormat(text, opts.name);
      if (sniffed.format === 'generic') return null;
      format = sniffed.format;
    }
    if (container === 'ndjson' || container === 'xml') {
      const { cuts } = await cutAt(fh, size, parts, minPart, 0, container === 'xml' ? findEventStart : nextLineStart);
      return cuts.length > 2 ? { prefixEnd: 0, prefixNewlines: 0, cuts, format } : null;
    }
    // The first data row, found by the same reader the ranges use: its start ends the header prefix.
    let firstRow = -1;
    const reader = new CsvReader({
      record: (_n, _v, _i, _t, _line, charOffset) => {
        if (firstRow < 0) firstRow = charOffset;
      },
      reject: (_c, _r, _line, charOffset) => {
        if (firstRow < 0) firstRow = charOffset;
      },
    }, opts.name);
    reader.push(text);
    const columns = reader.columns;
    if (firstRow < 0 || !columns) return null;
    const prefixEnd = info.bomBytes + utf8Length(text, 0, firstRow);
    let prefixNewlines = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < firstRow; i = text.indexOf('\n', i + 1)) prefixNewlines++;

    const delimiter = reader.fieldDelimiter.charCodeAt(0);
    const { cuts } = await cutAt(fh, size, parts, minPart, prefixEnd, (w) => findRecordStart(w, columns.length, delimiter));
    return cuts.length > 2 ? { prefixEnd, prefixNewlines, cuts, format } : null;
  } finally {
    await fh.close();
  }
}

/** Cut offsets 0, c1, ..., size: each the record start `find` picks in a window after an even share of the file. */
async function cutAt(
  fh: Awaited<ReturnType<typeof open>>,
  size: number,
  parts: number,
  minPart: number,
  after: number,
  find: (window: Uint8Array) => number,
): Promise<{ cuts: number[] }> {
  const cuts = [0];
  const window = Buffer.allocUnsafe(WINDOW_BYTES);
  for (let k = 1; k < parts; k++) {
    const target = Math.floor((size * k) / parts);
    if (target <= Math.max(after, cuts[cuts.length - 1]! + minPart / 2)) continue;
    const { bytesRead: n } = await fh.read(window, 0, WINDOW_BYTES, target);
    const at = find(window.subarray(0, n));
    if (at < 0 || target + at >= size) continue;
    cuts.push(target + at);
  }
  cuts.push(size);
  return { cuts };
}

function nextLineStart(bytes: Uint8Array): number {
  const nl = bytes.indexOf(10);
  return nl === -1 || nl + 1 >= bytes.length ? -1 : nl + 1;
}

const EVENT_OPEN = Buffer.from('<Event');
const EVENT_CLOSE = Buffer.from('</Event>');
const isXmlSpace = (c: number | undefined): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * Offset of the first `<Event` start (as xml-reader.ts recognises one) in `bytes` that follows `</Event>` and only
 * whitespace. The event reader starts a record there whatever came before, unless that `</Event>` is inside a comment
 * between events: a record open before it ends at that `</Event>` at the latest (it ends at the first event end tag
 * after its start, or earlier where another event starts inside it), and `</Event>` plus whitespace holds no record
 * start. The comment case is verified afterwards: a range that ends inside a comment reports `xml-comment-open`, and
 * the file is then parsed sequentially.
 */
export function findEventStart(bytes: Uint8Array): number {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = b.indexOf(EVENT_OPEN); i !== -1; i = b.indexOf(EVENT_OPEN, i + 1)) {
    const next = b[i + EVENT_OPEN.length];
    if (next === undefined) return -1;
    // The reader's isEventStart: `<Event` then whitespace, `>` or `/`.
    if (!(isXmlSpace(next) || next === 62 || next === 47)) continue;
    let j = i;
    while (j > 0 && isXmlSpace(b[j - 1])) j--;
    if (j >= EVENT_CLOSE.length && b.subarray(j - EVENT_CLOSE.length, j).equals(EVENT_CLOSE)) return i;
  }
  return -1;
}

/**
 * Offset of the first line start in `bytes` whose line has exactly `fields` fields when read quote-aware (a guess:
 * a line inside a quoted field can look like a record; the parse of the previous range checks it).
 */
export function findRecordStart(bytes: Uint8Array, fields: number, delimiter: number): number {
  for (let nl = bytes.indexOf(10); nl !== -1 && nl + 1 < bytes.length; nl = bytes.indexOf(10, nl + 1)) {
    const start = nl + 1;
    let n = 1;
    let inQuote = false;
    let i = start;
    for (; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (c === 34) inQuote = !inQuote;
      else if (!inQuote) {
        if (c === delimiter) n++;
        else if (c === 10) break;
      }
    }
    if (i < bytes.length && n === fields) return start;
  }
  return -1;
}
