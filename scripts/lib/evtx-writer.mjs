// A small EVTX writer: Windows event XML (as `evtxexport -f xml` or Event Viewer writes it) -> a binary `.evtx`
// with templates and substitutions, the way Windows writes them (one template per event shape, defined inline on
// first use in a chunk and referenced after; every value a string substitution; `Data@Name` and `xmlns` literal).
// CRC-valid file and chunk headers. For the bundled sample, tests and the benchmark; not part of the app.
// Invariant: deterministic (same events in, same bytes out).

const CHUNK = 65536;
const FILE_HEADER = 4096;
const CHUNK_HEADER = 512;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC32 (IEEE) of bytes[start, end), continuing from `crc`. */
export function crc32(bytes, start = 0, end = bytes.length, crc = 0) {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const decodeEntities = (s) =>
  s.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_m, e) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );

/** Parses one well-formed `<Event>` element (no CDATA, comments or PIs: exporter output) into a tree. */
export function parseEventXml(xml) {
  const re = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/g;
  const root = { name: '#root', attrs: [], children: [], text: '' };
  const stack = [root];
  for (let m; (m = re.exec(xml)); ) {
    if (m[5] !== undefined) {
      const top = stack[stack.length - 1];
      if (stack.length > 1) top.text += decodeEntities(m[5]);
      continue;
    }
    if (m[1]) {
      stack.pop();
      continue;
    }
    const attrs = [];
    for (const a of m[3].matchAll(/([\w.:-]+)\s*=\s*"([^"]*)"/g)) attrs.push([a[1], decodeEntities(a[2])]);
    const el = { name: m[2], attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    if (!m[4]) stack.push(el);
  }
  const ev = root.children[0];
  if (!ev) throw new Error('no element');
  // Whitespace between child elements is layout, not content.
  const trim = (el) => {
    if (el.children.length) {
      el.text = '';
      el.children.forEach(trim);
    }
  };
  trim(ev);
  return ev;
}

const literalAttr = (el, name) => name === 'xmlns' || (el.name === 'Data' && name === 'Name');

/** Template key and substitution values (document order) of an event tree. */
function shapeOf(ev) {
  const values = [];
  const key = [];
  const walk = (el) => {
    key.push('<', el.name);
    for (const [n, v] of el.attrs) {
      if (literalAttr(el, n)) key.push(' ', n, '=', v);
      else {
        key.push(' ', n, '=?');
        values.push(v);
      }
    }
    key.push('>');
    if (el.children.length) el.children.forEach(walk);
    else if (el.text !== '') {
      key.push('?');
      values.push(el.text);
    }
    key.push('/');
  };
  walk(ev);
  return { key: key.join('\u0001'), values };
}

class Buf {
  constructor(size) {
    this.b = new Uint8Array(size);
    this.v = new DataView(this.b.buffer);
    this.p = 0;
  }
  u8(x) {
    if (this.p >= this.b.length) throw new RangeError('full');
    this.b[this.p++] = x;
  }
  u16(x) { this.v.setUint16(this.p, x, true); this.p += 2; }
  u32(x) { this.v.setUint32(this.p, x >>> 0, true); this.p += 4; }
  u64(x) { this.v.setBigUint64(this.p, BigInt(x), true); this.p += 8; }
  utf16(s) { for (let i = 0; i < s.length; i++) this.u16(s.charCodeAt(i)); }
  fits(n) { return this.p + n <= this.b.length; }
}

function nameHash(s) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 65599) + s.charCodeAt(i)) >>> 0;
  return h & 0xffff;
}

/** Writes chunks one after another; `add` returns false when the record does not fit (start a new chunk). */
class ChunkWriter {
  constructor() {
    this.buf = new Buf(CHUNK);
    this.buf.p = CHUNK_HEADER;
    this.names = new Map();
    this.templates = new Map();
    this.first = null;
    this.last = null;
    this.lastOffset = 0;
    this.count = 0;
  }

  /** A name reference at the current position: inline (defined here) on first use in the chunk. */
  name(b, s) {
    const known = this.names.get(s);
    if (known !== undefined) {
      b.u32(known);
      return;
    }
    const at = b.p + 4;
    b.u32(at);
    this.names.set(s, at);
    b.u32(0); // next name in the hash bucket
    b.u16(nameHash(s));
    b.u16(s.length);
    b.utf16(s);
    b.u16(0);
  }

  /** The template's element tree, values as optional string substitutions. */
  element(b, el, sub) {
    const hasAttrs = el.attrs.length > 0;
    b.u8(hasAttrs ? 0x41 : 0x01);
    b.u16(0xffff); // dependency id
    const sizeAt = b.p;
    b.u32(0);
    this.name(b, el.name);
    if (hasAttrs) {
      const listAt = b.p;
      b.u32(0);
      el.attrs.forEach(([n, v], i) => {
        b.u8(i + 1 < el.attrs.length ? 0x46 : 0x06);
        this.name(b, n);
        if (literalAttr(el, n)) {
          b.u8(0x05);
          b.u8(0x01);
          b.u16(v.length);
          b.utf16(v);
        } else {
          b.u8(0x0e);
          b.u16(sub.next++);
          b.u8(0x01);
        }
      });
      b.v.setUint32(listAt, b.p - listAt - 4, true);
    }
    if (el.children.length === 0 && el.text === '') {
      b.u8(0x03);
    } else {
      b.u8(0x02);
      if (el.children.length) for (const c of el.children) this.element(b, c, sub);
      else {
        b.u8(0x0e);
        b.u16(sub.next++);
        b.u8(0x01);
      }
      b.u8(0x04);
    }
    b.v.setUint32(sizeAt, b.p - sizeAt - 4, true);
  }

  /** Appends one record; false (nothing written) when it does not fit in this chunk. */
  add(id, filetime, ev) {
    const { key, values } = shapeOf(ev);
    const b = this.buf;
    const start = b.p;
    const savedNames = new Map(this.names);
    const savedTemplates = new Map(this.templates);
    try {
      b.u32(0x00002a2a);
      b.u32(0); // size, below
      b.u64(id);
      b.u64(filetime);
      b.u8(0x0f); b.u8(1); b.u8(1); b.u8(0); // fragment header
      b.u8(0x0c); b.u8(0x01);
      let tpl = this.templates.get(key);
      const tplId = tpl ? tpl.id : crc32(new TextEncoder().encode(key));
      b.u32(tplId);
      if (tpl) b.u32(tpl.offset);
      else {
        const defAt = b.p + 4;
        b.u32(defAt);
        b.u32(0); // next template
        // Template GUID (deterministic): its first four bytes are the template id, as Windows writes them.
        b.u32(tplId);
        for (let i = 4; i < 16; i++) b.u8((tplId >>> ((i % 4) * 8)) & 0xff ^ i);
        const sizeAt = b.p;
        b.u32(0);
        b.u8(0x0f); b.u8(1); b.u8(1); b.u8(0);
        this.element(b, ev, { next: 0 });
        b.u8(0x00);
        b.v.setUint32(sizeAt, b.p - sizeAt - 4, true);
        tpl = { id: tplId, offset: defAt };
        this.templates.set(key, tpl);
      }
      b.u32(values.length);
      for (const v of values) {
        b.u16(v.length * 2);
        b.u8(0x01);
        b.u8(0);
      }
      for (const v of values) b.utf16(v);
      b.u8(0x00); // end of the event's fragment
      b.u32(0); // size copy, below
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      b.b.fill(0, start);
      b.p = start;
      this.names = savedNames;
      this.templates = savedTemplates;
      return false;
    }
    const size = b.p - start;
    b.v.setUint32(start + 4, size, true);
    b.v.setUint32(b.p - 4, size, true);
    if (this.first === null) this.first = id;
    this.last = id;
    this.lastOffset = start;
    this.count++;
    return true;
  }

  /** The finished 64 KiB chunk with its header and CRCs; `number` is its record-number base. */
  finish(firstNumber) {
    const b = this.buf;
    const h = new Buf(CHUNK_HEADER);
    h.b.set([0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]);
    h.p = 8;
    h.u64(firstNumber);
    h.u64(firstNumber + this.count - 1);
    h.u64(this.first);
    h.u64(this.last);
    h.u32(128);
    h.u32(this.lastOffset);
    h.u32(b.p);
    h.u32(crc32(b.b, CHUNK_HEADER, b.p));
    b.b.set(h.b.subarray(0, 128), 0);
    // String table (64 buckets) and template table (32): the first name / template of each bucket.
    const dv = b.v;
    for (const [s, at] of this.names) {
      const slot = 128 + (nameHash(s) % 64) * 4;
      if (dv.getUint32(slot, true) === 0) dv.setUint32(slot, at, true);
    }
    for (const t of this.templates.values()) {
      const slot = 384 + (t.id % 32) * 4;
      if (dv.getUint32(slot, true) === 0) dv.setUint32(slot, t.offset, true);
    }
    dv.setUint32(120, 1, true); // flags
    const crc = crc32(b.b, 128, CHUNK_HEADER, crc32(b.b, 0, 120));
    dv.setUint32(124, crc, true);
    return b.b;
  }
}

/** FILETIME (100 ns since 1601) of an ISO time with up to 7 fractional digits, as a BigInt. */
export function filetimeOf(iso) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  if (!m) return 0n;
  const secs = BigInt(Date.parse(m[1] + 'Z') / 1000);
  const frac = BigInt(((m[2] ?? '') + '0000000').slice(0, 7));
  return (secs + 11644473600n) * 10000000n + frac;
}

/** The file header (4096 bytes) for `chunks` chunks and the next record id. */
export function fileHeader(chunks, nextRecordId, flags = 0) {
  const h = new Buf(FILE_HEADER);
  h.b.set([0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]);
  h.p = 8;
  h.u64(0);
  h.u64(Math.max(0, chunks - 1));
  h.u64(nextRecordId);
  h.u32(128);
  h.u16(1);
  h.u16(3);
  h.u16(FILE_HEADER);
  h.u16(Math.min(chunks, 0xffff));
  h.v.setUint32(120, flags, true);
  h.v.setUint32(124, crc32(h.b, 0, 120), true);
  return h.b;
}

/**
 * Events (XML text of each `<Event>`) -> the bytes of an `.evtx` file. Record ids are each event's
 * EventRecordID when it has one (else 1, 2, ...); the written time is its TimeCreated SystemTime.
 */
export function writeEvtx(eventXmls) {
  const chunks = [];
  let cw = new ChunkWriter();
  let number = 1;
  let chunkFirst = 1;
  let nextId = 1;
  for (const xml of eventXmls) {
    const ev = parseEventXml(xml);
    const sys = ev.children.find((c) => c.name === 'System');
    const idText = sys?.children.find((c) => c.name === 'EventRecordID')?.text;
    const id = idText ? Number(idText) : nextId;
    nextId = id + 1;
    const t = sys?.children.find((c) => c.name === 'TimeCreated')?.attrs.find((a) => a[0] === 'SystemTime')?.[1] ?? '';
    const ft = filetimeOf(t);
    if (!cw.add(id, ft, ev)) {
      chunks.push(cw.finish(chunkFirst));
      chunkFirst = number;
      cw = new ChunkWriter();
      if (!cw.add(id, ft, ev)) throw new Error(`event ${id} does not fit in an empty chunk`);
    }
    number++;
  }
  if (cw.count > 0) chunks.push(cw.finish(chunkFirst));
  const out = new Uint8Array(FILE_HEADER + chunks.length * CHUNK);
  out.set(fileHeader(chunks.length, nextId), 0);
  chunks.forEach((c, i) => out.set(c, FILE_HEADER + i * CHUNK));
  return out;
}

/** Splits an XML export into its `<Event>` elements' text. */
export function splitEvents(xml) {
  return xml.match(/<Event[\s>][\s\S]*?<\/Event>/g) ?? [];
}
