// The Windows EventRecordID of an event, where its export carries one: the number a responder searches for in Event
// Viewer, unlike the locator's `record` (the ordinal in the evidence file).
// Invariant: only a plain decimal that is a safe integer counts; anything else (empty, hex, text) gives none.

import type { EventView } from '../store/view.ts';

/**
 * Original field names holding it, most specific first: event XML and flattened Sysmon (`EventRecordID`), EvtxECmd
 * (`EventRecordId`, before its `RecordNumber`), evtx_dump / Chainsaw nested JSON
 * (`Event.System.EventRecordID`, any prefix), Winlogbeat/ECS (`winlog.record_id`), and the flat exports' `record_id`
 * and `RecordNumber` (NXLog, Splunk WinEventLog).
 */
export const RECORD_ID_FIELDS = ['EventRecordID', 'EventRecordId', 'System.EventRecordID', 'winlog.record_id', 'record_id', 'RecordNumber'] as const;

const NESTED_SUFFIX = '.System.EventRecordID';
const fieldOfView = new WeakMap<EventView, string | null>();

/** Which field of a view holds the record id (decided once per view). */
function recordIdField(view: EventView): string | null {
  let f = fieldOfView.get(view);
  if (f !== undefined) return f;
  const names = view.fieldNames();
  const have = new Set(names);
  f = RECORD_ID_FIELDS.find((n) => have.has(n)) ?? names.find((n) => n.endsWith(NESTED_SUFFIX) || n.endsWith(NESTED_SUFFIX + '.#text')) ?? null;
  fieldOfView.set(view, f);
  return f;
}

/** The event's Windows record id, or undefined when its export has none. */
export function windowsRecordId(view: EventView, row: number): number | undefined {
  const f = recordIdField(view);
  if (f === null) return undefined;
  const v = view.column(f)?.get(row);
  if (v === null || v === undefined) return undefined;
  const t = v.trim();
  if (!/^\d{1,16}$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}
