// Whole-file reading over readEvtxChunk (tests, fuzzing, small files; a driver reading chunk ranges can mirror
// it): scans every chunk slot the bytes hold, whatever the header's chunk count says, and counts the records of
// slots that could not say how many they held (a garbage slot, or an all-zero slot the header counts as in use)
// from the gap between their neighbours' record ids.

import { readEvtxChunk } from './chunk.ts';
import { parseEvtxFileHeader } from './header.ts';
import {
  EVTX_CHUNK_BYTES, EVTX_FILE_HEADER_BYTES, type EvtxChunkOptions, type EvtxChunkOutput, type EvtxChunkResult, type EvtxFileHeader, type EvtxRecord,
} from './types.ts';

export interface EvtxFileResult {
  header: EvtxFileHeader;
  /** Chunk slots the bytes hold (a partial last slot counts). */
  chunks: number;
  emptyChunks: number;
  records: number;
  /** Slack records (only with { recover: true }). */
  recovered: number;
  damaged: number;
  recordsLost: number;
}

/** Largest id gap between neighbouring chunks taken as lost records (beyond it, the ids are not trusted). */
const MAX_GAP = 1 << 20;

/**
 * The file-level half of the books, for any driver that reads slots in file order (readEvtxFile uses it): a slot
 * that cannot say what it held (garbage, or all zero while the file header counts it in use) is reported once the
 * next slot with readable record ids is read, with the id gap between the two neighbours as recordsLost.
 * Call `after(...)` with each slot's result, in slot order; it returns the records it counted lost (0 mostly).
 */
export class EvtxSlotGaps {
  private prevLast = 0;
  private unknown: { chunk: number; byteOffset: number; what: string; empty: boolean } | null = null;
  /** Damage reports after() emitted. */
  reports = 0;

  constructor(private readonly header: EvtxFileHeader) {}

  after(chunkIndex: number, fileOffset: number, r: EvtxChunkResult, out: EvtxChunkOutput): number {
    if (r.firstRecordId === 0) {
      const inUse = chunkIndex < this.header.chunkCount;
      if ((r.damaged > 0 || (r.empty && inUse)) && !this.unknown) {
        this.unknown = {
          chunk: chunkIndex,
          byteOffset: fileOffset,
          what: r.empty ? `chunk ${chunkIndex} is all zero bytes but the file header counts it in use` : `chunk ${chunkIndex} unreadable`,
          empty: r.empty,
        };
      }
      return 0;
    }
    let lost = 0;
    if (this.unknown) {
      const gap = r.firstRecordId - this.prevLast - 1;
      lost = this.prevLast > 0 && gap > 0 && gap <= MAX_GAP ? gap : 0;
      const u = this.unknown;
      this.unknown = null;
      // A damaged slot already has its own report: a second one only when it has a count to add.
      if (!lost && !u.empty) {
        this.prevLast = r.lastRecordId;
        return 0;
      }
      out.damaged({
        chunk: u.chunk,
        byteOffset: u.byteOffset,
        reason: lost ? `${u.what}: records ${this.prevLast + 1} to ${r.firstRecordId - 1} are missing` : `${u.what}: how many records it held is unknown`,
        recordsLost: lost,
      });
      this.reports++;
    }
    this.prevLast = r.lastRecordId;
    return lost;
  }

  /**
   * At the end of the slots read (the file's end, or a range's): a slot still waiting for a readable neighbour is
   * reported now, its record count unknown, so it is never dropped without a word (a damaged slot already has its
   * own report from readEvtxChunk: only an all-zero in-use slot needs this one).
   */
  finish(out: EvtxChunkOutput): void {
    if (!this.unknown) return;
    const u = this.unknown;
    this.unknown = null;
    if (!u.empty) return;
    out.damaged({ chunk: u.chunk, byteOffset: u.byteOffset, reason: `${u.what}: how many records it held is unknown`, recordsLost: 0 });
    this.reports++;
  }
}

/**
 * Reads a whole EVTX file held in memory. Throws HopscopeError('E_FORMAT') only when the file header is not EVTX.
 * With { recover: true } the slack records come after all live ones, without those that repeat a live record of
 * another chunk (same id and text: slack often holds copies of records that live on elsewhere in the file).
 */
export function readEvtxFile(bytes: Uint8Array, out: EvtxChunkOutput, opts: EvtxChunkOptions = {}): EvtxFileResult {
  const header = parseEvtxFileHeader(bytes);
  const res: EvtxFileResult = { header, chunks: 0, emptyChunks: 0, records: 0, recovered: 0, damaged: 0, recordsLost: 0 };
  const gaps = new EvtxSlotGaps(header);
  const live = new Set<string>();
  const held: EvtxRecord[] = [];
  const sink: EvtxChunkOutput = opts.recover
    ? {
      record: (r) => {
        if (r.recovered) held.push(r);
        else {
          live.add(recordKey(r));
          out.record(r);
        }
      },
      damaged: (d) => out.damaged(d),
    }
    : out;
  for (let off = EVTX_FILE_HEADER_BYTES, i = 0; off < bytes.length; off += EVTX_CHUNK_BYTES, i++) {
    const r = readEvtxChunk(bytes.subarray(off, Math.min(off + EVTX_CHUNK_BYTES, bytes.length)), i, off, sink, opts);
    res.chunks++;
    if (r.empty) res.emptyChunks++;
    res.records += r.records;
    res.damaged += r.damaged;
    res.recordsLost += r.recordsLost + gaps.after(i, off, r, out);
  }
  gaps.finish(out);
  res.damaged += gaps.reports;
  for (const r of held) {
    if (live.has(recordKey(r))) continue;
    res.recovered++;
    out.record(r);
  }
  return res;
}

/** Record id and a 32-bit FNV-1a hash of the text (with the length): same id and text means the same record. */
function recordKey(r: EvtxRecord): string {
  const s = r.xml;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return `${r.recordId}:${s.length}:${h >>> 0}`;
}
