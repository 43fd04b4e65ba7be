// Reads one evidence file read-only, in chunks, through the streaming decoder and ingestor into a RecordSink.
// Invariant: the file is opened with flag 'r' only and never held whole in memory or in one string;
// cancellation is checked between chunks and surfaces as HopscopeError('E_CANCELLED').

import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { HopscopeError } from '../model/errors.ts';
import type { IngestStats, RecordSink } from '../model/sink.ts';
import type { FormatId, GenericMapping } from '../formats/types.ts';
import { createIngestor, type DetectedInfo, type Ingestor } from '../ingest/ingestor.ts';
import { isAscii } from 'node:buffer';
import { StreamDecoder, type AsciiFastPath, type TextEncodingName } from '../ingest/decode.ts';
import { ingestEvtxHandle, isEvtxHead } from './evtx-file.ts';

/** Node's SIMD ASCII check and one-byte string copy, for the decoder's all-ASCII chunks. */
export const NODE_ASCII: AsciiFastPath = {
  isAscii: (bytes) => isAscii(bytes),
  latin1: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
};

export interface IngestFileOptions {
  evidence: number;
  format?: FormatId;
  mapping?: GenericMapping;
  sink: RecordSink;
  onProgress?(bytesDone: number, records: number): void;
  isCancelled?(): boolean;
  /** Bytes decoded and parsed at a time (default 96 KiB, DEFAULT_CHUNK); the file is read in pieces of at least READ_BYTES. */
  chunkBytes?: number;
  /** Name shown in error locations; default the path's basename. */
  fileName?: string;
  /**
   * Byte ranges [start, end) read one after the other as if they were the file (default: the whole file).
   * A parallel parse reads the header prefix and then its own part of the file (parallel-ingest.ts).
   */
  ranges?: ReadonlyArray<readonly [number, number]>;
  /** Sees every chunk of bytes as read, before decoding (the buffer is reused afterwards). */
  onChunk?(bytes: Uint8Array): void;
  /** Called once, as soon as the log family is decided (partial views show it while the rest is read). */
  onFormat?(format: FormatId): void;
}

export interface IngestFileResult {
  stats: IngestStats;
  detected: DetectedInfo;
  /** `binary` for a binary Windows event log (.evtx), read by the EVTX reader. */
  encoding: TextEncodingName | 'binary';
  bomBytes: number;
  bytes: number;
  /** What the evidence should say about the file beyond its records (EVTX: header checksum, damaged chunks). */
  warnings?: string[];
}

/**
 * Measured on 100-300 MB CSVs: 256 KiB reads peak ~20 % lower in RSS than 1 MiB at the same CPU time; 4 MiB was
 * worse in both. 96 KiB does better again: a chunk's text (one byte a character for ASCII and Latin-1) stays below
 * V8's large-object size (128 KiB), so it is allocated young and dies in a scavenge, where a 256 KiB text went to
 * the large-object space and stayed until the next full collection (1 GB CSV, 4 alternating runs each: peak RSS
 * 772-791 -> 721-769 MB, wall 10.5-11.2 -> 10.2-11.1 s; 1.56 GB NDJSON 806-816 -> 744-755 MB and 13.3-14.3 ->
 * 11.9-12.6 s; 300 MB Sysmon XML 175 -> 139 MB, 5.5 s both).
 */
const DEFAULT_CHUNK = 96 << 10;
/** Bytes read at a time (then decoded in DEFAULT_CHUNK slices). */
const READ_BYTES = 1 << 20;

export async function ingestFile(path: string, opts: IngestFileOptions): Promise<IngestFileResult> {
  const fileName = opts.fileName ?? basename(path);
  const chunkBytes = Math.max(1, Math.min(opts.chunkBytes ?? DEFAULT_CHUNK, 64 << 20));
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new HopscopeError('E_IO', `cannot open evidence file: ${(err as Error).message}`, { file: fileName });
  }
  // A binary Windows event log goes to the EVTX reader (the first range of a parallel read starts at 0 too).
  if ((opts.ranges?.[0]?.[0] ?? 0) === 0) {
    const head = Buffer.alloc(8);
    let n = 0;
    try {
      n = (await fh.read(head, 0, 8, 0)).bytesRead;
    } catch (err) {
      await fh.close();
      throw new HopscopeError('E_IO', `read failed: ${(err as Error).message}`, { file: fileName, byteOffset: 0 });
    }
    if (isEvtxHead(head.subarray(0, n))) {
      try {
        const r = await ingestEvtxHandle(fh, {
          fileName, sink: opts.sink,
          ...(opts.format ? { format: opts.format } : {}),
          ...(opts.ranges ? { ranges: opts.ranges } : {}),
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          ...(opts.isCancelled ? { isCancelled: opts.isCancelled } : {}),
          ...(opts.onFormat ? { onFormat: opts.onFormat } : {}),
        });
        return { stats: r.stats, detected: r.detected, encoding: 'binary', bomBytes: 0, bytes: r.bytes, warnings: r.warnings };
      } finally {
        await fh.close();
      }
    }
  }
  const decoder = new StreamDecoder(NODE_ASCII);
  let ingestor: Ingestor | null = null;
  let bytesDone = 0;
  const feed = (text: string): void => {
    if (!ingestor) {
      const info = decoder.detected;
      if (!info) return;
      ingestor = createIngestor({
        evidence: opts.evidence, fileName, format: opts.format, mapping: opts.mapping, sink: opts.sink,
        encoding: info.encoding, bomBytes: info.bomBytes,
        ...(opts.onFormat ? { onFormat: opts.onFormat } : {}),
      });
    }
    if (text) ingestor.push(text, decoder.lastAscii === true);
  };
  // Reads of READ_BYTES, one always in flight while the previous one is parsed (a parse worker otherwise sat idle
  // for every read's round trip through the thread pool), handed to the decoder in chunkBytes slices.
  const readBytes = Math.max(chunkBytes, READ_BYTES);
  const bufs = [Buffer.allocUnsafe(readBytes), Buffer.allocUnsafe(readBytes)];
  const ranges = opts.ranges ?? [[0, Infinity] as const];
  type Read = { range: number; pos: number; buf: Buffer; done: Promise<number> };
  let inFlight: Read | null = null;
  const startRead = (range: number, pos: number, buf: Buffer): Read | null => {
    while (range < ranges.length && pos >= ranges[range]![1]) {
      range++;
      if (range < ranges.length) pos = ranges[range]![0];
    }
    if (range >= ranges.length) return null;
    const len = Math.min(readBytes, ranges[range]![1] - pos);
    const done = fh.read(buf, 0, len, pos).then(
      (r) => r.bytesRead,
      (err: unknown) => {
        throw new HopscopeError('E_IO', `read failed: ${(err as Error).message}`, { file: fileName, byteOffset: pos });
      },
    );
    // Awaited below or in `finally`; never an unhandled rejection if parsing fails first.
    done.catch(() => undefined);
    return { range, pos, buf, done };
  };
  try {
    let cur = startRead(0, ranges[0]?.[0] ?? 0, bufs[0]!);
    inFlight = cur;
    let which = 0;
    while (cur) {
      const n = await cur.done;
      const { range, pos, buf } = cur;
      which ^= 1;
      // Nothing read: the file ends inside this range, go on with the next one.
      const next = n === 0 ? startRead(range + 1, ranges[range + 1]?.[0] ?? Infinity, bufs[which]!) : startRead(range, pos + n, bufs[which]!);
      inFlight = next;
      for (let at = 0; at < n; at += chunkBytes) {
        if (opts.isCancelled?.()) throw new HopscopeError('E_CANCELLED', 'ingest cancelled', { file: fileName, byteOffset: pos + at });
        const slice = buf.subarray(at, Math.min(n, at + chunkBytes));
        bytesDone += slice.length;
        opts.onChunk?.(slice);
        feed(decoder.push(slice));
        opts.onProgress?.(bytesDone, (ingestor as Ingestor | null)?.stats.records ?? 0);
      }
      cur = next;
    }
    feed(decoder.end());
    const ing = ingestor as Ingestor | null;
    if (!ing) throw new HopscopeError('E_INTERNAL', 'decoder produced no encoding', { file: fileName });
    ing.addInvalidBytes(decoder.invalidBytesReplaced);
    const { stats, detected } = ing.end();
    const info = decoder.detected!;
    return { stats, detected, encoding: info.encoding, bomBytes: info.bomBytes, bytes: bytesDone };
  } finally {
    // Never close the descriptor under a read still in flight.
    if (inFlight) await (inFlight as Read).done.catch(() => undefined);
    await fh.close();
  }
}
