// Per-file clock corrections set by the analyst: a file's events (or those whose time came from one field of it)
// move by a fixed offset. Invariant: the times as read are kept (`Segment.timeMsOriginal`), so a correction is undone
// exactly, exports carry both, and original time columns are rebuilt from the time as read.

import type { Segment } from './segment.ts';

export interface ClockCorrection {
  /** Evidence index in the case. */
  evidence: number;
  /** Added to the time of each event it applies to (ms). */
  offsetMs: number;
  /** Only events whose time came from this field (formats/time-fields.ts); absent: every event of the file. */
  field?: string;
}

/** Largest offset accepted: a bit more than a day either way covers every time zone and a skewed host clock. */
export const MAX_CLOCK_OFFSET_MS = 7 * 86_400_000;

/** A message for the first invalid correction of `list`, or null. */
export function checkCorrections(list: readonly ClockCorrection[]): string | null {
  const seen = new Set<string>();
  for (const c of list) {
    if (!Number.isInteger(c.evidence) || c.evidence < 0) return 'a clock correction names no evidence';
    if (!Number.isFinite(c.offsetMs) || Math.abs(c.offsetMs) > MAX_CLOCK_OFFSET_MS) return `clock offset ${c.offsetMs} ms is out of range (at most 7 days either way)`;
    if (c.field !== undefined && (typeof c.field !== 'string' || c.field.length === 0 || c.field.length > 256)) return 'a clock correction field must be 1..256 characters';
    const key = `${c.evidence}\n${c.field ?? ''}`;
    if (seen.has(key)) return 'two clock corrections for the same file and field';
    seen.add(key);
  }
  return null;
}

/**
 * Sets `seg.timeMs` to the times as read plus the corrections that apply to each row (a field-specific one before
 * a whole-file one); returns how many rows moved. With no correction left the segment is as it was read.
 */
export function applyClock(seg: Segment, list: readonly ClockCorrection[]): number {
  const mine = list.filter((c) => c.offsetMs !== 0 && seg.evidenceNames.some(([e]) => e === c.evidence));
  const base = seg.timeMsOriginal;
  if (mine.length === 0) {
    if (base) {
      seg.timeMs.set(base);
      delete seg.timeMsOriginal;
    }
    return 0;
  }
  const original = base ?? seg.timeMs.slice();
  // Per evidence: offset by time-field id, then the whole-file offset.
  const byEvidence = new Map<number, { byField: Map<number, number>; all: number }>();
  for (const c of mine) {
    let e = byEvidence.get(c.evidence);
    if (!e) {
      e = { byField: new Map(), all: 0 };
      byEvidence.set(c.evidence, e);
    }
    if (c.field === undefined) e.all = c.offsetMs;
    else {
      const id = seg.timeFields.indexOf(c.field);
      if (id > 0) e.byField.set(id, c.offsetMs);
    }
  }
  let moved = 0;
  const times = seg.timeMs;
  for (let r = 0; r < seg.rowCount; r++) {
    const e = byEvidence.get(seg.evidence[r]!);
    const off = e ? (e.byField.get(seg.timeField[r]!) ?? e.all) : 0;
    times[r] = original[r]! + off;
    if (off !== 0) moved++;
  }
  if (moved > 0) seg.timeMsOriginal = original;
  else delete seg.timeMsOriginal;
  return moved;
}
