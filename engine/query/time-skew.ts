// What a file's time fields say about its clocks: the store's per-file comparison (TimeSkewData, built while the
// records were mapped) read as systematic offsets (a time zone written as UTC, a clock set wrong) and spreads (a
// collector's receive lag), each a warning with the fields, the offset and how many records.
// Invariant: nothing here changes a time; an offset is at most offered as a clock correction for the analyst to set.

import type { TimeSkewData } from '../store/segment.ts';

/** Offsets within this many seconds of zero are agreement (fields written a few ms apart round to 0 or ±1). */
const AGREE_SEC = 1;
/** A systematic offset's records lie within this many seconds of each other. */
const PEAK_WIDTH_SEC = 2;
/** A time-zone offset is a whole quarter hour (within PEAK_WIDTH_SEC). */
const QUARTER_HOUR_SEC = 900;
/** A time-zone offset may carry this much collector lag around it and still be read as that offset. */
const ZONE_SLACK_SEC = 120;

export interface ClockOffer {
  /** The time field to correct: events whose time came from it move by offsetMs. */
  field: string;
  offsetMs: number;
}

export interface TimeSkewFinding {
  kind: 'offset' | 'spread';
  chosen: string;
  other: string;
  /** Records showing it, of `of` carrying both fields. */
  records: number;
  of: number;
  /** offset: other - chosen (ms, whole seconds or quarter hours); spread: its extremes. */
  offsetMs?: number;
  minMs?: number;
  maxMs?: number;
  medianMs?: number;
  zoneLike?: boolean;
  offer?: ClockOffer;
  text: string;
}

/** `-04:00:00`, `+00:00:37`. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let s = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${sign}${p(h)}:${p(m)}:${p(s)}`;
}

function span(sec: number): string {
  const a = Math.abs(sec);
  if (a < 120) return `${a} s`;
  if (a < 7200 && a % 60 !== 0) return `${Math.floor(a / 60)} min ${a % 60} s`;
  if (a < 7200) return `${a / 60} min`;
  return a % 3600 === 0 ? `${a / 3600} h` : formatOffset(a * 1000).slice(1);
}

/** Reads one pair's histogram as offsets and a spread. */
export function analysePair(st: TimeSkewData): TimeSkewFinding[] {
  const keys = Object.keys(st.buckets)
    .map(Number)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const out: TimeSkewFinding[] = [];
  // Runs of adjacent seconds: a narrow run away from zero is a systematic offset, anything else off zero a spread.
  const spread: Array<[number, number]> = [];
  let i = 0;
  while (i < keys.length) {
    let j = i;
    while (j + 1 < keys.length && keys[j + 1]! - keys[j]! <= 1) j++;
    const run = keys.slice(i, j + 1);
    i = j + 1;
    const counts = run.map((k) => st.buckets[String(k)]!);
    const total = counts.reduce((a, b) => a + b, 0);
    const touchesZero = run[0]! <= AGREE_SEC && run[run.length - 1]! >= -AGREE_SEC;
    if (touchesZero) {
      run.forEach((k, x) => {
        if (Math.abs(k) > AGREE_SEC) spread.push([k, counts[x]!]);
      });
      continue;
    }
    let mode = run[0]!;
    run.forEach((k, x) => {
      if (counts[x]! > st.buckets[String(mode)]!) mode = k;
    });
    const quarter = Math.round(mode / QUARTER_HOUR_SEC) * QUARTER_HOUR_SEC;
    const zoneLike = quarter !== 0 && Math.abs(mode - quarter) <= PEAK_WIDTH_SEC;
    const lo = run[0]!;
    const hi = run[run.length - 1]!;
    // A narrow run is an offset; so is a time-zone-sized one give or take a collector's few seconds of lag.
    const narrow = hi - lo <= PEAK_WIDTH_SEC;
    const zoneWithLag = zoneLike && lo >= quarter - ZONE_SLACK_SEC && hi <= quarter + ZONE_SLACK_SEC;
    if ((narrow || zoneWithLag) && (total >= 2 || total === st.n)) {
      const offSec = zoneLike ? quarter : mode;
      out.push(offsetFinding(st, offSec * 1000, total, zoneLike, narrow ? 0 : Math.max(offSec - lo, hi - offSec)));
      continue;
    }
    run.forEach((k, x) => spread.push([k, counts[x]!]));
  }
  const spreadCount = spread.reduce((a, [, c]) => a + c, 0) + st.spill;
  if (spreadCount > 0 && spreadCount >= st.n * 0.01) out.push(spreadFinding(st, spread, spreadCount));
  return out;
}

function offsetFinding(st: TimeSkewData, offMs: number, records: number, zoneLike: boolean, slackSec: number): TimeSkewFinding {
  // The field to correct: the one written without zone when only one of them is, else the lower in precedence.
  const otherNaive = st.otherAssumedUtc * 2 > st.n;
  const chosenNaive = st.chosenAssumedUtc * 2 > st.n;
  const fixChosen = chosenNaive && !otherNaive;
  const offer: ClockOffer = fixChosen ? { field: st.chosen, offsetMs: offMs } : { field: st.other, offsetMs: -offMs };
  const sec = Math.round(offMs / 1000);
  const naive = [otherNaive ? st.other : '', chosenNaive ? st.chosen : ''].filter(Boolean);
  const text =
    `${st.other} is ${span(sec)} ${sec < 0 ? 'behind' : 'ahead of'} ${st.chosen} (${formatOffset(offMs)}${slackSec > 0 ? `, give or take ${span(slackSec)}` : ''}) on ${records} of ${st.n} ` +
    `record(s) carrying both: ${zoneLike ? 'a time-zone offset (local time written as UTC?)' : 'a clock set wrong or drifting?'}` +
    (naive.length ? `; ${naive.join(' and ')} ${naive.length > 1 ? 'are' : 'is'} written without zone (read as UTC)` : '') +
    `. Clock correction offered, not applied: ${offer.field} ${formatOffset(offer.offsetMs)}.`;
  return { kind: 'offset', chosen: st.chosen, other: st.other, records, of: st.n, offsetMs: offMs, zoneLike, offer, text };
}

function spreadFinding(st: TimeSkewData, spread: Array<[number, number]>, records: number): TimeSkewFinding {
  let lo = Infinity;
  let hi = -Infinity;
  for (const [k] of spread) {
    lo = Math.min(lo, k);
    hi = Math.max(hi, k);
  }
  if (st.spill > 0) {
    lo = Math.min(lo, Math.round(st.minMs / 1000));
    hi = Math.max(hi, Math.round(st.maxMs / 1000));
  }
  let median = 0;
  let seen = 0;
  const sorted = [...spread].sort((a, b) => a[0] - b[0]);
  for (const [k, c] of sorted) {
    seen += c;
    if (seen * 2 >= records - st.spill) {
      median = k;
      break;
    }
  }
  const dir = lo > 0 ? `later than ${st.chosen} by` : hi < 0 ? `earlier than ${st.chosen} by` : `off ${st.chosen} by`;
  const range = lo > 0 || hi < 0 ? `${span(Math.min(Math.abs(lo), Math.abs(hi)))} to ${span(Math.max(Math.abs(lo), Math.abs(hi)))}` : `${span(lo)} early to ${span(hi)} late`;
  const text =
    `${st.other} is ${dir} ${range} (median ${span(median)}) on ${records} of ${st.n} record(s) carrying both` +
    (lo > 0 ? ': a collector\'s receive time, not the event\'s?' : ': the two clocks disagree');
  return { kind: 'spread', chosen: st.chosen, other: st.other, records, of: st.n, minMs: lo * 1000, maxMs: hi * 1000, medianMs: median * 1000, text };
}

/** Every finding of a file's comparisons, pairs in the order the file first showed them. */
export function analyseTimeSkew(list: readonly TimeSkewData[] | undefined): TimeSkewFinding[] {
  return (list ?? []).flatMap(analysePair);
}

/**
 * The warning lines of a file's time comparison; `corrected(field)` gives the offset the analyst set for the events
 * timed by that field (or the whole file), so an offer already taken says so.
 */
export function timeSkewWarnings(list: readonly TimeSkewData[] | undefined, corrected?: (field: string) => number | undefined): string[] {
  return analyseTimeSkew(list).map((f) => {
    const set = f.offer ? corrected?.(f.offer.field) : undefined;
    const text = set === undefined ? f.text : f.text.replace(/ Clock correction offered, not applied: .*$/, ` The analyst set a clock correction: ${f.offer!.field} ${formatOffset(set)}.`);
    return `time fields disagree: ${text}`;
  });
}
