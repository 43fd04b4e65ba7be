// Dictionary ids are stored in the narrowest type the dictionary needs (Uint8 <= 255 values, Uint16 <= 65,535,
// else Uint32), widened while the column is written; values read back exactly across each widening, and a view
// that merges a fallback column into a narrow dictionary widens its copy instead of wrapping ids.
import { describe, expect, it } from 'vitest';
import { StringColumnWriter } from '../../../engine/store/columns.ts';
import type { DictColumnData } from '../../../engine/store/segment.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import { EventStore } from '../../../engine/store/store.ts';

function fill(distinct: number, rows: number, reserve = 0): { col: DictColumnData; expected: Array<string | null> } {
  const w = new StringColumnWriter(Infinity);
  if (reserve) w.reserve(reserve);
  const expected: Array<string | null> = [];
  let k = 0;
  for (let r = 0; r < rows; r++) {
    // Every third row is missing; values cycle so each distinct value appears more than once when rows allow.
    if (r % 3 === 2) {
      expected.push(null);
      continue;
    }
    const v = `value-${(k++ * 7919) % distinct}`;
    w.set(r, v);
    expected.push(v);
  }
  const col = w.finish(rows) as DictColumnData;
  expect(col.kind).toBe('dict');
  return { col, expected };
}

const read = (c: DictColumnData, r: number): string | null => c.values[c.ids[r]!] ?? null;

describe('dictionary id width', () => {
  it.each([
    [10, 1_000, Uint8Array],
    [255, 2_000, Uint8Array],
    [256, 2_000, Uint16Array],
    [65_535, 200_000, Uint16Array],
    [65_536, 200_000, Uint32Array],
    [70_000, 210_000, Uint32Array],
  ])('%i distinct values in %i rows use %o and read back exactly', (distinct, rows, type) => {
    for (const reserve of [0, rows]) {
      const { col, expected } = fill(distinct, rows, reserve);
      expect(col.values.length - 1).toBe(distinct);
      expect(col.ids).toBeInstanceOf(type);
      expect(col.ids.length).toBe(rows);
      let wrong = 0;
      for (let r = 0; r < rows; r++) if (read(col, r) !== expected[r]) wrong++;
      expect(wrong).toBe(0);
    }
  });

  it('a segment of a few hosts stores one byte per row for them', () => {
    const b = new SegmentBuilder({ evidence: 0, evidenceName: 'e', rawFormat: 'csv' });
    const names = ['_time', 'host', 'process'];
    for (let i = 0; i < 1000; i++) {
      const host = `host-${i % 9}`;
      b.append({
        timeMs: 1_700_000_000_000 + i,
        source: 'cim',
        fields: { dest: host, process: `cmd.exe /c echo ${i % 5}` },
        originalNames: names,
        originalValues: [String(i), host, `cmd.exe /c echo ${i % 5}`],
        record: i + 1,
        line: i + 2,
        byteOffset: i * 40,
      });
    }
    const seg = b.finish();
    const dest = seg.canonical.dest as DictColumnData;
    expect(dest.kind).toBe('dict');
    expect(dest.ids).toBeInstanceOf(Uint8Array);
    const store = new EventStore([seg]);
    const { view, row } = store.locate(998);
    expect(view.column('dest')!.get(row)).toBe('host-8');
    expect(store.hosts().map((h) => h.host).sort()).toEqual(Array.from({ length: 9 }, (_, k) => `host-${k}`));
  });

  it('merging a fallback into a narrow dictionary widens the ids (no wrap past 255)', () => {
    // The canonical `process_name` is empty on every row (a one-value Uint8 dictionary) while the record's own
    // `process_name` column holds 300 distinct names: the view fills the empties from it, past id 255.
    const b = new SegmentBuilder({ evidence: 0, evidenceName: 'e', rawFormat: 'json' });
    for (let i = 0; i < 600; i++) {
      b.append({
        timeMs: 1_700_000_000_000 + i,
        source: 'cim',
        fields: { dest: 'h', process_name: '' },
        originalNames: ['process_name'],
        originalValues: [`tool-${i % 300}.exe`],
        record: i + 1,
        line: i + 1,
        byteOffset: i * 40,
      });
    }
    const store = new EventStore([b.finish()]);
    for (const g of [0, 255, 256, 299, 599]) {
      const { view, row } = store.locate(g);
      expect(view.column('process_name')!.get(row)).toBe(`tool-${g % 300}.exe`);
    }
  });
});

describe('Interner', () => {
  it('gives the same ids as a Map over random values, including look-alikes', async () => {
    const { Interner } = await import('../../../engine/store/columns.ts');
    const values: Array<string | null> = [null];
    const interner = new Interner(values);
    const ref = new Map<string, number>();
    let seed = 7;
    const rnd = (): number => ((seed = Math.imul(seed ^ (seed >>> 15), 2246822519) + 1) >>> 0) / 2 ** 32;
    const long = 'C:\\Windows\\System32\\cmd.exe /c ';
    const pool = [
      '', 'a', 'A', 'ab', 'ba', '\u00e9', 'e\u0301', '\ud83d\ude00', 'x'.repeat(5000), 'x'.repeat(5001),
      // Long values are hashed on their UTF-8: lone surrogates all encode as U+FFFD, so these collide yet differ.
      `${long}\ud800`, `${long}\udc00`, `${long}\ufffd`, `${long}\u00e9\u00e9`, `${long}\u00e9\u00e8`,
      // Past the scratch buffer: hashed per unit again.
      'y'.repeat(20_000), 'y'.repeat(19_999) + 'z',
    ];
    for (let i = 0; i < 50_000; i++) {
      const v = rnd() < 0.1 ? pool[Math.floor(rnd() * pool.length)]! : `v${Math.floor(rnd() * 20_000)}`;
      let id = interner.get(v);
      const want = ref.get(v);
      expect(id).toBe(want ?? -1);
      if (id < 0) {
        id = values.push(v) - 1;
        interner.add(id);
        ref.set(v, id);
      }
    }
    expect(values.length - 1).toBe(ref.size);
    expect(interner.degraded).toBe(false);
  });

  it('falls back to a Map, with the same answers, once probing runs long', async () => {
    const { Interner } = await import('../../../engine/store/columns.ts');
    const values: Array<string | null> = [null];
    const interner = new Interner(values);
    for (let i = 0; i < 1000; i++) interner.add(values.push(`k${i}`) - 1);
    // Colliding values cannot be built without the per-process seed: force the fallback the same way.
    (interner as unknown as { toMap(): void }).toMap();
    expect(interner.degraded).toBe(true);
    for (let i = 0; i < 1000; i++) expect(interner.get(`k${i}`)).toBe(i + 1);
    expect(interner.get('k1000')).toBe(-1);
    interner.add(values.push('k1000') - 1);
    expect(interner.get('k1000')).toBe(1001);
  });

  it('values that all hash alike move it to a Map after a bounded probe, with the same answers', async () => {
    const { Interner } = await import('../../../engine/store/columns.ts');
    const values: Array<string | null> = [null];
    const interner = new Interner(values, () => 42);
    for (let i = 0; i < 500; i++) {
      const v = `same-hash-${i}`;
      expect(interner.get(v)).toBe(-1);
      interner.add(values.push(v) - 1);
      // Found again at once, whether still probing or already on the Map.
      expect(interner.get(v)).toBe(i + 1);
    }
    expect(interner.degraded).toBe(true);
    for (let i = 0; i < 500; i++) expect(interner.get(`same-hash-${i}`)).toBe(i + 1);
    expect(interner.get('same-hash-500')).toBe(-1);
  });
});
