// Whole-file reading over readEvtxChunk (tests, fuzzing, small files; a driver reading chunk ranges can mirror
// it): scans every chunk slot the bytes hold, whatever the header's chunk count says, and counts the records of
// slots that could not say how many they held (a garbage slot, or an all-zero slot the header counts as in use)
// from the gap between their neighbours' record ids.

import { readEvtxChunk } from './chunk.ts';
import { parseEvtxFileHeader } from './header.ts';
import { EVTX_CHUNK_BYTES, EVTX_FILE_HEADER_BYTES, type EvtxChunkOutput, type EvtxFileHeader } from './types.ts';

export interface EvtxFileResult {
  header: EvtxFileHeader;
  /** Chunk slots the bytes hold (a partial last slot counts). */
  chunks: number;
  emptyChunks: number;
  records: number;
  damaged: number;
  recordsLost: number;
}

/** Largest id gap between neighbouring chunks taken as lost records (beyond it, the ids are not trusted). */
const MAX_GAP = 1 << 20;

/** Reads a whole EVTX file held in memory. Throws HopscopeError('E_FORMAT') only when the file header is not EVTX. */
export function readEvtxFile(bytes: Uint8Array, out: EvtxChunkOutput): EvtxFileResult {
  const header = parseEvtxFileHeader(bytes);
  const res: EvtxFileResult = { header, chunks: 0, emptyChunks: 0, records: 0, damaged: 0, recordsLost: 0 };
  let prevLast = 0; // last record id of the previous chunk whose header ids were readable
  let unknown: { chunk: number; byteOffset: number; what: string } | null = null;
  for (let off = EVTX_FILE_HEADER_BYTES, i = 0; off < bytes.length; off += EVTX_CHUNK_BYTES, i++) {
    const r = readEvtxChunk(bytes.subarray(off, Math.min(off + EVTX_CHUNK_BYTES, bytes.length)), i, off, out);
    res.chunks++;
    if (r.empty) res.emptyChunks++;
    res.records += r.records;
    res.damaged += r.damaged;
    res.recordsLost += r.recordsLost;
    const inUse = i < header.chunkCount;
    if (r.firstRecordId === 0) {
      if ((r.damaged > 0 || (r.empty && inUse)) && !unknown) {
        unknown = { chunk: i, byteOffset: off, what: r.empty ? `chunk ${i} is all zero bytes but the file header counts it in use` : `chunk ${i} unreadable` };
      }
      continue;
    }
    if (unknown) {
      const gap = r.firstRecordId - prevLast - 1;
      const lost = prevLast > 0 && gap > 0 && gap <= MAX_GAP ? gap : 0;
      res.damaged++;
      res.recordsLost += lost;
      out.damaged({
        chunk: unknown.chunk,
        byteOffset: unknown.byteOffset,
        reason: lost ? `${unknown.what}: records ${prevLast + 1} to ${r.firstRecordId - 1} are missing` : `${unknown.what}: how many records it held is unknown`,
        recordsLost: lost,
      });
      unknown = null;
    }
    prevLast = r.lastRecordId;
  }
  if (unknown && unknown.what.includes('unreadable')) {
    // A damaged last slot: nothing after it to count from (its own report already stands).
    unknown = null;
  }
  return res;
}
