// Deterministic mutation engine for the fuzzers: a seeded PRNG, byte/text mutators and generators of
// pathological inputs. Invariant: the same seed always yields the same inputs, so every failure reproduces.

/** Seeded PRNG (mulberry32) with the few draws the mutators need. */
export class Rand {
  private a: number;
  constructor(readonly seed: number) {
    this.a = seed | 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = Math.imul(this.a ^ (this.a >>> 15), 1 | this.a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** Iteration count: HOPSCOPE_FUZZ_ITERATIONS (any positive integer) overrides the CI default. */
export function iterations(ciDefault: number): number {
  const env = typeof process !== 'undefined' ? process.env['HOPSCOPE_FUZZ_ITERATIONS'] : undefined;
  const n = env === undefined ? NaN : Number(env);
  return Number.isInteger(n) && n > 0 ? n : ciDefault;
}

/** Base seed: HOPSCOPE_FUZZ_SEED replays a run; the default is fixed so CI is deterministic. */
export function baseSeed(): number {
  const env = typeof process !== 'undefined' ? process.env['HOPSCOPE_FUZZ_SEED'] : undefined;
  const n = env === undefined ? NaN : Number(env);
  return Number.isInteger(n) ? n : 0x5eed;
}

/** Seed of one input: mixes the target name, the base seed and the iteration (FNV-1a). */
export function inputSeed(target: string, base: number, i: number): number {
  let h = 0x811c9dc5 ^ base;
  const s = `${target}#${i}`;
  for (let k = 0; k < s.length; k++) {
    h ^= s.charCodeAt(k);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------------
// Byte-level mutations (what a damaged or hand-crafted file looks like before decoding)

/** Byte sequences no valid UTF-8 decoder may accept as-is. */
export const INVALID_UTF8: readonly number[][] = [
  [0x80], // lone continuation byte
  [0xbf, 0x80, 0x80],
  [0xc0, 0xae], // overlong "."
  [0xc0, 0xaf], // overlong "/"
  [0xe0, 0x80, 0xaf], // 3-byte overlong "/"
  [0xf0, 0x80, 0x80, 0xaf], // 4-byte overlong "/"
  [0xed, 0xa0, 0x80], // UTF-16 high surrogate encoded in UTF-8
  [0xed, 0xbf, 0xbf], // low surrogate encoded in UTF-8
  [0xed, 0xa0, 0xbd, 0xed, 0xb2, 0xa9], // CESU-8 surrogate pair
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xfe], [0xff], [0xc3], [0xe2, 0x82], // truncated sequences / never-valid bytes
  [0xef, 0xbb, 0xbf], // a BOM in the middle
  [0xff, 0xfe], [0xfe, 0xff], // UTF-16 BOMs in the middle
];

/** Replacement values at field/number boundaries. */
export const BOUNDARY: readonly string[] = [
  '', '-', '0', '-0', '-1', '1e309', '-1e309', 'NaN', 'Infinity', '9'.repeat(400), '18446744073709551616',
  '0x', '0xffffffffffffffffff', '1970-01-01T00:00:00Z', '275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00Z',
  '9999999999999999', '-9999999999999999', '1.7976931348623157e308', '\u0000', 'null', 'true', '[]', '{}', '""', '"',
  '__proto__', 'constructor', 'toString', '\uFFFD', '\uD800', '\uDC00', '%00', '../../..', 'A'.repeat(5000),
];

const STRUCTURAL = ['<', '>', '&', '"', "'", '{', '}', '[', ']', ',', ':', '\n', '\r', '\r\n', '\t', '\\', ';', '|', '='];
const TOKENS = [
  '<!DOCTYPE x>', '<!ENTITY e "x">', '&e;', '&#0;', '&#x110000;', '&#xD800;', ']]>', '<![CDATA[', '</Event>', '<Event>',
  '<?xml version="1.0"?>', '<Events>', '</Events>', '<Data Name="CommandLine">', '</Data>', '"EventID":1,', '"EventID":"4688",',
  '{"result":', '"Results":[', 'Record 1\n', '\uFEFF', '#TYPE x\r\n', '"""', '""', ',,,,', '\u2028', '\u0085', '\uD83D\uDE00',
];

function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const enc = new TextEncoder();

/** One to `maxOps` random edits of a byte string; `other` is spliced from when given. */
export function mutateBytes(input: Uint8Array, r: Rand, other?: Uint8Array, maxOps = 4): Uint8Array {
  let b = input;
  const ops = 1 + r.int(maxOps);
  for (let k = 0; k < ops; k++) {
    const at = r.int(b.length + 1);
    const op = r.int(12);
    switch (op) {
      case 0: // truncate
        b = b.subarray(0, at);
        break;
      case 1: { // bit flips
        const c = new Uint8Array(b);
        for (let j = 0, n = 1 + r.int(4); j < n && c.length > 0; j++) c[r.int(c.length)]! ^= 1 << r.int(8);
        b = c;
        break;
      }
      case 2: // random bytes inserted
        b = concatBytes([b.subarray(0, at), Uint8Array.from({ length: 1 + r.int(8) }, () => r.int(256)), b.subarray(at)]);
        break;
      case 3: // deletion
        b = concatBytes([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(32)))]);
        break;
      case 4: // NUL bytes
        b = concatBytes([b.subarray(0, at), new Uint8Array(1 + r.int(3)), b.subarray(at)]);
        break;
      case 5: { // splice with another input
        const src = other && other.length > 0 ? other : b;
        const from = r.int(src.length + 1);
        b = concatBytes([b.subarray(0, at), src.subarray(from, from + r.int(2000))]);
        break;
      }
      case 6: { // repeat a slice
        const len = 1 + r.int(200);
        const slice = b.subarray(at, at + len);
        const times = 2 + r.int(r.chance(0.1) ? 200 : 8);
        b = concatBytes([b.subarray(0, at), ...Array.from({ length: times }, () => slice), b.subarray(at + len)]);
        break;
      }
      case 7: { // boundary value replacing a run of bytes
        const len = r.int(24);
        b = concatBytes([b.subarray(0, at), enc.encode(r.pick(BOUNDARY)), b.subarray(Math.min(b.length, at + len))]);
        break;
      }
      case 8: // invalid UTF-8
        b = concatBytes([b.subarray(0, at), Uint8Array.from(r.pick(INVALID_UTF8)), b.subarray(at)]);
        break;
      case 9: // structural character
        b = concatBytes([b.subarray(0, at), enc.encode(r.pick(STRUCTURAL)), b.subarray(at)]);
        break;
      case 10: // format token
        b = concatBytes([b.subarray(0, at), enc.encode(r.pick(TOKENS)), b.subarray(at)]);
        break;
      default: { // swap two bytes far apart
        if (b.length < 2) break;
        const c = new Uint8Array(b);
        const j = r.int(c.length);
        const t = c[at % c.length]!;
        c[at % c.length] = c[j]!;
        c[j] = t;
        b = c;
      }
    }
  }
  return b;
}

/** Text-level edits, including unpaired surrogates (invalid UTF-16 the decoder never produces). */
export function mutateText(input: string, r: Rand, other?: string, maxOps = 4): string {
  let s = input;
  const ops = 1 + r.int(maxOps);
  for (let k = 0; k < ops; k++) {
    const at = r.int(s.length + 1);
    switch (r.int(8)) {
      case 0:
        s = s.slice(0, at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + r.int(40));
        break;
      case 2:
        s = s.slice(0, at) + r.pick(STRUCTURAL) + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + r.pick(TOKENS) + s.slice(at);
        break;
      case 4:
        s = s.slice(0, at) + r.pick(BOUNDARY) + s.slice(at + r.int(24));
        break;
      case 5:
        s = s.slice(0, at) + r.pick(['\uD800', '\uDFFF', '\uDC00\uD800', '\u0000', '\uFFFE', '\uFFFF']) + s.slice(at);
        break;
      case 6: {
        const src = other ?? s;
        const from = r.int(src.length + 1);
        s = s.slice(0, at) + src.slice(from, from + r.int(2000));
        break;
      }
      default: {
        const len = 1 + r.int(100);
        s = s.slice(0, at) + s.slice(at, at + len).repeat(2 + r.int(6)) + s.slice(at + len);
      }
    }
  }
  return s;
}

/** UTF-16 encoding of text (any code units, unpaired surrogates kept), optionally with BOM / odd length. */
export function utf16(text: string, le: boolean, bom: boolean, oddTail = false): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + text.length * 2 + (oddTail ? 1 : 0));
  let o = 0;
  if (bom) {
    out[o++] = le ? 0xff : 0xfe;
    out[o++] = le ? 0xfe : 0xff;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[o++] = le ? c & 0xff : c >> 8;
    out[o++] = le ? c >> 8 : c & 0xff;
  }
  if (oddTail) out[o] = 0x41;
  return out;
}

/** Splits a length into random chunk sizes (1 byte up to `max`), biased to small and odd sizes. */
export function chunkSizes(total: number, r: Rand, max = 8192): number[] {
  const out: number[] = [];
  const mode = r.int(4);
  let left = total;
  while (left > 0) {
    const n = mode === 0 ? 1 + r.int(3) : mode === 1 ? 1 + r.int(64) : mode === 2 ? 1 + r.int(max) : left;
    out.push(Math.min(n, left));
    left -= n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Pathological inputs

/** JSON nested `depth` levels, as objects or arrays, built without recursion. */
export function deepJson(depth: number, kind: 'object' | 'array'): string {
  return kind === 'object' ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + '1' + ']'.repeat(depth);
}

/** A CSV header with `n` columns (a known family's first three, then filler), and one row of as many fields. */
export function wideCsv(n: number, known: boolean): string {
  const cols: string[] = known ? ['_time', 'dest', 'process'] : [];
  for (let i = cols.length; i < n; i++) cols.push('c' + i);
  const row: string[] = known ? ['2024-05-01T08:00:00Z', 'WS1', 'cmd.exe /c whoami'] : [];
  for (let i = row.length; i < n; i++) row.push('');
  return cols.join(',') + '\n' + row.join(',') + '\n';
}

/** Classic billion-laughs: ten levels of ten-fold entity expansion, used inside an event. */
export function billionLaughs(eventXml: (cmd: string) => string): string {
  let decl = '<!ENTITY lol0 "lol">';
  for (let i = 1; i <= 9; i++) decl += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  return `<?xml version="1.0"?>\n<!DOCTYPE lolz [${decl}]>\n<Events>${eventXml('&lol9;')}</Events>\n`;
}

/** A DOCTYPE naming an external entity (XXE): must be refused, never fetched or read. */
export function externalEntity(eventXml: (cmd: string) => string): string {
  return `<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Events>${eventXml('&xxe;')}</Events>\n`;
}
