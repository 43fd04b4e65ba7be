// Reads one evidence file read-only, in chunks, through the streaming decoder and ingestor into a RecordSink.
// Invariant: the file is opened with flag 'r' only and never held whole in memory or in one string;
// cancellation is checked between chunks and surfaces as HopscopeError('E_CANCELLED').

import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { HopscopeError } from '../model/errors.ts';
import type { IngestStats, RecordSink } from '../ingest/sink.ts';
import type { FormatId, GenericMapping } from '../ingest/types.ts';
import { createIngestor, type DetectedInfo, type Ingestor } from '../ingest/ingestor.ts';
import { isAscii } from 'node:buffer';
import { StreamDecoder, type AsciiFastPath, type TextEncodingName } from '../ingest/decode.ts';

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
  /** Read size; default 96 KiB (DEFAULT_CHUNK). */
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
  encoding: TextEncodingName;
  bomBytes: number;
  bytes: number;
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

export async function ingestFile(path: string, opts: IngestFileOptions): Promise<IngestFileResult> {
  const fileName = opts.fileName ?? basename(path);
  const chunkBytes = Math.max(1, Math.min(opts.chunkBytes ?? DEFAULT_CHUNK, 64 << 20));
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new HopscopeError('E_IO', `cannot open evidence file: ${(err as Error).message}`, { file: fileName });
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
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const ranges = opts.ranges ?? [[0, Infinity] as const];
    for (const [start, end] of ranges) {
      let pos = start;
      while (pos < end) {
        if (opts.isCancelled?.()) throw new HopscopeError('E_CANCELLED', 'ingest cancelled', { file: fileName, byteOffset: pos });
        let n: number;
        try {
          ({ bytesRead: n } = await fh.read(buf, 0, Math.min(chunkBytes, end - pos), pos));
        } catch (err) {
          throw new HopscopeError('E_IO', `read failed: ${(err as Error).message}`, { file: fileName, byteOffset: pos });
        }
        if (n === 0) break;
        pos += n;
        bytesDone += n;
        opts.onChunk?.(buf.subarray(0, n));
        feed(decoder.push(buf.subarray(0, n)));
        opts.onProgress?.(bytesDone, (ingestor as Ingestor | null)?.stats.records ?? 0);
      }
    }
    feed(decoder.end());
    const ing = ingestor as Ingestor | null;
    if (!ing) throw new HopscopeError('E_INTERNAL', 'decoder produced no encoding', { file: fileName });
    ing.addInvalidBytes(decoder.invalidBytesReplaced);
    const { stats, detected } = ing.end();
    const info = decoder.detected!;
    return { stats, detected, encoding: info.encoding, bomBytes: info.bomBytes, bytes: bytesDone };
  } finally {
    await fh.close();
  }
}
