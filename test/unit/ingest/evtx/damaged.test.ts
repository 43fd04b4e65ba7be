// Damaged files: truncation mid-chunk, a zeroed chunk, a garbage chunk, bit flips in records, a bad file-header
// CRC, a stale chunk count. Each checks the books balance: records emitted + records reported lost == records in
// the intact file (over the slots the damaged file still holds). Built from handcrafted chunks; repeated on a
// real corpus file when ../shared/data is present.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVTX_CHUNK_BYTES, readEvtxFile, type EvtxDamage, type EvtxRecord } from '../../../../engine/ingest/evtx/index.ts';
import { crc32 } from '../../../../engine/ingest/evtx/crc32.ts';
import { sampleFile } from './build.ts';

const CORPUS = fileURLToPath(new URL('../../../../../shared/data/evtx-corpus/', import.meta.url));

function read(bytes: Uint8Array) {
  const records: EvtxRecord[] = [];
  const damaged: EvtxDamage[] = [];
  const res = readEvtxFile(bytes, { record: (r) => records.push(r), damaged: (d) => damaged.push(d) });
  return { records, damaged, res };
}

const slot = (i: number) => 4096 + i * EVTX_CHUNK_BYTES;

/** Records per slot of an intact file. */
function perSlot(bytes: Uint8Array): number[] {
  const n: number[] = [];
  for (const r of read(bytes).records) n[r.chunk] = (n[r.chunk] ?? 0) + 1;
  return Array.from({ length: Math.ceil((bytes.length - 4096) / EVTX_CHUNK_BYTES) }, (_, i) => n[i] ?? 0);
}

/** A corpus file with at least 3 written chunks that reads without damage (first by name), or null. */
function corpusFile(): Uint8Array | null {
  if (!existsSync(CORPUS)) return null;
  for (const f of readdirSync(CORPUS).filter((x) => x.endsWith('.evtx')).sort()) {
    const b = new Uint8Array(readFileSync(join(CORPUS, f)));
    if (b.length < slot(3) || b.length > 8 << 20) continue;
    const { records, damaged, res } = read(b);
    if (damaged.length || !res.header.crcOk || records.some((r) => r.chunkCrcBad)) continue;
    const slots = perSlot(b);
    if (slots.slice(0, 3).every((n) => n > 2)) return b;
  }
  return null;
}

const cases: Array<[string, () => Uint8Array | null]> = [
  ['handcrafted', () => sampleFile(4, 25).bytes],
  ['corpus', corpusFile],
];

for (const [name, make] of cases) {
  const intact = make();
  describe.skipIf(!intact)(`damaged EVTX files (${name})`, () => {
    const file = intact!;
    const slots = file ? perSlot(file) : [];
    const total = slots.reduce((a, b) => a + b, 0);

    it('reads the intact file without damage', () => {
      const { records, damaged } = read(file);
      expect(damaged).toEqual([]);
      expect(records.length).toBe(total);
    });

    it('truncation mid-chunk: the records before the cut are read, the rest of that chunk counted lost', () => {
      const free = file[slot(1) + 48]! | (file[slot(1) + 49]! << 8);
      const cut = slot(1) + Math.floor(free / 2);
      const { records, res } = read(file.slice(0, cut));
      const held = slots[0]! + slots[1]!;
      expect(records.length).toBeGreaterThan(slots[0]!);
      expect(records.length).toBeLessThan(held);
      expect(records.length + res.recordsLost).toBe(held);
    });

    it('truncation inside a chunk header: that chunk is one damage report, its records counted', () => {
      const { records, damaged, res } = read(file.slice(0, slot(1) + 100));
      expect(records.length).toBe(slots[0]);
      expect(damaged).toHaveLength(1);
      expect(records.length + res.recordsLost).toBe(slots[0]! + slots[1]!);
    });

    it('a zeroed chunk the header counts in use: its records counted from the neighbours\' ids', () => {
      const b = file.slice();
      b.fill(0, slot(1), slot(2));
      const { records, damaged, res } = read(b);
      expect(records.length).toBe(total - slots[1]!);
      expect(damaged).toHaveLength(1);
      expect(damaged[0]!.reason).toMatch(/all zero .* records \d+ to \d+ are missing/);
      expect(records.length + res.recordsLost).toBe(total);
    });

    it('a garbage chunk: one damage report, its records counted from the neighbours\' ids', () => {
      const b = file.slice();
      let x = 7;
      for (let i = slot(1); i < slot(2); i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      const { records, damaged, res } = read(b);
      expect(records.length).toBe(total - slots[1]!);
      expect(damaged.length).toBeGreaterThanOrEqual(1);
      expect(damaged.every((d) => d.chunk === 1)).toBe(true);
      expect(records.length + res.recordsLost).toBe(total);
    });

    it('bit flips inside records: damaged records are counted one by one, the chunk is marked', () => {
      let x = 1234;
      const rnd = () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
      for (let round = 0; round < 25; round++) {
        const b = file.slice();
        // Flip bits in the records area of chunk 0 (the header and its tables stay intact).
        const free = b[slot(0) + 48]! | (b[slot(0) + 49]! << 8);
        for (let k = 0; k < 1 + (round % 4); k++) {
          const i = slot(0) + 512 + Math.floor(rnd() * (free - 512));
          b[i] = b[i]! ^ (1 << Math.floor(rnd() * 8));
        }
        const { records, res } = read(b);
        const c0 = records.filter((r) => r.chunk === 0);
        expect(c0.every((r) => r.chunkCrcBad)).toBe(true);
        expect(records.filter((r) => r.chunk !== 0).every((r) => !r.chunkCrcBad)).toBe(true);
        // A flip may change a record's id or text, not the count: emitted + lost covers every record.
        expect(records.length + res.recordsLost).toBeGreaterThanOrEqual(total);
        expect(records.length).toBeLessThanOrEqual(total);
      }
    });

    it('a bad file-header CRC is reported, every record still read', () => {
      const b = file.slice();
      b[24] = b[24]! ^ 0x10;
      const { records, res } = read(b);
      expect(res.header.crcOk).toBe(false);
      expect(records.length).toBe(total);
    });

    it('a stale chunk count (header says 1): every slot the file holds is read', () => {
      const b = file.slice();
      b[42] = 1;
      b[43] = 0;
      const c = crc32(b, 0, 120);
      b.set([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24], 124);
      const { records, damaged, res } = read(b);
      expect(res.header.chunkCount).toBe(1);
      expect(res.header.crcOk).toBe(true);
      expect(damaged).toEqual([]);
      expect(records.length).toBe(total);
    });
  });
}
