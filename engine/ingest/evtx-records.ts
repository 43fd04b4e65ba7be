// EVTX records -> the canonical records the Windows XML path makes: each record's XML (rendered by the EVTX reader
// as `evtxexport -f xml` renders it) is flattened and mapped by the same parser and mapper as exported event XML,
// so a record read from `.evtx` and from its XML export give the same event (fields, values, time, host, text).
// Invariant: every record and every damage report ends in exactly one of append / reject / nonProcess.

import { windowsXmlMapper } from '../formats/windows.ts';
import type { EvtxChunkOutput, EvtxDamage, EvtxRecord } from './evtx/types.ts';
import type { IngestStats, RecordSink, Rejection } from '../model/sink.ts';
import { indexOfNames, type FlatRecord } from '../formats/types.ts';
import { flattenWindowsEvent, parseXmlElement, XmlError } from '../xml/parse.ts';

/** Original field a record of a chunk whose CRC did not match carries (value `mismatch`), so it is visibly marked. */
export const CRC_MARK_FIELD = 'HopscopeChunkCrc';

export interface EvtxLocatorShift {
  /** Added to a record's file offset to give the offset the locator records (parallel ranges: see evtx-file.ts). */
  byteOffset: number;
}

export class EvtxRecordMapper implements EvtxChunkOutput {
  readonly stats: IngestStats = {
    records: 0, appended: 0, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false,
  };
  /** Chunks with a CRC mismatch and damage reports, for the evidence's warnings. */
  crcBadChunks = 0;
  damagedChunks = new Set<number>();
  recordsLost = 0;
  private recordNo = 0;
  private lastNames: readonly string[] | null = null;
  private lastIndex: ReadonlyMap<string, number> | null = null;
  private lastCrcChunk = -1;
  /** Offset shift for locators (0 for a whole-file read). */
  shift = 0;

  constructor(private readonly sink: RecordSink) {}

  record(r: EvtxRecord): void {
    const recordNo = ++this.recordNo;
    const byteOffset = r.byteOffset + this.shift;
    if (r.chunkCrcBad && r.chunk !== this.lastCrcChunk) {
      this.lastCrcChunk = r.chunk;
      this.crcBadChunks++;
    }
    let names: string[] = [];
    let values: string[] = [];
    try {
      // The reader's element tree is what parsing its text gives (test/unit/ingest/evtx/tree.test.ts), without the parse.
      flattenWindowsEvent(r.tree ?? parseXmlElement(r.xml), names, values);
    } catch (err) {
      if (!(err instanceof XmlError)) throw err;
      this.emitReject({ code: 'evtx-record', reason: `record ${r.recordId} in chunk ${r.chunk}: ${err.message}`, record: recordNo, byteOffset });
      return;
    }
    if (r.chunkCrcBad) {
      names.push(CRC_MARK_FIELD);
      values.push('mismatch');
    }
    // Records of one template share their names: reuse the previous record's array and index when equal.
    const last = this.lastNames;
    let index: ReadonlyMap<string, number>;
    if (last !== null && sameNames(last, names)) {
      names = last as string[];
      index = this.lastIndex!;
    } else {
      index = indexOfNames(names);
      this.lastNames = names;
      this.lastIndex = index;
    }
    const flat: FlatRecord = { names, values, index, text: r.xml, record: recordNo, line: 0, byteOffset };
    const out = windowsXmlMapper.map(flat);
    if (out.kind === 'event') {
      this.stats.records++;
      this.stats.appended++;
      if (out.rec.assumedUtc) this.stats.assumedUtc = true;
      this.sink.append(out.rec);
    } else if (out.kind === 'reject') {
      this.emitReject({ code: out.code, reason: out.reason, record: recordNo, byteOffset });
    } else {
      this.stats.records++;
      this.stats.nonProcess++;
      this.sink.nonProcess(out.what, recordNo);
    }
  }

  damaged(d: EvtxDamage): void {
    this.damagedChunks.add(d.chunk);
    this.recordsLost += d.recordsLost;
    const lost = d.recordsLost > 0 ? `; ${d.recordsLost} record(s) lost` : '';
    this.emitReject({ code: 'evtx-damaged', reason: `chunk ${d.chunk}: ${d.reason}${lost}`, record: ++this.recordNo, byteOffset: d.byteOffset + this.shift });
  }

  private emitReject(rej: Rejection): void {
    this.stats.records++;
    this.stats.rejected++;
    this.stats.rejectedByReason[rej.code] = (this.stats.rejectedByReason[rej.code] ?? 0) + 1;
    this.sink.reject(rej);
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
