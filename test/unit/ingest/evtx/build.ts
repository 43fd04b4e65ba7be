// A tiny EVTX writer for tests: BinXML tokens, templates (inline definitions, reused by offset), substitution
// values of every type, chunks with correct CRCs, files with a header. Writes what Windows writes (names inline the
// first time, referenced by chunk offset after; template definitions inline the first time, referenced after),
// plus knobs to break things. Also the fuzz harness's seeds (evtxFuzzSeeds).

import { crc32 } from '../../../../engine/ingest/evtx/crc32.ts';

export const EVENT_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

/** A substitution value: type byte and its bytes, or BinXML written in place (type 0x21). */
export type Value = { type: number; bytes: Uint8Array } | { type: 0x21; write: (w: RecordWriter) => void };

const le = (n: number, width: number): Uint8Array => {
  const b = new Uint8Array(width);
  let v = BigInt.asUintN(width * 8, BigInt(n));
  for (let i = 0; i < width; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
};
export function utf16(s: string, nul = false): Uint8Array {
  const b = new Uint8Array((s.length + (nul ? 1 : 0)) * 2);
  for (let i = 0; i < s.length; i++) {
    b[2 * i] = s.charCodeAt(i) & 0xff;
    b[2 * i + 1] = s.charCodeAt(i) >> 8;
  }
  return b;
}
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export const V = {
  null: (): Value => ({ type: 0x00, bytes: new Uint8Array(0) }),
  string: (s: string, nul = false): Value => ({ type: 0x01, bytes: utf16(s, nul) }),
  ansi: (s: string): Value => ({ type: 0x02, bytes: Uint8Array.from([...s].map((c) => c.charCodeAt(0))) }),
  int8: (n: number): Value => ({ type: 0x03, bytes: le(n, 1) }),
  uint8: (n: number): Value => ({ type: 0x04, bytes: le(n, 1) }),
  int16: (n: number): Value => ({ type: 0x05, bytes: le(n, 2) }),
  uint16: (n: number): Value => ({ type: 0x06, bytes: le(n, 2) }),
  int32: (n: number): Value => ({ type: 0x07, bytes: le(n, 4) }),
  uint32: (n: number): Value => ({ type: 0x08, bytes: le(n, 4) }),
  int64: (n: bigint | number): Value => ({ type: 0x09, bytes: u64(BigInt(n)) }),
  uint64: (n: bigint | number): Value => ({ type: 0x0a, bytes: u64(BigInt(n)) }),
  real32: (n: number): Value => ({ type: 0x0b, bytes: new Uint8Array(new Float32Array([n]).buffer) }),
  real64: (n: number): Value => ({ type: 0x0c, bytes: new Uint8Array(new Float64Array([n]).buffer) }),
  bool: (b: boolean): Value => ({ type: 0x0d, bytes: le(b ? 1 : 0, 4) }),
  binary: (bytes: number[]): Value => ({ type: 0x0e, bytes: Uint8Array.from(bytes) }),
  guid: (g: string): Value => ({ type: 0x0f, bytes: guidBytes(g) }),
  sizeT: (n: bigint | number, width: 4 | 8 = 8): Value => ({ type: 0x10, bytes: width === 8 ? u64(BigInt(n)) : le(Number(n), 4) }),
  filetime: (ticks: bigint): Value => ({ type: 0x11, bytes: u64(ticks) }),
  systemtime: (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): Value => ({
    type: 0x12, bytes: cat(le(y, 2), le(mo, 2), le(0, 2), le(d, 2), le(h, 2), le(mi, 2), le(s, 2), le(ms, 2)),
  }),
  sid: (rev: number, auth: number, subs: number[]): Value => ({
    type: 0x13,
    bytes: cat(Uint8Array.from([rev, subs.length]), le(auth, 6).reverse(), ...subs.map((s) => le(s, 4))),
  }),
  hex32: (n: number): Value => ({ type: 0x14, bytes: le(n, 4) }),
  hex64: (n: bigint): Value => ({ type: 0x15, bytes: u64(n) }),
  binxml: (write: (w: RecordWriter) => void): Value => ({ type: 0x21, write }),
  stringArray: (items: string[]): Value => ({ type: 0x81, bytes: cat(...items.map((s) => utf16(s, true))) }),
  uint16Array: (items: number[]): Value => ({ type: 0x86, bytes: cat(...items.map((n) => le(n, 2))) }),
  raw: (type: number, bytes: number[]): Value => ({ type, bytes: Uint8Array.from(bytes) }),
};

function u64(n: bigint): Uint8Array {
  const v = BigInt.asUintN(64, n);
  const b = new Uint8Array(8);
  for (let i = 0; i < 8; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return b;
}
function guidBytes(g: string): Uint8Array {
  const h = g.replace(/[{}-]/g, '');
  const byte = (i: number) => parseInt(h.slice(2 * i, 2 * i + 2), 16);
  const d1 = [3, 2, 1, 0].map(byte);
  const d2 = [5, 4].map(byte);
  const d3 = [7, 6].map(byte);
  const rest = [8, 9, 10, 11, 12, 13, 14, 15].map(byte);
  return Uint8Array.from([...d1, ...d2, ...d3, ...rest]);
}

/** FILETIME ticks of an ISO time with up to 7 fraction digits (UTC). */
export function filetimeOf(iso: string): bigint {
  const m = /^(.*?)(?:\.(\d{1,7}))?Z$/.exec(iso)!;
  const ms = BigInt(Date.parse(m[1]! + 'Z'));
  const frac = BigInt((m[2] ?? '').padEnd(7, '0'));
  return (ms / 1000n + 11644473600n) * 10000000n + frac;
}

/** Writes BinXML tokens into a chunk at chunk-relative positions (so inline names and templates get their offsets). */
export class RecordWriter {
  constructor(readonly chunk: ChunkBuilder) {}
  private get c() {
    return this.chunk;
  }
  bytes(b: Uint8Array | number[]): this {
    this.c.write(b instanceof Uint8Array ? b : Uint8Array.from(b));
    return this;
  }
  u8(n: number): this { return this.bytes(le(n, 1)); }
  u16(n: number): this { return this.bytes(le(n, 2)); }
  u32(n: number): this { return this.bytes(le(n, 4)); }

  /** A name reference: inline the first time this chunk sees the name, by offset after (unless inline forced). */
  name(name: string, forceInline = false): this {
    const known = this.c.names.get(name);
    if (known !== undefined && !forceInline) return this.u32(known);
    const at = this.c.pos + 4;
    this.u32(at);
    this.c.names.set(name, at);
    return this.u32(0).u16(0).u16(name.length).bytes(utf16(name, true));
  }
  fragmentHeader(): this { return this.bytes([0x0f, 0x01, 0x01, 0x00]); }
  eof(): this { return this.u8(0x00); }
  /** Open start element; `attrs` true writes the attribute list size too. noDep leaves out the dependency id. */
  open(name: string, attrs = false, noDep = false): this {
    this.u8(attrs ? 0x41 : 0x01);
    if (!noDep) this.u16(0xffff);
    this.u32(0).name(name);
    if (attrs) this.u32(0);
    return this;
  }
  attr(name: string): this { return this.u8(0x06).name(name); }
  closeStart(): this { return this.u8(0x02); }
  closeEmpty(): this { return this.u8(0x03); }
  end(): this { return this.u8(0x04); }
  text(s: string): this { return this.u8(0x05).u8(0x01).u16(s.length).bytes(utf16(s)); }
  cdata(s: string): this { return this.u8(0x07).u16(s.length).bytes(utf16(s)); }
  charRef(n: number): this { return this.u8(0x08).u16(n); }
  entityRef(name: string): this { return this.u8(0x09).name(name); }
  pi(target: string, data: string): this { return this.u8(0x0a).name(target).u8(0x0b).u16(data.length).bytes(utf16(data)); }
  subst(index: number, type: number, optional = true): this { return this.u8(optional ? 0x0e : 0x0d).u16(index).u8(type); }
  /** `<name>{subst}</name>` */
  el(name: string, index: number, type: number, optional = true): this {
    return this.open(name).closeStart().subst(index, type, optional).end();
  }
  /** `<name attr="{subst}"/>` */
  elAttr(name: string, attr: string, index: number, type: number, optional = true): this {
    return this.open(name, true).attr(attr).subst(index, type, optional).closeEmpty();
  }

  /**
   * A template instance: the definition is written inline the first time `key` is seen in this chunk (by
   * `define`, which must end with eof()), referenced by its offset after.
   */
  template(key: string, define: (w: RecordWriter) => void, values: Value[]): this {
    this.u8(0x0c).u8(0x01).u32(0x1234);
    const known = this.c.templates.get(key);
    if (known !== undefined) this.u32(known);
    else {
      const defOff = this.c.pos + 4;
      this.u32(defOff);
      this.c.templates.set(key, defOff);
      this.u32(0).bytes(new Uint8Array(16).fill(0xab));
      const sizeAt = this.c.pos;
      this.u32(0);
      const start = this.c.pos;
      define(this);
      this.c.patch32(sizeAt, this.c.pos - start);
    }
    this.values(values);
    return this;
  }
  values(values: Value[]): this {
    this.u32(values.length);
    const descAt = this.c.pos;
    this.bytes(new Uint8Array(values.length * 4));
    values.forEach((v, i) => {
      const start = this.c.pos;
      if ('write' in v) v.write(this);
      else this.bytes(v.bytes);
      const size = this.c.pos - start;
      this.c.patch16(descAt + 4 * i, size);
      this.c.buf[descAt + 4 * i + 2] = v.type;
    });
    return this;
  }
}

export interface RecordSpec {
  id: number;
  /** Writes the record's BinXML (fragment header and all). */
  body: (w: RecordWriter) => void;
}

export class ChunkBuilder {
  readonly buf = new Uint8Array(65536);
  pos = 512;
  readonly names = new Map<string, number>();
  readonly templates = new Map<string, number>();
  readonly recordOffsets: number[] = [];
  firstId = -1;
  lastId = -1;
  lastRecordOffset = 0;

  write(b: Uint8Array): void {
    if (this.pos + b.length > this.buf.length) throw new Error('test chunk full');
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  patch32(at: number, v: number): void { this.buf.set(le(v, 4), at); }
  patch16(at: number, v: number): void { this.buf.set(le(v, 2), at); }

  record(spec: RecordSpec): this {
    const start = this.pos;
    this.recordOffsets.push(start);
    const w = new RecordWriter(this);
    w.bytes([0x2a, 0x2a, 0, 0]).u32(0).bytes(u64(BigInt(spec.id))).bytes(u64(filetimeOf('2024-05-01T10:00:00Z')));
    spec.body(w);
    while ((this.pos - start + 4) % 8) w.u8(0);
    const size = this.pos - start + 4;
    w.u32(size);
    this.patch32(start + 4, size);
    if (this.firstId < 0) this.firstId = spec.id;
    this.lastId = spec.id;
    this.lastRecordOffset = start;
    return this;
  }

  /** The finished chunk: header with record ids, offsets and both CRCs. */
  finish(): Uint8Array {
    const b = this.buf.slice();
    b.set([0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00], 0);
    const first = Math.max(this.firstId, 0);
    const last = Math.max(this.lastId, 0);
    b.set(u64(BigInt(first)), 8);
    b.set(u64(BigInt(last)), 16);
    b.set(u64(BigInt(first)), 24);
    b.set(u64(BigInt(last)), 32);
    b.set(le(128, 4), 40);
    b.set(le(this.lastRecordOffset, 4), 44);
    b.set(le(this.pos, 4), 48);
    b.set(le(crc32(b, 512, this.pos), 4), 52);
    b.set(le(1, 4), 120);
    b.set(le(crc32(b, 128, 512, crc32(b, 0, 120)), 4), 124);
    return b;
  }
}

/** Re-stamps a chunk's two CRCs after a test edited it (so only the intended damage remains). */
export function fixChunkCrcs(b: Uint8Array): void {
  const free = b[48]! | (b[49]! << 8) | (b[50]! << 16) | (b[51]! << 24);
  b.set(le(crc32(b, 512, free), 4), 52);
  b.set(le(crc32(b, 128, 512, crc32(b, 0, 120)), 4), 124);
}

/** A file: 4096-byte header (stated chunk count defaults to the real one) followed by the chunks. */
export function buildFile(chunks: Uint8Array[], opts: { chunkCount?: number; nextRecordId?: number; flags?: number } = {}): Uint8Array {
  const h = new Uint8Array(4096);
  h.set([0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00], 0);
  const count = opts.chunkCount ?? chunks.length;
  h.set(u64(0n), 8);
  h.set(u64(BigInt(Math.max(count - 1, 0))), 16);
  h.set(u64(BigInt(opts.nextRecordId ?? 1)), 24);
  h.set(le(128, 4), 32);
  h.set(le(1, 2), 36);
  h.set(le(3, 2), 38);
  h.set(le(4096, 2), 40);
  h.set(le(count, 2), 42);
  h.set(le(opts.flags ?? 0, 4), 120);
  h.set(le(crc32(h, 0, 120), 4), 124);
  return cat(h, ...chunks);
}

// ---- a Windows-shaped event: System from a template, EventData values ------------------------------------

/** The usual System section: values 0..7 = provider, event id, level, time, record id, channel, computer, user SID. */
export function defineSystem(w: RecordWriter): void {
  w.open('System').closeStart();
  w.open('Provider', true).attr('Name').subst(0, 0x01).closeEmpty();
  w.el('EventID', 1, 0x06);
  w.el('Level', 2, 0x04);
  w.open('TimeCreated', true).attr('SystemTime').subst(3, 0x11).closeEmpty();
  w.el('EventRecordID', 4, 0x0a);
  w.open('Correlation', true).attr('ActivityID').subst(8, 0x0f).closeEmpty();
  w.el('Channel', 5, 0x01);
  w.el('Computer', 6, 0x01);
  w.open('Security', true).attr('UserID').subst(7, 0x13).closeEmpty();
  w.end();
}

export interface SimpleEvent {
  id: number;
  eventId?: number;
  time?: string;
  computer?: string;
  /** EventData Data values by name. */
  data?: Array<[string, Value]>;
}

/** A Sysmon-like event from one template per distinct data name list (reused by offset inside a chunk). */
export function simpleEvent(ev: SimpleEvent): RecordSpec {
  const data = ev.data ?? [['CommandLine', V.string('cmd.exe /c whoami')]];
  const key = 'ev:' + data.map(([n, v]) => n + '/' + v.type).join(',');
  return {
    id: ev.id,
    body: (w) => {
      w.fragmentHeader().template(
        key,
        (d) => {
          d.fragmentHeader().open('Event', true).attr('xmlns').text(EVENT_NS).closeStart();
          defineSystem(d);
          d.open('EventData').closeStart();
          data.forEach(([name, v], i) => {
            d.open('Data', true).attr('Name').text(name).closeStart().subst(9 + i, v.type, v.type !== 0x01).end();
          });
          d.end().end().eof();
        },
        [
          V.string('Microsoft-Windows-Sysmon'),
          V.uint16(ev.eventId ?? 1),
          V.uint8(4),
          V.filetime(filetimeOf(ev.time ?? '2024-05-01T10:00:00.1234567Z')),
          V.uint64(ev.id),
          V.string('Microsoft-Windows-Sysmon/Operational'),
          V.string(ev.computer ?? 'WS01.corp.local'),
          V.sid(1, 5, [18]),
          V.null(),
          ...data.map(([, v]) => v),
        ],
      ).eof();
    },
  };
}

/** The XML the reader must produce for simpleEvent(ev) when every data value is a plain string. */
export function simpleEventXml(ev: SimpleEvent, dataXml: string[]): string {
  const t = (ev.time ?? '2024-05-01T10:00:00.1234567Z').replace(/(\.\d{1,7})?Z$/, (m, f: string | undefined) => (f ?? '.').padEnd(8, '0') + '00Z');
  return [
    `<Event xmlns="${EVENT_NS}">`,
    '  <System>',
    '    <Provider Name="Microsoft-Windows-Sysmon"/>',
    `    <EventID>${ev.eventId ?? 1}</EventID>`,
    '    <Level>4</Level>',
    `    <TimeCreated SystemTime="${t}"/>`,
    `    <EventRecordID>${ev.id}</EventRecordID>`,
    '    <Correlation/>',
    '    <Channel>Microsoft-Windows-Sysmon/Operational</Channel>',
    `    <Computer>${ev.computer ?? 'WS01.corp.local'}</Computer>`,
    '    <Security UserID="S-1-5-18"/>',
    '  </System>',
    ...(dataXml.length ? ['  <EventData>', ...dataXml.map((l) => '    ' + l), '  </EventData>'] : ['  <EventData/>']),
    '</Event>',
  ].join('\n');
}

/** A chunk of n simple events with ids first..first+n-1. */
export function simpleChunk(first: number, n: number): Uint8Array {
  const c = new ChunkBuilder();
  for (let i = 0; i < n; i++) {
    c.record(simpleEvent({ id: first + i, data: [['CommandLine', V.string(`cmd.exe /c echo ${first + i}`)], ['ProcessId', V.uint32(1000 + i)]] }));
  }
  return c.finish();
}

/** A small real-shaped file: `chunks` chunks of `perChunk` records each, plus one empty preallocated slot. */
export function sampleFile(chunks = 3, perChunk = 20): { bytes: Uint8Array; records: number } {
  const cs: Uint8Array[] = [];
  for (let i = 0; i < chunks; i++) cs.push(simpleChunk(1 + i * perChunk, perChunk));
  cs.push(new Uint8Array(65536));
  return { bytes: buildFile(cs, { chunkCount: chunks, nextRecordId: chunks * perChunk + 1 }), records: chunks * perChunk };
}

/** Seeds for the fuzz harness: small valid files exercising every token and value type, and damaged variants. */
export function evtxFuzzSeeds(): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  seeds.push(sampleFile(1, 5).bytes);
  const c = new ChunkBuilder();
  c.record(simpleEvent({
    id: 1,
    data: [
      ['S', V.string('a&b<c>"d"')], ['A', V.ansi('ansi')], ['I8', V.int8(-5)], ['U8', V.uint8(250)], ['I16', V.int16(-300)],
      ['U16', V.uint16(60000)], ['I32', V.int32(-70000)], ['U32', V.uint32(4000000000)], ['I64', V.int64(-5n)],
      ['U64', V.uint64(18446744073709551615n)], ['R32', V.real32(1.5)], ['R64', V.real64(-2.25)], ['B', V.bool(true)],
      ['Bin', V.binary([0xde, 0xad])], ['G', V.guid('{01234567-89AB-CDEF-0123-456789ABCDEF}')], ['Sz', V.sizeT(16n)],
      ['FT', V.filetime(filetimeOf('2021-04-21T09:40:32.3423972Z'))], ['ST', V.systemtime(2021, 4, 21, 9, 40, 32, 342)],
      ['Sid', V.sid(1, 5, [21, 1, 2, 3, 500])], ['H32', V.hex32(0x1f4)], ['H64', V.hex64(0x1234n)],
      ['Arr', V.stringArray(['x', '', 'y'])], ['N', V.null()],
    ],
  }));
  c.record({
    id: 2,
    body: (w) => {
      w.fragmentHeader().open('Event', true).attr('xmlns').text(EVENT_NS).closeStart()
        .open('UserData').closeStart().open('X').closeStart().cdata('c').charRef(65).entityRef('amp').pi('t', 'd').end().end().end().eof();
    },
  });
  const rich = c.finish();
  seeds.push(buildFile([rich]));
  const flipped = rich.slice();
  flipped[700] = flipped[700]! ^ 0xff;
  seeds.push(buildFile([flipped]));
  seeds.push(buildFile([rich.slice(0, 3000)]));
  return seeds;
}
