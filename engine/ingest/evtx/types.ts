// Contract between the EVTX reader (engine/ingest/evtx: file header, chunks, BinXML) and whoever drives it
// (engine/node/evtx-file.ts reads the file in chunk-aligned pieces, sequentially or as chunk ranges in parse
// workers). Pure data, no behaviour. Invariant: every chunk slot the file holds ends in exactly one of
// "its records were emitted" or "damaged(...)", so no record is dropped without being counted.

import type { XmlNode } from '../../xml/parse.ts';

/** Bytes of the file header block; chunks start right after it. */
export const EVTX_FILE_HEADER_BYTES = 4096;
/** Every chunk is exactly this size. */
export const EVTX_CHUNK_BYTES = 65536;

export interface EvtxFileHeader {
  /** Oldest and current chunk numbers and the next record id as the header states them (may be stale). */
  firstChunk: number;
  lastChunk: number;
  nextRecordId: number;
  majorVersion: number;
  minorVersion: number;
  /** Chunk count as stated (may be stale in a file not closed cleanly: readers scan every slot the file holds). */
  chunkCount: number;
  /** Flags: bit 0 dirty (not closed cleanly), bit 1 full. */
  flags: number;
  /** CRC32 of the first 120 bytes matches the stored one. */
  crcOk: boolean;
}

/** One event record, rendered. */
export interface EvtxRecord {
  /** EventRecordID from the record header (a 64-bit number; exact up to 2^53, which every real log is below). */
  recordId: number;
  /**
   * The record as Windows event XML, rendered the way `evtxexport -f xml` renders it (two-space indents, one
   * element per line, `<Data Name="X"/>` for empty values, entities escaped), without a trailing newline.
   * The store keeps it as the event's text; the Windows XML parser and mapper read it like any exported event.
   */
  xml: string;
  /** 0-based chunk slot in the file (chunk i starts at 4096 + i * 65536). */
  chunk: number;
  /** File offset of the record's header (`**\0\0` signature). */
  byteOffset: number;
  /** The chunk's header or event-records CRC did not match: the record is kept but marked. */
  chunkCrcBad: boolean;
  /**
   * With `{ tree: true }`: the record's element tree, exactly what parsing `xml` with the app's XML parser gives
   * (test/unit/ingest/evtx/tree.test.ts); absent where the record holds what the tree does not model (CDATA, ...).
   */
  tree?: XmlNode;
  /**
   * Only with `{ recover: true }`: the record was found in the chunk's slack (past its free-space offset: a
   * record the log no longer holds, e.g. from before it was cleared or copied), as `evtxexport -m recovered` finds.
   */
  recovered?: boolean;
}

export interface EvtxChunkOptions {
  /** Also scan the chunk's slack for records the log no longer holds (emitted with recovered: true). */
  recover?: boolean;
  /** Also give each record its element tree (EvtxRecord.tree), so the caller need not parse the XML text. */
  tree?: boolean;
}

export interface EvtxDamage {
  chunk: number;
  /** File offset of the damaged chunk (or of the damaged record inside it). */
  byteOffset: number;
  /** What is wrong, for a person: `chunk signature missing`, `record 1234: unknown BinXML token 0x2f at ...`. */
  reason: string;
  /** Records known to be lost (from the chunk header's first/last record ids when readable), else 0. */
  recordsLost: number;
}

export interface EvtxChunkOutput {
  record(rec: EvtxRecord): void;
  damaged(d: EvtxDamage): void;
}

/** What readEvtxChunk found in one chunk slot (the same facts it reported through `out`, counted). */
export interface EvtxChunkResult {
  /** Records emitted through out.record (recovered ones not included). */
  records: number;
  /** Slack records emitted with recovered: true (only with { recover: true }). */
  recovered: number;
  /** Damage reports emitted through out.damaged. */
  damaged: number;
  /** Sum of recordsLost over those reports. */
  recordsLost: number;
  /** The slot is all zero bytes (preallocated, never written): neither records nor damage. */
  empty: boolean;
  /** The chunk's header or event-records CRC did not match (its records carry chunkCrcBad). */
  crcBad: boolean;
  /** The chunk header's first and last EventRecordID (0 when the header is unreadable). */
  firstRecordId: number;
  lastRecordId: number;
}
