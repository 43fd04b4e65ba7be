// EVTX reader core on handcrafted chunks (no shared data needed): every value type, arrays, optional values,
// nested BinXML, template reuse, records without templates, CRC marks, empty slots, damage, hostile structures.

import { describe, expect, it } from 'vitest';
import { readEvtxChunk, readEvtxFile, parseEvtxFileHeader } from '../../../../engine/ingest/evtx/index.ts';
import type { EvtxDamage, EvtxRecord } from '../../../../engine/ingest/evtx/index.ts';
import { HopscopeError } from '../../../../engine/model/errors.ts';
import {
  ChunkBuilder, EVENT_NS, V, buildFile, evtxFuzzSeeds, filetimeOf, fixChunkCrcs, sampleFile, simpleChunk, simpleEvent,
  simpleEventXml, type Value,
} from './build.ts';

function read(chunk: Uint8Array) {
  const records: EvtxRecord[] = [];
  const damaged: EvtxDamage[] = [];
  const res = readEvtxChunk(chunk, 0, 4096, { record: (r) => records.push(r), damaged: (d) => damaged.push(d) });
  return { records, damaged, res };
}

function one(data: Array<[string, Value]>): string {
  const c = new ChunkBuilder();
  c.record(simpleEvent({ id: 7, data }));
  const { records, damaged } = read(c.finish());
  expect(damaged).toEqual([]);
  expect(records).toHaveLength(1);
  return records[0]!.xml;
}

/** The EventData lines of a rendered simple event. */
function dataLines(xml: string): string[] {
  const lines = xml.split('\n');
  const a = lines.indexOf('  <EventData>');
  if (a < 0) return [];
  return lines.slice(a + 1, lines.indexOf('  </EventData>')).map((l) => l.slice(4));
}

describe('EVTX reader: rendering', () => {
  it('renders a templated event exactly as evtxexport does', () => {
    const ev = { id: 42, data: [['CommandLine', V.string('cmd.exe /c whoami')]] as Array<[string, Value]> };
    const c = new ChunkBuilder();
    c.record(simpleEvent(ev));
    const { records, res } = read(c.finish());
    expect(res).toMatchObject({ records: 1, damaged: 0, empty: false, crcBad: false, firstRecordId: 42, lastRecordId: 42 });
    expect(records[0]).toMatchObject({ recordId: 42, chunk: 0, byteOffset: 4096 + 512, chunkCrcBad: false });
    expect(records[0]!.xml).toBe(simpleEventXml(ev, ['<Data Name="CommandLine">cmd.exe /c whoami</Data>']));
  });

  it('prints every scalar value type the way libevtx does', () => {
    const xml = one([
      ['S', V.string('a&b<c>"d"')],
      ['A', V.ansi('x<y')],
      ['I8', V.int8(-5)],
      ['U8', V.uint8(250)],
      ['I16', V.int16(-300)],
      ['U16', V.uint16(60000)],
      ['I32', V.int32(-70000)],
      ['U32', V.uint32(4000000000)],
      ['I64', V.int64(-5n)],
      ['I64b', V.int64(-9007199254740993n)],
      ['U64', V.uint64(18446744073709551615n)],
      ['R32', V.real32(1.5)],
      ['R64', V.real64(3199.234)],
      ['B1', V.bool(true)],
      ['B0', V.bool(false)],
      ['Bin', V.binary([0xde, 0xad, 0x0b])],
      ['G', V.guid('{0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9}')],
      ['Sz8', V.sizeT(16n, 8)],
      ['Sz4', V.sizeT(16, 4)],
      ['FT', V.filetime(filetimeOf('2021-04-21T09:40:32.3423972Z'))],
      ['FT0', V.filetime(0n)],
      ['ST', V.systemtime(2019, 3, 8, 23, 23, 5, 7)],
      ['Sid', V.sid(1, 5, [21, 4230534742, 2542757381, 3142984815, 1111])],
      ['H32', V.hex32(0x1f4)],
      ['H64', V.hex64(0x00a0000000000000n)],
    ]);
    expect(dataLines(xml)).toEqual([
      '<Data Name="S">a&amp;b&lt;c&gt;"d"</Data>',
      '<Data Name="A">x&lt;y</Data>', // escaped (libfwevt prints ANSI strings unescaped: a listed disagreement)
      '<Data Name="I8">-5</Data>',
      '<Data Name="U8">250</Data>',
      '<Data Name="I16">-300</Data>',
      '<Data Name="U16">60000</Data>',
      '<Data Name="I32">-70000</Data>',
      '<Data Name="U32">4000000000</Data>',
      '<Data Name="I64">-5</Data>',
      '<Data Name="I64b">-9007199254740993</Data>',
      '<Data Name="U64">18446744073709551615</Data>',
      '<Data Name="R32">1.500000e+000</Data>',
      '<Data Name="R64">3.199234e+003</Data>',
      '<Data Name="B1">true</Data>',
      '<Data Name="B0">false</Data>',
      '<Data Name="Bin">DEAD0B</Data>',
      '<Data Name="G">{0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9}</Data>',
      '<Data Name="Sz8">0x0000000000000010</Data>',
      '<Data Name="Sz4">0x00000010</Data>',
      '<Data Name="FT">2021-04-21T09:40:32.342397200Z</Data>',
      '<Data Name="FT0">1601-01-01T00:00:00.000000000Z</Data>',
      '<Data Name="ST">2019-03-08T23:23:05.007Z</Data>',
      '<Data Name="Sid">S-1-5-21-4230534742-2542757381-3142984815-1111</Data>',
      '<Data Name="H32">0x000001f4</Data>',
      '<Data Name="H64">0x00a0000000000000</Data>',
    ]);
  });

  it('keeps FILETIME to 100 ns over the whole range', () => {
    const cases: Array<[string, string]> = [
      ['2024-02-29T23:59:59.9999999Z', '2024-02-29T23:59:59.999999900Z'],
      ['1970-01-01T00:00:00.0000001Z', '1970-01-01T00:00:00.000000100Z'],
      ['2000-12-31T12:00:00.5Z', '2000-12-31T12:00:00.500000000Z'],
    ];
    for (const [iso, want] of cases) expect(dataLines(one([['T', V.filetime(filetimeOf(iso))]]))).toEqual([`<Data Name="T">${want}</Data>`]);
    expect(dataLines(one([['T', V.filetime(0xffffffffffffffffn)]]))[0]).toMatch(/^<Data Name="T">\d{5}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}00Z<\/Data>$/);
  });

  it('repeats the element once per array item (empty items print empty), as libfwevt does', () => {
    expect(dataLines(one([['Arr', V.stringArray(['lsass', '548', '', 'C:\\x'])]]))).toEqual([
      '<Data Name="Arr">lsass</Data>', '<Data Name="Arr">548</Data>', '<Data Name="Arr"/>', '<Data Name="Arr">C:\\x</Data>',
    ]);
    expect(dataLines(one([['N', V.uint16Array([1, 2, 65535])]]))).toEqual([
      '<Data Name="N">1</Data>', '<Data Name="N">2</Data>', '<Data Name="N">65535</Data>',
    ]);
  });

  it('an unset optional value drops its element (attributes: the attribute); an empty normal one prints <x/>', () => {
    // simpleEvent uses normal substitutions for strings, optional ones for other types.
    expect(dataLines(one([['Empty', V.string('')], ['Gone', V.null()], ['Kept', V.uint8(1)]]))).toEqual([
      '<Data Name="Empty"/>', '<Data Name="Kept">1</Data>',
    ]);
    const xml = one([['X', V.string('x')]]);
    expect(xml).toContain('    <Correlation/>\n'); // ActivityID is null: attribute dropped
  });

  it('prints a white-space-only value as no value and keeps multi-line values exactly', () => {
    const xml = one([['W', V.string('\n')], ['M', V.string('a\r\n  b\n')]]);
    expect(xml).toContain('\n  <EventData>\n    <Data Name="W"/>\n    <Data Name="M">a\r\n  b\n</Data>\n  </EventData>\n');
  });

  it('stops a UTF-16 value at its NUL terminator and replaces lone surrogates', () => {
    expect(dataLines(one([['T', V.string('abc', true)], ['U', V.raw(0x01, [0x3d, 0xd8, 0x41, 0x00])]]))).toEqual([
      '<Data Name="T">abc</Data>', '<Data Name="U">\ufffdA</Data>',
    ]);
  });

  it('renders a value of the wrong size as hex instead of reading past it', () => {
    expect(dataLines(one([['G', V.raw(0x0f, [1, 2, 3])]]))).toEqual(['<Data Name="G">010203</Data>']);
  });

  it('renders embedded BinXML (UserData with a nested template instance)', () => {
    const c = new ChunkBuilder();
    c.record({
      id: 5,
      body: (w) => {
        w.fragmentHeader().template('outer', (d) => {
          d.fragmentHeader().open('Event', true).attr('xmlns').text(EVENT_NS).closeStart()
            .open('System').closeStart().el('EventID', 0, 0x06).end()
            .subst(1, 0x21)
            .end().eof();
        }, [
          V.uint16(1102),
          V.binxml((v) => {
            v.fragmentHeader().template('inner', (d) => {
              d.fragmentHeader().open('UserData').closeStart()
                .open('LogFileCleared', true).attr('xmlns').text('http://manifests.microsoft.com/win/2004/08/windows/eventlog').closeStart()
                .el('SubjectUserName', 0, 0x01).el('SubjectLogonId', 1, 0x15).end()
                .end().eof();
            }, [V.string('admin'), V.hex64(0x3e7n)]);
          }),
        ]).eof();
      },
    });
    const { records, damaged } = read(c.finish());
    expect(damaged).toEqual([]);
    expect(records[0]!.xml).toBe([
      `<Event xmlns="${EVENT_NS}">`,
      '  <System>',
      '    <EventID>1102</EventID>',
      '  </System>',
      '  <UserData>',
      '    <LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">',
      '      <SubjectUserName>admin</SubjectUserName>',
      '      <SubjectLogonId>0x00000000000003e7</SubjectLogonId>',
      '    </LogFileCleared>',
      '  </UserData>',
      '</Event>',
    ].join('\n'));
  });

  it('reuses a template definition by offset and names by offset within a chunk', () => {
    const c = new ChunkBuilder();
    for (let i = 1; i <= 3; i++) c.record(simpleEvent({ id: i, data: [['CommandLine', V.string('c' + i)]] }));
    expect(c.templates.size).toBe(1);
    const { records } = read(c.finish());
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 3]);
    records.forEach((r, i) => expect(r.xml).toBe(simpleEventXml({ id: i + 1 }, [`<Data Name="CommandLine">c${i + 1}</Data>`])));
    // The second and third records hold no definition: they are much smaller.
    const sizes = c.recordOffsets.map((o, i) => (c.recordOffsets[i + 1] ?? c.pos) - o);
    expect(sizes[1]!).toBeLessThan(sizes[0]! / 2);
  });

  it('renders records without a template (plain BinXML) with CDATA, character and entity references', () => {
    const c = new ChunkBuilder();
    c.record({
      id: 9,
      body: (w) => {
        w.fragmentHeader().open('Event', true).attr('xmlns').text(EVENT_NS).closeStart()
          .open('System').closeStart().open('EventID').closeStart().text('4688').end().end()
          .open('EventData').closeStart()
          .open('Data', true).attr('Name').text('A').closeStart().text('x ').entityRef('amp').text(' y').charRef(0x41).end()
          .open('Data', true).attr('Name').text('q"').entityRef('lt').closeEmpty()
          .open('Binary').closeStart().cdata('raw <b>').end()
          .end().end().eof();
      },
    });
    const { records, damaged } = read(c.finish());
    expect(damaged).toEqual([]);
    expect(records[0]!.xml).toBe([
      `<Event xmlns="${EVENT_NS}">`,
      '  <System>',
      '    <EventID>4688</EventID>',
      '  </System>',
      '  <EventData>',
      '    <Data Name="A">x &amp; yA</Data>',
      '    <Data Name="q&quot;&lt;"/>', // in attributes references stay references (libfwevt cannot read these)
      '    <Binary>',
      '      <![CDATA[raw <b>]]>',
      '    </Binary>',
      '  </EventData>',
      '</Event>',
    ].join('\n'));
  });

  it('renders a processing instruction on its own line', () => {
    const c = new ChunkBuilder();
    c.record({
      id: 1,
      body: (w) => w.fragmentHeader().open('Event').closeStart().pi('xml-stylesheet', 'href="a.xsl"').open('System').closeEmpty().end().eof(),
    });
    const { records, damaged } = read(c.finish());
    expect(damaged).toEqual([]);
    expect(records[0]!.xml).toBe('<Event>\n  <?xml-stylesheet href="a.xsl"?>\n  <System/>\n</Event>');
  });

  it('a fragment holds one template instance: a second one after it is not rendered (as libevtx, python-evtx)', () => {
    const c = new ChunkBuilder();
    c.record({
      id: 1,
      body: (w) => {
        w.fragmentHeader()
          .template('a', (d) => d.fragmentHeader().el('Event', 0, 0x01).eof(), [V.string('first')])
          .template('b', (d) => d.fragmentHeader().el('RenderingInfo', 0, 0x01).eof(), [V.string('second')])
          .eof();
      },
    });
    const { records, damaged } = read(c.finish());
    expect(damaged).toEqual([]);
    expect(records[0]!.xml).toBe('<Event>first</Event>');
  });

  it('reads a chunk handed over as an unaligned view into a larger buffer', () => {
    const chunk = simpleChunk(1, 3);
    const big = new Uint8Array(chunk.length + 3);
    big.set(chunk, 3);
    const a = read(chunk).records.map((r) => r.xml);
    const b = read(big.subarray(3)).records.map((r) => r.xml);
    expect(b).toEqual(a);
    expect(read(new Uint8Array(new ArrayBuffer(65539), 3)).res.empty).toBe(true);
  });

  it('reads elements written without the dependency id (seen in re-written logs)', () => {
    const c = new ChunkBuilder();
    c.record({
      id: 3,
      body: (w) => {
        w.fragmentHeader().open('Event', true, true).attr('xmlns').text(EVENT_NS).closeStart()
          .open('System', false, true).closeStart().open('EventID', false, true).closeStart().text('1').end().end()
          .open('EventData', false, true).closeStart().open('Data', true, true).attr('Name').text('A').closeStart().text('v').end().end()
          .end().eof();
      },
    });
    const { records, damaged } = read(c.finish());
    expect(damaged).toEqual([]);
    expect(records[0]!.xml).toBe(`<Event xmlns="${EVENT_NS}">\n  <System>\n    <EventID>1</EventID>\n  </System>\n  <EventData>\n    <Data Name="A">v</Data>\n  </EventData>\n</Event>`);
  });
});

describe('EVTX reader: chunks and damage', () => {
  it('an all-zero slot is empty: no record, no damage', () => {
    const { records, damaged, res } = read(new Uint8Array(65536));
    expect(records).toEqual([]);
    expect(damaged).toEqual([]);
    expect(res.empty).toBe(true);
  });

  it('a bad chunk signature is one damage report counting the header record ids', () => {
    const b = simpleChunk(100, 10);
    b[0] = 0x58;
    const { records, damaged } = read(b);
    expect(records).toEqual([]);
    expect(damaged).toHaveLength(1);
    expect(damaged[0]).toMatchObject({ chunk: 0, byteOffset: 4096, recordsLost: 10 });
    expect(damaged[0]!.reason).toMatch(/chunk signature missing/);
  });

  it('a garbage slot (random bytes) is one damage report with no records lost counted', () => {
    const b = new Uint8Array(65536);
    let x = 12345;
    for (let i = 0; i < b.length; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    const { records, damaged } = read(b);
    expect(records).toEqual([]);
    expect(damaged).toHaveLength(1);
  });

  it('a header CRC mismatch keeps the records, marked', () => {
    const b = simpleChunk(1, 4);
    b[64] = b[64]! ^ 1; // inside the CRC-covered header, outside the fields the reader uses
    const { records, res } = read(b);
    expect(res.crcBad).toBe(true);
    expect(records).toHaveLength(4);
    expect(records.every((r) => r.chunkCrcBad)).toBe(true);
  });

  it('an event-records CRC mismatch keeps the records, marked', () => {
    const b = simpleChunk(1, 4);
    const p = b.indexOf(0x65, 700); // a byte inside some record's text
    b[p] = 0x66;
    const { records, res } = read(b);
    expect(res.crcBad).toBe(true);
    expect(records).toHaveLength(4);
    expect(records.every((r) => r.chunkCrcBad)).toBe(true);
  });

  it('an unknown token damages that record only (recordsLost 1) and reading continues', () => {
    const c = new ChunkBuilder();
    c.record(simpleEvent({ id: 1 }));
    c.record({ id: 2, body: (w) => w.fragmentHeader().u8(0x2f).eof() });
    c.record(simpleEvent({ id: 3 }));
    const { records, damaged, res } = read(c.finish());
    expect(records.map((r) => r.recordId)).toEqual([1, 3]);
    expect(damaged).toHaveLength(1);
    expect(damaged[0]!.reason).toMatch(/^record 2 at chunk offset 0x[0-9a-f]+: unknown BinXML token 0x2f/);
    expect(damaged[0]!.recordsLost).toBe(1);
    expect(res.records + res.recordsLost).toBe(3);
  });

  it('a substitution out of range damages the record', () => {
    const c = new ChunkBuilder();
    c.record({
      id: 1,
      body: (w) => w.fragmentHeader().template('t', (d) => d.fragmentHeader().el('Event', 5, 0x01).eof(), [V.string('only one')]).eof(),
    });
    const { records, damaged } = read(c.finish());
    expect(records).toEqual([]);
    expect(damaged[0]!.reason).toMatch(/substitution 5 out of range/);
  });

  it('a record cut by the end of the file: the records before it are read, the rest counted lost', () => {
    const full = simpleChunk(1, 10);
    const c = new ChunkBuilder();
    for (let i = 0; i < 10; i++) c.record(simpleEvent({ id: 1 + i, data: [['CommandLine', V.string(`cmd.exe /c echo ${1 + i}`)], ['ProcessId', V.uint32(1000 + i)]] }));
    const cut = c.recordOffsets[6]! + 40;
    const { records, damaged, res } = read(full.slice(0, cut));
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(res.recordsLost).toBe(4);
    expect(records.length + res.recordsLost).toBe(10);
    expect(damaged[0]!.reason).toMatch(/cut off by the end of the file|truncated/);
  });

  it('a bad record signature: reading resumes at the next record, the gap counted', () => {
    const c = new ChunkBuilder();
    for (let i = 1; i <= 5; i++) c.record(simpleEvent({ id: i }));
    const b = c.finish();
    b[c.recordOffsets[2]!] = 0; // record 3's signature
    fixChunkCrcs(b);
    const { records, damaged, res } = read(b);
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 5]);
    expect(damaged).toHaveLength(1);
    expect(damaged[0]!.recordsLost).toBe(1);
    expect(damaged[0]!.reason).toMatch(/record signature missing .*resumes at the next record \(4/);
    expect(res.records + res.recordsLost).toBe(5);
  });

  it('cyclic name and template offsets and self-referencing templates end in damage, not a hang', () => {
    const c = new ChunkBuilder();
    c.record({
      id: 1,
      // A template instance whose definition offset points at the instance itself.
      body: (w) => {
        w.fragmentHeader();
        const at = c.pos;
        w.u8(0x0c).u8(1).u32(0).u32(at).u32(0).eof();
      },
    });
    c.record({
      id: 2,
      // A template whose definition contains an instance of itself.
      body: (w) => {
        w.fragmentHeader();
        w.u8(0x0c).u8(1).u32(0);
        const defOff = c.pos + 4;
        w.u32(defOff).u32(0).bytes(new Uint8Array(16));
        const sizeAt = c.pos;
        w.u32(0);
        const start = c.pos;
        w.fragmentHeader().u8(0x0c).u8(1).u32(0).u32(defOff).u32(0).eof();
        c.patch32(sizeAt, c.pos - start);
        w.u32(0).eof();
      },
    });
    c.record({
      id: 3,
      // A name offset pointing far outside the chunk.
      body: (w) => w.fragmentHeader().u8(0x01).u16(0).u32(0).u32(0x7fffffff).u8(0x03).eof(),
    });
    c.record(simpleEvent({ id: 4 }));
    const t0 = Date.now();
    const { records, damaged } = read(c.finish());
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(records.map((r) => r.recordId)).toEqual([4]);
    expect(damaged.map((d) => d.recordsLost)).toEqual([1, 1, 1]);
    expect(damaged[2]!.reason).toMatch(/outside the chunk/);
  });

  it('deep nesting is bounded (damage, no stack overflow)', () => {
    const c = new ChunkBuilder();
    c.record({
      id: 1,
      body: (w) => {
        w.fragmentHeader();
        for (let i = 0; i < 2000; i++) w.open('a').closeStart();
        for (let i = 0; i < 2000; i++) w.end();
        w.eof();
      },
    });
    const { records, damaged } = read(c.finish());
    expect(records).toEqual([]);
    expect(damaged[0]!.reason).toMatch(/nested deeper than/);
  });

  it('a chain of template instances through embedded BinXML values is bounded too', () => {
    const c = new ChunkBuilder();
    const nest = (w: import('./build.ts').RecordWriter, n: number): void => {
      w.fragmentHeader().template('chain', (d) => d.fragmentHeader().subst(0, 0x21).eof(), [
        n > 0 ? V.binxml((v) => nest(v, n - 1)) : V.null(),
      ]);
    };
    c.record({ id: 1, body: (w) => { nest(w, 400); w.eof(); } });
    c.record(simpleEvent({ id: 2 }));
    const { records, damaged } = read(c.finish());
    expect(records.map((r) => r.recordId)).toEqual([2]);
    expect(damaged[0]!.reason).toMatch(/nested deeper than/);
  });

  it('output is bounded: a template repeating a large value many times is damage', () => {
    const c = new ChunkBuilder();
    const big = 'x'.repeat(10000);
    c.record({
      id: 1,
      body: (w) => w.fragmentHeader().template('rep', (d) => {
        d.fragmentHeader().open('Event').closeStart();
        for (let i = 0; i < 2000; i++) d.el('D', 0, 0x01, false);
        d.end().eof();
      }, [V.string(big)]).eof(),
    });
    const { records, damaged } = read(c.finish());
    expect(records).toEqual([]);
    expect(damaged[0]!.reason).toMatch(/more than \d+ characters/);
  });

  it('huge counts and sizes are refused without allocating', () => {
    const c = new ChunkBuilder();
    c.record({ id: 1, body: (w) => w.fragmentHeader().u8(0x0c).u8(1).u32(0).u32(0x200).u32(0xffffffff).eof() });
    const { damaged } = read(c.finish());
    expect(damaged).toHaveLength(1);
  });

  it('never throws on any seed with random bit flips', () => {
    let x = 99;
    const rnd = () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (const seed of evtxFuzzSeeds()) {
      for (let k = 0; k < 60; k++) {
        const b = seed.slice();
        for (let f = 0; f < 1 + k; f++) { const i = 4096 + Math.floor(rnd() * (b.length - 4096)); b[i] = b[i]! ^ (1 << Math.floor(rnd() * 8)); }
        const out = { record: () => {}, damaged: () => {} };
        expect(() => readEvtxFile(b, out)).not.toThrow();
      }
    }
  });
});

describe('EVTX reader: slack recovery ({ recover: true })', () => {
  /** A chunk whose free-space offset was moved back before its last two records (as after a copy or a clear). */
  function slackChunk(): Uint8Array {
    const c = new ChunkBuilder();
    for (let i = 1; i <= 5; i++) c.record(simpleEvent({ id: i }));
    const b = c.finish();
    const cut = c.recordOffsets[3]!;
    b.set([cut & 0xff, (cut >>> 8) & 0xff, 0, 0], 48);
    b.set([3, 0, 0, 0, 0, 0, 0, 0], 32); // last record id 3
    fixChunkCrcs(b);
    return b;
  }

  it('without the option, slack is not read', () => {
    const { records, damaged, res } = read(slackChunk());
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 3]);
    expect(damaged).toEqual([]);
    expect(res.recovered).toBe(0);
  });

  it('with it, slack records come after the live ones, marked recovered, outside the books', () => {
    const records: EvtxRecord[] = [];
    const damaged: EvtxDamage[] = [];
    const res = readEvtxChunk(slackChunk(), 0, 4096, { record: (r) => records.push(r), damaged: (d) => damaged.push(d) }, { recover: true });
    expect(records.map((r) => [r.recordId, r.recovered ?? false])).toEqual([[1, false], [2, false], [3, false], [4, true], [5, true]]);
    expect(records[3]!.xml).toBe(simpleEventXml({ id: 4 }, ['<Data Name="CommandLine">cmd.exe /c whoami</Data>']));
    expect(res).toMatchObject({ records: 3, recovered: 2, damaged: 0, recordsLost: 0, crcBad: false });
    expect(damaged).toEqual([]);
  });

  it('slack that no longer renders as an event is skipped silently', () => {
    const b = slackChunk();
    const c = new ChunkBuilder();
    for (let i = 1; i <= 5; i++) c.record(simpleEvent({ id: i }));
    // Break record 5's BinXML (an unknown token right after its fragment header).
    b[c.recordOffsets[4]! + 28] = 0x2f;
    const records: EvtxRecord[] = [];
    const damaged: EvtxDamage[] = [];
    readEvtxChunk(b, 0, 4096, { record: (r) => records.push(r), damaged: (d) => damaged.push(d) }, { recover: true });
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 3, 4]);
    expect(damaged).toEqual([]);
  });
});

describe('EVTX reader: file header', () => {
  it('parses the header and checks its CRC', () => {
    const { bytes } = sampleFile(2, 3);
    const h = parseEvtxFileHeader(bytes);
    expect(h).toMatchObject({ chunkCount: 2, majorVersion: 3, minorVersion: 1, crcOk: true, nextRecordId: 7 });
    const bad = bytes.slice();
    bad[30] = bad[30]! ^ 1;
    expect(parseEvtxFileHeader(bad).crcOk).toBe(false);
  });

  it('refuses what is not EVTX with E_FORMAT', () => {
    expect(() => parseEvtxFileHeader(new TextEncoder().encode('<Events></Events>'.padEnd(200)))).toThrow(HopscopeError);
    try {
      parseEvtxFileHeader(new Uint8Array(10));
    } catch (e) {
      expect((e as HopscopeError).code).toBe('E_FORMAT');
      expect((e as HopscopeError).location).toEqual({ byteOffset: 0 });
    }
  });

  it('readEvtxFile scans every slot the file holds, whatever the header says', () => {
    const { bytes, records } = sampleFile(3, 5);
    const stale = buildFile([simpleChunk(1, 5), simpleChunk(6, 5), simpleChunk(11, 5)], { chunkCount: 1 });
    for (const b of [bytes, stale]) {
      const got: number[] = [];
      const r = readEvtxFile(b, { record: (x) => got.push(x.recordId), damaged: () => {} });
      expect(got).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect(r.records).toBe(records);
    }
  });
});
