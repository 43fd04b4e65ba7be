// The analyst's annotations of the open case (status, star, tags, comments on findings and events), as the
// host stores them: every change goes through `case.annotate` and the returned document replaces ours.
import type { Annotation, AnnotationChange, AnnotationDoc, AnnotationStatus, AnnotationTarget } from '../../engine/case/annotations.ts';
import type { HopscopeApi } from '../../engine/rpc/api.ts';

export const STATUSES: Array<{ value: AnnotationStatus; label: string }> = [
  { value: 'new', label: 'New' },
  { value: 'investigating', label: 'Investigating' },
  { value: 'confirmed-malicious', label: 'Confirmed malicious' },
  { value: 'benign', label: 'Benign' },
  { value: 'false-positive', label: 'False positive' },
];

/** A change as the editor makes it; target and time are added here. */
export type AnnotationEdit = AnnotationChange extends infer C ? (C extends AnnotationChange ? Omit<C, 'target' | 'atIso'> : never) : never;

export class AnnotationsState {
  doc = $state.raw<AnnotationDoc>({ findings: {}, events: {} });
  /** Author of new comments (settings.analyst). */
  analyst = $state('analyst');
  saving = $state(false);

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

  get(target: AnnotationTarget): Annotation | undefined {
    return target.kind === 'finding' ? this.doc.findings[target.id] : this.doc.events[target.id];
  }

  async change(target: AnnotationTarget, edit: AnnotationEdit, now: () => Date = () => new Date()): Promise<void> {
    const change = { ...edit, target, atIso: now().toISOString() } as AnnotationChange;
    this.saving = true;
    try {
      this.doc = await this.api.call('case.annotate', { changes: [change] });
    } finally {
      this.saving = false;
    }
  }
}
