// A full garbage collection on request, for the moment a large parse has just finished: its transient strings
// and grown-and-dropped arrays are dead, and V8 would otherwise keep the heap at that size while the indexes,
// rules and links of the case are built on top of it (measured: the peak RSS of a 1 GB CSV came in that phase).
// Invariant: a no-op where the runtime refuses (`gc` cannot be obtained); never throws.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gcFn === undefined) {
    try {
      // `gc` is installed on contexts created after the flag is set; only this one context gets it.
      setFlagsFromString('--expose-gc');
      const fn = runInNewContext('typeof gc === "function" ? gc : null') as unknown;
      gcFn = typeof fn === 'function' ? (fn as () => void) : null;
    } catch {
      gcFn = null;
    }
  }
  try {
    gcFn?.();
  } catch {
    gcFn = null;
  }
}
