// Growable column writers: dictionary ids, then adaptively UTF-8 arenas (shared exe prefixes) or GUID bytes.
// Invariant: values are copied (never slices of parser chunks) and read back exactly (arenas turn lone
// surrogates into U+FFFD); '' and missing stay distinct.

import type { ArenaColumnData, DictColumnData, DictIds, GuidColumnData } from './segment.ts';

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** A copy of `s` that does not retain the parser chunk `s` may be a slice of (lone surrogates stay intact). */
export function flatCopy(s: string): string {
  // V8 copies substrings shorter than 13 characters instead of slicing them: those already own their characters.
  if (s.length < 13) return s;
  // The concatenation is flattened into a new string before slicing: the result keeps that copy, not `s`'s parent.
  return (' ' + s).slice(1);
}

export function grow<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(a: T, minLength: number, maxLength = Infinity, factor = 2): T {
  let n = Math.max(16, Math.ceil(a.length * factor));
  while (n < minLength) n = Math.ceil(n * factor);
  n = Math.max(minLength, Math.min(n, maxLength));
  const ctor = a.constructor as new (n: number) => T;
  const b = new ctor(n);
  b.set(a);
  return b;
}

/** Growth past a reserved size: the estimate was a little short, so do not double. */
export const RESERVED_GROWTH = 1.25;

/** Exactly `length` entries, keeping the first ones (a reservation from an estimated row count). */
export function resize<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(a: T, length: number): T {
  const ctor = a.constructor as new (n: number) => T;
  const b = new ctor(length);
  b.set(a.length > length ? a.subarray(0, length) : a);
  return b;
}

/**
 * Exactly-sized array for a finished column. A copy, since a subarray would keep the whole oversized buffer,
 * unless the buffer is at most 1/32 larger (a good reservation): then the view avoids copying the column.
 */
export function trim<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(a: T, length: number): T {
  if (a.length >= length && a.length - length <= length >>> 5) return a.subarray(0, length) as T;
  return a.slice(0, length) as T;
}

/** Write UTF-8 of `s` at `pos` (capacity for 3 bytes per UTF-16 unit must exist); returns the new end. */
function writeUtf8(bytes: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      bytes[pos++] = c;
      continue;
    }
    if (c < 0x800) {
      bytes[pos++] = 0xc0 | (c >> 6);
      bytes[pos++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        bytes[pos++] = 0xf0 | (cp >> 18);
        bytes[pos++] = 0x80 | ((cp >> 12) & 0x3f);
        bytes[pos++] = 0x80 | ((cp >> 6) & 0x3f);
        bytes[pos++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
    }
    // A lone surrogate has no UTF-8 form: store U+FFFD, as TextEncoder would.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    bytes[pos++] = 0xe0 | (c >> 12);
    bytes[pos++] = 0x80 | ((c >> 6) & 0x3f);
    bytes[pos++] = 0x80 | (c & 0x3f);
  }
  return pos;
}

const MAX_ARENA_BYTES = 0xffff_ffff;

export function decodeArena(a: ArenaColumnData, row: number): string | null {
  if ((a.present[row >>> 3]! & (1 << (row & 7))) === 0) return null;
  const start = a.offsets[row]!;
  const end = a.offsets[row + 1]!;
  const prefix = a.prefixIds ? a.prefixes![a.prefixIds[row]!]! : '';
  if (start === end) return prefix;
  return prefix + decodeBytes(a.bytes, start, end);
}

/** Executable paths are looked for this far into a command line. */
const PREFIX_SCAN = 300;
const MIN_PREFIX = 8;
const MAX_PREFIXES = 0xffff;

/** End of the executable at the start of a command line: after `.exe` (and a closing quote), or 0. */
export function exePrefixEnd(s: string): number {
  const n = Math.min(s.length - 3, PREFIX_SCAN);
  for (let i = 1; i < n; i++) {
    if (s.charCodeAt(i) !== 46) continue;
    const e = s.charCodeAt(i + 1) | 0x20;
    const x = s.charCodeAt(i + 2) | 0x20;
    const e2 = s.charCodeAt(i + 3) | 0x20;
    if (e === 101 && x === 120 && e2 === 101) {
      const end = i + 4;
      return s.charCodeAt(end) === 34 ? end + 1 : end;
    }
  }
  return 0;
}

export function decodeBytes(bytes: Uint8Array, start: number, end: number): string {
  // Short ASCII values are the common case; skip the decoder call for them.
  if (end - start <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return utf8Decoder.decode(bytes.subarray(start, end));
}

/** Byte arena: per row an (offset, present) pair; rows never written read as missing. */
export class ArenaWriter {
  bytes = new Uint8Array(1024);
  offsets = new Uint32Array(64);
  present = new Uint8Array(8);
  pos = 0;
  /** Rows whose end offset is written. */
  filled = 0;
  /**
   * Command-line mode: the executable path a value starts with (`"C:\...\x.exe"`) is kept once in a
   * small dictionary and each row stores its id and only the rest of the text.
   */
  private prefixIds: Uint16Array | null = null;
  private prefixes: string[] = [''];
  private prefixIndex: Map<string, number> | null = null;

  constructor(prefixed = false) {
    if (prefixed) {
      this.prefixIds = new Uint16Array(64);
      this.prefixIndex = new Map();
    }
  }

  /** Rows expected in all (0: unknown): arrays were sized for them, so growth past them is gentle. */
  private reserved = 0;

  /** Sizes the per-row arrays (and the bytes, from the average so far) for `rows` rows. */
  reserve(rows: number): void {
    if (rows <= this.reserved) return;
    this.reserved = rows;
    if (this.offsets.length < rows + 1) this.offsets = resize(this.offsets, rows + 1);
    if (this.present.length < (rows >>> 3) + 1) this.present = resize(this.present, (rows >>> 3) + 1);
    if (this.prefixIds && this.prefixIds.length < rows) this.prefixIds = resize(this.prefixIds, rows);
    if (this.filled >= 1024) {
      const bytes = Math.min(MAX_ARENA_BYTES, Math.ceil((this.pos / this.filled) * rows * 1.02));
      if (bytes > this.bytes.length) this.bytes = resize(this.bytes, bytes);
    }
  }

  private get factor(): number {
    return this.reserved ? RESERVED_GROWTH : 2;
  }

  private fillTo(row: number): void {
    if (row + 1 >= this.offsets.length) this.offsets = grow(this.offsets, row + 2, Infinity, this.factor);
    if ((row >>> 3) >= this.present.length) this.present = grow(this.present, (row >>> 3) + 1, Infinity, this.factor);
    while (this.filled < row) this.offsets[++this.filled] = this.pos;
  }

  put(row: number, value: string): void {
    const s = typeof value === 'string' ? value : String(value);
    // A record naming a field twice writes its row twice: the last value wins, as in an object.
    if (row < this.filled) {
      if (row !== this.filled - 1) throw new RangeError(`arena rows are written in order (row ${row} after ${this.filled - 1})`);
      this.pos = this.offsets[row]!;
      this.filled = row;
    }
    this.fillTo(row);
    let body = s;
    if (this.prefixIds) {
      if (row >= this.prefixIds.length) this.prefixIds = grow(this.prefixIds, row + 1, Infinity, this.factor);
      let id = 0;
      const end = exePrefixEnd(s);
      if (end >= MIN_PREFIX) {
        const prefix = s.slice(0, end);
        const known = this.prefixIndex!.get(prefix);
        if (known !== undefined) id = known;
        else if (this.prefixes.length < MAX_PREFIXES) {
          id = this.prefixes.push(flatCopy(prefix)) - 1;
          this.prefixIndex!.set(this.prefixes[id]!, id);
        }
        if (id !== 0) body = s.slice(end);
      }
      this.prefixIds[row] = id;
    }
    const need = this.pos + 3 * body.length;
    if (need > MAX_ARENA_BYTES) throw new RangeError('arena column exceeds 4 GiB; finish the segment earlier');
    if (need > this.bytes.length) this.bytes = grow(this.bytes, need, MAX_ARENA_BYTES, this.factor);
    this.pos = writeUtf8(this.bytes, this.pos, body);
    this.present[row >>> 3]! |= 1 << (row & 7);
    this.offsets[row + 1] = this.pos;
    this.filled = row + 1;
  }

  get(row: number): string | null {
    if (row >= this.filled) return null;
    if ((this.present[row >>> 3]! & (1 << (row & 7))) === 0) return null;
    const prefix = this.prefixIds ? this.prefixes[this.prefixIds[row]!]! : '';
    return prefix + decodeBytes(this.bytes, this.offsets[row]!, this.offsets[row + 1]!);
  }

  get byteLength(): number {
    return this.pos + 4 * this.filled + (this.filled >>> 3) + (this.prefixIds ? 2 * this.filled : 0);
  }

  finish(rowCount: number): ArenaColumnData {
    if (rowCount > 0) this.fillTo(rowCount);
    const out: ArenaColumnData = {
      kind: 'arena',
      bytes: trim(this.bytes, this.pos),
      offsets: trim(this.offsets, rowCount + 1),
      present: trim(this.present, (rowCount + 7) >>> 3),
    };
    if (this.prefixIds) {
      out.prefixIds = this.prefixIds.length >= rowCount ? trim(this.prefixIds, rowCount) : grow(this.prefixIds, rowCount).slice(0, rowCount);
      out.prefixes = this.prefixes;
    }
    return out;
  }
}

/** GUID text style of a column: `{...}` or bare, upper- or lower-case hex. */
export interface GuidStyle {
  braces: boolean;
  upper: boolean;
}

/** Hex digit values per byte in one letter case (-1: not a digit of that case). */
function hexTable(letters: number): Int8Array {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) t[letters + i] = 10 + i;
  return t;
}
// Letters must be in the column's case, or the text would not come back the same.
const HEX_UPPER = hexTable(65);
const HEX_LOWER = hexTable(97);
const guidEncoder = new TextEncoder();
const guidText = new Uint8Array(40);

/**
 * Write the 16 bytes of `v` at `out[at..]` if it is a GUID in exactly this style; false (nothing usable) otherwise.
 * The text is read as bytes the native encoder wrote (a parser's field is usually a slice of its chunk, whose
 * characters cost more to read one by one).
 */
function parseGuid(v: string, style: GuidStyle, out: Uint8Array, at: number): boolean {
  const start = style.braces ? 1 : 0;
  const len = 36 + 2 * start;
  if (v.length !== len) return false;
  const b = guidText;
  // Every character one byte: ASCII (anything else is no GUID).
  const enc = guidEncoder.encodeInto(v, b);
  if (enc.read !== len || enc.written !== len) return false;
  if (style.braces && (b[0] !== 123 || b[37] !== 125)) return false;
  if (b[start + 8] !== 45 || b[start + 13] !== 45 || b[start + 18] !== 45 || b[start + 23] !== 45) return false;
  const hex = style.upper ? HEX_UPPER : HEX_LOWER;
  let o = at;
  for (let i = start; i < start + 36; i += 2) {
    if (i === start + 8 || i === start + 13 || i === start + 18 || i === start + 23) i++;
    const hi = hex[b[i]!]!;
    const lo = hex[b[i + 1]!]!;
    if ((hi | lo) < 0) return false;
    out[o++] = (hi << 4) | lo;
  }
  return true;
}

const BYTE_UPPER = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0').toUpperCase());
const BYTE_LOWER = BYTE_UPPER.map((h) => h.toLowerCase());

export function formatGuid(bytes: Uint8Array, at: number, style: GuidStyle): string {
  const t = style.upper ? BYTE_UPPER : BYTE_LOWER;
  const b = (i: number): string => t[bytes[at + i]!]!;
  const s = b(0) + b(1) + b(2) + b(3) + '-' + b(4) + b(5) + '-' + b(6) + b(7) + '-' + b(8) + b(9) + '-' + b(10) + b(11) + b(12) + b(13) + b(14) + b(15);
  return style.braces ? '{' + s + '}' : s;
}

export function decodeGuidColumn(g: GuidColumnData, row: number): string | null {
  if ((g.present[row >>> 3]! & (1 << (row & 7))) === 0) return null;
  return formatGuid(g.bytes, row * 16, g);
}

/** The one style every value has, or null (a value that is no GUID, or mixed styles). */
function guidStyleOf(values: ReadonlyArray<string | null>): GuidStyle | null {
  let style: GuidStyle | null = null;
  const scratch = new Uint8Array(16);
  for (const v of values) {
    if (v === null) continue;
    if (!style) {
      const braces = v.charCodeAt(0) === 123;
      const upper = !/[a-f]/.test(v);
      style = { braces, upper };
    }
    if (!parseGuid(v, style, scratch, 0)) return null;
  }
  return style;
}

/** GUIDs as 16 bytes per row instead of 36-38 characters. */
export class GuidWriter {
  bytes = new Uint8Array(1024);
  present = new Uint8Array(8);
  filled = 0;
  private reserved = 0;
  constructor(readonly style: GuidStyle) {}

  reserve(rows: number): void {
    if (rows <= this.reserved) return;
    this.reserved = rows;
    if (this.bytes.length < rows * 16) this.bytes = resize(this.bytes, rows * 16);
    if (this.present.length < (rows >>> 3) + 1) this.present = resize(this.present, (rows >>> 3) + 1);
  }

  /** False when `v` is not a GUID in this column's style (the caller then moves to an arena). */
  put(row: number, v: string): boolean {
    const factor = this.reserved ? RESERVED_GROWTH : 2;
    if ((row + 1) * 16 > this.bytes.length) this.bytes = grow(this.bytes, (row + 1) * 16, Infinity, factor);
    if ((row >>> 3) >= this.present.length) this.present = grow(this.present, (row >>> 3) + 1, Infinity, factor);
    if (!parseGuid(v, this.style, this.bytes, row * 16)) return false;
    this.present[row >>> 3]! |= 1 << (row & 7);
    if (row + 1 > this.filled) this.filled = row + 1;
    return true;
  }

  get(row: number): string | null {
    if (row >= this.filled || (this.present[row >>> 3]! & (1 << (row & 7))) === 0) return null;
    return formatGuid(this.bytes, row * 16, this.style);
  }

  get byteLength(): number {
    return this.filled * 16 + (this.filled >>> 3);
  }

  finish(rowCount: number): GuidColumnData {
    // Kept without a copy when the reservation fits (trim): a copy was a second 16 bytes a row at the end of a parse.
    const bytes = this.bytes.length >= rowCount * 16 ? trim(this.bytes, rowCount * 16) : resize(this.bytes, rowCount * 16);
    const n = (rowCount + 7) >>> 3;
    const present = this.present.length >= n ? trim(this.present, n) : resize(this.present, n);
    return { kind: 'guid', bytes, present, braces: this.style.braces, upper: this.style.upper };
  }
}

/** Probes past which a lookup gives up on the open-addressing table (colliding, perhaps hostile, values). */
const MAX_PROBES = 96;
/** Per-process hash seed: which values collide is not predictable from outside. */
const HASH_SEED = (Math.random() * 0x1_0000_0000) >>> 0;

/** Values at least this long are hashed on their UTF-8 bytes, four at a time. */
const WORD_HASH_MIN = 24;
/** Longest value hashed that way: 3 bytes per unit fit the scratch buffer. */
const WORD_HASH_MAX = 16_384;
const hashEncoder = new TextEncoder();
const hashBytes = new Uint8Array(4 * WORD_HASH_MAX);
const hashWords = new Int32Array(hashBytes.buffer);

/** The value whose UTF-8 `hashBytes` hold, and their length. */
let encodedValue: string | null = null;
let encodedLength = 0;

/**
 * A copy of `v` that owns its characters, for a new dictionary value. An ASCII value just hashed is decoded from
 * the hash's scratch bytes: a flat string, where `flatCopy` leaves a slice of a one-longer copy (one more object
 * per value, ~32 bytes, and one more pointer to follow on every comparison against it).
 */
function ownCopy(v: string): string {
  if (v === encodedValue && encodedLength === v.length) return utf8Decoder.decode(hashBytes.subarray(0, encodedLength));
  return flatCopy(v);
}

/**
 * FNV-1a-style, seeded. Short values: over the UTF-16 units. Longer ones: over their UTF-8 bytes read as 32-bit
 * words from a scratch buffer the native encoder fills (measured 40 % faster than `charCodeAt` per unit on the
 * parser's field strings, most of which are slices of its chunk). Strings that differ only in lone surrogates
 * encode alike and so collide; that costs a comparison, never a wrong id (values are compared whole).
 */
function hashString(s: string): number {
  const len = s.length;
  let h = HASH_SEED ^ len;
  if (len < WORD_HASH_MIN || len > WORD_HASH_MAX) {
    for (let i = 0; i < len; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h ^ (h >>> 15);
  }
  const n = hashEncoder.encodeInto(s, hashBytes).written;
  encodedValue = s;
  encodedLength = n;
  const words = n >>> 2;
  const w = hashWords;
  for (let i = 0; i < words; i++) h = Math.imul(h ^ w[i]!, 0x01000193);
  const b = hashBytes;
  for (let i = words << 2; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h ^ (h >>> 15);
}

/**
 * String -> dictionary id for one column: an open-addressing table of (hash, id) pairs keyed by a seeded hash,
 * compared against the column's own values. Measured ~30 % faster than a `Map` on freshly parsed strings (the
 * profile's largest item); keeping each slot's hash beside its id means a probe reads one cache line of the
 * table and touches a stored value only when the hashes agree. A probe run longer than MAX_PROBES (values built
 * to collide) moves it to a `Map` for good.
 */
export class Interner {
  /** Slot i is `table[2i]` = hash, `table[2i + 1]` = id (0: empty). */
  private table = new Int32Array(512);
  private mask = 255;
  private count = 0;
  private map: Map<string, number> | null = null;
  /** Hash of the value the last `get` looked up: `add` of that value need not hash it again. */
  lastHash = 0;

  /** `hash`: tests pass a colliding one to exercise the fallback. */
  constructor(
    private readonly values: ReadonlyArray<string | null>,
    private readonly hash: (s: string) => number = hashString,
  ) {}

  /** Id of `v`, or -1 when it is not in the dictionary yet (then `add` it as the next value). */
  get(v: string): number {
    if (this.map) return this.map.get(v) ?? -1;
    const h = this.hash(v);
    this.lastHash = h;
    const t = this.table;
    const m = this.mask;
    const values = this.values;
    let i = h & m;
    for (let probes = 0; probes < MAX_PROBES; probes++) {
      const id = t[2 * i + 1]!;
      if (id === 0) return -1;
      if (t[2 * i] === h && values[id] === v) return id;
      i = (i + 1) & m;
    }
    this.toMap();
    return this.map!.get(v) ?? -1;
  }

  /**
   * Records `values[id]` (just pushed, id = values.length - 1). `h`: its hash, when the caller has it from the
   * `get` that missed (`lastHash`).
   */
  add(id: number, h?: number): void {
    if (this.map) {
      this.map.set(this.values[id]!, id);
      return;
    }
    if (h === undefined) h = this.hash(this.values[id]!);
    this.count++;
    if (this.count * 2 > this.mask) this.rehash(this.mask * 2 + 1);
    if (!this.map) this.place(id, h);
  }

  private place(id: number, h: number): void {
    const t = this.table;
    const m = this.mask;
    let i = h & m;
    for (let probes = 0; t[2 * i + 1] !== 0; probes++) {
      if (probes >= MAX_PROBES) {
        this.toMap();
        this.map!.set(this.values[id]!, id);
        return;
      }
      i = (i + 1) & m;
    }
    t[2 * i] = h;
    t[2 * i + 1] = id;
  }

  private rehash(mask: number): void {
    const old = this.table;
    this.table = new Int32Array(2 * (mask + 1));
    this.mask = mask;
    for (let s = 1; s < old.length && !this.map; s += 2) {
      const id = old[s]!;
      if (id !== 0) this.place(id, old[s - 1]!);
    }
  }

  private toMap(): void {
    const map = new Map<string, number>();
    for (let id = 1; id < this.values.length; id++) map.set(this.values[id]!, id);
    this.map = map;
    this.table = new Int32Array(0);
  }

  /** Whether lookups fell back to a Map (tests). */
  get degraded(): boolean {
    return this.map !== null;
  }
}

/**
 * Distinct values a column holds before it first weighs dictionary vs arena. Early rows understate
 * repetition (every parent, pid and user is new at first), so deciding too soon picks the arena for
 * columns that repeat heavily over the whole file; the cost is a bounded transient dictionary.
 */
export const FIRST_SWITCH_CHECK = { canonical: 65_536, original: 4096 } as const;

/**
 * A string column that starts dictionary-encoded and moves to a byte arena once its distinct count
 * passes `switchFraction` of the rows it holds (checked whenever the distinct count doubles).
 */
export class StringColumnWriter {
  /** Ids in the narrowest type for the dictionary so far: Uint8 up to 255 values, Uint16 up to 65,535, then Uint32. */
  private ids: DictIds | null = new Uint8Array(64);
  /** Largest id the current `ids` type holds. */
  private idLimit = 0xff;
  private values: Array<string | null> = [null];
  private index: Interner | null = new Interner(this.values);
  private arena: ArenaWriter | null = null;
  private guid: GuidWriter | null = null;
  private nextCheck: number;
  /** Rows expected in all (SegmentBuilder.reserve), passed on to the arena or GUID writer it may become. */
  private reserved = 0;
  /** Rows holding a value (missing rows excluded). */
  setCount = 0;
  nonEmpty = false;

  constructor(
    private readonly switchFraction: number,
    firstCheck: number = FIRST_SWITCH_CHECK.original,
  ) {
    this.nextCheck = firstCheck;
  }

  reserve(rows: number): void {
    if (rows <= this.reserved) return;
    this.reserved = rows;
    if (this.ids && this.ids.length < rows) this.ids = resize(this.ids, rows);
    this.arena?.reserve(rows);
    this.guid?.reserve(rows);
  }

  get isArena(): boolean {
    return this.arena !== null || this.guid !== null;
  }

  /** Past the dictionary: GUID bytes while every value is one, else the byte arena. */
  private putWide(row: number, v: string): void {
    if (this.guid) {
      if (this.guid.put(row, v)) return;
      const arena = new ArenaWriter();
      if (this.reserved) arena.reserve(this.reserved);
      for (let r = 0; r < this.guid.filled; r++) {
        if (r === row) continue;
        const g = this.guid.get(r);
        if (g !== null) arena.put(r, g);
      }
      this.guid = null;
      this.arena = arena;
    }
    this.arena!.put(row, v);
  }

  set(row: number, value: string): void {
    // Values are strings by contract; a number from a careless mapper is stored as its text.
    const v = typeof value === 'string' ? value : String(value);
    this.setCount++;
    if (v !== '') this.nonEmpty = true;
    if (this.arena || this.guid) {
      this.putWide(row, v);
      return;
    }
    let id = this.index!.get(v);
    if (id < 0) {
      id = this.values.length;
      const copy = ownCopy(v);
      this.values.push(copy);
      this.index!.add(id, this.index!.lastHash);
      if (id >= this.nextCheck) {
        this.nextCheck *= 2;
        if (id > this.switchFraction * this.setCount) {
          this.toArena(row);
          this.putWide(row, v);
          return;
        }
      }
    }
    if (id > this.idLimit) this.widen(id);
    let ids = this.ids!;
    if (row >= ids.length) ids = this.ids = grow(ids, row + 1, Infinity, this.reserved ? RESERVED_GROWTH : 2);
    ids[row] = id;
  }

  /** The id array in the next wider type (same length): at most twice per column. */
  private widen(id: number): void {
    const old = this.ids!;
    const wide = id > 0xffff ? new Uint32Array(old.length) : new Uint16Array(old.length);
    wide.set(old);
    this.ids = wide;
    this.idLimit = id > 0xffff ? 0xffff_ffff : 0xffff;
  }

  private toArena(rowsBefore: number): void {
    const ids = this.ids!;
    const n = Math.min(rowsBefore, ids.length);
    const style = guidStyleOf(this.values);
    if (style) {
      const guid = new GuidWriter(style);
      if (this.reserved) guid.reserve(this.reserved);
      for (let r = 0; r < n; r++) {
        const id = ids[r]!;
        if (id !== 0) guid.put(r, this.values[id]!);
      }
      this.guid = guid;
    } else {
      // Command lines mostly start with an executable path: share those prefixes.
      let exe = 0;
      for (let i = 1; i < this.values.length; i++) if (exePrefixEnd(this.values[i]!) >= MIN_PREFIX) exe++;
      const arena = new ArenaWriter(exe * 10 >= 3 * (this.values.length - 1));
      for (let r = 0; r < n; r++) {
        const id = ids[r]!;
        if (id !== 0) arena.put(r, this.values[id]!);
      }
      // After the rows so far are in, so the byte estimate has an average to go by.
      if (this.reserved) arena.reserve(this.reserved);
      this.arena = arena;
    }
    this.ids = null;
    this.index = null;
    this.values = [null];
  }

  get(row: number): string | null {
    if (this.arena) return this.arena.get(row);
    if (this.guid) return this.guid.get(row);
    const ids = this.ids!;
    return row < ids.length ? this.values[ids[row]!]! : null;
  }

  get byteLength(): number {
    if (this.arena) return this.arena.byteLength;
    if (this.guid) return this.guid.byteLength;
    let n = this.ids!.byteLength;
    for (let i = 1; i < this.values.length; i++) n += 24 + this.values[i]!.length;
    return n;
  }

  finish(rowCount: number): DictColumnData | ArenaColumnData | GuidColumnData {
    if (this.arena) return this.arena.finish(rowCount);
    if (this.guid) return this.guid.finish(rowCount);
    const ids = this.ids!.length >= rowCount ? trim(this.ids!, rowCount) : grow(this.ids!, rowCount).slice(0, rowCount);
    const out: DictColumnData = { kind: 'dict', ids, values: this.values };
    this.index = null;
    return out;
  }
}
