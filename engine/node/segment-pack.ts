// Dictionary strings of a segment as one string plus lengths, for posting a segment between workers: one long
// string is copied at memory speed, hundreds of thousands of small ones each cost a serialisation step.
// Invariant: unpackDictionaries(packDictionaries(seg)) leaves every dictionary exactly as it was (order, nulls).

import type { ColumnData, DictColumnData, Segment } from '../store/segment.ts';

export interface PackedDictionaries {
  /** UTF-8 of every well-formed value, one after the other (transferred, not copied, when posted). */
  bytes: Uint8Array;
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

/** Longest decoded text: well below V8's string length limit (2^29 - 24 characters). */
const MAX_PACKED_CHARS = 256 * 1024 * 1024;

const encoder = new TextEncoder();
const wellFormed = (v: string): boolean => (v as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Moves every dictionary's values into the returned pack (their arrays are left empty); null when too large to join.
 * UTF-8 bytes rather than one joined string: the buffer is transferred, so posting it copies nothing, where a
 * string was copied once by the join and twice more by the structured clone (measured: the end-of-parse peak of a
 * 1 GB CSV was ~300 MB above the parse).
 */
export function packDictionaries(seg: Segment): PackedDictionaries | null {
  const dicts = dictionaries(seg);
  let n = 0;
  let chars = 0;
  for (const d of dicts) {
    n += d.values.length;
    for (const v of d.values) if (v !== null) chars += v.length;
  }
  if (chars > MAX_PACKED_CHARS) return null;
  const lengths = new Uint32Array(n);
  const counts = new Uint32Array(dicts.length);
  const odd: string[] = [];
  // ASCII needs one byte a unit; grow on the first value that does not fit.
  let bytes = new Uint8Array(chars + (chars >>> 4) + 64);
  let pos = 0;
  let i = 0;
  dicts.forEach((d, k) => {
    counts[k] = d.values.length;
    for (const v of d.values) {
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
      }
    }
    d.values = [];
  });
  return { bytes: bytes.subarray(0, pos), lengths, counts, odd };
}

/** Puts the values back, as slices of the one decoded string (which they then share). */
export function unpackDictionaries(seg: Segment, packed: PackedDictionaries): void {
  const dicts = dictionaries(seg);
  if (dicts.length !== packed.counts.length) throw new Error('packed dictionaries do not match the segment');
  const { lengths, counts, odd } = packed;
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(packed.bytes);
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
        values[j] = text.substring(at, at + len);
        at += len;
      }
    }
    d.values = values;
  });
  if (at !== text.length || o !== odd.length) throw new Error('packed dictionaries do not match their text');
}
