// SegmentBuilder.reserve (rows estimated from the bytes read): the finished segment is the same whether the
// estimate was short, right or long, and every per-row array has exactly rowCount entries.
import { describe, expect, it } from 'vitest';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { EventStore } from '../../../engine/store/store.ts';

const NAMES = ['_time', 'host', 'process', 'process_guid', 'note'];

function rec(i: number): IngestRecord {
  const guid = `{${String(i).padStart(8, '0')}-0000-4000-8000-${String(i * 7).padStart(12, '0')}}`;
  const process = `C:\\Windows\\System32\\cmd.exe /c echo ${i}`;
  return {
    timeMs: Date.UTC(2024, 2, 12) + i * 37,
    source: 'cim',
    fields: { dest: `host-${i % 7}`, process, process_guid: guid, process_id: String(i) },
    originalNames: NAMES,
    originalValues: [new Date(Date.UTC(2024, 2, 12) + i * 37).toISOString().replace('Z', '+00:00'), `H${i % 7}`, process, guid, i % 3 ? `n${i}` : undefined],
    record: i + 1,
    line: i + 2,
    byteOffset: i * 100,
  };
}

function build(rows: number, reserveAt: number, reserve: number) {
  const b = new SegmentBuilder({ evidence: 1, evidenceName: 'e', rawFormat: 'csv', firstSwitchCheck: { canonical: 64, original: 64 } });
  for (let i = 0; i < rows; i++) {
    if (i === reserveAt) b.reserve(reserve);
    b.append(rec(i));
  }
  return b.finish();
}

function dump(seg: ReturnType<typeof build>) {
  const store = new EventStore([seg]);
  const out: unknown[] = [];
  for (let g = 0; g < store.rowCount; g++) {
    const { view, row } = store.locate(g);
    out.push([view.timeMs[row], view.locator(row), view.text(row), view.originalFields(row)]);
  }
  return out;
}

describe('SegmentBuilder.reserve', () => {
  it('gives the same segment for short, exact and long estimates', () => {
    const rows = 5000;
    const plain = dump(build(rows, -1, 0));
    for (const reserve of [1000, 4000, 5000, 5100, 20000]) {
      const seg = build(rows, 1200, reserve);
      expect(seg.rowCount).toBe(rows);
      for (const a of [seg.timeMs, seg.record, seg.line, seg.byteOffset, seg.kind, seg.shape, seg.evidence]) expect(a.length).toBe(rows);
      for (const c of Object.values(seg.canonical)) {
        if (c.kind === 'dict') expect(c.ids.length).toBe(rows);
        if (c.kind === 'arena') expect(c.offsets.length).toBe(rows + 1);
        if (c.kind === 'guid') expect(c.bytes.length).toBe(rows * 16);
      }
      expect(dump(seg)).toEqual(plain);
    }
  });

  it('keeps a well-reserved column without copying it (at most 1/32 slack in the buffer)', () => {
    const seg = build(5000, 1200, 5100);
    expect(seg.timeMs.buffer.byteLength).toBeLessThanOrEqual(5100 * 8);
    const loose = build(5000, 1200, 20000);
    expect(loose.timeMs.buffer.byteLength).toBe(5000 * 8);
  });
});

describe('time columns written with a +00:00 offset', () => {
  it('are stored as the event time and read back exactly', async () => {
    const { detectTimeTextFormat, formatTimeText } = await import('../../../engine/store/time-text.ts');
    const ms = Date.UTC(2024, 2, 12, 0, 0, 0, 19);
    expect(detectTimeTextFormat('2024-03-12T00:00:00.019+00:00', ms)).toBe('T3+');
    expect(formatTimeText(ms, 'T3+')).toBe('2024-03-12T00:00:00.019+00:00');
    expect(detectTimeTextFormat('2024-03-12T01:00:00.019+01:00', ms)).toBeNull();
    const seg = build(300, -1, 0);
    expect(seg.original[seg.originalNames.indexOf('_time')]).toEqual({ kind: 'alias', canonical: '_time', timeFormat: 'T3+' });
  });
});
