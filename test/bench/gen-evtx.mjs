#!/usr/bin/env node
// Builds a large `.evtx` for the benchmark from real, CRC-valid chunks: every non-empty chunk whose header and
// event-records checksums hold, taken from the `.evtx` files under ../shared/data (real captures) or, without
// them, the bundled sample. Chunks are repeated in order until the target size; each copy's record ids and record
// numbers are renumbered so the file reads as one log (ids 1, 2, 3, ...), and both chunk checksums recomputed.
// Where evtxexport is installed, only files it exports whole are used (so the comparison times the same records).
// Usage: node test/bench/gen-evtx.mjs --out FILE --mb N
import { readdirSync, readFileSync, existsSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { crc32, fileHeader } from '../../scripts/lib/evtx-writer.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHUNK = 65536;
const HEAD = 4096;

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

function evtxFiles() {
  const shared = resolve(root, '../shared/data');
  const out = [];
  const walk = (dir, depth) => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      const st = statSync(p);
      if (st.isDirectory() && depth < 3) walk(p, depth + 1);
      else if (st.isFile() && n.endsWith('.evtx')) out.push(p);
    }
  };
  if (existsSync(shared)) walk(shared, 0);
  if (out.length === 0) out.push(join(root, 'resources/samples/corp-lateral-movement.evtx'));
  return out;
}

const u32 = (b, o) => b.readUInt32LE(o);

/** Non-empty chunks of `file` whose header and records checksums match. */
function validChunks(file) {
  const bytes = readFileSync(file);
  const out = [];
  for (let off = HEAD; off + CHUNK <= bytes.length; off += CHUNK) {
    const c = bytes.subarray(off, off + CHUNK);
    if (c.toString('latin1', 0, 8) !== 'ElfChnk\0') continue;
    const free = u32(c, 48);
    if (free < 512 || free > CHUNK) continue;
    if (crc32(c, 512, free) !== u32(c, 52)) continue;
    if (crc32(c, 128, 512, crc32(c, 0, 120)) !== u32(c, 124)) continue;
    out.push(Buffer.from(c));
  }
  return out;
}

/** Renumbers the records of a chunk copy from `id` (ids and numbers alike); returns the next id. */
function renumber(c, id) {
  const free = u32(c, 48);
  const first = id;
  let n = 0;
  for (let p = 512; p + 24 <= free; ) {
    if (u32(c, p) !== 0x2a2a) break;
    const size = u32(c, p + 4);
    if (size < 28 || p + size > free) break;
    c.writeBigUInt64LE(BigInt(id++), p + 8);
    n++;
    p += size;
  }
  c.writeBigUInt64LE(BigInt(first), 8);
  c.writeBigUInt64LE(BigInt(first + n - 1), 16);
  c.writeBigUInt64LE(BigInt(first), 24);
  c.writeBigUInt64LE(BigInt(first + n - 1), 32);
  c.writeUInt32LE(crc32(c, 512, free), 52);
  c.writeUInt32LE(crc32(c, 128, 512, crc32(c, 0, 120)), 124);
  return id;
}

const out = arg('--out');
const mb = Number(arg('--mb', '1024'));
if (!out || !(mb > 0)) {
  console.error('usage: gen-evtx.mjs --out FILE --mb N');
  process.exit(2);
}
// evtxexport stops at the first record it cannot read (libfwevt refuses some real ones, e.g. an entity reference in
// an attribute): where it is installed, only files it exports whole give chunks, so it is timed on the same work.
const hasEvtxexport = spawnSync('evtxexport', ['-h']).status !== null;
const readable = (f) => !hasEvtxexport || spawnSync('evtxexport', ['-f', 'xml', f], { stdio: 'ignore' }).status === 0;
const pool = evtxFiles().filter(readable).flatMap(validChunks);
if (pool.length === 0) {
  console.error('gen-evtx: no valid chunks found');
  process.exit(1);
}
const chunks = Math.min(0xffff, Math.max(1, Math.floor((mb * 1024 * 1024 - HEAD) / CHUNK)));
const fd = openSync(out, 'w');
let id = 1;
writeSync(fd, Buffer.alloc(HEAD), 0, HEAD, 0);
for (let i = 0; i < chunks; i++) {
  const c = Buffer.from(pool[i % pool.length]);
  id = renumber(c, id);
  writeSync(fd, c, 0, CHUNK, HEAD + i * CHUNK);
}
writeSync(fd, fileHeader(chunks, id), 0, HEAD, 0);
closeSync(fd);
console.error(`gen-evtx: ${out}: ${chunks} chunks (${pool.length} distinct real chunks), ${id - 1} records`);
