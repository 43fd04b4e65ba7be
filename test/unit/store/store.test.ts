// The columnar store against the in-memory reference view, plus round-trips, segments and time order.

import { describe, expect, it } from 'vitest';
import { createMemoryView } from '../../../engine/store/memory-view.ts';
import { MAX_ORIGINAL_COLUMNS, MAX_SHAPES, SegmentBuilder } from '../../../engine/store/builder.ts';
import { eventDetails } from '../../../engine/query/details.ts';
import { detectTimeTextFormat, formatTimeText } from '../../../engine/store/time-text.ts';
import { EventStore } from '../../../engine/store/store.ts';
import { byteSize, transferables } from '../../../engine/store/segment.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import type { EventView } from '../../../engine/store/view.ts';
import { HOSTS, buildStore, cimRecords, sysmonRecords, toCanonical } from './gen-events.ts';

/** Decide dictionary vs arena early so a few hundred rows show both encodings. */
const SMALL_CHECK = { canonical: 64, original: 64 };

function expectSameView(store: EventView, ref: EventView, opts: { rawRebuilt: boolean }): void {
  expect(store.rowCount).toBe(ref.rowCount);
  expect([...store.fieldNames()]).toEqual([...ref.fieldNames()]);
  for (const name of ref.fieldNames()) {
    if (name === '_raw' && opts.rawRebuilt) continue;
    const a = store.column(name)!;
    const b = ref.column(name)!;
    expect(a, name).toBeDefined();
    for (let r = 0; r < ref.rowCount; r++) {
      const av = a.get(r);
      if (av !== b.get(r)) expect(`${name}[${r}]=${av}`).toBe(`${name}[${r}]=${b.get(r)}`);
      if (a.dict) expect(a.dict.values[a.dict.ids[r]!] ?? null).toBe(av);
    }
  }
  for (let r = 0; r < ref.rowCount; r++) {
    expect(store.timeMs[r]).toBe(ref.timeMs[r]);
    if (!opts.rawRebuilt) expect(store.text(r)).toBe(ref.text(r));
    // The reference has no raw text for these records: its text is '\n' + canonical pairs.
    else expect(store.text(r)).toBe(store.column('_raw')!.get(r)! + ref.text(r));
  }
}

describe('SegmentBuilder + SegmentView agree with the reference memory view', () => {
  it('Sysmon XML records with raw text: every field, every row, text()', () => {
    const recs = sysmonRecords({ count: 400, seed: 3 });
    const store = buildStore([{ records: recs, opts: { evidence: 2, evidenceName: 'ws01-sysmon.xml', firstSwitchCheck: SMALL_CHECK } }]);
    const ref = createMemoryView(recs.map((r) => toCanonical(r, 2)), 0, { evidenceNames: ['a', 'b', 'ws01-sysmon.xml'] });
    expectSameView(store.views[0]!, ref, { rawRebuilt: false });
    // Dictionary fields stay dictionaries; near-unique GUIDs and command lines went to the arena.
    const v = store.views[0]!;
    expect(v.column('dest')!.dict).toBeDefined();
    expect(v.column('process_name')!.dict!.values.length).toBeLessThanOrEqual(7);
    expect(v.segment.canonical['process_guid']!.kind).toBe('guid');
    expect(v.segment.canonical['process']!.kind).toBe('arena');
    // Original Sysmon names alias the canonical columns they equal instead of storing a copy.
    const ni = v.segment.originalNames.indexOf('CommandLine');
    expect(v.segment.original[ni]).toEqual({ kind: 'alias', canonical: 'process' });
    // XML text is kept as a few shared skeletons with holes for the values, and rebuilds exactly (above).
    const tpl = v.segment.rawTemplate;
    if (tpl.kind !== 'dict') throw new Error('skeleton dictionary expected');
    expect(tpl.values.length).toBeLessThan(40);
    expect(v.segment.raw.bytes.byteLength).toBe(0);
    expect(v.column('source')!.get(0)).toBe('ws01-sysmon.xml');
    expect(v.column('sourcetype')!.get(0)).toBe('XmlWinEventLog:Microsoft-Windows-Sysmon/Operational');
    // Synthetic fields from per-row codes are dictionaries too (one distinct value here).
    expect(v.column('sourcetype')!.dict!.values).toEqual([null, 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational']);
    expect(v.column('vendor_product')!.dict).toBeDefined();
  });

  it('CIM CSV records: aliases, a broken alias, empty vs missing, rebuilt CSV raw text', () => {
    const recs = cimRecords({ count: 300 });
    const store = buildStore([{ records: recs, opts: { evidence: 0, evidenceName: 'cim.csv', rawFormat: 'csv' } }]);
    const ref = createMemoryView(recs.map((r) => toCanonical(r, 0)), 0, { evidenceNames: ['cim.csv'] });
    expectSameView(store.views[0]!, ref, { rawRebuilt: true });
    const v = store.views[0]!;
    const seg = v.segment;
    expect(seg.original[seg.originalNames.indexOf('dest')]).toEqual({ kind: 'alias', canonical: 'dest' });
    // process_name stopped matching near the end: the original column was materialised.
    expect(seg.original[seg.originalNames.indexOf('process_name')]!.kind).toBe('dict');
    // ... and the canonical column stays a dictionary, falling back to the original where it is empty.
    expect(v.column('process_name')!.dict).toBeDefined();
    expect(v.column('process_name')!.get(7)).toBe(recs[7]!.originalValues[4]);
    expect(v.column('process')!.get(0)).toBe('');
    // CSV: quoted as needed, header order, doubled quotes, embedded CRLF.
    const rec = recs[1]!;
    const expected = rec.originalValues.map((x) => (/[",\r\n]/.test(x!) ? '"' + x!.replace(/"/g, '""') + '"' : x)).join(',');
    expect(v.column('_raw')!.get(1)).toBe(expected);
    expect(v.text(1)).toBe(expected + ref.text(1));
    expect(v.column('host')!.get(0)).toBe('forwarder01');
    expect(v.column('host')!.dict).toBeDefined();
  });

  it('Splunk rows whose _raw column is the raw text store it once', () => {
    const names = ['_time', 'host', '_raw', 'sourcetype'];
    const make = (n: number, breakAt: number): IngestRecord[] =>
      Array.from({ length: n }, (_, i) => {
        const raw = `<Event><System><Computer>h${i % 3}</Computer></System><EventData><Data Name="CommandLine">cmd /c ${i}</Data></EventData></Event>`;
        return {
          timeMs: 1_700_000_000_000 + i * 10,
          source: 'sysmon' as const,
          fields: { dest: `h${i % 3}`, process: `cmd /c ${i}`, EventCode: '1' },
          originalNames: names,
          originalValues: [String(1_700_000_000 + i / 100), `h${i % 3}`, i === breakAt ? raw.slice(0, 20) : raw, 'XmlWinEventLog'],
          raw,
          record: i + 1,
          line: i + 2,
          byteOffset: i * 200,
        };
      });
    for (const breakAt of [-1, 30]) {
      const recs = make(60, breakAt);
      const store = buildStore([{ records: recs, opts: { evidenceName: 'splunk.csv', rawFormat: 'csv' } }]);
      const ref = createMemoryView(recs.map((r) => toCanonical(r, 0)), 0, { evidenceNames: ['splunk.csv'] });
      const v = store.views[0]!;
      expectSameView(v, ref, { rawRebuilt: false });
      const col = v.segment.original[v.segment.originalNames.indexOf('_raw')]!;
      expect(col.kind).toBe(breakAt < 0 ? 'alias' : 'dict');
      expect(eventDetails(store, 30).original['_raw']).toBe(recs[30]!.originalValues[2]);
      expect(eventDetails(store, 31).original['_raw']).toBe(recs[31]!.raw);
      expect(v.column('sourcetype')!.get(0)).toBe('XmlWinEventLog');
    }
  });

  it('JSON records with varying keys rebuild as JSON objects of their own fields', () => {
    const names1 = ['EventID', 'Image', 'CommandLine', 'Hostname', 'Nested.Key'];
    const names2 = ['EventID', 'CommandLine', 'Hostname', 'Extra'];
    const recs: IngestRecord[] = [];
    for (let i = 0; i < 50; i++) {
      const a = i % 2 === 0;
      const cmd = `whoami /all ${i} "q" \\ \u2028`;
      recs.push({
        timeMs: 1_700_000_000_000 + i,
        source: 'generic',
        fields: { dest: 'h' + (i % 3), process: cmd, EventCode: '1' },
        originalNames: a ? names1 : names2,
        originalValues: a ? ['1', 'C:\\x.exe', cmd, 'h' + (i % 3), i % 4 === 0 ? undefined : ''] : ['1', cmd, 'h' + (i % 3), 'x'],
        record: i + 1,
        line: i + 1,
        byteOffset: i * 10,
      });
    }
    const store = buildStore([{ records: recs, opts: { evidenceName: 'x.ndjson', rawFormat: 'json' } }]);
    const ref = createMemoryView(recs.map((r) => toCanonical(r, 0)), 0, { evidenceNames: ['x.ndjson'] });
    const v = store.views[0]!;
    expectSameView(v, ref, { rawRebuilt: true });
    const raw0 = JSON.parse(v.column('_raw')!.get(0)!) as Record<string, string>;
    expect(raw0).toEqual(toCanonical(recs[0]!, 0).original);
    expect(Object.keys(JSON.parse(v.column('_raw')!.get(1)!) as object)).toEqual(names2);
    expect(v.column('Image')!.get(1)).toBeNull();
    expect(v.column('Nested.Key')!.get(0)).toBeNull();
    expect(v.column('Nested.Key')!.get(2)).toBe('');
  });
});

describe('column round-trips', () => {
  it('unicode, empty vs missing, 12 kB command lines, dictionary vs arena choice', () => {
    const long = 'powershell.exe -nop -w hidden -enc ' + 'SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA'.repeat(300) + ' ünï 😀';
    expect(long.length).toBeGreaterThan(12_000);
    const samples = ['', 'ascii', 'Zoë\\Ärger', '☃ snow', '𝄞 clef', '\uFEFFbom-first', 'a\u0000nul', long, 'x'.repeat(70) + 'é'];
    const b = new SegmentBuilder({ evidenceName: 'rt.json', firstSwitchCheck: SMALL_CHECK });
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const s = samples[i % samples.length]!;
      b.append({
        timeMs: i,
        source: 'ecs',
        fields: {
          dest: `host-${i % 4}`,
          process: i % 11 === 0 ? undefined as unknown as string : s + (i % 2 ? String(i) : ''),
          process_guid: `guid-${i}-${s.slice(0, 5)}`,
          user: i % 5 === 0 ? '' : s.slice(0, 12),
        },
        originalNames: ['cmd', 'lowcard', 'uniq'],
        originalValues: [s, i % 7 === 0 ? undefined : samples[i % 3]!, `u${i}`],
        record: i + 1,
        line: i + 1,
        byteOffset: i,
      });
    }
    const seg = b.finish();
    expect(seg.canonical['dest']!.kind).toBe('dict');
    expect(seg.canonical['process_guid']!.kind).toBe('arena');
    expect(seg.original[seg.originalNames.indexOf('lowcard')]!.kind).toBe('dict');
    expect(seg.original[seg.originalNames.indexOf('uniq')]!.kind).toBe('arena');
    const store = new EventStore([seg]);
    const v = store.views[0]!;
    for (let i = 0; i < n; i++) {
      const s = samples[i % samples.length]!;
      const proc = i % 11 === 0 ? null : s + (i % 2 ? String(i) : '');
      expect(v.column('process')!.get(i)).toBe(proc === '' ? null : proc);
      expect(v.column('process_guid')!.get(i)).toBe(`guid-${i}-${s.slice(0, 5)}`);
      expect(v.column('user')!.get(i)).toBe(i % 5 === 0 || s === '' ? null : s.slice(0, 12));
      expect(v.column('cmd')!.get(i)).toBe(s);
      expect(v.column('lowcard')!.get(i)).toBe(i % 7 === 0 ? null : samples[i % 3]!);
      expect(v.column('uniq')!.get(i)).toBe(`u${i}`);
    }
    // Trimmed to length: no typed array holds slack.
    expect(seg.timeMs.length).toBe(n);
    expect(seg.shape.length).toBe(n);
    const arena = seg.canonical['process_guid']!;
    if (arena.kind !== 'arena') throw new Error('arena expected');
    expect(arena.offsets.length).toBe(n + 1);
    expect(arena.bytes.byteLength).toBe(arena.offsets[n]);
    // Transfer list covers the big buffers and survives structured cloning.
    const clone = structuredClone(seg);
    const v2 = new EventStore([clone]).views[0]!;
    expect(v2.column('process')!.get(7)).toBe(v.column('process')!.get(7));
    expect(transferables(seg)).toContain(arena.bytes.buffer);
    // Every buffer the segment reaches is listed, so posting it copies nothing.
    const reached = new Set<ArrayBufferLike>();
    const walk = (x: unknown): void => {
      if (ArrayBuffer.isView(x)) reached.add(x.buffer);
      else if (x && typeof x === 'object') for (const v of Object.values(x)) walk(v);
    };
    walk(seg);
    expect(new Set(transferables(seg))).toEqual(reached);
    expect(new Set(transferables(seg)).size).toBe(transferables(seg).length);
    expect(byteSize(seg)).toBeGreaterThan(arena.bytes.byteLength);
  });

  it('non-string values from a careless mapper are stored as text, null as missing', () => {
    const b = new SegmentBuilder();
    const loose = { process_id: 1234, user: null, dest: 'h' } as unknown as Record<string, string>;
    b.append({ timeMs: 1, source: 'ecs', fields: loose, originalNames: ['pid', 'gone'], originalValues: [4321 as unknown as string, null as unknown as string], record: 1, line: 1, byteOffset: 0 });
    const v = new EventStore([b.finish()]).views[0]!;
    expect(v.column('process_id')!.get(0)).toBe('1234');
    expect(v.column('user')).toBeUndefined();
    expect(v.column('pid')!.get(0)).toBe('4321');
    expect(v.column('gone')!.get(0)).toBeNull();
  });

  it('command-line columns keep executable prefixes once and rebuild every value exactly', () => {
    const paths = ['"C:\\Windows\\System32\\cmd.exe"', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.EXE', '"C:\\Program Files\\Zoë\\☃.exe"', 'cmd.exe', 'x.exe'];
    const value = (i: number): string =>
      i % 17 === 0 ? `no executable here ${i}` : i % 23 === 0 ? paths[i % paths.length]! : `${paths[i % paths.length]} /c echo ${i} ${'é'.repeat(i % 3)}`;
    const b = new SegmentBuilder({ firstSwitchCheck: { canonical: 32, original: 32 } });
    for (let i = 0; i < 400; i++) {
      b.append({ timeMs: i, source: 'cim', fields: { process: value(i) }, originalNames: ['CommandLine', 'CommandLine'], originalValues: [`${value(i)} first`, value(i)], record: i + 1, line: i + 1, byteOffset: 0 });
    }
    const seg = b.finish();
    const col = seg.canonical['process']!;
    if (col.kind !== 'arena') throw new Error('arena expected');
    expect(col.prefixes!.length).toBeLessThanOrEqual(4);
    expect(col.bytes.byteLength).toBeLessThan(400 * 20);
    const v = new EventStore([structuredClone(seg)]).views[0]!;
    for (let i = 0; i < 400; i++) {
      expect(v.column('process')!.get(i)).toBe(value(i));
      expect(v.column('CommandLine')!.get(i)).toBe(value(i));
    }
  });

  it('GUID columns: 16 bytes per value while every value is a GUID in one style, else the arena', () => {
    const hex = (i: number, w: number): string => (i * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(2).slice(0, w);
    const guid = (i: number): string => `{${hex(i, 8)}-${hex(i + 1, 4)}-${hex(i + 2, 4)}-${hex(i + 3, 4)}-${hex(i + 4, 12)}}`.toUpperCase();
    const cases: Array<{ at: number; value: string; kind: string }> = [
      { at: -1, value: '', kind: 'guid' },
      { at: 150, value: guid(150).toLowerCase(), kind: 'arena' },
      { at: 150, value: guid(150).slice(1, -1), kind: 'arena' },
      { at: 150, value: 'not-a-guid', kind: 'arena' },
      { at: 10, value: '{00000000-0000-0000-0000-00000000000G}', kind: 'arena' },
      // Same length, but a non-ASCII digit look-alike, a dash moved, one lower-case letter, a brace missing.
      { at: 150, value: guid(150).slice(0, 5) + '\u00c9' + guid(150).slice(6), kind: 'arena' },
      { at: 150, value: '{0000000-00000-0000-0000-000000000000}', kind: 'arena' },
      { at: 150, value: guid(150).slice(0, -2) + 'a}', kind: 'arena' },
      { at: 150, value: '{ABCDEF01-2345-6789-ABCD-EF0123456789', kind: 'arena' },
      { at: 150, value: '{ABCDEF01-2345-6789-ABCD-EF0123456789}', kind: 'guid' },
    ];
    for (const c of cases) {
      const b = new SegmentBuilder({ firstSwitchCheck: { canonical: 32, original: 32 } });
      const want: Array<string | null> = [];
      for (let i = 0; i < 300; i++) {
        const v = i === c.at ? c.value : i % 9 === 0 ? undefined : guid(i);
        want.push(v ?? null);
        b.append({ timeMs: i, source: 'sysmon', fields: v === undefined ? {} : { process_guid: v }, originalNames: [], originalValues: [], record: i + 1, line: i + 1, byteOffset: 0 });
      }
      const seg = b.finish();
      expect(seg.canonical['process_guid']!.kind, c.value).toBe(c.kind);
      const v = new EventStore([structuredClone(seg)]).views[0]!;
      for (let i = 0; i < 300; i++) expect(v.column('process_guid')!.get(i)).toBe(want[i]);
    }
  });

  it('dictionary entries are flat copies (not slices of the parser chunk)', () => {
    const chunk = 'HEADER|' + 'WS99.corp.local' + '|TRAILER'.repeat(1000);
    const host = chunk.slice(7, 22);
    const b = new SegmentBuilder();
    b.append({ timeMs: 1, source: 'generic', fields: { dest: host }, originalNames: [], originalValues: [], record: 1, line: 1, byteOffset: 0 });
    const seg = b.finish();
    const col = seg.canonical['dest']!;
    if (col.kind !== 'dict') throw new Error('dict expected');
    expect(col.values[1]).toBe('WS99.corp.local');
  });

  it('keeps rejections and non-process counts with the first 100 samples', () => {
    const b = new SegmentBuilder({ evidence: 1, evidenceName: 'bad.csv' });
    for (let i = 0; i < 150; i++) b.reject({ reason: `unreadable time at ${i}`, code: i % 3 ? 'bad-time' : 'field-count', record: i + 1, line: i + 2 });
    for (let i = 0; i < 7; i++) b.nonProcess('network', i);
    b.append({ timeMs: NaN, source: 'cim', fields: {}, originalNames: [], originalValues: [], record: 999, line: 1000, byteOffset: 5 });
    b.append({ timeMs: 5, source: 'cim', fields: { dest: 'a' }, originalNames: [], originalValues: [], record: 1000, line: 1001, byteOffset: 6 });
    const store = new EventStore([b.finish()]);
    const [st] = store.stats();
    expect(st).toMatchObject({ evidence: 1, name: 'bad.csv', appended: 1, rejected: 151, nonProcess: 7, nonProcessByKind: { network: 7 } });
    expect(st!.rejectedByReason).toEqual({ 'field-count': 50, 'bad-time': 101 });
    expect(st!.rejectSamples).toHaveLength(100);
    expect(st!.rejectSamples[1]).toMatchObject({ line: 3, record: 2, code: 'bad-time' });
  });
});

describe('textContains', () => {
  it('equals a case-insensitive search of text(row) on XML, CSV and JSON records', () => {
    const store = buildStore([
      { records: sysmonRecords({ count: 150, seed: 8 }), opts: { evidence: 0, evidenceName: 'a.xml' } },
      { records: cimRecords({ count: 150, seed: 9 }), opts: { evidence: 1, evidenceName: 'b.csv', rawFormat: 'csv' } },
      { records: cimRecords({ count: 150, seed: 10 }), opts: { evidence: 2, evidenceName: 'c.json', rawFormat: 'json' } },
    ]);
    const needles = ['cmd', 'CMD.EXE', 'process_name', 'EventCode=1', 'quoted', '""quoted""', 'echo,', '\\r\\n', 'Z,', '"dest":"WS', 'dir C:', 'zoë', 'explorer.exe"', ':00.', '{'];
    for (const v of store.views) {
      for (const n of needles) {
        const test = v.textContains(n);
        const re = new RegExp(n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'i');
        for (let r = 0; r < v.rowCount; r++) {
          const want = re.test(v.text(r));
          if (test(r) !== want) expect(`${n} @ ${v.base + r}: ${test(r)}`).toBe(`${n} @ ${v.base + r}: ${want}`);
        }
      }
    }
  });
});

describe('time text columns', () => {
  it('detects ISO and Sysmon-style formats and formats back exactly', () => {
    // Epoch milliseconds as a double keep about a quarter microsecond: 6 digits round-trip, 7 only when exact.
    const t = Date.UTC(2024, 4, 1, 8, 0, 0, 123) + 0.456;
    expect(detectTimeTextFormat('2024-05-01T08:00:00.123456Z', t)).toBe('T6Z');
    expect(detectTimeTextFormat('2024-05-01T08:00:00.1230000Z', Math.floor(t))).toBe('T7Z');
    expect(detectTimeTextFormat('2024-05-01 08:00:00.123', Math.floor(t))).toBe(' 3');
    expect(detectTimeTextFormat('2024-05-01T08:00:00Z', Date.UTC(2024, 4, 1, 8))).toBe('T0Z');
    expect(detectTimeTextFormat('2024-05-01T10:00:00.123+02:00', t)).toBeNull();
    expect(detectTimeTextFormat('2024-05-01T08:00:01.000Z', t)).toBeNull();
    expect(formatTimeText(Date.UTC(1969, 11, 31, 23, 59, 59, 999), 'T3Z')).toBe('1969-12-31T23:59:59.999Z');
  });

  it('an original time column equal to the event time is not stored; a mismatch materialises it', () => {
    for (const breakAt of [-1, 40]) {
      const recs: IngestRecord[] = Array.from({ length: 80 }, (_, i) => {
        const t = Date.UTC(2024, 4, 1, 8) + i * 1234.5;
        const text = i === breakAt ? 'garbled' : formatTimeText(t, 'T6Z');
        return { timeMs: t, source: 'sysmon', fields: { dest: 'h', process: `p${i}` }, originalNames: ['TimeCreated_SystemTime', 'Computer'], originalValues: [text, 'h'], record: i + 1, line: i + 1, byteOffset: 0 };
      });
      const store = buildStore([{ records: recs }]);
      const ref = createMemoryView(recs.map((r) => toCanonical(r, 0)));
      const v = store.views[0]!;
      expectSameView(v, ref, { rawRebuilt: true });
      expect(v.segment.original[0]!.kind).toBe(breakAt < 0 ? 'alias' : 'dict');
      expect(v.column('TimeCreated_SystemTime')!.get(3)).toBe(recs[3]!.originalValues[0]);
    }
  });
});

describe('hostile shapes', () => {
  it('a key per record caps columns and shapes; the fields stay readable in details and raw text', () => {
    const b = new SegmentBuilder({ evidenceName: 'keys.ndjson', rawFormat: 'json' });
    const n = MAX_SHAPES + 500;
    for (let i = 0; i < n; i++) {
      b.append({
        timeMs: i,
        source: 'generic',
        fields: { dest: 'h', process: `p${i}` },
        originalNames: ['host', `k${i}`, '__proto__'],
        originalValues: ['h', `v${i}`, 'x'],
        record: i + 1,
        line: i + 1,
        byteOffset: i,
      });
    }
    const seg = b.finish();
    expect(seg.originalNames.length).toBeLessThanOrEqual(MAX_ORIGINAL_COLUMNS);
    expect(seg.shapes.length).toBeLessThanOrEqual(MAX_SHAPES + 2);
    const store = new EventStore([seg]);
    for (const row of [5, 2000, n - 1]) {
      const d = eventDetails(store, row);
      expect(d.original).toEqual(Object.fromEntries([['host', 'h'], [`k${row}`, `v${row}`], ['__proto__', 'x']]));
      expect(JSON.parse(d.raw)).toEqual(JSON.parse(`{"host":"h","k${row}":"v${row}","__proto__":"x"}`));
      expect(store.value(row, 'process')).toBe(`p${row}`);
    }
    expect(store.value(5, 'k5')).toBe('v5');
    expect(Object.getPrototypeOf(eventDetails(store, 1).original)).toBe(Object.prototype);
  });

  it('counts keyed by evidence-provided names stay own properties', () => {
    const b = new SegmentBuilder();
    b.nonProcess('__proto__', 1);
    b.nonProcess('__proto__', 2);
    b.reject({ reason: 'x', code: 'constructor' });
    const [st] = new EventStore([b.finish()]).stats();
    expect(Object.entries(st!.nonProcessByKind)).toEqual([['__proto__', 2]]);
    expect(Object.entries(st!.rejectedByReason)).toEqual([['constructor', 1]]);
  });
});

describe('EventStore over several segments', () => {
  it('global rows, per-segment base, locators and evidence names', () => {
    const a = sysmonRecords({ count: 120, seed: 1 });
    const c = cimRecords({ count: 80, seed: 2 });
    const store = buildStore([
      { records: a.slice(0, 70), opts: { evidence: 0, evidenceName: 'a.xml' } },
      { records: a.slice(70), opts: { evidence: 0, evidenceName: 'a.xml' } },
      { records: [], opts: { evidence: 3, evidenceName: 'empty.csv' } },
      { records: c, opts: { evidence: 1, evidenceName: 'b.csv', rawFormat: 'csv' } },
    ]);
    expect(store.rowCount).toBe(200);
    expect(store.views.map((v) => v.base)).toEqual([0, 70, 120]);
    expect(store.value(75, 'process')).toBe(a[75]!.fields.process);
    expect(store.value(130, 'process_guid')).toBe(c[10]!.fields.process_guid);
    expect(store.locator(130)).toEqual({ evidence: 1, record: c[10]!.record, line: c[10]!.line, byteOffset: c[10]!.byteOffset });
    expect(store.evidenceOf(71).name).toBe('a.xml');
    expect(store.value(199, 'source')).toBe('b.csv');
    expect(store.stats().map((s) => [s.name, s.appended])).toEqual([['a.xml', 120], ['b.csv', 80], ['empty.csv', 0]]);
    const hosts = store.hosts();
    expect(hosts.map((h) => h.host)).toEqual([...HOSTS].sort());
    expect(hosts.reduce((s, h) => s + h.count, 0)).toBe(200);
    const distinct = store.distinct('process_name', 3);
    expect(distinct).toHaveLength(3);
    let brute = 0;
    for (let g = 0; g < store.rowCount; g++) if (store.value(g, 'process_name') === distinct[0]!.value) brute++;
    expect(distinct[0]!.count).toBe(brute);
    expect(() => store.locate(200)).toThrow(RangeError);
  });

  for (const order of ['sorted', 'reverse', 'shuffled'] as const) {
    it(`time order is stable and sorted for ${order} input`, () => {
      const recs = sysmonRecords({ count: 3000, seed: 5, order, stepMs: 3 });
      // Many equal times so stability shows.
      const store = buildStore([
        { records: recs.slice(0, 1000), opts: { evidenceName: 'x' } },
        { records: recs.slice(1000), opts: { evidenceName: 'x' } },
      ]);
      const ord = store.timeOrder();
      const expected = Array.from({ length: recs.length }, (_, i) => i).sort((x, y) => recs[x]!.timeMs - recs[y]!.timeMs || x - y);
      expect(Array.from(ord)).toEqual(expected);
      const t = store.sortedTimes();
      for (let i = 0; i < ord.length; i++) expect(t[i]).toBe(recs[ord[i]!]!.timeMs);
      expect(store.timeRange()).toEqual({ firstMs: t[0], lastMs: t[t.length - 1] });
    });
  }

  it('countsByHostAndBucket equals a brute-force count, with a row filter', () => {
    const recs = sysmonRecords({ count: 800, seed: 17, order: 'shuffled' });
    const store = buildStore([{ records: recs.slice(0, 300) }, { records: recs.slice(300) }]);
    const t = recs.map((r) => r.timeMs).sort((a, b) => a - b);
    const startMs = t[100]!;
    const endMs = t[700]!;
    const keep = (g: number): boolean => g % 3 !== 0;
    const res = store.countsByHostAndBucket(startMs, endMs, 24, keep);
    expect(res.buckets).toBe(24);
    const want = new Map(HOSTS.map((h) => [h, new Array<number>(24).fill(0)]));
    recs.forEach((r, g) => {
      if (r.timeMs < startMs || r.timeMs >= endMs || !keep(g)) return;
      want.get(r.fields.dest!)![Math.min(23, Math.floor((r.timeMs - startMs) / res.bucketMs))]!++;
    });
    res.hosts.forEach((h, i) => expect(Array.from(res.counts[i]!)).toEqual(want.get(h)));
    const before = store.byteSize();
    expect(before).toBeGreaterThan(0);
    store.rowsOfHost(0);
    // Built indexes are part of the store's own memory, and so are per-row arrays views derive.
    expect(store.byteSize()).toBeGreaterThanOrEqual(before + 4 * recs.length);
    const withIndexes = store.byteSize();
    for (const v of store.views) v.column('sourcetype');
    expect(store.byteSize()).toBe(withIndexes + 4 * recs.length);
  });

  it('an empty store answers every query', () => {
    const store = new EventStore([]);
    expect(store.rowCount).toBe(0);
    expect(store.timeOrder()).toHaveLength(0);
    expect(store.timeRange()).toBeNull();
    expect(store.hosts()).toEqual([]);
    expect(store.distinct('dest')).toEqual([]);
    expect(store.countsByHostAndBucket(0, 1000, 10).counts).toEqual([]);
    expect(store.stats()).toEqual([]);
    expect(() => store.locate(0)).toThrow(RangeError);
  });

  it('rows of a host are that host’s rows in time order', () => {
    const recs = sysmonRecords({ count: 500, seed: 9, order: 'shuffled' });
    const store = buildStore([{ records: recs }]);
    const h = store.hostId(HOSTS[2]!);
    const rows = Array.from(store.rowsOfHost(h));
    const expected = store.timeOrder().filter((g) => recs[g]!.fields.dest === HOSTS[2]);
    expect(rows).toEqual(Array.from(expected));
  });
});

describe('byte offsets', () => {
  const rec = (i: number, byteOffset: number): IngestRecord => ({
    timeMs: i, source: 'cim', fields: { dest: 'h' }, originalNames: [], originalValues: [], record: i + 1, line: i + 2, byteOffset,
  });

  it('take 4 bytes a row below 4 GiB and widen, values intact, at the first offset past it', () => {
    const small = new SegmentBuilder();
    for (let i = 0; i < 100; i++) small.append(rec(i, i * 40_000_000));
    const s = small.finish();
    expect(s.byteOffset).toBeInstanceOf(Uint32Array);
    expect(s.byteOffset[99]).toBe(3_960_000_000);

    const big = new SegmentBuilder();
    const offs: number[] = [];
    for (let i = 0; i < 300; i++) offs.push(i * 20_000_000 + (i % 7));
    offs.forEach((o, i) => big.append(rec(i, o)));
    const b = big.finish();
    expect(b.byteOffset).toBeInstanceOf(Float64Array);
    expect(Array.from(b.byteOffset)).toEqual(offs);
    const v = new EventStore([b]).views[0]!;
    expect(v.locator(299).byteOffset).toBe(offs[299]);
  });

  it('widen when a later range is shifted past 4 GiB', async () => {
    const { shiftLocators } = await import('../../../engine/node/parallel-ingest.ts');
    const b = new SegmentBuilder();
    for (let i = 0; i < 10; i++) b.append(rec(i, i * 1000));
    const seg = b.finish();
    expect(seg.byteOffset).toBeInstanceOf(Uint32Array);
    shiftLocators(seg, 5, 5, 4_294_960_000);
    expect(seg.byteOffset).toBeInstanceOf(Float64Array);
    expect(Array.from(seg.byteOffset)).toEqual(Array.from({ length: 10 }, (_, i) => 4_294_960_000 + i * 1000));
    expect(seg.record[0]).toBe(6);
  });
});
