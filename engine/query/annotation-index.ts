// The analyst's annotations as the filter language sees them: per event row, its own annotation (keyed by
// evidence SHA-256 + record) and those of the annotated findings that contain it.
// Invariant: built from one immutable AnnotationDoc; `version` changes whenever the doc does, so cached answers expire.

import type { Annotation, AnnotationDoc, AnnotationStatus } from '../case/annotations.ts';
import type { Finding } from '../detect/types.ts';
import type { EventView } from '../store/view.ts';

export interface AnnotationIndex {
  /** Changes with every new document (query caches key on it). */
  readonly version: number;
  /** Annotations that apply to a row of this view (local row numbers); empty when none. */
  forView(view: EventView): (row: number) => readonly Annotation[];
}

interface Locating {
  locator(row: number): { evidence: number; record: number };
}

const NONE: readonly Annotation[] = Object.freeze([]);

/**
 * Build the lookup. `shaOfEvidence` gives the SHA-256 of the store's evidence index (from the host's metadata);
 * findings are resolved to their global rows.
 */
export function buildAnnotationIndex(
  doc: AnnotationDoc,
  version: number,
  shaOfEvidence: (evidence: number) => string | undefined,
  evidenceIndices: readonly number[],
  findings: readonly Finding[],
): AnnotationIndex {
  // evidence index -> record -> annotation
  const byEvidence = new Map<number, Map<number, Annotation>>();
  const eventKeys = Object.keys(doc.events);
  if (eventKeys.length > 0) {
    const indicesBySha = new Map<string, number[]>();
    for (const e of evidenceIndices) {
      const sha = shaOfEvidence(e)?.toLowerCase();
      if (!sha) continue;
      const list = indicesBySha.get(sha) ?? [];
      list.push(e);
      indicesBySha.set(sha, list);
    }
    for (const key of eventKeys) {
      const colon = key.lastIndexOf(':');
      const record = Number(key.slice(colon + 1));
      if (colon < 0 || !Number.isSafeInteger(record)) continue;
      for (const e of indicesBySha.get(key.slice(0, colon).toLowerCase()) ?? []) {
        let m = byEvidence.get(e);
        if (!m) byEvidence.set(e, (m = new Map()));
        m.set(record, doc.events[key]!);
      }
    }
  }
  // global row -> annotations of the findings holding it
  const byRow = new Map<number, Annotation[]>();
  for (const f of findings) {
    if (!Object.prototype.hasOwnProperty.call(doc.findings, f.id)) continue;
    const a = doc.findings[f.id]!;
    for (const ev of f.events) {
      const list = byRow.get(ev.row);
      if (list) list.push(a);
      else byRow.set(ev.row, [a]);
    }
  }
  return {
    version,
    forView(view) {
      const base = view.base;
      // Store segments know each row's evidence and record; other views only see finding annotations.
      const locator = (view as Partial<Locating>).locator?.bind(view);
      if (byEvidence.size === 0 || !locator) return (row) => byRow.get(base + row) ?? NONE;
      return (row) => {
        const fromFindings = byRow.get(base + row);
        const loc = locator(row);
        const own = byEvidence.get(loc.evidence)?.get(loc.record);
        if (!own) return fromFindings ?? NONE;
        return fromFindings ? [own, ...fromFindings] : [own];
      };
    },
  };
}

/** Statuses a row has: every non-`new` status among its annotations, or `new` when there is none. */
export function rowStatuses(list: readonly Annotation[]): AnnotationStatus[] {
  const out: AnnotationStatus[] = [];
  for (const a of list) if (a.status !== 'new' && !out.includes(a.status)) out.push(a.status);
  return out.length > 0 ? out : ['new'];
}
