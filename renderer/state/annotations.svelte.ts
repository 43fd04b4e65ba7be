// The analyst's annotations of the open case (status, star, tags, comments on findings and events), as the
// host stores them: every change goes through `case.annotate` and the returned document replaces ours.
import type { Annotation, AnnotationChange, AnnotationDoc, AnnotationEdit, AnnotationStatus, AnnotationTarget } from '../../engine/case/annotations.ts';
import type { EventScope, HopscopeApi } from '../../engine/rpc/api.ts';

export const STATUSES: Array<{ value: AnnotationStatus; label: string }> = [
  { value: 'new', label: 'New' },
  { value: 'investigating', label: 'Investigating' },
  { value: 'confirmed-malicious', label: 'Confirmed malicious' },
  { value: 'benign', label: 'Benign' },
  { value: 'false-positive', label: 'False positive' },
];

/** A change as the editor makes it; target and time are added here. */
export type { AnnotationEdit };

/** Same as the host's BULK_MAX_EVENTS (the renderer imports engine types only). */
export const BULK_MAX_EVENTS = 10_000;

export class AnnotationsState {
  doc = $state.raw<AnnotationDoc>({ findings: {}, events: {} });
  /** Author of new comments (settings.analyst). */
  analyst = $state('analyst');
  saving = $state(false);
  /** Called after every saved change (the table refetches when its filter has annotation terms). */
  onsaved: (() => void) | null = null;

  constructor(private readonly api: HopscopeApi) {}

  async load(): Promise<void> {
    this.doc = await this.api.call('case.annotations', {});
    try {
      const s = await this.api.call('settings.get', {});
      if (s.analyst) this.analyst = s.analyst;
    } catch {
      // Settings are optional; comments keep the default author.
    }
  }

  /** Every tag used in the case, sorted: suggestions for new tags. */
  readonly tags = $derived.by(() => {
    const all = new Set<string>();
    for (const section of [this.doc.findings, this.doc.events]) for (const id in section) for (const t of section[id]!.tags) all.add(t);
    return [...all].sort((a, b) => a.localeCompare(b));
  });

  /** The same edits on many findings and/or every event of a table scope: one request, saved as one entry. */
  async bulk(targets: { findingIds?: string[]; events?: EventScope }, edits: AnnotationEdit[], now: () => Date = () => new Date()): Promise<void> {
    if (edits.length === 0) return;
    this.saving = true;
    try {
      this.doc = await this.api.call('case.annotate', { bulk: { edits, atIso: now().toISOString(), ...targets } });
      this.onsaved?.();
    } finally {
      this.saving = false;
    }
  }

  get(target: AnnotationTarget): Annotation | undefined {
    return target.kind === 'finding' ? this.doc.findings[target.id] : this.doc.events[target.id];
  }

  async change(target: AnnotationTarget, edit: AnnotationEdit, now: () => Date = () => new Date()): Promise<void> {
    const change = { ...edit, target, atIso: now().toISOString() } as AnnotationChange;
    this.saving = true;
    try {
      this.doc = await this.api.call('case.annotate', { changes: [change] });
      this.onsaved?.();
    } finally {
      this.saving = false;
    }
  }
}

/** True when a table filter has annotation terms, so its answer changes with the notes (engine/query/filter.ts). */
export function filterUsesAnnotations(filter: string): boolean {
  return /(?:^|[\s(])(?:NOT\s+)?(?:status|tag|is)(?:!=|[:=])|(?:^|[\s(])(?:starred|commented)(?=$|[\s)])/.test(filter);
}
