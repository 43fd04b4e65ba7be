// Reads a binary `.evtx` file read-only, chunk by chunk, through the EVTX reader and the Windows XML mapper into a
// RecordSink. Invariant: never the whole file in memory (1 MiB reads, one in flight); every chunk slot the file
// holds is read, whatever the header's chunk count says; each slot is records, empty, or a located damage report.
//
// Parallel ranges read "file header + their own chunks" (`ranges` = [[0, 4096], [start, end)]) as if that were the
// file, like the text readers' "header prefix + own bytes": locators are offsets in that virtual stream, which
// parallel-ingest.ts shifts by (start - 4096) to whole-file offsets; chunk numbers in reasons are the real ones.

import type { FileHandle } from 'node:fs/promises';
import { HopscopeError } from '../model/errors.ts';
import { parseEvtxFileHeader } from '../ingest/evtx/header.ts';
import { readEvtxChunk } from '../ingest/evtx/chunk.ts';
import { EvtxSlotGaps } from '../ingest/evtx/file.ts';
import { EVTX_CHUNK_BYTES, EVTX_FILE_HEADER_BYTES, type EvtxFileHeader } from '../ingest/evtx/types.ts';
import { EvtxRecordMapper } from '../ingest/evtx-records.ts';
import type { IngestStats, RecordSink } from '../model/sink.ts';
import type { DetectedInfo } from '../ingest/ingestor.ts';
import type { FormatId } from '../formats/types.ts';

/** Chunks read at a time (16 x 64 KiB = 1 MiB). */
const READ_CHUNKS = 16;

export interface EvtxFileOptions {
  fileName: string;
  sink: RecordSink;
  format?: FormatId;
  ranges?: ReadonlyArray<readonly [number, number]>;
  onProgress?(bytesDone: number, records: number): void;
  isCancelled?(): boolean;
  onFormat?(format: FormatId): void;
}

export interface EvtxFileResult {
  stats: IngestStats;
  detected: DetectedInfo;
  bytes: number;
  /** For the evidence: header CRC, stale chunk count, damaged chunks, CRC mismatches. */
  warnings: string[];
  header: EvtxFileHeader;
}

/** True when `head` starts with the EVTX file signature ("ElfFile\0"). */
export function isEvtxHead(head: Uint8Array): boolean {
  const sig = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00];
  if (head.length < 8) return false;
  for (let i = 0; i < 8; i++) if (head[i] !== sig[i]) return false;
  return true;
}

/**
 * A chunk whose first 512 bytes carry its signature and sane record ids (what EvtxSlotGaps needs of a neighbour):
 * parallel cuts fall only between two such chunks, so every range sees the neighbours the sequential read sees.
 */
export function chunkHeaderReadable(head: Uint8Array): boolean {
  const sig = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00];
  if (head.length < 40) return false;
  for (let i = 0; i < 8; i++) if (head[i] !== sig[i]) return false;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const first = dv.getUint32(24, true) + dv.getUint32(28, true) * 4294967296;
  const last = dv.getUint32(32, true) + dv.getUint32(36, true) * 4294967296;
  return first > 0 && last >= first && last - first < Math.floor((EVTX_CHUNK_BYTES - 512) / 28);
}

export async function ingestEvtxHandle(fh: FileHandle, opts: EvtxFileOptions): Promise<EvtxFileResult> {
  const { fileName } = opts;
  if (opts.format && opts.format !== 'windows-xml') {
    throw new HopscopeError('E_USAGE', `an .evtx file holds Windows events; format "${opts.format}" does not apply to it`, { file: fileName });
  }
  const size = (await fh.stat()).size;
  const ranges = (opts.ranges ?? [[0, size]]).map(([a, b]) => [a, Math.min(b, size)] as const);
  const headerBuf = Buffer.alloc(EVTX_FILE_HEADER_BYTES);
  const { bytesRead: hn } = await fh.read(headerBuf, 0, EVTX_FILE_HEADER_BYTES, 0);
  if (hn < 128) {
    throw new HopscopeError('E_FORMAT', `a binary Windows event log (.evtx) cut short: its file header has ${hn} of 4096 bytes, so the file is truncated`, { file: fileName, byteOffset: 0 });
  }
  let header: EvtxFileHeader;
  try {
    header = parseEvtxFileHeader(headerBuf.subarray(0, hn));
  } catch (err) {
    if (err instanceof HopscopeError) throw new HopscopeError(err.code, err.message.replace(/ \(byte offset \d+\)$/, ''), { file: fileName, byteOffset: 0 });
    throw err;
  }
  opts.onFormat?.('windows-xml');
  const mapper = new EvtxRecordMapper(opts.sink);
  const warnings: string[] = [];
  if (!header.crcOk) warnings.push('the EVTX file header checksum does not match (the header may be damaged; every chunk was read regardless)');
  let slots = 0;
  let emptySlots = 0;
  let bytesDone = hn;
  let virtualBase = 0;
  // The virtual stream: ranges one after another; the first 4096 bytes of it are the file header.
  const buf = Buffer.allocUnsafe(READ_CHUNKS * EVTX_CHUNK_BYTES);
  for (const [start, end] of ranges) {
    // Chunk slots of this range (the header range contributes none).
    let pos = Math.max(start, EVTX_FILE_HEADER_BYTES);
    const virtualOfPos = (real: number): number => virtualBase + (real - start);
    if (start < EVTX_FILE_HEADER_BYTES) bytesDone = Math.max(bytesDone, Math.min(end, EVTX_FILE_HEADER_BYTES));
    // A range after the header starts at a slot boundary (parallel-ingest cuts there); realign defensively.
    const misalign = (pos - EVTX_FILE_HEADER_BYTES) % EVTX_CHUNK_BYTES;
    if (misalign !== 0) pos += EVTX_CHUNK_BYTES - misalign;
    // A slot that cannot say what it held is counted from its readable neighbours' record ids (EvtxSlotGaps);
    // parallel cuts fall only between two readable slots (parallel-ingest.ts), so a range sees the same neighbours.
    const gaps = new EvtxSlotGaps(header);
    mapper.shift = virtualOfPos(pos) - pos;
    while (pos < end) {
      if (opts.isCancelled?.()) throw new HopscopeError('E_CANCELLED', 'ingest cancelled', { file: fileName, byteOffset: pos });
      const want = Math.min(buf.length, end - pos);
      let got = 0;
      try {
        while (got < want) {
          const { bytesRead } = await fh.read(buf, got, want - got, pos + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (err) {
        throw new HopscopeError('E_IO', `read failed: ${(err as Error).message}`, { file: fileName, byteOffset: pos });
      }
      if (got === 0) break;
      for (let at = 0; at < got; at += EVTX_CHUNK_BYTES) {
        const real = pos + at;
        const slot = (real - EVTX_FILE_HEADER_BYTES) / EVTX_CHUNK_BYTES;
        const bytes = buf.subarray(at, Math.min(got, at + EVTX_CHUNK_BYTES));
        mapper.shift = virtualOfPos(real) - real;
        const r = readEvtxChunk(bytes, slot, real, mapper, { tree: true });
        gaps.after(slot, real, r, mapper);
        slots++;
        if (r.empty) emptySlots++;
      }
      pos += got;
      bytesDone += got;
      opts.onProgress?.(bytesDone, mapper.stats.records);
      if (got < want) break;
    }
    gaps.finish(mapper);
    virtualBase += end - start;
  }
  // Only a whole-file read can judge the header's chunk count against the file.
  const whole = ranges.length === 1 && ranges[0]![0] === 0;
  if (whole) {
    const used = slots - emptySlots;
    if (header.chunkCount !== 0 && used > header.chunkCount) {
      warnings.push(`the file header counts ${header.chunkCount} chunk(s) but the file holds ${used} with data (not closed cleanly): all were read`);
    }
    if ((size - EVTX_FILE_HEADER_BYTES) % EVTX_CHUNK_BYTES !== 0 && size > EVTX_FILE_HEADER_BYTES) {
      warnings.push(`the file ends inside a chunk (${size} bytes is not 4096 + a whole number of 64 KiB chunks): it may be truncated`);
    }
  }
  if (mapper.damagedChunks.size > 0) {
    warnings.push(`${mapper.damagedChunks.size} chunk(s) damaged: what could not be read is listed as rejected records (evtx-damaged)${mapper.recordsLost ? `, ${mapper.recordsLost} record(s) lost` : ''}`);
  }
  if (mapper.crcBadChunks > 0) {
    warnings.push(`${mapper.crcBadChunks} chunk(s) fail their checksum: their records are kept and marked (field HopscopeChunkCrc=mismatch)`);
  }
  const detected: DetectedInfo = {
    format: 'windows-xml',
    reason: `binary Windows event log (EVTX ${header.majorVersion}.${header.minorVersion}), read chunk by chunk`,
    container: 'xml',
  };
  return { stats: mapper.stats, detected, bytes: bytesDone, warnings, header };
}
