// Whole-file convenience over readEvtxChunk (tests, fuzzing, small files): scans every chunk slot the bytes hold,
// whatever the header's chunk count says.

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

/** Reads a whole EVTX file held in memory. Throws HopscopeError('E_FORMAT') only when the file header is not EVTX. */
export function readEvtxFile(bytes: Uint8Array, out: EvtxChunkOutput): EvtxFileResult {
  const header = parseEvtxFileHeader(bytes);
  const res: EvtxFileResult = { header, chunks: 0, emptyChunks: 0, records: 0, damaged: 0, recordsLost: 0 };
  for (let off = EVTX_FILE_HEADER_BYTES, i = 0; off < bytes.length; off += EVTX_CHUNK_BYTES, i++) {
    const r = readEvtxChunk(bytes.subarray(off, Math.min(off + EVTX_CHUNK_BYTES, bytes.length)), i, off, out);
    res.chunks++;
    if (r.empty) res.emptyChunks++;
    res.records += r.records;
    res.damaged += r.damaged;
    res.recordsLost += r.recordsLost;
  }
  return res;
}
