// Public entry of the ingest layer: the streaming ingestor and `ingestText`, a whole-string convenience
// for tests and small inputs. Invariant: ingestText is exactly createIngestor + a collecting sink.

import type { CanonicalEvent } from '../model/fields.ts';
import type { IngestRecord, IngestStats, RecordSink, Rejection } from '../model/sink.ts';
import type { FormatId, GenericMapping } from '../formats/types.ts';
import { createIngestor, type DetectedInfo } from './ingestor.ts';

export { createIngestor, headerSignature, sniffContainer, UnknownFormatError } from './ingestor.ts';
import { UnknownFormatError } from './ingestor.ts';
export type { DetectedInfo, IngestResult, Ingestor, IngestorOptions } from './ingestor.ts';
export type { ContainerKind, FormatId, GenericMapping } from '../formats/types.ts';
export { FORMAT_IDS } from '../formats/types.ts';
export { StreamDecoder } from './decode.ts';
export type { TextEncodingName } from './decode.ts';
export { parseTime } from '../model/time.ts';

export interface SniffResult extends DetectedInfo {
  /** Set when the format is `generic`: the columns the user must map, and their signature. */
  columns?: string[];
  signature?: string;
}

/**
 * Names the format of a file from its first text (e.g. 64 KiB) without keeping anything: for "open" dialogs
 * that show the detected format and reason, or ask for a mapping before ingesting.
 */
export function sniffFormat(head: string, fileName?: string): SniffResult {
  const none = { append(): void {}, reject(): void {}, nonProcess(): void {} };
  const ing = createIngestor({ evidence: 0, fileName, sink: none });
  try {
    ing.push(head);
    return ing.end().detected;
  } catch (err) {
    if (err instanceof UnknownFormatError) {
      return { format: 'generic', reason: err.message, container: err.container, columns: err.columns, signature: err.signature };
    }
    throw err;
  }
}

/** IngestRecord -> materialised CanonicalEvent (original fields as an object; first occurrence of a name wins). */
export function toCanonicalEvent(rec: IngestRecord, evidence: number): CanonicalEvent {
  const original: Record<string, string> = {};
  for (let i = 0; i < rec.originalNames.length; i++) {
    const n = rec.originalNames[i]!;
    // defineProperty: a field named `__proto__` or `constructor` is data, never the object's prototype.
    if (!Object.hasOwn(original, n)) {
      Object.defineProperty(original, n, { value: rec.originalValues[i] ?? '', enumerable: true, writable: true, configurable: true });
    }
  }
  const ev: CanonicalEvent = {
    timeMs: rec.timeMs,
    fields: { ...rec.fields },
    original,
    source: rec.source,
    kind: rec.kind ?? 'process_creation',
    locator: { evidence, record: rec.record, line: rec.line, byteOffset: rec.byteOffset },
  };
  if (rec.raw !== undefined) ev.raw = rec.raw;
  if (rec.provider !== undefined) ev.provider = rec.provider;
  return ev;
}

/** A RecordSink that keeps everything in memory (tests, small files). */
export class CollectingSink implements RecordSink {
  readonly records: IngestRecord[] = [];
  readonly rejects: Rejection[] = [];
  readonly nonProcessKinds: Array<{ kind: string; record: number }> = [];
  append(rec: IngestRecord): void {
    this.records.push(rec);
  }
  reject(rej: Rejection): void {
    this.rejects.push(rej);
  }
  nonProcess(kind: string, record: number): void {
    this.nonProcessKinds.push({ kind, record });
  }
}

export interface IngestTextResult {
  events: CanonicalEvent[];
  stats: IngestStats;
  detected: DetectedInfo;
  rejects: Rejection[];
  /** Kind of every non-process record, in input order (e.g. `sysmon:3`, `security:4624`). */
  nonProcess: Array<{ kind: string; record: number }>;
}

/** Ingests a whole string (pushed in `chunkChars` pieces when given, to exercise the streaming path). */
export function ingestText(
  text: string,
  opts: {
    evidence?: number; fileName?: string; format?: FormatId; mapping?: GenericMapping; chunkChars?: number; maxRecordChars?: number;
  } = {},
): IngestTextResult {
  const evidence = opts.evidence ?? 0;
  const sink = new CollectingSink();
  const ing = createIngestor({
    evidence, fileName: opts.fileName, format: opts.format, mapping: opts.mapping, sink, keepRawText: true,
    maxRecordChars: opts.maxRecordChars,
  });
  const step = opts.chunkChars && opts.chunkChars > 0 ? opts.chunkChars : text.length || 1;
  for (let i = 0; i < text.length; i += step) ing.push(text.slice(i, i + step));
  const { stats, detected } = ing.end();
  return {
    events: sink.records.map((r) => toCanonicalEvent(r, evidence)),
    stats,
    detected,
    rejects: sink.rejects,
    nonProcess: sink.nonProcessKinds,
  };
}
