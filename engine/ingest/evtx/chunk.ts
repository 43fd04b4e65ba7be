// One 64 KiB chunk: header, CRCs, records. Chunks are independent (their own string and template tables), so a
// driver may read them in any order or in parallel. Every chunk slot ends in exactly one of: empty (all zero),
// records emitted (possibly with damage reports for the records that could not be read), or one damage report.

import { parseXmlElement } from '../../xml/parse.ts';
import { BinXmlChunk, BinXmlError } from './binxml.ts';
import { crc32 } from './crc32.ts';
import { u64 } from './header.ts';
import { EVTX_CHUNK_BYTES, type EvtxChunkOptions, type EvtxChunkOutput, type EvtxChunkResult } from './types.ts';

const CHUNK_SIG = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // "ElfChnk\0"
const RECORD_SIG = 0x00002a2a; // "**\0\0"
const HEADER_BYTES = 512;
/** The smallest record: 24-byte header, 4-byte trailing size copy. */
const MIN_RECORD = 28;
/** More records than fit in a chunk means the header's record ids are not trustworthy. */
const MAX_RECORDS_PER_CHUNK = Math.floor((EVTX_CHUNK_BYTES - HEADER_BYTES) / MIN_RECORD);

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function allZero(b: Uint8Array): boolean {
  // Word-wise when aligned (a chunk slot normally is), else byte-wise.
  if ((b.byteOffset & 3) === 0 && (b.length & 3) === 0) {
    const w = new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

/**
 * Reads one chunk slot. `bytes` is the slot (65536 bytes; fewer when the file ends inside it), `chunkIndex` its
 * 0-based slot number, `fileOffset` the file offset of its first byte. Emits its records in order through
 * `out.record` and what could not be read through `out.damaged`; never throws on any input.
 */
export function readEvtxChunk(
  bytes: Uint8Array,
  chunkIndex: number,
  fileOffset: number,
  out: EvtxChunkOutput,
  opts: EvtxChunkOptions = {},
): EvtxChunkResult {
  const res: EvtxChunkResult = {
    records: 0, recovered: 0, damaged: 0, recordsLost: 0, empty: false, crcBad: false, firstRecordId: 0, lastRecordId: 0,
  };
  const damage = (at: number, reason: string, lost: number) => {
    res.damaged++;
    res.recordsLost += lost;
    out.damaged({ chunk: chunkIndex, byteOffset: fileOffset + at, reason, recordsLost: lost });
  };
  if (bytes.length > EVTX_CHUNK_BYTES) bytes = bytes.subarray(0, EVTX_CHUNK_BYTES);
  const len = bytes.length;
  if (len === 0 || allZero(bytes)) {
    res.empty = true;
    return res;
  }
  // Header record ids, when they look sane (used to count what a damaged chunk lost).
  let expected = -1;
  if (len >= 40) {
    const first = u64(bytes, 24);
    const last = u64(bytes, 32);
    if (last >= first && last - first < MAX_RECORDS_PER_CHUNK && first > 0) {
      expected = last - first + 1;
      res.firstRecordId = first;
      res.lastRecordId = last;
    }
  }
  let sigOk = len >= 8;
  for (let i = 0; i < 8 && sigOk; i++) if (bytes[i] !== CHUNK_SIG[i]) sigOk = false;
  if (!sigOk) {
    damage(0, `chunk ${chunkIndex}: chunk signature missing`, expected > 0 ? expected : 0);
    if (opts.recover) recoverSlack(bytes, 0, chunkIndex, fileOffset, true, new BinXmlChunk(bytes), out, res);
    return res;
  }
  if (len < HEADER_BYTES) {
    damage(0, `chunk ${chunkIndex}: truncated inside its header (${len} of ${EVTX_CHUNK_BYTES} bytes)`, expected > 0 ? expected : 0);
    return res;
  }
  const freeSpace = u32(bytes, 48);
  const headerCrc = (crc32(bytes, 128, 512, crc32(bytes, 0, 120)) >>> 0) === u32(bytes, 124);
  const fsSane = freeSpace >= HEADER_BYTES && freeSpace <= EVTX_CHUNK_BYTES;
  const dataCrc = fsSane && freeSpace <= len && crc32(bytes, HEADER_BYTES, freeSpace) === u32(bytes, 52);
  const crcBad = !headerCrc || !dataCrc;
  res.crcBad = crcBad;
  const limit = Math.min(fsSane ? freeSpace : EVTX_CHUNK_BYTES, len);

  const bx = new BinXmlChunk(bytes);
  // Records are accounted by id: every id from the header's first to its last is either emitted or counted lost.
  let lastId = expected > 0 ? res.firstRecordId - 1 : 0;
  const rest = (at: number, why: string) => {
    const lost = expected > 0 ? Math.max(0, res.lastRecordId - lastId) : 0;
    lastId = Math.max(lastId, res.lastRecordId);
    damage(at, `chunk ${chunkIndex}: ${why}`, lost);
  };
  /** A plausible record header at q: signature, size inside the data, matching trailing size copy. */
  const plausible = (q: number): boolean => {
    if (u32(bytes, q) !== RECORD_SIG) return false;
    const size = u32(bytes, q + 4);
    return size >= MIN_RECORD && q + size <= limit && u32(bytes, q + size - 4) === size;
  };
  /**
   * After unreadable bytes at p: the next plausible record whose id follows the last one accounted for
   * (scanning byte by byte up to the free-space offset), or -1.
   */
  let scanBudget = 4 * EVTX_CHUNK_BYTES; // bytes resync may look at per chunk (crafted chunks: bounded work)
  const resync = (p: number): number => {
    for (let q = p + 1; q + MIN_RECORD <= limit; q++) {
      if (--scanBudget < 0) return -1;
      if (bytes[q] !== 0x2a || bytes[q + 1] !== 0x2a || !plausible(q)) continue;
      const id = u64(bytes, q + 8);
      if (id > lastId && (expected <= 0 || id <= res.lastRecordId)) return q;
    }
    return -1;
  };
  let p = HEADER_BYTES;
  let stopped = false;
  while (p + 24 <= limit) {
    if (!plausible(p)) {
      const sig = u32(bytes, p);
      if (sig === 0 && u32(bytes, p + 4) === 0 && allZero(bytes.subarray(p, limit))) {
        // Zeroes up to the free-space offset: nothing more was written.
        break;
      }
      const id = sig === RECORD_SIG ? u64(bytes, p + 8) : -1;
      const size = u32(bytes, p + 4);
      let why: string;
      if (sig !== RECORD_SIG) why = `record signature missing at chunk offset ${hex(p)}`;
      else if (p + size > len && len < EVTX_CHUNK_BYTES) why = `record ${id} at chunk offset ${hex(p)} cut off by the end of the file`;
      else if (size < MIN_RECORD || p + size > limit) why = `record ${id} at chunk offset ${hex(p)}: implausible size ${size}`;
      else why = `record ${id} at chunk offset ${hex(p)}: size ${size} does not match its trailing copy`;
      const q = resync(p);
      if (q < 0) {
        rest(p, why);
        stopped = true;
        break;
      }
      const nextId = u64(bytes, q + 8);
      const gap = nextId - lastId - 1;
      // The id gap when the ids can be trusted (a sane header, or a sane gap after a record read), else 1.
      const lost = (expected > 0 || lastId > 0) && gap <= MAX_RECORDS_PER_CHUNK ? Math.max(1, gap) : 1;
      damage(p, `chunk ${chunkIndex}: ${why}; reading resumes at the next record (${nextId}, chunk offset ${hex(q)})`, lost);
      lastId = nextId - 1;
      p = q;
      continue;
    }
    const size = u32(bytes, p + 4);
    const id = u64(bytes, p + 8);
    let xml: string | null = null;
    let why = '';
    try {
      xml = bx.renderRecord(p + 24, p + size - 4, opts.tree === true);
    } catch (e) {
      why = e instanceof BinXmlError ? `${e.message}${e.offset ? ` at chunk offset ${hex(e.offset)}` : ''}` : String(e);
    }
    if (xml !== null) {
      res.records++;
      const tree = bx.lastTree;
      out.record({ recordId: id, xml, chunk: chunkIndex, byteOffset: fileOffset + p, chunkCrcBad: crcBad, ...(tree ? { tree } : {}) });
    } else {
      damage(p, `record ${id} at chunk offset ${hex(p)}: ${why}`, 1);
    }
    if (id > lastId) lastId = id;
    p += size;
  }
  if (stopped) {
    // Reported where reading stopped.
  } else if (len < limit || (fsSane && freeSpace > len)) {
    rest(len, `truncated: the file ends ${EVTX_CHUNK_BYTES - len} bytes before the chunk does`);
  } else if (expected > 0 && lastId < res.lastRecordId) {
    // The header lists records the chunk does not hold.
    rest(p, `the header lists records up to ${res.lastRecordId}, the chunk ends after ${lastId}`);
  }
  if (opts.recover) recoverSlack(bytes, stopped ? p + 1 : Math.max(p, limit), chunkIndex, fileOffset, crcBad, bx, out, res);
  return res;
}

/**
 * Slack records: every plausible record (signature, size, trailing copy) from `from` to the end of the chunk that
 * renders, emitted with recovered: true. What does not render is slack, not damage: nothing is reported for it.
 */
function recoverSlack(
  bytes: Uint8Array, from: number, chunkIndex: number, fileOffset: number, crcBad: boolean, bx: BinXmlChunk,
  out: EvtxChunkOutput, res: EvtxChunkResult,
): void {
  const len = bytes.length;
  for (let q = from; q + MIN_RECORD <= len; ) {
    if (bytes[q] !== 0x2a || bytes[q + 1] !== 0x2a || u32(bytes, q) !== RECORD_SIG) {
      q++;
      continue;
    }
    const size = u32(bytes, q + 4);
    if (size < MIN_RECORD || q + size > len || u32(bytes, q + size - 4) !== size) {
      q++;
      continue;
    }
    let xml: string | null = null;
    try {
      xml = bx.renderRecord(q + 24, q + size - 4);
      // Slack may reference names and templates the chunk has since overwritten: keep only what still reads as
      // an event (well-formed, an <Event> root).
      if (parseXmlElement(xml).name !== 'Event') xml = null;
    } catch {
      xml = null;
    }
    if (xml === null) {
      q++;
      continue;
    }
    res.recovered++;
    out.record({ recordId: u64(bytes, q + 8), xml, chunk: chunkIndex, byteOffset: fileOffset + q, chunkCrcBad: crcBad, recovered: true });
    q += size;
  }
}
