// The host of an event, defined once: its `dest`, else its own `host` field, else NO_HOST. Lanes, findings, host
// risk, links and reports all read it from here. Invariant: the answer for a row never depends on which consumer asks.

import type { EventView, StringColumn } from './view.ts';

/** Host (lane, finding host, risk-table row) of events that name none. */
export const NO_HOST = '(no host)';

function memoDict(col: StringColumn, valueOf: (v: string | null) => string | null): ((row: number) => string | null) | null {
  if (!col.dict) return null;
  const { ids, values } = col.dict;
  const memo = values.map(valueOf);
  return (row) => memo[ids[row]!] ?? null;
}

/** Reader of each local row's host in `view` (dictionary columns are resolved once per distinct value). */
export function hostOf(view: EventView): (row: number) => string {
  const dest = view.column('dest');
  const own = view.column('host');
  const nonEmpty = (v: string | null): string | null => (v === null || v === '' ? null : v);
  const destAt = dest ? (memoDict(dest, nonEmpty) ?? ((row: number) => nonEmpty(dest.get(row)))) : () => null;
  const ownAt = own ? (memoDict(own, nonEmpty) ?? ((row: number) => nonEmpty(own.get(row)))) : () => null;
  return (row) => destAt(row) ?? ownAt(row) ?? NO_HOST;
}
