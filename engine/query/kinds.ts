// The event kinds a timeline or table query keeps (`kinds` of TimelineRequest / RowsRequest / EventScope).
// Invariant: the kinds are resolved once per query to a 256-entry mask over the store's one-byte kind codes, so the
// row loops read two typed arrays and never compare a string; a choice that keeps every kind the store holds is no
// test at all (the queries keep their unfiltered fast paths).

import { EVENT_KIND_INDEX } from '../model/event-kinds.ts';
import type { EventStore } from '../store/store.ts';

export interface KindMask {
  /** The kind code of every global row (store.eventKindsOfRows()). */
  codes: Uint8Array;
  /** 1 for the codes kept. */
  keep: Uint8Array;
}

/**
 * The mask of `kinds` over the store, or undefined when it keeps every row (no `kinds`, or every kind present).
 * Names are checked by the request validator; a name that is not a kind keeps nothing here either.
 */
export function kindMask(store: EventStore, kinds: readonly string[] | undefined): KindMask | undefined {
  if (kinds === undefined) return undefined;
  const keep = new Uint8Array(256);
  for (const k of kinds) {
    const i = EVENT_KIND_INDEX.get(k);
    if (i !== undefined) keep[i] = 1;
  }
  const present = store.kindsPresent();
  let all = true;
  for (let i = 0; i < 256; i++) {
    if (present[i] === 1 && keep[i] !== 1) {
      all = false;
      break;
    }
  }
  return all ? undefined : { codes: store.eventKindsOfRows(), keep };
}

/** A row test: the mask's kinds, and `test` when given. */
export function withKinds(mask: KindMask | undefined, test: ((g: number) => boolean) | undefined): ((g: number) => boolean) | undefined {
  if (!mask) return test;
  const { codes, keep } = mask;
  if (!test) return (g) => keep[codes[g]!] === 1;
  return (g) => keep[codes[g]!] === 1 && test(g);
}

/** The kinds as a cache key part: sorted, so the same choice in another order hits the same answer. */
export function kindsKey(kinds: readonly string[] | undefined): string | null {
  return kinds === undefined ? null : [...new Set(kinds)].sort().join(',');
}
