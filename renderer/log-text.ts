// Log text as the UI shows it (issue 16, items 9 and 10). Invariant: bidi controls in log text can never reorder what
// the analyst reads (each is shown as a visible ⟨U+XXXX⟩ mark), and a huge value is cut for display with its length
// said, the whole value one click away.

/** Bidi embeddings, overrides, isolates and marks (U+061C, U+200E/F, U+202A-E, U+2066-9). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every bidi control replaced by a visible mark naming it. */
export function neutraliseBidi(s: string): string {
  return s.replace(BIDI, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** Characters of a value shown before "show all". */
export const DISPLAY_MAX = 256;

/** The part of `s` shown when cut at `max` (never between the halves of a surrogate pair), and how much is left. */
export function cutForDisplay(s: string, max = DISPLAY_MAX): { shown: string; hidden: number } {
  if (s.length <= max) return { shown: s, hidden: 0 };
  const c = s.charCodeAt(max - 1);
  const end = c >= 0xd800 && c <= 0xdbff ? max - 1 : max;
  return { shown: s.slice(0, end), hidden: s.length - end };
}
