// Parallel CSV, NDJSON and XML ingest (engine/node/parallel-ingest.ts) against a sequential parse of the same file: identical rows,
// locators, texts and reject lists, including quoted multi-line fields at the cut points; bad cuts fall back (null).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findEventStart, findRecordStart, ingestRange, parallelIngest, type RangeResult } from '../../../engine/node/parallel-ingest.ts';
import { EventStore } from '../../../engine/store/store.ts';
import { HopscopeError } from '../../../engine/model/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'hopscope-par-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = '_time,host,user,process_name,process,parent_process_name,dest';
const ROOT = join(import.meta.dirname, '../../..');

/** A CIM CSV of `rows` records; `trap` puts lines inside quoted fields that look like whole records. */
function makeCsv(rows: number, opts: { trap?: boolean; crlf?: boolean; seed?: number }): string {
  let s = opts.seed ?? 7;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 16) % n;
  };
  const nl = opts.crlf ? '\r\n' : '\n';
  const out: string[] = ['#TYPE ignored' + nl, HEADER + nl, nl];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2024, 2, 12) + i * 1000 + rnd(999)).toISOString();
    const host = `WKS-${rnd(40)}`;
    let cmd = `C:\\Windows\\System32\\cmd.exe /c echo ${rnd(100000)} «ü»`;
    const k = rnd(10);
    if (k < 3) cmd = `"${cmd.replace(/"/g, '""')}` + (opts.trap ? `${nl}2024-03-12T00:00:00Z,h,u,p.exe,x,y,z${nl}tail"` : `${nl}second line${nl}third, with ""quotes"""`);
    else if (k === 3) cmd = `"${cmd}, with a comma"`;
    let line = `${t},${host},CORP\\u${rnd(9)},cmd.exe,${cmd},explorer.exe,${host.toLowerCase()}.corp`;
    if (rnd(50) === 0) line = `${t},only,four,fields`;
    else if (rnd(60) === 0) line = `not a time,${host},u,cmd.exe,cmd,explorer.exe,d`;
    else if (rnd(80) === 0) line = '';
    out.push(line + nl);
  }
  return out.join('');
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const job = (path: string) => ({ path, evidence: 2, name: 'x.csv', rawFormat: 'csv' as const });

async function sequential(path: string): Promise<RangeResult> {
  return ingestRange({ ...job(path), ranges: [[0, statSync(path).size]] });
}

/** The bundled Sysmon sample's `<Event>` elements, as text. */
function sampleEvents(): string[] {
  const sample = readFileSync(join(ROOT, 'resources/samples/corp-lateral-movement.sysmon.xml'), 'utf8');
  return sample.match(/<Event xmlns[\s\S]*?<\/Event>/g)!;
}

/** A sequential parse's segment whose `dest` dictionary also holds `extra` (values a CSV cannot carry, such as lone surrogates). */
async function segmentWithDest(path: string, ...extra: string[]) {
  const { segment } = await sequential(path);
  const dest = segment.canonical['dest']!;
  if (dest.kind !== 'dict') throw new Error('dictionary expected');
  dest.values.push(...extra);
  return segment;
}

function dump(store: EventStore) {
  const rows: unknown[] = [];
  for (let g = 0; g < store.rowCount; g++) {
    const { view, row } = store.locate(g);
    rows.push([view.timeMs[row], view.locator(row), view.text(row), view.originalFields(row)]);
  }
  return { rows, stats: store.stats() };
}

/** A parallel parse into each of `partCounts` ranges gives exactly the sequential result `seq` (rows, locators, stats). */
async function expectSequentialIn(path: string, seq: RangeResult, partCounts: number[], exactParts = true): Promise<void> {
  const expected = dump(new EventStore([seq.segment]));
  for (const n of partCounts) {
    const par = await parallelIngest({ ...job(path), rawFormat: 'json', parts: n, minBytes: 0, minPartBytes: 1, runRange: ingestRange });
    expect(par).not.toBeNull();
    // EVTX cuts move past unreadable chunks, so a range may be merged with its neighbour.
    if (exactParts) expect(par!.segments.length).toBe(n);
    else expect(par!.segments.length).toBeGreaterThan(1);
    expect(par!.stats).toEqual(seq.stats);
    expect(par!.detected).toEqual(seq.detected);
    expect(dump(new EventStore(par!.segments))).toEqual(expected);
  }
}

async function parallel(path: string, parts: number) {
  return parallelIngest({ ...job(path), parts, minBytes: 0, minPartBytes: 1, runRange: ingestRange });
}

describe('parallel CSV ingest', () => {
  for (const crlf of [false, true]) {
    it(`gives exactly the sequential rows, locators and rejections (${crlf ? 'CRLF' : 'LF'}, multi-line quoted fields)`, async () => {
      const path = file(`plain-${crlf}.csv`, makeCsv(3000, { crlf }));
      const seq = await sequential(path);
      const expected = dump(new EventStore([seq.segment]));
      let ran = 0;
      for (const parts of [2, 3, 4, 7]) {
        const par = await parallel(path, parts);
        if (!par) continue;
        ran++;
        expect(par.segments.length).toBeGreaterThan(1);
        expect(par.stats).toEqual(seq.stats);
        expect(par.detected).toEqual(seq.detected);
        expect(dump(new EventStore(par.segments))).toEqual(expected);
      }
      expect(ran).toBeGreaterThan(0);
      expect(seq.stats.rejected).toBeGreaterThan(10);
    });
  }

  it('falls back (null) when a cut lands inside a quoted field that looks like records, never returns different rows', async () => {
    const path = file('trap.csv', makeCsv(3000, { trap: true }));
    const expected = dump(new EventStore([(await sequential(path)).segment]));
    let fellBack = 0;
    for (const parts of [2, 3, 4, 5, 6, 7, 8]) {
      const par = await parallel(path, parts);
      if (!par) fellBack++;
      else expect(dump(new EventStore(par.segments))).toEqual(expected);
    }
    expect(fellBack).toBeGreaterThan(0);
  });

  it('cuts NDJSON at line starts with the same result (BOM, blank and broken lines, multi-byte text)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const t = new Date(Date.UTC(2024, 2, 12) + i * 1000).toISOString();
      if (i % 97 === 5) lines.push('{"_time": broken');
      else if (i % 89 === 7) lines.push('');
      else lines.push(JSON.stringify({ _time: t, host: `H${i % 13}`, process: `cmd.exe /c "echo ${i} ü 漢"`, process_name: 'cmd.exe', parent_process_name: 'explorer.exe', dest: `h${i % 13}.corp` }) + (i % 5 ? '' : ','));
    }
    const path = file('x.ndjson', '\uFEFF' + lines.join('\r\n') + '\n');
    const seq = await ingestRange({ ...job(path), rawFormat: 'json', ranges: [[0, statSync(path).size]] });
    expect(seq.stats.rejected).toBeGreaterThan(10);
    const expected = dump(new EventStore([seq.segment]));
    for (const parts of [2, 3, 5]) {
      const par = await parallelIngest({ ...job(path), rawFormat: 'json', parts, minBytes: 0, minPartBytes: 1, runRange: ingestRange });
      expect(par).not.toBeNull();
      expect(par!.segments.length).toBe(parts);
      expect(par!.stats).toEqual(seq.stats);
      expect(dump(new EventStore(par!.segments))).toEqual(expected);
    }
  });

  it('cuts Windows event XML after an </Event> with the same result (wrapper, comments, a CDATA trap, broken events)', async () => {
    const events = sampleEvents();
    expect(events.length).toBeGreaterThan(300);
    const parts: string[] = ['<?xml version="1.0" encoding="utf-8"?>\n<Events>\n'];
    for (let i = 0; i < 3000; i++) {
      let e = events[i % events.length]!.replace('<EventRecordID>', `<EventRecordID>${i}`);
      if (i % 211 === 3) e = e.replace('</EventData>', '<Data Name="Note"><![CDATA[ </Event>\n<Event > ü ]]></Data></EventData>');
      if (i % 173 === 9) e = e.replace('</System>', '</Sys>');
      // An event start inside an event (no </Event> before it): never a cut.
      if (i % 2 === 0) e = e.replace('</EventData>', '<Data Name="Inner"><![CDATA[\n<Event xmlns="y"> ]]></Data></EventData>');
      if (i % 101 === 1) parts.push('<!-- <Event > in a comment </Event> -->\n');
      if (i % 97 === 2) parts.push('<EventLog>not an event</EventLog>\n');
      parts.push(e + (i % 3 ? '\n' : '\r\n  '));
    }
    parts.push('</Events>\n');
    const path = file('x.xml', parts.join(''));
    const seq = await ingestRange({ ...job(path), rawFormat: 'json', ranges: [[0, statSync(path).size]] });
    expect(seq.stats.rejected).toBeGreaterThan(10);
    expect(seq.stats.appended).toBeGreaterThan(2000);
    await expectSequentialIn(path, seq, [2, 3, 5]);
  });

  it('cuts a binary .evtx at chunk slots with the same result (a damaged chunk and a CRC mismatch among them)', async () => {
    const bytes = Buffer.from(readFileSync(join(ROOT, 'resources/samples/corp-lateral-movement.evtx')));
    const chunks = (bytes.length - 4096) / 65536;
    expect(chunks).toBeGreaterThan(8);
    // Chunk 4: no signature (skipped and reported); chunk 6: one flipped byte in a record (CRC mismatch, kept, marked).
    bytes.write('XXXXXXX', 4096 + 4 * 65536, 'latin1');
    bytes[4096 + 6 * 65536 + 2000]! ^= 0x20;
    // Chunk 8: all zero, though the header counts it in use (its records are counted from its neighbours' ids), so
    // no range may start or end beside it.
    bytes.fill(0, 4096 + 8 * 65536, 4096 + 9 * 65536);
    const path = join(dir, 'x.evtx');
    writeFileSync(path, bytes);
    const seq = await ingestRange({ ...job(path), rawFormat: 'json', ranges: [[0, bytes.length]] });
    expect(seq.encoding).toBe('binary');
    expect(seq.stats.rejectedByReason['evtx-damaged']).toBe(2);
    expect(seq.warnings?.join('\n')).toMatch(/2 chunk\(s\) damaged[^\n]*, \d+ record\(s\) lost/);
    expect(seq.stats.appended + seq.stats.nonProcess).toBeGreaterThan(300);
    expect(seq.warnings?.join('\n')).toMatch(/1 chunk\(s\) fail their checksum/);
    await expectSequentialIn(path, seq, [2, 3, 5, 9], false);
  });

  it('gives the sequential answer when cuts land inside CDATA that holds </Event> and an event start', async () => {
    const events = sampleEvents();
    // Every event carries the trap, so about every other cut candidate is inside one.
    const body = Array.from({ length: 800 }, (_, i) =>
      events[i % events.length]!.replace('</EventData>', `<Data Name="N"><![CDATA[${i} </Event>\n<Event xmlns="x"><System><EventID>1</EventID></System> ]]></Data></EventData>`),
    ).join('\n');
    const path = file('trap.xml', `<Events>\n${body}\n</Events>\n`);
    const seq = await ingestRange({ ...job(path), rawFormat: 'json', ranges: [[0, statSync(path).size]] });
    const expected = dump(new EventStore([seq.segment]));
    for (const n of [2, 3, 4, 5, 6, 7]) {
      const par = await parallelIngest({ ...job(path), rawFormat: 'json', parts: n, minBytes: 0, minPartBytes: 1, runRange: ingestRange });
      expect(par).not.toBeNull();
      expect(par!.stats).toEqual(seq.stats);
      expect(dump(new EventStore(par!.segments))).toEqual(expected);
    }
  });

  it('falls back to the sequential parse (and its located refusal) for a declaration in a later range', async () => {
    const events = sampleEvents();
    const body = Array.from({ length: 1200 }, (_, i) => events[i % events.length]! + (i === 1000 ? '\n<!DOCTYPE x [<!ENTITY a "b">]>' : '')).join('\n');
    const path = file('doctype.xml', `<Events>\n${body}\n</Events>\n`);
    expect(await parallelIngest({ ...job(path), rawFormat: 'json', parts: 2, minBytes: 0, minPartBytes: 1, runRange: ingestRange })).toBeNull();
    await expect(ingestRange({ ...job(path), rawFormat: 'json', ranges: [[0, statSync(path).size]] })).rejects.toMatchObject({ code: 'E_SECURITY' });
  });

  it('findEventStart takes only an event start right after </Event> and whitespace', () => {
    const at = (s: string) => findEventStart(Buffer.from(s));
    expect(at('x</Event>\n  <Event xmlns="a">')).toBe(12);
    expect(at('x</Event><Event>')).toBe(9);
    // Not after an event's end, not an event start, or cut off before the character that decides.
    expect(at('<Data>x</Data>\n<Event xmlns="a">')).toBe(-1);
    expect(at('</Event>\n<EventData>')).toBe(-1);
    expect(at('</Event>\n<Event')).toBe(-1);
    const mixed = '<Event a>\n</Event> <EventX/>\n</Event>\t<Event/>';
    expect(at(mixed)).toBe(mixed.lastIndexOf('<Event/>'));
  });

  it('keeps small files and unknown layouts sequential', async () => {
    const path = file('small.csv', makeCsv(50, {}));
    expect(await parallelIngest({ ...job(path), parts: 2, runRange: ingestRange })).toBeNull();
    const unknown = file('unknown.csv', 'a,b,c\n' + '1,2,3\n'.repeat(5000));
    expect(await parallelIngest({ ...job(unknown), parts: 2, minBytes: 0, minPartBytes: 1, runRange: ingestRange })).toBeNull();
  });

  it('reports summed progress and stops on cancel', async () => {
    const path = file('progress.csv', makeCsv(3000, {}));
    const seen: number[] = [];
    await parallelIngest({ ...job(path), parts: 2, minBytes: 0, minPartBytes: 1, runRange: ingestRange, onProgress: (b) => seen.push(b) });
    expect(seen.length).toBeGreaterThan(0);
    let calls = 0;
    const cancelled = parallelIngest({ ...job(path), parts: 2, minBytes: 0, minPartBytes: 1, runRange: ingestRange, isCancelled: () => ++calls > 1 });
    await expect(cancelled).rejects.toBeInstanceOf(HopscopeError);
    await expect(cancelled).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });

  it('findRecordStart picks the first line with the header field count, quote-aware', () => {
    const b = Buffer.from('tail of a record\n"a\nb",c,d\nx,"y,z",w\n');
    expect(findRecordStart(b, 3, 44)).toBe(b.indexOf('"a'));
    expect(findRecordStart(Buffer.from('no newline at all'), 3, 44)).toBe(-1);
  });
});

describe('segment dictionaries packed for posting', () => {
  it('come back exactly (order, nulls, lone surrogates, multi-byte characters, empty strings)', async () => {
    const { packDictionaries, unpackDictionaries } = await import('../../../engine/node/segment-pack.ts');
    const path = file('pack.csv', makeCsv(2000, {}) + '2024-03-12T00:00:00Z,\uD800x,u,cmd.exe,,explorer.exe,d\n2024-03-12T00:00:01Z,hôst-\u{1F600},ü,cmd.exe,,explorer.exe,d\n');
    // A file cannot hold a lone surrogate (UTF-8 has none), but JSON text can (`"\ud800"`): put one in directly.
    const segment = await segmentWithDest(path, '\uD800y');
    const before = structuredClone(segment);
    const packed = packDictionaries(segment)!;
    expect(packed).not.toBeNull();
    expect(segment.provider.values).toEqual([]);
    expect(packed.odd).toEqual(['\uD800y']);
    expect(packed.chunks).toHaveLength(1);
    unpackDictionaries(segment, structuredClone(packed));
    expect(segment).toEqual(before);
  });

  it('come back exactly when packed in many chunks, each released as it closes', async () => {
    const { packDictionaries, unpackDictionaries } = await import('../../../engine/node/segment-pack.ts');
    const path = file('pack-chunks.csv', makeCsv(3000, {}) + '2024-03-12T00:00:00Z,,u,cmd.exe,,explorer.exe,d\n2024-03-12T00:00:01Z,hôst-\u{1F600},ü,cmd.exe,,explorer.exe,d\n');
    const segment = await segmentWithDest(path, '', '\uD800y', '', 'z');
    const before = structuredClone(segment);
    let released = 0;
    // While packing, the values already packed are gone from the segment each time a chunk closes.
    const packed = packDictionaries(segment, {
      everyBytes: 100,
      release: () => {
        released++;
        const process = segment.canonical['process']!;
        if (process.kind === 'dict' && released === 3) expect(process.values.filter((v) => v !== null).length).toBeLessThan((before.canonical['process'] as { values: unknown[] }).values.length);
      },
    })!;
    expect(packed.chunks.length).toBeGreaterThan(10);
    expect(released).toBe(packed.chunks.length - 1);
    for (const c of packed.chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(100);
    const clone = structuredClone(packed);
    unpackDictionaries(segment, clone);
    expect(segment).toEqual(before);
    // Each chunk was let go once decoded.
    expect(clone.chunks.every((c) => c.length === 0)).toBe(true);
  });

  it('packs more text than one string may hold only in chunks (in one piece it says null)', async () => {
    const { packDictionaries, unpackDictionaries } = await import('../../../engine/node/segment-pack.ts');
    const { segment } = await sequential(file('pack-big.csv', makeCsv(500, {})));
    const before = structuredClone(segment);
    // A limit of 1,000 characters stands in for V8's string length limit.
    expect(packDictionaries(structuredClone(segment), undefined, 1000)).toBeNull();
    const packed = packDictionaries(segment, { everyBytes: 256 }, 1000)!;
    expect(packed).not.toBeNull();
    expect(packed.chunks.length).toBeGreaterThan(4);
    unpackDictionaries(segment, structuredClone(packed));
    expect(segment).toEqual(before);
  });

  it('refuses a pack whose chunks do not add up to the values', async () => {
    const { packDictionaries, unpackDictionaries } = await import('../../../engine/node/segment-pack.ts');
    const { segment } = await sequential(file('pack-bad.csv', makeCsv(500, {})));
    const packed = packDictionaries(structuredClone(segment), { everyBytes: 64 })!;
    const short = { ...packed, chunks: packed.chunks.slice(0, -1) };
    expect(() => unpackDictionaries(structuredClone(segment), structuredClone(short))).toThrow(/do not match/);
    const extra = { ...packed, chunks: [...packed.chunks, new Uint8Array([120])] };
    expect(() => unpackDictionaries(structuredClone(segment), structuredClone(extra))).toThrow(/do not match/);
  });
});
