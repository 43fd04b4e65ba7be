// Dictionary strings of a segment as one string plus lengths, for posting a segment between workers: one long
// string is copied at memory speed, hundreds of thousands of small ones each cost a serialisation step.
// Invariant: unpackDictionaries(packDictionaries(seg)) leaves every dictionary exactly as it was (order, nulls).

import type { ColumnData, DictColumnData, Segment } from '../store/segment.ts';

export interface PackedDictionaries {
  text: string;
  /** Per value in traversal order: its length, or NULL_LENGTH for null. */
  lengths: Uint32Array;
  /** Values per dictionary, in traversal order. */
  counts: Uint32Array;
}

const NULL_LENGTH = 0xffff_ffff;

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

/** Longest joined text: well below V8's string length limit (2^29 - 24 characters). */
const MAX_PACKED_CHARS = 256 * 1024 * 1024;

/** Moves every dictionary's values into the returned pack (their arrays are left empty); null when too large to join. */
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
  const parts: string[] = [];
  let i = 0;
  dicts.forEach((d, k) => {
    counts[k] = d.values.length;
    for (const v of d.values) {
      if (v === null) lengths[i++] = NULL_LENGTH;
      else {
        lengths[i++] = v.length;
        parts.push(v);
      }
    }
    d.values = [];
  });
  return { text: parts.join(''), lengths, counts };
}

/** Puts the values back, as slices of the one received string (which they then share). */
export function unpackDictionaries(seg: Segment, packed: PackedDictionaries): void {
  const dicts = dictionaries(seg);
  if (dicts.length !== packed.counts.length) throw new Error('packed dictionaries do not match the segment');
  const { text, lengths, counts } = packed;
  let i = 0;
  let at = 0;
  dicts.forEach((d, k) => {
    const values: Array<string | null> = new Array<string | null>(counts[k]!);
    for (let j = 0; j < values.length; j++) {
      const len = lengths[i++]!;
      if (len === NULL_LENGTH) values[j] = null;
      else {
        values[j] = text.substring(at, at + len);
        at += len;
      }
    }
    d.values = values;
  });
}
