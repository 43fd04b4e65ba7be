// Raw record text (XML events) stored as a shared skeleton with holes for the record's own field values.
// Invariant: fill(skeleton, values) reproduces the raw text exactly; a record whose text cannot be
// punched exactly (NUL in it, a value equal to the whole text) keeps its text verbatim instead.

/** Marks a hole: HOLE, then the field's position + 1, then the escape variant as a character. */
const HOLE = '\u0000';
const VARIANT_BASE = 0x30;
const MAX_POSITION = 0xfffe;
/** Shorter texts gain nothing from a skeleton. */
const MIN_RAW_LENGTH = 64;
/** Every missed value costs a scan to the end of the text: bound the work on hostile records. */
const MAX_RAW_LENGTH = 256 * 1024;
const MAX_MISSES = 16;

type Escape = (v: string) => string;

/** The ways an XML writer may have escaped a value: as is, &<> only, plus &quot;, plus &apos;. */
const VARIANTS: readonly Escape[] = [
  (v) => v,
  (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
  (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'),
];

const NEEDS_ESCAPE = /[&<>"']/;
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Skeleton of `raw` with each value of `values` (in order, at or after the previous one) replaced by a
 * hole, or null when nothing was punched or the text cannot be rebuilt exactly. `usable(i)` says whether
 * position i is readable back from the store (a column, not over the cap).
 */
export function makeSkeleton(
  raw: string,
  values: ReadonlyArray<string | undefined | null>,
  usable: (position: number) => boolean,
): string | null {
  if (raw.length < MIN_RAW_LENGTH || raw.length > MAX_RAW_LENGTH || raw.includes(HOLE)) return null;
  let out = '';
  let pos = 0;
  let holes = 0;
  let misses = 0;
  const n = Math.min(values.length, MAX_POSITION);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'string' || v.length === 0) continue;
    // A value that is the whole text would make the text depend on itself (Splunk `_raw`).
    if (v.length >= raw.length) {
      if (v === raw) return null;
      continue;
    }
    // Arena storage cannot keep lone surrogates, so such a value could come back different.
    if (SURROGATE.test(v) || !usable(i)) continue;
    let best = -1;
    let bestLen = 0;
    let bestVariant = 0;
    const variants = NEEDS_ESCAPE.test(v) ? VARIANTS.length : 1;
    for (let k = 0; k < variants; k++) {
      const esc = VARIANTS[k]!(v);
      const at = raw.indexOf(esc, pos);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        bestLen = esc.length;
        bestVariant = k;
      }
    }
    if (best < 0) {
      if (++misses > MAX_MISSES) break;
      continue;
    }
    out += raw.slice(pos, best) + HOLE + String.fromCharCode(i + 1) + String.fromCharCode(VARIANT_BASE + bestVariant);
    pos = best + bestLen;
    holes++;
  }
  if (holes === 0) return null;
  return out + raw.slice(pos);
}

/** A value as the skeleton's writer escaped it at a hole. */
export function escapeVariant(v: string, variant: number): string {
  return variant === 0 || !NEEDS_ESCAPE.test(v) ? v : VARIANTS[variant]!(v);
}

export interface SkeletonScan {
  /** The needle occurs in the skeleton's literal text. */
  literalHit: boolean;
  holes: Array<{ position: number; variant: number }>;
}

function containsChar(needleLower: string, c: string): boolean {
  return needleLower.includes(c.toLowerCase()) || needleLower.toUpperCase().includes(c.toUpperCase());
}

/**
 * Whether a case-insensitive literal needle can be searched in the pieces of a rebuilt text separately:
 * an occurrence spanning a literal and a value would have to contain the literal's character next to the
 * hole, so when the needle has none of those characters (and no two holes touch), the text contains the
 * needle exactly when a literal or an (escaped) value does. Null when that does not hold.
 */
export function scanSkeleton(skeleton: string, needleLower: string, test: (s: string) => boolean): SkeletonScan | null {
  const holes: SkeletonScan['holes'] = [];
  let literalHit = false;
  let from = 0;
  while (true) {
    const at = skeleton.indexOf(HOLE, from);
    const literal = skeleton.slice(from, at < 0 ? undefined : at);
    if (!literalHit && literal.length > 0 && test(literal)) literalHit = true;
    if (at < 0) break;
    // The characters around the hole: the end of this literal, the start of the next one.
    const next = at + 3;
    if (from > 0 || at > 0) {
      if (literal.length === 0 && from > 0) return null;
      if (literal.length > 0 && containsChar(needleLower, literal[literal.length - 1]!)) return null;
    }
    if (next < skeleton.length) {
      if (skeleton[next] === HOLE) return null;
      if (containsChar(needleLower, skeleton[next]!)) return null;
    }
    holes.push({ position: skeleton.charCodeAt(at + 1) - 1, variant: skeleton.charCodeAt(at + 2) - VARIANT_BASE });
    from = next;
  }
  return { literalHit, holes };
}

/** Rebuild the text: `valueAt(position)` reads the record's stored value at a hole. */
export function fillSkeleton(skeleton: string, valueAt: (position: number) => string | null): string {
  let out = '';
  let from = 0;
  while (true) {
    const at = skeleton.indexOf(HOLE, from);
    if (at < 0) return out + skeleton.slice(from);
    const position = skeleton.charCodeAt(at + 1) - 1;
    const variant = skeleton.charCodeAt(at + 2) - VARIANT_BASE;
    out += skeleton.slice(from, at) + VARIANTS[variant]!(valueAt(position) ?? '');
    from = at + 3;
  }
}
