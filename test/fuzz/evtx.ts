// EVTX reader fuzzing: mutated `.evtx` files (generic byte edits plus EVTX-aware ones: flipped bytes inside chunks
// and records, zeroed or swapped chunks, a wrong header chunk count, truncation at and around chunk slots) through
// the chunk reader and the record mapper, as the app reads them. Invariants checked on every input: nothing but an
// E_FORMAT HopscopeError for a missing file header escapes; counts add up (appended + rejected + nonProcess =
// records; the sink got exactly those); every rejection has a code, a reason, a record number and a byte offset
// inside the file; record numbers are unique and increasing; every appended time is printable; and reading each
// chunk slot on its own gives the same records as reading the file (chunks are independent, so ranges may be
// read in parallel).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HopscopeError } from '../../engine/model/errors.ts';
import { readEvtxChunk } from '../../engine/ingest/evtx/chunk.ts';
import { parseEvtxFileHeader } from '../../engine/ingest/evtx/header.ts';
import { EVTX_CHUNK_BYTES, EVTX_FILE_HEADER_BYTES } from '../../engine/ingest/evtx/types.ts';
import { EvtxRecordMapper } from '../../engine/ingest/evtx-records.ts';
import { CollectingSink } from '../../engine/ingest/index.ts';
import { evtxFuzzSeeds } from '../unit/ingest/evtx/build.ts';
import { inputSeed, mutateBytes, Rand } from './lib.ts';
import type { Failure, TargetResult } from './readers.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The fuzzer's seed files: the EVTX test builder's seeds and the bundled sample's first chunks. */
export function evtxSeeds(): Uint8Array[] {
  const sample = readFileSync(join(ROOT, 'resources', 'samples', 'corp-lateral-movement.evtx'));
  return [...evtxFuzzSeeds(), new Uint8Array(sample.subarray(0, EVTX_FILE_HEADER_BYTES + 2 * EVTX_CHUNK_BYTES))];
}

/** EVTX-aware damage: what torn writes, bad sectors and crafted files do to a log. */
function mutateEvtx(input: Uint8Array, r: Rand): Uint8Array {
  const b = new Uint8Array(input);
  const slots = Math.max(1, Math.floor((b.length - EVTX_FILE_HEADER_BYTES) / EVTX_CHUNK_BYTES));
  const slot = (k: number): number => EVTX_FILE_HEADER_BYTES + (k % slots) * EVTX_CHUNK_BYTES;
  const ops = 1 + r.int(4);
  let out = b;
  for (let k = 0; k < ops; k++) {
    const at = slot(r.int(slots));
    switch (r.int(8)) {
      case 0: // flip bytes inside a chunk's records (offsets, sizes, tokens, values)
        for (let i = 0; i < 1 + r.int(8); i++) {
          const p = at + 512 + r.int(EVTX_CHUNK_BYTES - 512);
          if (p < out.length) out[p]! ^= 1 << r.int(8);
        }
        break;
      case 1: // flip bytes in a chunk header (record ids, offsets, CRCs, string/template tables)
        for (let i = 0; i < 1 + r.int(4); i++) {
          const p = at + r.int(512);
          if (p < out.length) out[p]! ^= 1 << r.int(8);
        }
        break;
      case 2: // zero a stretch (a bad sector)
        out.fill(0, at + r.int(EVTX_CHUNK_BYTES), Math.min(out.length, at + r.int(EVTX_CHUNK_BYTES) + 4096));
        break;
      case 3: // garbage over a chunk
        for (let p = at; p < Math.min(out.length, at + 2048); p++) out[p] = r.int(256);
        break;
      case 4: // wrong chunk count in the file header (stale, or past the file)
        if (out.length > 44) {
          out[42] = r.int(256);
          out[43] = r.chance(0.5) ? 0 : r.int(256);
        }
        break;
      case 5: // truncate at, just before or just after a chunk slot
        out = out.subarray(0, Math.max(0, Math.min(out.length, at + [0, -1, 1, 512, 24][r.int(5)]!)));
        break;
      case 6: // a record's size field set to a huge or tiny value
        if (at + 516 < out.length) {
          const p = at + 512 + 4;
          out[p] = r.int(256);
          out[p + 1] = r.int(256);
          out[p + 2] = r.chance(0.5) ? 0xff : 0;
        }
        break;
      default: // a chunk copied over another (duplicate record ids, offsets valid for the other chunk)
        if (slots > 1) out.copyWithin(slot(r.int(slots)), at, Math.min(out.length, at + EVTX_CHUNK_BYTES));
    }
  }
  return out;
}

interface Read {
  mapper: EvtxRecordMapper;
  sink: CollectingSink;
  xml: string[];
}

function readAll(bytes: Uint8Array, perChunk: boolean): Read {
  parseEvtxFileHeader(bytes);
  const sink = new CollectingSink();
  const mapper = new EvtxRecordMapper(sink);
  const xml: string[] = [];
  const tap = { record: (r: Parameters<EvtxRecordMapper['record']>[0]) => { xml.push(`${r.chunk}:${r.byteOffset}:${r.recordId}:${r.xml}`); mapper.record(r); }, damaged: (d: Parameters<EvtxRecordMapper['damaged']>[0]) => mapper.damaged(d) };
  for (let off = EVTX_FILE_HEADER_BYTES, i = 0; off < bytes.length; off += EVTX_CHUNK_BYTES, i++) {
    // Per chunk: a copy of just that slot, as a parallel range's read buffer would hold it.
    const slot = bytes.subarray(off, Math.min(off + EVTX_CHUNK_BYTES, bytes.length));
    readEvtxChunk(perChunk ? new Uint8Array(slot) : slot, i, off, tap);
  }
  return { mapper, sink, xml };
}

function check(bytes: Uint8Array, problems: string[]): 'refused' | 'read' {
  let whole: Read;
  try {
    whole = readAll(bytes, false);
  } catch (err) {
    if (err instanceof HopscopeError && err.code === 'E_FORMAT' && err.message) return 'refused';
    problems.push(`threw ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 4).join('\n')}` : String(err)}`);
    return 'read';
  }
  const { mapper, sink } = whole;
  const s = mapper.stats;
  if (s.appended + s.rejected + s.nonProcess !== s.records) problems.push(`counts do not add up: ${JSON.stringify(s)}`);
  if (sink.records.length !== s.appended || sink.rejects.length !== s.rejected || sink.nonProcessKinds.length !== s.nonProcess) {
    problems.push(`sink got ${sink.records.length}/${sink.rejects.length}/${sink.nonProcessKinds.length}, stats say ${s.appended}/${s.rejected}/${s.nonProcess}`);
  }
  let byReason = 0;
  for (const v of Object.values(s.rejectedByReason)) byReason += v;
  if (byReason !== s.rejected) problems.push(`rejectedByReason sums to ${byReason}, rejected is ${s.rejected}`);
  for (const r of sink.rejects) {
    if (!r.code || !r.reason) problems.push(`rejection without a code or reason: ${JSON.stringify(r)}`);
    if (!(r.record !== undefined && r.record >= 1)) problems.push(`rejection without a record number: ${JSON.stringify(r)}`);
    // At most the file's end: a truncated chunk is reported where the file stops.
    if (!(r.byteOffset !== undefined && r.byteOffset >= 0 && r.byteOffset <= bytes.length)) problems.push(`rejection outside the file: ${JSON.stringify(r)}`);
  }
  let last = 0;
  for (const rec of sink.records) {
    if (!Number.isFinite(rec.timeMs) || Math.abs(rec.timeMs) > 8.64e15) problems.push(`record ${rec.record} has time ${rec.timeMs}`);
    if (!(rec.byteOffset >= EVTX_FILE_HEADER_BYTES && rec.byteOffset < bytes.length)) problems.push(`record ${rec.record} at byte ${rec.byteOffset}, outside the chunks`);
    if (rec.record <= last) problems.push(`record numbers not increasing: ${last} then ${rec.record}`);
    last = rec.record;
  }
  const apart = readAll(bytes, true);
  if (apart.xml.join('\u0000') !== whole.xml.join('\u0000') || JSON.stringify(apart.mapper.stats) !== JSON.stringify(s)) {
    problems.push('reading each chunk slot on its own gave other records than reading the file');
  }
  return 'read';
}

export function fuzzEvtx(n: number, base: number): TargetResult {
  const seeds = evtxSeeds();
  const failures: Failure[] = [];
  let refused = 0;
  for (let i = 0; i < n; i++) {
    const seed = inputSeed('evtx', base, i);
    const r = new Rand(seed);
    const src = seeds[i % seeds.length]!;
    const input = r.chance(0.7) ? mutateEvtx(src, r) : mutateBytes(src, r, seeds[r.int(seeds.length)], 3);
    const problems: string[] = [];
    if (check(input, problems) === 'refused') refused++;
    for (const message of problems) failures.push({ target: 'evtx', seed, message });
  }
  return { target: 'evtx', tried: n, failures, refused };
}
