// Application state: which screen is shown, the running ingest job, the case summary and user-visible errors.
// Invariant: the screen follows the host's pushes (progress, error, case-partial, case-ready); errors keep code and location.
import type { ErrorInfo } from '../../engine/model/errors.ts';
import type { AppInfo, CaseSummary, EvidenceCheckResult, HopscopeApi, HostMappingEvent, HostPush, IngestProgress, RescanRequest } from '../../engine/rpc/api.ts';
import type { Finding, LateralLink } from '../../engine/detect/types.ts';
import type { Movement } from '../../engine/detect/movements/types.ts';
import { toErrorInfo } from '../api/api-error.ts';
import { AnnotationsState, filterUsesAnnotations } from './annotations.svelte.ts';
import { displayZone } from './display-zone.svelte.ts';
import { TableState } from './table-state.svelte.ts';
import { formatTime } from '../format.ts';
import { TimelineView, type TimeRange } from './timeline-view.svelte.ts';
import { parseSavedView, type SavedView } from './saved-view.ts';
import { defaultKinds, kindCounts } from './kinds.ts';

export type Screen = 'start' | 'loading' | 'case';

/** What the start screen asks to open. */
export type OpenRequest =
  | { kind: 'sample'; id: string }
  | { kind: 'recent'; id: string }
  | { kind: 'case'; id: string }
  | { kind: 'handles'; handles: string[] };

export interface ShownError extends ErrorInfo {
  /** Monotonic id so the banner can dismiss one error. */
  seq: number;
}

const MAX_ERRORS = 20;

/** The same evidence files (names and SHA-256s) as the case on screen: a re-run, not another case. */
function sameEvidence(a: CaseSummary | null, b: CaseSummary): boolean {
  if (!a || a.evidence.length !== b.evidence.length) return false;
  const key = (s: CaseSummary): string => s.evidence.map((e) => `${e.sha256}\u0000${e.name}`).sort().join('\u0001');
  return key(a) === key(b);
}

export class AppState {
  screen = $state<Screen>('start');
  info = $state.raw<AppInfo | null>(null);
  jobId = $state<string | null>(null);
  progress = $state.raw<IngestProgress | null>(null);
  summary = $state.raw<CaseSummary | null>(null);
  errors = $state.raw<ShownError[]>([]);
  /** Bumped on every new case so panels refetch. */
  caseVersion = $state(0);
  /** Bumped when saved notes change what an annotation filter matches (the timeline refetches). */
  notesVersion = $state(0);
  selectedFindingId = $state<string | null>(null);
  /** A recent case that did not reopen because evidence changed or moved: the relocate dialog shows it. */
  reopenProblem = $state.raw<{ id: string; checks: EvidenceCheckResult[] } | null>(null);
  /** A file of unknown layout waiting for the analyst's column mapping. */
  mapping = $state.raw<HostMappingEvent | null>(null);
  /** Store row shown in the details drawer. */
  detailsRow = $state<number | null>(null);
  /** The case screen shows a case still being read (`case-partial`): the progress banner stays until `case-ready`. */
  partial = $state(false);
  /** Bumped when a further partial push brought more events (timeline and table refetch, the view stays). */
  dataVersion = $state(0);
  private partialTimer: ReturnType<typeof setTimeout> | null = null;
  private pendingPartial: CaseSummary | null = null;
  /** True once the case's saved view was applied: saving earlier would overwrite it with the defaults. */
  viewReady = $state(false);
  private viewTimer: ReturnType<typeof setTimeout> | null = null;

  readonly view = new TimelineView();
  readonly table: TableState;
  readonly annotations: AnnotationsState;

  readonly rejectedTotal = $derived(this.summary ? this.summary.evidence.reduce((n, e) => n + e.rejected, 0) : 0);

  private seq = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(readonly api: HopscopeApi) {
    this.table = new TableState(api);
    this.annotations = new AnnotationsState(api);
    // Other events listed (a finding, host, link, bucket, range, filter or "Show all"): the details pane and its notes
    // editor close with the selection, so a note never lands on an event that is no longer in view.
    this.table.onscope = () => {
      this.detailsRow = null;
    };
    // Notes changed: a table filtered by status:, tag:, starred ... shows other events now.
    this.annotations.onsaved = () => {
      if (!filterUsesAnnotations(this.table.filter)) return;
      this.table.invalidate();
      this.notesVersion++;
    };
  }

  /** Subscribes to pushes and loads app info, an existing case and command-line files. */
  async start(): Promise<void> {
    this.unsubscribe ??= this.api.subscribe((p) => this.onPush(p));
    try {
      this.info = await this.api.call('app.info', {});
      // The display zone is a preference: a host without settings keeps UTC.
      this.api.call('settings.get', {}).then(
        (s) => void displayZone.set(s.timeZone || 'UTC'),
        () => {},
      );
      const summary = await this.api.call('case.summary', {});
      if (summary) {
        this.showCase(summary);
        return;
      }
      const preopened = await this.api.call('files.preopened', {});
      if (preopened.length > 0) await this.openHandles(preopened.map((h) => h.id));
    } catch (e) {
      this.addError(e);
    }
  }

  stop(): void {
    if (this.viewTimer) clearTimeout(this.viewTimer);
    this.viewTimer = null;
    this.clearPartialTimer();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  onPush(push: HostPush): void {
    switch (push.type) {
      case 'progress': {
        const p = push.progress;
        if (this.jobId && p.jobId !== this.jobId) return;
        this.jobId = p.jobId;
        this.progress = p;
        if (p.phase === 'cancelled' || p.phase === 'failed') {
          this.jobEnded();
        } else if (p.phase === 'done') {
          // case-ready normally follows; if it was lost (a reconnect), ask for the summary instead.
          void this.api.call('case.summary', {}).then(
            (s) => {
              if (s && (this.screen === 'loading' || this.partial) && this.jobId === p.jobId) this.showCase(s);
            },
            (e: unknown) => this.addError(e),
          );
        } else if (this.partial) {
          // The partial case stays on screen; the banner shows this progress.
        } else if (this.screen !== 'loading') {
          this.screen = 'loading';
        }
        break;
      }
      case 'error':
        this.addError(push.error);
        if (push.jobId && push.jobId === this.jobId) this.jobEnded();
        break;
      case 'case-partial':
        if (this.jobId && push.jobId !== this.jobId) return;
        this.jobId = push.jobId;
        if (!this.partial || this.screen !== 'case') this.showPartial(push.summary);
        else this.partialSoon(push.summary);
        break;
      case 'case-ready':
        this.showCase(push.summary);
        break;
      case 'needs-mapping':
        this.mapping = push;
        break;
    }
  }

  /** A job started by any opener (sample, files, recent). */
  jobStarted(jobId: string): void {
    this.jobId = jobId;
    this.progress = null;
    this.screen = 'loading';
  }

  open(req: OpenRequest): Promise<void> {
    switch (req.kind) {
      case 'sample':
        return this.openSample(req.id);
      case 'recent':
        return this.openRecent(req.id);
      case 'handles':
        return this.openHandles(req.handles);
      case 'case':
        return this.reopenCase(req.id);
    }
  }

  /** The last open request, re-issued with `takeOver` when the analyst takes a locked case over (issue 16 item 7). */
  private lastOpen: (() => Promise<void>) | null = null;

  /** Take over a case another Hopscope holds (E_CASE_LOCKED): the same open again, allowed to take the lock. */
  async takeOverCase(): Promise<void> {
    const again = this.lastOpen;
    this.errors = this.errors.filter((e) => e.code !== 'E_CASE_LOCKED');
    if (again) await again();
  }

  /** Reopens a recent case; its evidence is re-hashed first. Moved files can be named by handle (`relocate`). */
  async reopenCase(id: string, relocate?: Array<{ sha256: string; handle: string }>, takeOver = false): Promise<void> {
    const versionBefore = this.caseVersion;
    this.lastOpen = () => this.reopenCase(id, relocate, true);
    try {
      const req = { id, ...(relocate && relocate.length > 0 ? { relocate } : {}), ...(takeOver ? { takeOver } : {}) };
      const { jobId, checks } = await this.api.call('case.reopen', req);
      if (jobId === null) {
        this.reopenProblem = { id, checks };
        return;
      }
      this.reopenProblem = null;
      if (this.jobId === jobId || this.caseVersion !== versionBefore) return;
      this.jobStarted(jobId);
    } catch (e) {
      this.addError(e);
    }
  }

  async openHandles(handles: string[], takeOver = false): Promise<void> {
    this.lastOpen = () => this.openHandles(handles, true);
    await this.run(() => this.api.call('case.open', takeOver ? { handles, takeOver } : { handles }));
  }

  async openSample(id: string, takeOver = false): Promise<void> {
    this.lastOpen = () => this.openSample(id, true);
    await this.run(() => this.api.call('case.openSample', takeOver ? { id, takeOver } : { id }));
  }

  async openRecent(id: string, takeOver = false): Promise<void> {
    this.lastOpen = () => this.openRecent(id, true);
    await this.run(() => this.api.call('case.openRecent', takeOver ? { id, takeOver } : { id }));
  }

  async cancel(): Promise<void> {
    const jobId = this.jobId;
    if (!jobId) return;
    try {
      await this.api.call('case.cancel', { jobId });
    } catch (e) {
      this.addError(e);
    }
  }

  /** The job ended without a case (cancelled, failed): a partial case is gone with it (the host reset the engine). */
  private jobEnded(): void {
    this.jobId = null;
    if (this.partial) {
      this.clearPartialTimer();
      this.partial = false;
      this.summary = null;
      this.selectedFindingId = null;
      this.detailsRow = null;
      this.caseVersion++;
    }
    this.screen = this.summary ? 'case' : 'start';
  }

  /** First part of a case still being read: the case screen with the events so far (no saved view, no notes yet). */
  showPartial(summary: CaseSummary): void {
    this.clearPartialTimer();
    // A case being read is new evidence: the last case's filter (and kinds) do not follow it.
    this.clearFilter();
    this.resetKinds(summary);
    this.summary = summary;
    this.partial = true;
    this.screen = 'case';
    this.selectedFindingId = null;
    this.detailsRow = null;
    this.view.setExtent(summary.firstMs, summary.lastMs);
    this.table.setScope({});
    this.viewReady = false;
    this.caseVersion++;
  }

  private clearFilter(): void {
    this.table.resetFilter();
  }

  /** The kinds a new case shows (kinds.ts defaultKinds); none at all when its host says nothing of kinds. */
  private resetKinds(summary: CaseSummary): void {
    const counts = kindCounts(summary);
    this.table.kinds = counts ? defaultKinds(counts) : null;
  }

  /** Further partial pushes are coalesced: one refresh at most every `delayMs`. */
  private partialSoon(summary: CaseSummary, delayMs = 250): void {
    this.pendingPartial = summary;
    if (this.partialTimer) return;
    this.partialTimer = setTimeout(() => {
      this.partialTimer = null;
      const s = this.pendingPartial;
      this.pendingPartial = null;
      if (s && this.partial) this.refreshPartial(s);
    }, delayMs);
  }

  /** More events arrived: new counts and extent (the range follows only while it shows everything), refetch. */
  refreshPartial(summary: CaseSummary): void {
    const whole = this.view.showsAll;
    this.summary = summary;
    if (whole) this.view.setExtent(summary.firstMs, summary.lastMs);
    else this.view.growExtent(summary.firstMs, summary.lastMs);
    // Same query, more rows: refetch where the analyst is, without jumping the table back to the top.
    this.table.reload();
    this.dataVersion++;
  }

  private clearPartialTimer(): void {
    if (this.partialTimer) clearTimeout(this.partialTimer);
    this.partialTimer = null;
    this.pendingPartial = null;
  }

  showCase(summary: CaseSummary): void {
    this.clearPartialTimer();
    // The ready case of the partial one on screen, whose table lists all events: the same query over all rows, so the
    // table refetches where the analyst scrolled to instead of jumping to the top (a saved view still applies below).
    const sameTable = this.partial && this.screen === 'case' && !this.table.findingId && !this.table.range && !this.table.hosts;
    // Zoomed in or brushed while the case was read: keep that view (the extent grows around it).
    const keepView = this.partial && this.screen === 'case' && !this.view.showsAll;
    // Other evidence than the case on screen (Open… another file, a recent case): it starts unfiltered; its own saved
    // view (restored below) may bring its filter back. A re-run of detection or the ready case of the partial one
    // on screen keeps what the analyst typed.
    if (!(this.partial && this.screen === 'case') && !sameEvidence(this.summary, summary)) {
      this.clearFilter();
      this.resetKinds(summary);
    } else if (this.table.kinds === null && kindCounts(summary) !== null) this.resetKinds(summary);
    this.partial = false;
    this.summary = summary;
    this.jobId = null;
    this.screen = 'case';
    this.selectedFindingId = null;
    this.detailsRow = null;
    if (keepView) this.view.growExtent(summary.firstMs, summary.lastMs);
    else this.view.setExtent(summary.firstMs, summary.lastMs);
    if (sameTable) this.table.reload();
    else this.table.setScope({});
    this.caseVersion++;
    this.annotations.load().catch((e: unknown) => this.addError(e));
    this.viewReady = false;
    void this.restoreView(this.caseVersion);
  }

  /** What the case remembers of the view (read inside an effect, so every field read is tracked). */
  captureView(): SavedView {
    const view: SavedView = {
      v: 1,
      range: { startMs: this.view.startMs, endMs: this.view.endMs },
      filter: this.table.filter,
      columns: this.table.fieldColumns,
      sort: this.table.sort,
    };
    if (this.table.kinds) view.kinds = this.table.kinds;
    if (Object.keys(this.table.columnFilters).length > 0) view.columnFilters = { ...this.table.columnFilters };
    if (this.table.followTimeline) view.followTimeline = true;
    const scope: NonNullable<SavedView['scope']> = {};
    if (this.table.findingId) scope.findingId = this.table.findingId;
    if (this.table.range) scope.range = this.table.range;
    if (this.table.hosts) scope.hosts = this.table.hosts;
    view.scope = scope;
    if (this.selectedFindingId) view.selectedFindingId = this.selectedFindingId;
    if (this.detailsRow !== null) view.detailsRow = this.detailsRow;
    return view;
  }

  /** Applies the view saved in the case (reopening it); a case without one, or an old host, keeps the defaults. */
  async restoreView(version: number): Promise<void> {
    try {
      const saved = parseSavedView((await this.api.call('case.view', {})).view);
      if (saved && version === this.caseVersion && this.summary) {
        if (saved.range) this.view.setRange(saved.range.startMs, saved.range.endMs);
        if (saved.columns) this.table.setColumns(saved.columns);
        if (saved.sort) this.table.sort = saved.sort;
        this.table.filter = saved.filter ?? '';
        this.table.draft = saved.filter ?? '';
        if (saved.kinds && this.table.kinds !== null) this.table.kinds = saved.kinds;
        this.table.columnFilters = saved.columnFilters ?? {};
        this.table.followTimeline = saved.followTimeline ?? false;
        this.table.setScope(saved.scope ?? {});
        this.selectedFindingId = saved.selectedFindingId ?? null;
        if (saved.detailsRow !== undefined && saved.detailsRow < this.summary.events) this.detailsRow = saved.detailsRow;
      }
    } catch {
      // No saved view to restore; the defaults stay.
    } finally {
      if (version === this.caseVersion) this.viewReady = true;
    }
  }

  /** Saves the view in the case a moment after it last changed (call from an effect). */
  saveViewSoon(delayMs = 800): void {
    if (!this.viewReady || this.screen !== 'case' || !this.summary) return;
    const view = this.captureView();
    const version = this.caseVersion;
    if (this.viewTimer) clearTimeout(this.viewTimer);
    this.viewTimer = setTimeout(() => {
      this.viewTimer = null;
      // Another case opened meanwhile: this view belongs to the old one.
      if (version !== this.caseVersion || this.jobId !== null) return;
      this.api.call('case.saveView', { view }).catch(() => {
        // Losing a view state is harmless; annotations are saved separately and report their errors.
      });
    }, delayMs);
  }

  /** Re-runs detection with another bin width or rule selection; the host pushes case-ready, or we apply the answer. */
  async rescan(req: RescanRequest): Promise<void> {
    const versionBefore = this.caseVersion;
    try {
      const summary = await this.api.call('case.rescan', req);
      if (this.caseVersion === versionBefore) this.showCase(summary);
    } catch (e) {
      this.addError(e);
    }
  }

  /** SHA-256 of an evidence file of the open case, by its name (event annotations are keyed by it). */
  evidenceSha(name: string): string | undefined {
    return this.summary?.evidence.find((e) => e.name === name)?.sha256;
  }

  /** A finding was chosen: show its second on the timeline and only its events in the table. */
  focusFinding(f: Finding): void {
    this.selectedFindingId = f.id;
    this.view.focus({ startMs: f.binStartMs, endMs: f.binEndMs });
    this.table.setScope({ findingId: f.id, findingLabel: this.findingLabel(f) });
  }

  /** What the table's finding chip says: the rule's title, the host, the time and the event count (not the internal id). */
  findingLabel(f: Finding): string {
    const title = this.summary?.rules.find((r) => r.id === f.ruleId)?.title.trim() || f.ruleId;
    return `${title} · ${f.host} · ${formatTime(f.binStartMs)} · ${f.eventCount} ${f.eventCount === 1 ? 'event' : 'events'}`;
  }

  /** A host was chosen (risk list): all of its events. */
  focusHost(host: string): void {
    this.selectedFindingId = null;
    this.table.setScope({ hosts: [host] });
  }

  /** A lateral-movement link was chosen: both hosts' events from a little before to a little after it. */
  focusLink(l: LateralLink, contextMs = 30_000): void {
    this.selectedFindingId = null;
    const startMs = Math.min(l.fromTimeMs, l.toTimeMs) - contextMs;
    const endMs = Math.max(l.fromTimeMs, l.toTimeMs) + contextMs;
    this.view.focus({ startMs: Math.min(l.fromTimeMs, l.toTimeMs), endMs: Math.max(l.fromTimeMs, l.toTimeMs) + 1 }, contextMs);
    this.table.setScope({ range: { startMs, endMs }, hosts: [...new Set([l.fromHost, l.toHost])] });
  }

  /**
   * A movement was chosen (issue 14): the timeline shows its span, the table its source's and target's events from its
   * first step to its last (one second past), the way a lateral link is listed.
   */
  focusMovement(m: Movement, contextMs = 5_000): void {
    this.selectedFindingId = null;
    const endMs = m.lastMs + 1000;
    this.view.focus({ startMs: m.firstMs, endMs }, contextMs);
    const hosts = [...new Set([m.target, ...(m.source && !m.sourceOnly ? [m.source] : []), ...m.steps.map((s) => s.host)])];
    this.table.setScope({ range: { startMs: m.firstMs, endMs }, hosts });
  }

  /** A timeline bucket was clicked: list that bucket's events (of that host when a lane was hit). */
  pickBucket(range: TimeRange, host: string | null): void {
    this.selectedFindingId = null;
    this.table.setScope({ range, hosts: host ? [host] : null });
  }

  showDetails(row: number | null): void {
    this.detailsRow = row;
  }

  /** Back to the start screen to open other evidence; the current case stays loaded in the host. */
  goToStart(): void {
    this.screen = 'start';
  }

  addError(err: unknown): void {
    const info = toErrorInfo(err);
    this.errors = [...this.errors, { ...info, seq: ++this.seq }].slice(-MAX_ERRORS);
  }

  dismissError(seq: number): void {
    this.errors = this.errors.filter((e) => e.seq !== seq);
  }

  private async run(start: () => Promise<{ jobId: string }>): Promise<void> {
    const versionBefore = this.caseVersion;
    try {
      const { jobId } = await start();
      // Pushes may overtake the reply: a fast job may already be loading or even ready.
      if (this.jobId === jobId || this.caseVersion !== versionBefore) return;
      this.jobStarted(jobId);
    } catch (e) {
      this.addError(e);
    }
  }
}
