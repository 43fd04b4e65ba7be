// Streaming ingest core: sniffs the container (xml / json / csv) and the log family from the first records,
// then streams every record through one format mapper into a RecordSink.
// Invariant: each input record ends in exactly one of append / reject / nonProcess; text arrives in chunks.

import { HopscopeError } from '../model/errors.ts';
import type { IngestStats, RecordSink, Rejection } from '../model/sink.ts';
import type { ContainerKind, DetectSample, FlatRecord, FormatId, FormatMapper, GenericMapping } from '../formats/types.ts';
import { FORMAT_IDS, indexOfNames } from '../formats/types.ts';
import { detectFormat, mapperFor } from '../formats/index.ts';
import { CsvReader } from './csv-reader.ts';
import { csvLine } from '../formats/csv-line.ts';
import { JsonStreamReader, NdjsonReader } from './json-reader.ts';
import { XmlEventReader } from './xml-reader.ts';
import type { ContainerReader, ReaderOutput } from './reader.ts';
import { ByteOffsetTracker, type TextEncodingName } from './decode.ts';

export interface IngestorOptions {
  evidence: number;
  fileName?: string;
  /** Skip detection and use this format (`generic` needs `mapping`). */
  format?: FormatId;
  mapping?: GenericMapping;
  sink: RecordSink;
  /** Put each record's own text in `raw` (JSON object text, re-serialised CSV line); XML always keeps it. */
  keepRawText?: boolean;
  /** Source encoding, so locators carry byte offsets of the file (default UTF-8 without BOM). */
  encoding?: TextEncodingName;
  bomBytes?: number;
  /** Records longer than this are rejected as `too-large` (default 32 Mi characters). */
  maxRecordChars?: number;
  /** Called once when the log family is decided, before the first record is mapped (partial views name it). */
  onFormat?(format: FormatId): void;
}

export interface DetectedInfo {
  format: FormatId;
  reason: string;
  container: ContainerKind;
}

export interface IngestResult {
  stats: IngestStats;
  detected: DetectedInfo;
}

export interface Ingestor {
  /** `ascii`: the chunk is known to be all ASCII (StreamDecoder.lastAscii), which saves a scan of it. */
  push(chunk: string, ascii?: boolean): void;
  end(): IngestResult;
  /** Counts decoder replacements into the stats (set by the file reader). */
  addInvalidBytes(n: number): void;
  /** Running totals so far (for progress reports); do not mutate. */
  readonly stats: Readonly<IngestStats>;
}

/** Thrown when the content is CSV/JSON of no known family and no mapping was given: lists the columns. */
export class UnknownFormatError extends HopscopeError {
  readonly columns: string[];
  readonly container: ContainerKind;
  constructor(columns: string[], container: ContainerKind, file?: string) {
    super(
      'E_FORMAT',
      `Unknown ${container === 'csv' ? 'CSV' : 'JSON'} layout (format "generic"): choose which columns hold the time, host and process fields. Columns: ${columns.slice(0, 200).map((c) => (c.length > 120 ? c.slice(0, 120) + '…' : c)).join(', ')}${columns.length > 200 ? ` … (${columns.length} in all)` : ''}`,
      file ? { file } : undefined,
    );
    this.columns = columns;
    this.container = container;
    this.signature = headerSignature(columns);
  }
  /** Stable key of the column set, for remembering the user's mapping per header. */
  readonly signature: string;
}

/** FNV-1a (32-bit, hex) over the column names in order: the key a remembered GenericMapping is stored under. */
export function headerSignature(columns: readonly string[]): string {
  let h = 0x811c9dc5;
  const text = columns.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0') + ':' + columns.length;
}

/** Records buffered for detection before the first is mapped. */
const DETECT_RECORDS = 32;
/** Text inspected to pick the container before giving up waiting for a newline. */
const SNIFF_CHARS = 1 << 20;

/** Looks at the start of the text: returns the container, or null when more text is needed. */
export function sniffContainer(head: string, final: boolean): { container: ContainerKind; reason: string } | null {
  let i = 0;
  if (head.charCodeAt(0) === 0xfeff) i = 1;
  while (i < head.length && head.charCodeAt(i) <= 32) i++;
  if (i >= head.length) return final ? { container: 'csv', reason: 'empty input' } : null;
  const c = head[i];
  if (c === '<') return { container: 'xml', reason: 'starts with "<" (XML)' };
  if (c === '[') return { container: 'json-array', reason: 'starts with "[" (JSON array)' };
  if (c === '{') {
    const nl = head.indexOf('\n', i);
    if (nl === -1 && !final && head.length < SNIFF_CHARS) return null;
    const firstLine = head.slice(i, nl === -1 ? head.length : nl).trimEnd();
    if (firstLine.endsWith('}') || firstLine.endsWith('},')) return { container: 'ndjson', reason: 'one JSON object per line (NDJSON)' };
    return { container: 'json-stream', reason: 'JSON objects spanning several lines' };
  }
  // Wait for the first line before calling it CSV: evtx_dump's JSON starts with a `Record 1` line.
  const nl = head.indexOf('\n', i);
  if (nl === -1 && !final && head.length < SNIFF_CHARS) return null;
  if (head.startsWith('Record ', i)) {
    const next = head.slice(nl + 1).trimStart();
    // Nothing after the first line yet: wait, so the choice never depends on where a chunk happened to end.
    if (nl !== -1 && next === '' && !final && head.length < SNIFF_CHARS) return null;
    if (nl !== -1 && (next === '' || next.startsWith('{'))) return { container: 'json-stream', reason: 'evtx_dump JSON ("Record N" separators)' };
  }
  return { container: 'csv', reason: 'delimited text with a header row (CSV)' };
}

/**
 * Why `head` is not a text export at all, or null. Asked only when the text was taken for CSV (binary data never
 * starts with `<`, `[` or `{` and its magic bytes are not those): sniffContainer has then seen the whole first line,
 * or SNIFF_CHARS of it, or the whole input, and this looks no further, so the answer never depends on chunking.
 */
export function binaryInputReason(head: string): string | null {
  if (head.startsWith('ElfFile\u0000')) {
    return 'a binary Windows event log (.evtx), not an export: save it as XML first (Event Viewer: Save All Events As, type XML; or wevtutil qe FILE /lf:true /f:xml), or convert it with EvtxECmd (CSV) or evtx_dump (JSON)';
  }
  if (head.startsWith('LfLe', 4)) return 'a legacy binary event log (.evt), not an export: open it in Event Viewer and save it as XML first';
  if (head.startsWith('PK\u0003\u0004')) return 'a ZIP archive: extract the log files from it first';
  if (head.startsWith('\u001f\ufffd\u0008')) return 'a gzip-compressed file: decompress it first (gunzip)';
  const nl = head.indexOf('\n');
  const nul = head.indexOf('\u0000');
  if (nul !== -1 && nul < Math.min(nl === -1 ? head.length : nl, SNIFF_CHARS)) return `binary data (a NUL character at character ${nul + 1} of the first line), not a text log export`;
  return null;
}

class IngestorImpl implements Ingestor, ReaderOutput {
  private head = '';
  private reader: ContainerReader | null = null;
  private container: ContainerKind = 'csv';
  private containerReason = '';
  private mapper: FormatMapper | null = null;
  private format: FormatId = 'generic';
  private formatReason = '';
  private pending: FlatRecord[] | null = [];
  private recordNo = 0;
  private offsets: ByteOffsetTracker;
  readonly stats: IngestStats = {
    records: 0, appended: 0, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false,
  };
  private csvReader: CsvReader | null = null;
  /** Names (and their index) of the last record that came without an index. */
  private lastNames: readonly string[] | null = null;
  private lastIndex: ReadonlyMap<string, number> | null = null;

  constructor(private readonly opts: IngestorOptions) {
    this.offsets = new ByteOffsetTracker(opts.encoding ?? 'utf-8', opts.bomBytes ?? 0);
    if (opts.format) {
      if (!FORMAT_IDS.includes(opts.format)) {
        throw new HopscopeError('E_USAGE', `unknown format "${String(opts.format).slice(0, 40)}" (known: ${FORMAT_IDS.join(', ')})`, { file: opts.fileName });
      }
      const m = mapperFor(opts.format, opts.mapping);
      if (!m) throw new HopscopeError('E_USAGE', `format "${opts.format}" needs a column mapping`, { file: opts.fileName });
      this.mapper = m;
      this.format = opts.format;
      this.formatReason = 'chosen by the user';
      this.pending = null;
      // Known before any record (a detected format is reported by decide()).
      opts.onFormat?.(this.format);
    }
  }

  addInvalidBytes(n: number): void {
    this.stats.invalidBytesReplaced += n;
  }

  /**
   * Line endings: null until the first line break is seen, then whether the file ends its lines with a lone CR (classic
   * Mac, some exporters). Such a file has every CR read as LF (same length and bytes, so offsets hold), which is what
   * every reader splits lines on; decided by content, never by where a chunk ends.
   */
  private crLines: boolean | null = null;
  private crPending = '';
  private crAscii = true;
  private crScan = 0;

  push(chunk: string, ascii?: boolean): void {
    if (chunk.length === 0) return;
    if (this.crLines === null) {
      this.crPending += chunk;
      this.crAscii &&= ascii === true;
      const mode = crLineMode(this.crPending, false, this.crScan);
      // Resume where this look stopped (a CR at the end is looked at again with what follows it).
      this.crScan = Math.max(0, this.crPending.length - 1);
      if (mode === null) return;
      this.crLines = mode;
      chunk = this.crPending;
      ascii = this.crAscii;
      this.crPending = '';
    }
    if (this.crLines) chunk = chunk.replace(/\r/g, '\n');
    this.pushText(chunk, ascii);
  }

  private pushText(chunk: string, ascii?: boolean): void {
    this.offsets.feed(chunk, ascii);
    if (this.reader) {
      this.reader.push(chunk);
      // Let the offset tracker drop text no record can point into (e.g. a long stretch without records).
      this.offsets.toByte(this.reader.settledOffset());
      return;
    }
    this.head += chunk;
    const sniff = sniffContainer(this.head, false);
    if (sniff) this.startReader(sniff.container, sniff.reason);
  }

  end(): IngestResult {
    if (this.crLines === null) {
      this.crLines = crLineMode(this.crPending, true) === true;
      const text = this.crLines ? this.crPending.replace(/\r/g, '\n') : this.crPending;
      this.crPending = '';
      if (text.length) this.pushText(text, this.crAscii);
    }
    if (!this.reader) {
      const sniff = sniffContainer(this.head, true)!;
      this.startReader(sniff.container, sniff.reason);
    }
    this.reader!.end();
    if (this.pending) this.decide();
    const reason = this.formatReason ? `${this.formatReason}; container: ${this.containerReason}` : this.containerReason;
    return { stats: this.stats, detected: { format: this.format, reason, container: this.container } };
  }

  private startReader(container: ContainerKind, reason: string): void {
    const binary = container === 'csv' ? binaryInputReason(this.head) : null;
    if (binary) throw new HopscopeError('E_FORMAT', `not a readable log: ${binary}`, { file: this.opts.fileName });
    this.container = container;
    this.containerReason = reason;
    const file = this.opts.fileName;
    const max = this.opts.maxRecordChars;
    if (container === 'xml') this.reader = new XmlEventReader(this, file, max);
    else if (container === 'ndjson') this.reader = new NdjsonReader(this, max);
    else if (container === 'json-array' || container === 'json-stream') this.reader = new JsonStreamReader(this, max);
    else this.reader = this.csvReader = new CsvReader(this, file, max);
    const text = this.head;
    this.head = '';
    this.reader.push(text);
  }

  // ReaderOutput ----------------------------------------------------------------

  record(
    names: readonly string[],
    values: ReadonlyArray<string | undefined>,
    index: ReadonlyMap<string, number> | null,
    text: string | undefined,
    line: number,
    charOffset: number,
  ): void {
    if (!index) {
      // JSON records bring a new names array each; most repeat the previous record's names. Reusing that array
      // and its index lets the mapper's per-index plan and the builder's shape lookup hit their one-entry caches.
      const last = this.lastNames;
      if (last !== null && sameNames(last, names)) {
        names = last;
        index = this.lastIndex!;
      } else {
        index = indexOfNames(names);
        this.lastNames = names;
        this.lastIndex = index;
      }
    }
    const rec: FlatRecord = {
      names,
      values,
      index,
      text,
      record: ++this.recordNo,
      line,
      byteOffset: this.offsets.toByte(charOffset),
    };
    if (this.pending) {
      this.pending.push(rec);
      if (this.pending.length >= DETECT_RECORDS) this.decide();
      return;
    }
    this.mapOne(rec);
  }

  reject(code: string, reason: string, line: number, charOffset: number): void {
    this.emitReject({ code, reason, line, record: ++this.recordNo, byteOffset: this.offsets.toByte(charOffset) });
  }

  // ------------------------------------------------------------------------------

  private decide(): void {
    const pending = this.pending ?? [];
    this.pending = null;
    const names = new Set<string>();
    if (this.csvReader?.columns) for (const n of this.csvReader.columns) names.add(n);
    for (const r of pending) for (const n of r.names) names.add(n);
    const sample: DetectSample = { container: this.container, names, records: pending };
    const chosen = this.mapper !== null;
    if (!this.mapper) {
      const d = detectFormat(sample);
      this.format = d.format;
      this.formatReason = d.reason;
      if (d.mapper) this.mapper = d.mapper;
      else if (this.opts.mapping) {
        this.mapper = mapperFor('generic', this.opts.mapping);
        this.formatReason = 'generic with the user column mapping';
      } else if (this.container === 'csv' && names.size === 1) {
        // A column mapping needs a time column and a process column: one column cannot be a log export.
        throw new HopscopeError('E_FORMAT', 'not a readable log: its first line has no comma, tab, semicolon or pipe, so it is not a delimited (CSV) export, nor JSON or XML', { file: this.opts.fileName });
      } else if (pending.length > 0 || names.size > 0) {
        throw new UnknownFormatError([...names], this.container, this.opts.fileName);
      } else this.formatReason = 'no records to recognise';
    }
    if (!chosen && this.mapper) this.opts.onFormat?.(this.format);
    for (const r of pending) this.mapOne(r);
  }

  private mapOne(rec: FlatRecord): void {
    const out = this.mapper!.map(rec);
    if (out.kind === 'event') {
      const r = out.rec;
      if (this.opts.keepRawText && r.raw === undefined) {
        r.raw = rec.text ?? (this.csvReader ? csvLine(rec.values, this.csvReader.fieldDelimiter) : undefined);
      }
      this.stats.records++;
      this.stats.appended++;
      if (r.assumedUtc) this.stats.assumedUtc = true;
      this.opts.sink.append(r);
    } else if (out.kind === 'reject') {
      this.emitReject({ code: out.code, reason: out.reason, record: rec.record, line: rec.line, byteOffset: rec.byteOffset });
    } else {
      this.stats.records++;
      this.stats.nonProcess++;
      this.opts.sink.nonProcess(out.what, rec.record);
    }
  }

  private emitReject(rej: Rejection): void {
    this.stats.records++;
    this.stats.rejected++;
    this.stats.rejectedByReason[rej.code] = (this.stats.rejectedByReason[rej.code] ?? 0) + 1;
    this.opts.sink.reject(rej);
  }
}

/** Text looked at for the first line break before the file is taken to use LF or CRLF. */
const CR_DECIDE_CHARS = 64 * 1024;

/**
 * Whether text whose start is `s` ends its lines with a lone CR: its first line break is a CR not followed by LF.
 * Null when that cannot be told yet (no line break in the first CR_DECIDE_CHARS characters counts as "no").
 */
export function crLineMode(s: string, final: boolean, from = 0): boolean | null {
  const lim = Math.min(s.length, CR_DECIDE_CHARS);
  for (let i = from; i < lim; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) return false;
    if (c === 13) {
      if (i + 1 < s.length) return s.charCodeAt(i + 1) !== 10;
      return final ? true : null;
    }
  }
  return s.length >= CR_DECIDE_CHARS || final ? false : null;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function createIngestor(opts: IngestorOptions): Ingestor {
  return new IngestorImpl(opts);
}
