// Host naming shared by findings and lateral links: the unknown-host bucket and short-name/FQDN matching.
// Invariant: host comparison is case-insensitive and treats a dotless name as an alias of any FQDN it prefixes.

/** Host of events that name none: the store's one definition (store/host.ts), so lanes and findings agree. */
export { NO_HOST as UNKNOWN_HOST } from '../store/host.ts';

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** `WORKSTATION6.theshire.local` -> `workstation6`. */
export function shortHostName(host: string): string {
  const lower = host.toLowerCase();
  const dot = lower.indexOf('.');
  return dot > 0 ? lower.slice(0, dot) : lower;
}

/**
 * Whether two names denote the same machine: equal ignoring case, or equal short names when at
 * least one is dotless (so `WS6` matches `ws6.corp.local`, but `ws6.a.local` does not match `ws6.b.local`).
 */
export function sameHost(a: string, b: string): boolean {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === lb) return true;
  if (la.includes('.') && lb.includes('.')) return false;
  // An address is not a name: `10.0.0.5` must not match a host called `10`.
  if (IPV4.test(la) || IPV4.test(lb)) return false;
  return shortHostName(la) === shortHostName(lb);
}
