// Dictionary strings of a segment as one string plus lengths, for posting a segment between workers: one long
// string is copied at memory speed, hundreds of thousands of small ones each cost a serialisation step.
// Invariant: unpackDictionaries(packDictionaries(seg)) leaves every dictionary exactly as it was (order, nulls).

import type { ColumnData, DictColumnData, Segment } from '../store/segment.ts';

export interface PackedDictionaries {
  /**
   * UTF-8 of every well-formed value, one after the other, in chunks that each end at a value's end (transferred,
   * not copied, when posted; unpacked one chunk at a time, so each can be freed before the next is decoded).
   */
  chunks: Uint8Array[];
  /** Per value in traversal order: its length in UTF-16 units, NULL_LENGTH for null, ODD_LENGTH for one in `odd`. */
  lengths: Uint32Array;
  /** Values per dictionary, in traversal order. */
  counts: Uint32Array;
  /** Values holding lone surrogates (UTF-8 cannot carry them), in traversal order; structured-cloned as strings. */
  odd: string[];
}

const NULL_LENGTH = 0xffff_ffff;
const ODD_LENGTH = 0xffff_fffe;

function dictionaries(seg: Segment): DictColumnData[] {
  const out: DictColumnData[] = [seg.provider];
  const add = (c: ColumnData): void => {
    if (c.kind === 'dict') out.push(c);
  };
  for (const k of Object.keys(seg.canonical)) add(seg.canonical[k]!);
  for (const c of seg.original) add(c);
  add(seg.rawTemplate);
  return out;
}

/**
 * Most characters packed into one chunk when packing is not released in chunks: each chunk is decoded into one
 * string, which must stay well below V8's string length limit (2^29 - 24 characters).
 */
const MAX_PACKED_CHARS = 256 * 1024 * 1024;
/** Largest chunk size a release may ask for (a chunk is decoded into one string). */
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

const encoder = new TextEncoder();
const wellFormed = (v: string): boolean => (v as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * A chunk is closed after every `everyBytes` bytes packed, and `release` called: the values packed so far are no
 * longer referenced by the segment, so a garbage collection there frees their strings while the rest are still
 * being packed (the strings and their bytes are not both held in full at the end of a large parse).
 */
export interface PackRelease {
  everyBytes: number;
  release?(): void;
}

/**
 * Moves every dictionary's values into the returned pack (their arrays are left empty); null when too large to join
 * into one string (only without a chunked release).
 * UTF-8 bytes rather than one joined string: the buffer is transferred, so posting it copies nothing, where a
 * string was copied once by the join and twice more by the structured clone (measured: the end-of-parse peak of a
 * 1 GB CSV was ~300 MB above the parse).
 */
export function packDictionaries(seg: Segment, release?: PackRelease, maxChars = MAX_PACKED_CHARS): PackedDictionaries | null {
  const dicts = dictionaries(seg);
  let n = 0;
  let chars = 0;
  for (const d of dicts) {
    n += d.values.length;
    for (const v of d.values) if (v !== null) chars += v.length;
  }
  // In chunks, no string gets long; in one piece, the whole text must fit a string.
  if (chars > maxChars && !(release && release.everyBytes <= MAX_CHUNK_BYTES)) return null;
  const lengths = new Uint32Array(n);
  const counts = new Uint32Array(dicts.length);
  const odd: string[] = [];
  const chunks: Uint8Array[] = [];
  const every = release ? release.everyBytes : Infinity;
  // ASCII needs one byte a unit; grow on the first value that does not fit.
  const chunkSize = (left: number): number => Math.min(left + (left >>> 4) + 64, every + (every >>> 4) + 64);
  let charsLeft = chars;
  let bytes = new Uint8Array(chunkSize(charsLeft));
  let pos = 0;
  let i = 0;
  dicts.forEach((d, k) => {
    const values = d.values;
    counts[k] = values.length;
    /** Values of this dictionary already let go (they are in a closed chunk). */
    let released = 0;
    for (let j = 0; j < values.length; j++) {
      const v = values[j]!;
      if (v === null) lengths[i++] = NULL_LENGTH;
      else if (!wellFormed(v)) {
        lengths[i++] = ODD_LENGTH;
        odd.push(v);
      } else {
        if (bytes.length - pos < 3 * v.length) {
          const next = new Uint8Array(Math.max(bytes.length * 2, pos + 3 * v.length));
          next.set(bytes.subarray(0, pos));
          bytes = next;
        }
        pos += encoder.encodeInto(v, bytes.subarray(pos)).written;
        lengths[i++] = v.length;
        charsLeft -= v.length;
        if (pos >= every) {
          // Everything up to here is in the chunks: let go of those strings.
          chunks.push(bytes.subarray(0, pos));
          values.fill(null, released, j + 1);
          released = j + 1;
          release!.release?.();
          bytes = new Uint8Array(chunkSize(charsLeft));
          pos = 0;
        }
      }
    }
    d.values = [];
  });
  if (pos > 0 || chunks.length === 0) chunks.push(bytes.subarray(0, pos));
  return { chunks, lengths, counts, odd };
}

/**
 * Puts the values back, as slices of their chunk's decoded string (which they then share). Each chunk is dropped
 * from `packed` once decoded, so its bytes can go while the next one is decoded.
 */
export function unpackDictionaries(seg: Segment, packed: PackedDictionaries): void {
  const dicts = dictionaries(seg);
  if (dicts.length !== packed.counts.length) throw new Error('packed dictionaries do not match the segment');
  const { lengths, counts, odd, chunks } = packed;
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let c = 0;
  const nextText = (): string => {
    if (c >= chunks.length) throw new Error('packed dictionaries do not match their text');
    const t = decoder.decode(chunks[c]);
    chunks[c++] = new Uint8Array(0);
    return t;
  };
  let text = nextText();
  let i = 0;
  let at = 0;
  let o = 0;
  dicts.forEach((d, k) => {
    const values: Array<string | null> = new Array<string | null>(counts[k]!);
    for (let j = 0; j < values.length; j++) {
      const len = lengths[i++]!;
      if (len === NULL_LENGTH) values[j] = null;
      else if (len === ODD_LENGTH) values[j] = odd[o++]!;
      else {
        // A chunk ends at a value's end: a value that does not start in this one starts the next.
        while (at === text.length && len > 0) {
          text = nextText();
          at = 0;
        }
        if (at + len > text.length) throw new Error('packed dictionaries do not match their text');
        values[j] = text.substring(at, at + len);
        at += len;
      }
    }
    d.values = values;
  });
  if (at !== text.length || c !== chunks.length || o !== odd.length) throw new Error('packed dictionaries do not match their text');
}
