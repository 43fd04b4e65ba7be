// Substitution values: how `evtxexport -f xml` (libevtx/libfwevt) prints each BinXML value type.
// Every function reads only inside [off, off + size) of the chunk and never throws on short data: a value whose
// size does not fit its type is rendered as hex (the way libfwevt falls back to binary), never read past.

export const VT_NULL = 0x00;
export const VT_STRING = 0x01;
export const VT_ANSI = 0x02;
export const VT_INT8 = 0x03;
export const VT_UINT8 = 0x04;
export const VT_INT16 = 0x05;
export const VT_UINT16 = 0x06;
export const VT_INT32 = 0x07;
export const VT_UINT32 = 0x08;
export const VT_INT64 = 0x09;
export const VT_UINT64 = 0x0a;
export const VT_REAL32 = 0x0b;
export const VT_REAL64 = 0x0c;
export const VT_BOOL = 0x0d;
export const VT_BINARY = 0x0e;
export const VT_GUID = 0x0f;
export const VT_SIZET = 0x10;
export const VT_FILETIME = 0x11;
export const VT_SYSTEMTIME = 0x12;
export const VT_SID = 0x13;
export const VT_HEX32 = 0x14;
export const VT_HEX64 = 0x15;
export const VT_EVTHANDLE = 0x20;
export const VT_BINXML = 0x21;
export const VT_EVTXML = 0x23;
export const VT_ARRAY = 0x80;

const HEX_UPPER: string[] = [];
const HEX_LOWER: string[] = [];
for (let i = 0; i < 256; i++) {
  HEX_UPPER.push(i.toString(16).toUpperCase().padStart(2, '0'));
  HEX_LOWER.push(i.toString(16).padStart(2, '0'));
}

const utf16 = new TextDecoder('utf-16le');
interface Decoder { decode(input: Uint8Array): string }
let ansiDecoder: Decoder | null = null;
function ansi(): Decoder {
  if (!ansiDecoder) {
    try {
      ansiDecoder = new TextDecoder('windows-1252');
    } catch {
      ansiDecoder = new TextDecoder('latin1');
    }
  }
  return ansiDecoder;
}

/**
 * UTF-16LE code units [off, off + 2 * n) as a string, up to the first NUL (libuna stops there). Lone surrogates
 * become U+FFFD, as TextDecoder and libuna render them. Short strings take a char-code loop (faster than
 * TextDecoder for a few characters).
 */
export function utf16String(b: Uint8Array, off: number, n: number): string {
  if (n <= 0) return '';
  if (n <= 48) {
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = b[off + 2 * i]! | (b[off + 2 * i + 1]! << 8);
      if (c === 0) return s;
      if (c >= 0xd800 && c <= 0xdfff) return decodeLong(b, off, n);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeLong(b, off, n);
}

function decodeLong(b: Uint8Array, off: number, n: number): string {
  // Find the first NUL so the decoder does not produce it.
  let end = off + 2 * n;
  for (let i = off; i < end; i += 2) {
    if (b[i] === 0 && b[i + 1] === 0) {
      end = i;
      break;
    }
  }
  return utf16.decode(b.subarray(off, end));
}

function ansiString(b: Uint8Array, off: number, size: number): string {
  let end = off + size;
  for (let i = off; i < end; i++) {
    if (b[i] === 0) {
      end = i;
      break;
    }
  }
  let ascii = true;
  let s = '';
  for (let i = off; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    s += String.fromCharCode(c);
  }
  return ascii ? s : ansi().decode(b.subarray(off, end));
}

export function hexUpper(b: Uint8Array, off: number, size: number): string {
  let s = '';
  for (let i = 0; i < size; i++) s += HEX_UPPER[b[off + i]!];
  return s;
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

function uint64String(b: Uint8Array, o: number): string {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function int64String(b: Uint8Array, o: number): string {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  if (hi >= 0xffe00000 && !(hi === 0xffe00000 && lo === 0)) return String((hi - 4294967296) * 4294967296 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function hex32(v: number): string {
  const h = HEX_LOWER;
  return '0x' + h[(v >>> 24) & 0xff] + h[(v >>> 16) & 0xff] + h[(v >>> 8) & 0xff] + h[v & 0xff];
}
function hex64(b: Uint8Array, o: number): string {
  const h = HEX_LOWER;
  return (
    '0x' + h[b[o + 7]!] + h[b[o + 6]!] + h[b[o + 5]!] + h[b[o + 4]!] + h[b[o + 3]!] + h[b[o + 2]!] + h[b[o + 1]!] + h[b[o]!]
  );
}

export function guidString(b: Uint8Array, o: number): string {
  const H = HEX_UPPER;
  return (
    '{' + H[b[o + 3]!] + H[b[o + 2]!] + H[b[o + 1]!] + H[b[o]!] + '-' + H[b[o + 5]!] + H[b[o + 4]!] + '-' +
    H[b[o + 7]!] + H[b[o + 6]!] + '-' + H[b[o + 8]!] + H[b[o + 9]!] + '-' +
    H[b[o + 10]!] + H[b[o + 11]!] + H[b[o + 12]!] + H[b[o + 13]!] + H[b[o + 14]!] + H[b[o + 15]!] + '}'
  );
}

function sidString(b: Uint8Array, o: number, size: number): string | null {
  if (size < 8) return null;
  const rev = b[o]!;
  const count = b[o + 1]!;
  if (8 + count * 4 > size) return null;
  // 48-bit big-endian identifier authority.
  const auth = b[o + 2]! * 2 ** 40 + b[o + 3]! * 2 ** 32 + ((b[o + 4]! << 24) >>> 0) + (b[o + 5]! << 16) + (b[o + 6]! << 8) + b[o + 7]!;
  let s = 'S-' + rev + '-' + auth;
  for (let i = 0; i < count; i++) s += '-' + u32(b, o + 8 + 4 * i);
  return s;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
function pad4(n: number): string {
  return n >= 1000 ? String(n) : String(n).padStart(4, '0');
}

/** Civil date of a day count since 1970-01-01 (proleptic Gregorian). */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** FILETIME (100 ns ticks since 1601-01-01 UTC) as libevtx prints it: 9 fraction digits, full 100 ns precision. */
export function filetimeString(lo: number, hi: number): string {
  // ticks = hi * 2^32 + lo, divided by 10^7 exactly in two 16-bit steps (every product stays below 2^53).
  const a = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(a / 10000000);
  const r1 = a - q1 * 10000000;
  const b2 = r1 * 65536 + (lo & 0xffff);
  const q2 = Math.floor(b2 / 10000000);
  const frac = b2 - q2 * 10000000;
  const secs = q1 * 65536 + q2;
  const days1601 = Math.floor(secs / 86400);
  let tod = secs - days1601 * 86400;
  const [y, m, d] = civil(days1601 - 134774);
  const hh = Math.floor(tod / 3600);
  tod -= hh * 3600;
  const mm = Math.floor(tod / 60);
  const ss = tod - mm * 60;
  return (
    pad4(y) + '-' + pad2(m) + '-' + pad2(d) + 'T' + pad2(hh) + ':' + pad2(mm) + ':' + pad2(ss) + '.' +
    String(frac).padStart(7, '0') + '00Z'
  );
}

function systemtimeString(b: Uint8Array, o: number): string {
  const y = u16(b, o);
  const mo = u16(b, o + 2);
  const d = u16(b, o + 6);
  const h = u16(b, o + 8);
  const mi = u16(b, o + 10);
  const s = u16(b, o + 12);
  const ms = u16(b, o + 14);
  return (
    pad4(y) + '-' + pad2(mo) + '-' + pad2(d) + 'T' + pad2(h) + ':' + pad2(mi) + ':' + pad2(s) + '.' +
    String(ms).padStart(3, '0') + 'Z'
  );
}

const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

/** libfwevt prints floating point values in exponent notation with 6 decimals and a 3-digit exponent (MSVC %e). */
export function realString(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  let s = v.toExponential(6);
  // JS gives 1.000000e+0, libfwevt 1.000000e+000.
  const e = s.indexOf('e');
  const sign = s.charAt(e + 1);
  let exp = s.slice(e + 2);
  while (exp.length < 3) exp = '0' + exp;
  s = s.slice(0, e) + 'e' + sign + exp;
  return s;
}

/** The fixed size of a scalar type (for arrays), 0 for variable-size ones. */
export function fixedSize(type: number): number {
  switch (type) {
    case VT_INT8: case VT_UINT8: return 1;
    case VT_INT16: case VT_UINT16: return 2;
    case VT_INT32: case VT_UINT32: case VT_REAL32: case VT_BOOL: case VT_HEX32: return 4;
    case VT_INT64: case VT_UINT64: case VT_REAL64: case VT_FILETIME: case VT_HEX64: return 8;
    case VT_GUID: case VT_SYSTEMTIME: return 16;
    default: return 0;
  }
}

/**
 * One scalar value as text (not XML-escaped). Returns null when the size does not fit the type (the caller renders
 * hex instead). Types 0x21 (BinXML) and arrays are handled by the renderer.
 */
export function scalarString(b: Uint8Array, o: number, size: number, type: number): string | null {
  switch (type) {
    case VT_NULL: return '';
    case VT_STRING: return utf16String(b, o, size >>> 1);
    case VT_ANSI: return ansiString(b, o, size);
    case VT_INT8: return size >= 1 ? String((b[o]! << 24) >> 24) : null;
    case VT_UINT8: return size >= 1 ? String(b[o]!) : null;
    case VT_INT16: return size >= 2 ? String((u16(b, o) << 16) >> 16) : null;
    case VT_UINT16: return size >= 2 ? String(u16(b, o)) : null;
    case VT_INT32: return size >= 4 ? String(u32(b, o) | 0) : null;
    case VT_UINT32: return size >= 4 ? String(u32(b, o)) : null;
    case VT_INT64: return size >= 8 ? int64String(b, o) : null;
    case VT_UINT64: return size >= 8 ? uint64String(b, o) : null;
    case VT_REAL32:
      if (size < 4) return null;
      for (let i = 0; i < 4; i++) f32b[i] = b[o + i]!;
      return realString(f32[0]!);
    case VT_REAL64:
      if (size < 8) return null;
      for (let i = 0; i < 8; i++) f64b[i] = b[o + i]!;
      return realString(f64[0]!);
    case VT_BOOL:
      if (size < 4 && size !== 1 && size !== 2) return null;
      return (size >= 4 ? u32(b, o) : size === 2 ? u16(b, o) : b[o]!) !== 0 ? 'true' : 'false';
    case VT_BINARY: return hexUpper(b, o, size);
    case VT_GUID: return size >= 16 ? guidString(b, o) : null;
    case VT_SIZET:
      if (size === 4) return hex32(u32(b, o));
      if (size === 8) return hex64(b, o);
      return null;
    case VT_FILETIME: return size >= 8 ? filetimeString(u32(b, o), u32(b, o + 4)) : null;
    case VT_SYSTEMTIME: return size >= 16 ? systemtimeString(b, o) : null;
    case VT_SID: return sidString(b, o, size);
    case VT_HEX32: return size >= 4 ? hex32(u32(b, o)) : null;
    case VT_HEX64: return size >= 8 ? hex64(b, o) : null;
    default: return null;
  }
}
