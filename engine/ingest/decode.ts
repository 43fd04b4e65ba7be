// Streaming bytes -> text decoder: sniffs the BOM (UTF-8, UTF-16LE/BE; BOM-less UTF-16LE by its zero bytes),
// keeps multi-byte characters split across chunks intact, and counts invalid bytes replaced by U+FFFD.

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface DecodedInfo {
  encoding: TextEncodingName;
  /** Length of the byte-order mark that was skipped (0, 2 or 3). */
  bomBytes: number;
}

const REPLACEMENT = '\uFFFD';

/**
 * Native helpers a host may lend the decoder (Node: `buffer.isAscii`, `Buffer#latin1Slice`): an all-ASCII chunk
 * of UTF-8 is then turned into text without the streaming UTF-8 decoder, and is known to be ASCII without
 * scanning the text again. Measured: the decoder and the ASCII check were ~10 % of a CSV ingest.
 */
export interface AsciiFastPath {
  isAscii(bytes: Uint8Array): boolean;
  /** The bytes as one character each (only called on ASCII bytes). */
  latin1(bytes: Uint8Array): string;
}

export class StreamDecoder {
  private decoder: { decode(input?: Uint8Array, options?: { stream?: boolean }): string } | null = null;
  private head: Uint8Array | null = null;
  private info: DecodedInfo | null = null;
  /** Last bytes of the previous chunk, to spot a genuine U+FFFD encoded across a chunk boundary. */
  private tail: number[] = [];
  /** Bytes handed to the TextDecoder so far (after the BOM): UTF-16 code units start at even offsets. */
  private consumed = 0;
  invalidBytesReplaced = 0;
  /** The last byte given to the TextDecoder was not ASCII: it may hold part of a character, so no fast path. */
  private maybePending = false;
  /** Whether the text last returned by push() / end() is all ASCII: true when known for free, else null. */
  lastAscii: boolean | null = null;

  constructor(private readonly fast?: AsciiFastPath) {}

  get detected(): DecodedInfo | null {
    return this.info;
  }

  /** Decodes the next chunk; returns the text that is complete so far (may be empty). */
  push(bytes: Uint8Array): string {
    if (!this.decoder) {
      const joined = this.head ? concat(this.head, bytes) : bytes;
      // A BOM is at most 3 bytes and the BOM-less UTF-16 guess wants a few pairs.
      if (joined.length < 4) {
        // Copy (a Node Buffer's slice() would not): callers may reuse their read buffer.
        this.head = new Uint8Array(joined);
        return '';
      }
      this.head = null;
      this.start(joined);
      return this.decode(joined.subarray(this.info!.bomBytes), false);
    }
    return this.decode(bytes, false);
  }

  end(): string {
    if (!this.decoder) {
      const joined = this.head ?? new Uint8Array(0);
      this.head = null;
      this.start(joined);
      return this.decode(joined.subarray(this.info!.bomBytes), true);
    }
    return this.decode(new Uint8Array(0), true);
  }

  private start(b: Uint8Array): void {
    let info: DecodedInfo;
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) info = { encoding: 'utf-8', bomBytes: 3 };
    else if (b[0] === 0xff && b[1] === 0xfe) info = { encoding: 'utf-16le', bomBytes: 2 };
    else if (b[0] === 0xfe && b[1] === 0xff) info = { encoding: 'utf-16be', bomBytes: 2 };
    else if (b.length >= 4 && b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0) info = { encoding: 'utf-16le', bomBytes: 0 };
    else if (b.length >= 4 && b[0] === 0 && b[1] !== 0 && b[2] === 0 && b[3] !== 0) info = { encoding: 'utf-16be', bomBytes: 0 };
    else info = { encoding: 'utf-8', bomBytes: 0 };
    this.info = info;
    // ignoreBOM: we strip it ourselves so a second BOM-looking sequence inside the data stays data.
    this.decoder = new TextDecoder(info.encoding, { fatal: false, ignoreBOM: true });
  }

  private decode(bytes: Uint8Array, final: boolean): string {
    this.lastAscii = null;
    if (this.fast && !this.maybePending && bytes.length > 0 && this.info!.encoding === 'utf-8' && this.fast.isAscii(bytes)) {
      this.keepTail(bytes);
      this.consumed += bytes.length;
      this.lastAscii = true;
      return this.fast.latin1(bytes);
    }
    if (bytes.length > 0) this.maybePending = bytes[bytes.length - 1]! >= 0x80;
    const text = this.decoder!.decode(bytes, { stream: !final });
    if (text.indexOf(REPLACEMENT) !== -1) {
      let produced = 0;
      for (let i = text.indexOf(REPLACEMENT); i !== -1; i = text.indexOf(REPLACEMENT, i + 1)) produced++;
      this.invalidBytesReplaced += Math.max(0, produced - this.genuineReplacements(bytes));
    }
    this.keepTail(bytes);
    this.consumed += bytes.length;
    return text;
  }

  /** U+FFFD characters that were really in the input (EF BF BD, or FD FF / FF FD in UTF-16). */
  private genuineReplacements(bytes: Uint8Array): number {
    const enc = this.info!.encoding;
    const seq = enc === 'utf-8' ? [0xef, 0xbf, 0xbd] : enc === 'utf-16le' ? [0xfd, 0xff] : [0xff, 0xfd];
    const all = this.tail.length ? concat(Uint8Array.from(this.tail), bytes) : bytes;
    let n = 0;
    if (enc !== 'utf-8') {
      // Only whole code units count: FD FF straddling two units is two other characters, whatever the chunking.
      for (let i = (this.consumed - this.tail.length) & 1; i + 1 < all.length; i += 2) {
        if (all[i] === seq[0] && all[i + 1] === seq[1] && i + 2 > this.tail.length) n++;
      }
      return n;
    }
    for (let i = 0; i + seq.length <= all.length; i++) {
      if (all[i] === seq[0] && all[i + 1] === seq[1] && (seq.length === 2 || all[i + 2] === seq[2])) {
        // Only count sequences that end inside the new bytes, so one spanning the boundary counts once.
        if (i + seq.length > this.tail.length) n++;
        i += seq.length - 1;
      }
    }
    return n;
  }

  private keepTail(bytes: Uint8Array): void {
    const keep = 2;
    const merged = this.tail.concat(Array.from(bytes.subarray(Math.max(0, bytes.length - keep))));
    this.tail = merged.slice(Math.max(0, merged.length - keep));
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Maps character offsets of the decoded text back to byte offsets in the source, monotonically.
 * Fed every decoded chunk in order; chunks already passed are released.
 */
export class ByteOffsetTracker {
  private chunks: string[] = [];
  /** Per chunk: every character is ASCII (one byte each), checked once natively instead of per character. */
  private ascii: boolean[] = [];
  private chunkIdx = 0;
  /** Char offset of chunks[chunkIdx][0]. */
  private chunkBase = 0;
  private posInChunk = 0;
  private bytes: number;
  private readonly bomBytes: number;
  private readonly encoding: TextEncodingName;

  constructor(encoding: TextEncodingName = 'utf-8', bomBytes = 0) {
    this.encoding = encoding;
    this.bomBytes = bomBytes;
    this.bytes = bomBytes;
  }

  /** `ascii`: the caller knows the text is all ASCII (saves scanning it). */
  feed(text: string, ascii?: boolean): void {
    if (text.length) {
      this.chunks.push(text);
      this.ascii.push(ascii === true || !NON_ASCII.test(text));
    }
  }

  /** Byte offset of char `charOffset`; calls must not go backwards (older offsets return the last answer). */
  toByte(charOffset: number): number {
    if (this.encoding !== 'utf-8') return this.bomBytes + charOffset * 2;
    while (this.chunkIdx < this.chunks.length) {
      const chunk = this.chunks[this.chunkIdx]!;
      const target = charOffset - this.chunkBase;
      if (target <= this.posInChunk) break;
      const end = Math.min(target, chunk.length);
      this.bytes += this.ascii[this.chunkIdx] ? end - this.posInChunk : utf8Length(chunk, this.posInChunk, end);
      this.posInChunk = end;
      if (end === chunk.length) {
        this.chunkBase += chunk.length;
        this.chunks[this.chunkIdx] = '';
        this.chunkIdx++;
        this.posInChunk = 0;
        if (this.chunkIdx > 64) {
          this.chunks = this.chunks.slice(this.chunkIdx);
          this.ascii = this.ascii.slice(this.chunkIdx);
          this.chunkIdx = 0;
        }
      } else break;
    }
    return this.bytes;
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Spans at least this long are measured by the native encoder (XML records of ~2 KB were ~9 % of an ingest). */
const NATIVE_LENGTH_MIN = 256;
const lengthEncoder = new TextEncoder();
let lengthScratch = new Uint8Array(64 * 1024);

export function utf8Length(s: string, from = 0, to = s.length): number {
  if (to - from >= NATIVE_LENGTH_MIN) {
    // encodeInto writes a lone surrogate as U+FFFD, 3 bytes: the count below does the same.
    const need = 3 * (to - from);
    // The scratch is kept up to 1 MiB; a longer span (a huge record) gets its own, dropped afterwards.
    const out = need <= lengthScratch.length ? lengthScratch : need <= 1 << 20 ? (lengthScratch = new Uint8Array(need)) : new Uint8Array(need);
    return lengthEncoder.encodeInto(from === 0 && to === s.length ? s : s.slice(from, to), out).written;
  }
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
