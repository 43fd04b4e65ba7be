// Evidence loaded twice: the same file (identical SHA-256), or the same events in two forms (an .xml and its NDJSON),
// would silently double every count. This finds both and words a warning for each file concerned.
// Invariant: O(rows) time and O(files x SAMPLE) memory: a sample of each file's events is looked up while every row of
// the case is scanned once, behind a numeric (host, second) prefilter, so no per-event set of the whole case is built.

import { windowsRecordId } from './record-id.ts';
import type { EventStore } from '../store/store.ts';

export interface EvidenceIdentity {
  evidence: number;
  name: string;
  /** '' while the hash is not known yet. */
  sha256: string;
}

/** Events sampled per file (evenly spread over its rows). */
export const OVERLAP_SAMPLE = 1000;
/** Share of a file's sampled events found in another file from which the overlap is reported. */
export const OVERLAP_MIN_SHARE = 0.1;

/** Warnings by evidence index (only files with something to say). */
export function duplicateEvidenceWarnings(store: EventStore, evidence: readonly EvidenceIdentity[], sample = OVERLAP_SAMPLE): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (e: number, w: string): void => {
    const l = out.get(e);
    if (l) l.push(w);
    else out.set(e, [w]);
  };
  const byIndex = new Map(evidence.map((e) => [e.evidence, e]));
  const sameFile = (a: number, b: number): boolean => {
    const sa = byIndex.get(a)?.sha256 ?? '';
    return sa !== '' && sa === (byIndex.get(b)?.sha256 ?? '');
  };

  // Identical files: the later copies say whose copy they are.
  const firstWithSha = new Map<string, EvidenceIdentity>();
  for (const e of [...evidence].sort((a, b) => a.evidence - b.evidence)) {
    if (!e.sha256) continue;
    const first = firstWithSha.get(e.sha256);
    if (first) add(e.evidence, `the same file as ${first.name} (identical SHA-256): its events are in the case twice, so every count includes them twice`);
    else firstWithSha.set(e.sha256, e);
  }
  if (evidence.length < 2 || store.rowCount === 0) return out;

  // Rows per evidence, then an evenly spread sample of each.
  const views = store.views;
  const perEvidence = new Map<number, number>();
  for (const v of views) {
    const ev = v.segment.evidence;
    for (let r = 0; r < v.rowCount; r++) perEvidence.set(ev[r]!, (perEvidence.get(ev[r]!) ?? 0) + 1);
  }
  if (perEvidence.size < 2) return out;
  const hostOf = store.hostIdsOfRows();
  const sec = (ms: number): number => Math.floor(ms / 1000);
  const prefix = (g: number, ms: number): number => hostOf[g]! * 2 ** 32 + (sec(ms) >>> 0);
  const keysOf = (view: (typeof views)[number], row: number): string[] => {
    const g = view.base + row;
    const head = `${hostOf[g]}|${sec(view.timeMs[row]!)}|`;
    const keys: string[] = [];
    const rid = windowsRecordId(view, row);
    if (rid !== undefined) keys.push(`${head}r${rid}`);
    const pid = view.column('process_id')?.get(row) ?? '';
    const cmd = view.column('process')?.get(row) ?? '';
    if (pid !== '' || cmd !== '') keys.push(`${head}p${pid}|${cmd.trim().toLowerCase()}`);
    return keys;
  };

  const stride = new Map<number, number>();
  for (const [e, n] of perEvidence) stride.set(e, Math.max(1, Math.floor(n / sample)));
  const seenOf = new Map<number, number>();
  const sampled = new Map<number, number>();
  const slotOwner: number[] = [];
  const slotsByKey = new Map<string, number[]>();
  const prefixes = new Set<number>();
  for (const v of views) {
    const ev = v.segment.evidence;
    for (let r = 0; r < v.rowCount; r++) {
      const e = ev[r]!;
      const i = seenOf.get(e) ?? 0;
      seenOf.set(e, i + 1);
      if (i % stride.get(e)! !== 0 || (sampled.get(e) ?? 0) >= sample) continue;
      const keys = keysOf(v, r);
      if (keys.length === 0) continue;
      const slot = slotOwner.length;
      slotOwner.push(e);
      sampled.set(e, (sampled.get(e) ?? 0) + 1);
      prefixes.add(prefix(v.base + r, v.timeMs[r]!));
      for (const k of keys) {
        const l = slotsByKey.get(k);
        if (l) l.push(slot);
        else slotsByKey.set(k, [slot]);
      }
    }
  }

  // One pass over the case: which sampled events of file A also occur in file B.
  const found = new Map<string, Set<number>>();
  for (const v of views) {
    const ev = v.segment.evidence;
    for (let r = 0; r < v.rowCount; r++) {
      if (!prefixes.has(prefix(v.base + r, v.timeMs[r]!))) continue;
      const e = ev[r]!;
      for (const k of keysOf(v, r)) {
        for (const slot of slotsByKey.get(k) ?? []) {
          const owner = slotOwner[slot]!;
          if (owner === e || sameFile(owner, e)) continue;
          const pair = `${owner}|${e}`;
          let s = found.get(pair);
          if (!s) found.set(pair, (s = new Set()));
          s.add(slot);
        }
      }
    }
  }
  for (const [pair, slots] of [...found].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const [a, b] = pair.split('|').map(Number) as [number, number];
    const n = sampled.get(a) ?? 0;
    if (n === 0 || slots.size / n < OVERLAP_MIN_SHARE) continue;
    const pct = Math.round((100 * slots.size) / n);
    add(
      a,
      `${pct}% of its events (${slots.size} of ${n}${n < (perEvidence.get(a) ?? 0) ? ' sampled' : ''}) are also in ${byIndex.get(b)?.name ?? store.evidenceName(b)} ` +
        `(same host, second and record id, or process id and command line): the same events in two forms are counted twice`,
    );
  }
  return out;
}
