// Single-thread speed of the EVTX reader on one file, for `npm run bench` (bundled by esbuild at bench time).
// Mode `reader`: chunks -> rendered records (readEvtxChunk); mode `records`: the same plus the Windows XML parse and
// mapping into canonical records (EvtxRecordMapper into a sink that only counts). Prints one JSON line.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { readEvtxChunk } from '../../engine/ingest/evtx/chunk.ts';
import { EVTX_CHUNK_BYTES, EVTX_FILE_HEADER_BYTES, type EvtxChunkOutput } from '../../engine/ingest/evtx/types.ts';
import { EvtxRecordMapper } from '../../engine/ingest/evtx-records.ts';

const [file, mode = 'reader'] = process.argv.slice(2);
if (!file) throw new Error('usage: evtx-reader FILE [reader|records]');
const size = statSync(file).size;
let records = 0;
let damaged = 0;
let chars = 0;
const counting: EvtxChunkOutput = {
  record(r) {
    records++;
    chars += r.xml.length;
  },
  damaged() {
    damaged++;
  },
};
const mapper = new EvtxRecordMapper({ append() {}, reject() {}, nonProcess() {} });
const out = mode === 'records' ? mapper : counting;
const fd = openSync(file, 'r');
const buf = Buffer.allocUnsafe(16 * EVTX_CHUNK_BYTES);
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let pos = EVTX_FILE_HEADER_BYTES; pos < size; ) {
  const n = readSync(fd, buf, 0, buf.length, pos);
  if (n <= 0) break;
  for (let at = 0; at < n; at += EVTX_CHUNK_BYTES) {
    readEvtxChunk(buf.subarray(at, Math.min(n, at + EVTX_CHUNK_BYTES)), (pos + at - EVTX_FILE_HEADER_BYTES) / EVTX_CHUNK_BYTES, pos + at, out, { tree: mode === 'records' });
  }
  pos += n;
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const cpuMs = (cpu.user + cpu.system) / 1000;
closeSync(fd);
if (mode === 'records') records = mapper.stats.records;
console.log(JSON.stringify({ mode, bytes: size, ms, cpuMs, records, damaged, xmlChars: chars, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
