// The one API the renderer talks to, transport-agnostic: Electron IPC (preload bridge), a WebSocket
// in browser mode, or in-process in tests. Every request is validated on receipt by the host.
// Invariant: the renderer never receives all events, only what is on screen (pages, aggregates).

import type { AnnotationChange, AnnotationDoc, AnnotationEdit } from '../case/annotations.ts';
import type { EventExplanation } from '../detect/explain.ts';
import type { GenericMapping } from '../formats/types.ts';
import type { ErrorInfo } from '../model/errors.ts';
import type { Finding, HostRisk, LateralLink } from '../detect/types.ts';
import type { MovementResult } from '../detect/movements/types.ts';
import type { HostTableEntry } from '../detect/movements/host-table.ts';
import type { RuleLoadIssue, RuleMeta } from '../rules/types.ts';

export type { HostTableEntry };

export interface AppInfo {
  name: string;
  version: string;
  mode: 'electron' | 'browser' | 'test';
  samples: Array<{ id: string; name: string; bytes: number; description: string }>;
}

/** A file the host is allowed to read: picked, dropped, uploaded, or named on the command line. */
export interface EvidenceHandle {
  id: string;
  name: string;
  bytes: number;
}

/** The analyst's settings; span and zone are the open case's when one is open (`fromCase`). */
export interface AnalystSettings {
  analyst: string;
  binSpanSec: number;
  /** IANA zone for display; stored times stay UTC. */
  timeZone: string;
  fromCase: boolean;
}

/** Reopening a case re-hashes its evidence: ok, changed (hash differs) or missing (relocate it). */
export interface EvidenceCheckResult {
  sha256: string;
  path: string;
  name: string;
  status: 'ok' | 'changed' | 'missing';
  actualSha256?: string;
  reason?: string;
}

/** A case opened before (its folder holds the annotations); reopened by id, never by a path from the renderer. */
export interface RecentCaseItem {
  id: string;
  name: string;
  /** Display only. */
  dir: string;
  openedAt: string;
  evidence: Array<{ name: string; sha256: string }>;
}

export interface RecentItem {
  kind: 'file' | 'case';
  name: string;
  /** Display path; reopening goes through `openRecent(id)`, never through a path from the renderer. */
  path: string;
  id: string;
  openedAt: string;
}

export interface IngestProgress {
  jobId: string;
  phase: 'hashing' | 'parsing' | 'indexing' | 'rules' | 'done' | 'cancelled' | 'failed';
  bytesDone: number;
  bytesTotal: number;
  records: number;
  rejected: number;
  /** Bytes per second over the job so far. */
  rate: number;
  file?: string;
}

export interface RejectSample {
  evidence: string;
  line?: number;
  record?: number;
  /** Byte offset of the record in the file, where the reader knows it. */
  byteOffset?: number;
  reason: string;
}

export interface EvidenceSummary {
  id: string;
  name: string;
  path: string;
  bytes: number;
  sha256: string;
  format: string;
  formatReason: string;
  encoding: string;
  events: number;
  nonProcessEvents: number;
  /** The file's events per kind (model/event-kinds.ts), adding up to `events`. */
  eventsByKind?: Record<string, number>;
  rejected: number;
  rejectedByReason: Record<string, number>;
  rejectSamples: RejectSample[];
  /** True when some times had no zone and were read as UTC. */
  assumedUtc: boolean;
  addedAt: string;
  /** Problems noticed while reading, e.g. the file changed during the read (the hash may not match what was parsed). */
  warnings?: string[];
  /** Clock corrections the analyst set on this file (its events' times are corrected; exports carry both times). */
  clock?: Array<{ offset: string; offset_ms: number; field?: string }>;
  /** Offsets its time fields show (query/time-skew.ts), offered as corrections, never applied without the analyst. */
  clockOffers?: ClockOffer[];
}

export interface ClockOffer {
  /** Events whose time came from this field would move by offsetMs. */
  field: string;
  offsetMs: number;
  /** `+04:00:00` */
  offset: string;
  /** Events of the file whose time came from `field`. */
  events: number;
  /** The warning it comes from. */
  reason: string;
}

export interface CaseSummary {
  evidence: EvidenceSummary[];
  events: number;
  hosts: string[];
  firstMs: number;
  lastMs: number;
  rules: RuleMeta[];
  ruleIssues: RuleLoadIssue[];
  findings: number;
  binSpanSec: number;
}

export interface TimelineRequest {
  startMs: number;
  endMs: number;
  /** Number of time buckets (screen columns); the host clamps it to a sane maximum. */
  buckets: number;
  hosts?: string[];
  filter?: string;
  /**
   * Only events of these kinds (model/event-kinds.ts names, at most EVENT_KINDS.length); absent: every kind.
   * The renderer's kind bar sends the kinds it shows.
   */
  kinds?: string[];
}

export interface TimelineLane {
  host: string;
  riskScore: number;
  counts: number[];
  findings: number[];
  maxRisk: number[];
}

export interface TimelineResponse {
  startMs: number;
  endMs: number;
  bucketMs: number;
  lanes: TimelineLane[];
  total: number[];
}

export type SortDir = 'asc' | 'desc';

export interface RowsRequest {
  offset: number;
  limit: number;
  sort?: { field: string; dir: SortDir };
  filter?: string;
  startMs?: number;
  endMs?: number;
  hosts?: string[];
  findingId?: string;
  columns?: string[];
  /** Only events of these kinds (as TimelineRequest.kinds); a finding's own events (`findingId`) are listed whatever their kind. */
  kinds?: string[];
  /**
   * The table's per-column filters, each with the filter and one another by AND: events whose value of `field`
   * contains `text`, any case, taken literally (no globs, quotes or regex; engine/query/column-filters.ts). At most
   * MAX_COLUMN_FILTERS, each text at most MAX_COLUMN_FILTER_CHARS; an empty text is no test.
   */
  columnFilters?: ColumnFilter[];
}

/** One per-column filter of the table: `field` (a column's field, `_time` or `_rules` too) contains `text`. */
export interface ColumnFilter {
  field: string;
  text: string;
}

export const MAX_COLUMN_FILTERS = 32;
export const MAX_COLUMN_FILTER_CHARS = 4096;

export interface RowsResponse {
  total: number;
  offset: number;
  columns: string[];
  rows: Array<{ row: number; timeMs: number; values: Array<string | null> }>;
  filterError?: ErrorInfo;
}

export interface EventDetails {
  row: number;
  timeMs: number;
  evidence: string;
  record: number;
  /** 1-based line; 0 where the evidence has no lines (a binary .evtx: its byte offset locates the record). */
  line: number;
  byteOffset?: number;
  canonical: Record<string, string | null>;
  original: Record<string, string>;
  raw: string;
  /** The field the event's time was read from (formats/time-fields.ts); absent when its mapper named none. */
  timeField?: string;
  /** Every time field the event carries, side by side: as written, as read (null: unreadable), whose clock. */
  timeFields?: EventTimeField[];
}

export interface EventTimeField {
  field: string;
  text: string;
  timeMs: number | null;
  role: 'event' | 'system' | 'collector';
  /** Written without zone and read as UTC. */
  assumedUtc?: boolean;
  /** The event's time came from this field. */
  chosen?: boolean;
  /** This field minus the event's time, ms. */
  deltaMs?: number;
}

export interface ProcessNode {
  row: number;
  timeMs: number;
  process_name: string | null;
  process: string | null;
  process_id: string | null;
  depth: number;
  /** `unlogged-parent`: the topmost logged process's parent as that process's fields name it; its creation is not in
   * the evidence, so `row` and `timeMs` are the child's. */
  relation: 'unlogged-parent' | 'ancestor' | 'self' | 'child' | 'descendant';
}

export interface FindingsResponse {
  findings: Finding[];
  hosts: HostRisk[];
  links: LateralLink[];
  /** Movements, paths, episodes and finding sources (issue 14); empty lists while no builder produced them. */
  movements: MovementResult;
}

/** "Why did this (not) match": one rule over a finding's events, or over any one row. */
export interface ExplainRequest {
  ruleId: string;
  findingId?: string;
  row?: number;
}
export type { EventExplanation };

export type ExportFormat = 'json' | 'csv' | 'ndjson' | 'html';

export interface ExportRequest {
  /** `pdf`: the HTML report printed to PDF (desktop app only). */
  format: ExportFormat | 'pdf';
  /** Only these findings (with their annotations); absent: the whole case. */
  findingIds?: string[];
}

export interface ExportResponse {
  /** Suggested file name (`hopscope-report.json` ...). */
  fileName: string;
  mime: string;
  bytes: number;
  /** Electron: where the host saved it after the save dialog; null when the user cancelled. */
  savedTo?: string | null;
  /** Browser mode and tests: the report itself, for the renderer to offer as a download. */
  text?: string;
}

/** Most events one bulk annotation may target (the table's filter must be narrower beyond it). */
export const BULK_MAX_EVENTS = 10_000;
/** Events one CSV export of the table takes (browser mode hands the file over the socket in one message). */
export const EXPORT_MAX_EVENTS = 100_000;
/** Most findings one bulk annotation may target. */
export const BULK_MAX_FINDINGS = 10_000;

/** The events the table shows: its filter, range, hosts or finding (no paging, no sort). */
export type EventScope = Pick<RowsRequest, 'filter' | 'startMs' | 'endMs' | 'hosts' | 'findingId' | 'kinds' | 'columnFilters'>;

/**
 * The same edits (status, tag, comment, star) applied to many findings and/or the events of a table
 * scope, saved as one journal entry: all or none.
 */
export interface BulkAnnotation {
  edits: AnnotationEdit[];
  /** When the analyst made the change (ISO 8601 UTC). */
  atIso: string;
  findingIds?: string[];
  /** Every event of this scope, at most BULK_MAX_EVENTS (E_USAGE with the count beyond it). */
  events?: EventScope;
}

/** Re-run detection over the open case with another bin width and/or rule selection (no re-parse). */
export interface RescanRequest {
  binSpanSec?: number;
  /** Only these rules run; absent keeps the current selection. */
  enabledRuleIds?: string[];
  /** Read the rule files again (after `rules.add`): new rules run, rules switched off stay off. */
  reloadRules?: boolean;
}

/** A rule file the analyst adds from the app: its file name (no folders) and its text. */
export interface RuleFileUpload {
  name: string;
  text: string;
}

export interface RulesAddResult {
  /** Where each file went: Sigma rules, SPL rule-pack files, or SPL macros; `name` as saved (renamed on a clash). */
  added: Array<{ name: string; kind: 'sigma' | 'spl' | 'macros' }>;
}

export interface HostEvent {
  type: 'progress';
  progress: IngestProgress;
}
export interface HostErrorEvent {
  type: 'error';
  /** Set when this error ended that job; notices during a job (a skipped file, a read warning) carry none. */
  jobId?: string;
  error: ErrorInfo;
}
export interface HostReadyEvent {
  type: 'case-ready';
  summary: CaseSummary;
}
/**
 * Partial view: part of the evidence is in the case while the job still reads the rest. Timeline and table queries
 * answer on the events so far; `summary.findings` is 0 and `summary.rules` empty until the rules run (`case-ready`).
 */
export interface HostPartialEvent {
  type: 'case-partial';
  jobId: string;
  summary: CaseSummary;
}
/**
 * A file of no known layout was skipped: the renderer asks which columns hold time, host and process
 * fields, saves the answer with `files.setMapping` (remembered per header signature), and opens it again.
 */
export interface HostMappingEvent {
  type: 'needs-mapping';
  file: string;
  /** The registered handle of the file, when it was opened through one. */
  handle?: string;
  signature: string;
  container: string;
  columns: string[];
}
export type HostPush = HostEvent | HostErrorEvent | HostReadyEvent | HostPartialEvent | HostMappingEvent;
export type { GenericMapping };

/**
 * Request/response contract: channel name -> [request, response]. Both transports and the
 * validators in `rpc/validate.ts` are keyed by this map.
 */
export interface ApiContract {
  'app.info': [Record<string, never>, AppInfo];
  'files.recent': [Record<string, never>, RecentItem[]];
  /** Native open dialog (Electron) — browser mode uploads instead. `folder`: pick a folder, opened as its log files. */
  'files.pick': [{ folder?: boolean }, EvidenceHandle[]];
  /** Files named on the command line, already allowed. */
  'files.preopened': [Record<string, never>, EvidenceHandle[]];
  /** `takeOver`: the analyst confirmed taking the case's lock from another Hopscope (after E_CASE_LOCKED). */
  'case.open': [{ handles: string[]; takeOver?: boolean }, { jobId: string }];
  'case.openSample': [{ id: string; takeOver?: boolean }, { jobId: string }];
  'case.openRecent': [{ id: string; takeOver?: boolean }, { jobId: string }];
  'case.cancel': [{ jobId: string }, { cancelled: boolean }];
  'case.summary': [Record<string, never>, CaseSummary | null];
  'query.timeline': [TimelineRequest, TimelineResponse];
  'query.rows': [RowsRequest, RowsResponse];
  'query.event': [{ row: number }, EventDetails];
  'query.processTree': [{ row: number }, ProcessNode[]];
  'query.findings': [{ sort?: 'risk' | 'time' }, FindingsResponse];
  /** The case report in one format (JSON / CSV / NDJSON / self-contained HTML). */
  'case.export': [ExportRequest, ExportResponse];
  /** The events a table scope shows, as CSV with their evidence locators (at most EXPORT_MAX_EVENTS). */
  'case.exportEvents': [{ scope: EventScope; columns: string[] }, ExportResponse];
  'case.rescan': [RescanRequest, CaseSummary];
  /** Saves rule files into the user's rule folders (used by this and every later case); `case.rescan` with `reloadRules` runs them. */
  'rules.add': [{ files: RuleFileUpload[] }, RulesAddResult];
  /** The analyst's annotations of the open case (saved per evidence set in the user-data folder). */
  'case.annotations': [Record<string, never>, AnnotationDoc];
  /**
   * Apply annotation changes in order (one journal entry: all or none), save durably, return the new document.
   * An event target may be `{ kind: 'event', id: '<sha256>:<record>' }` or `{ kind: 'event', sha256, record }`.
   * `bulk` applies the same edits to many findings and the events of a table scope, in the same one entry.
   */
  'case.annotate': [{ changes?: AnnotationChange[]; bulk?: BulkAnnotation }, AnnotationDoc];
  'query.explain': [ExplainRequest, EventExplanation[]];
  /** Remember a column mapping for every file whose header has this signature (user-data folder). */
  'files.setMapping': [{ signature: string; mapping: GenericMapping }, { ok: true }];
  'settings.get': [Record<string, never>, AnalystSettings];
  /** Change some settings (user-data folder; span and zone also go into the open case). */
  'settings.set': [{ analyst?: string; binSpanSec?: number; timeZone?: string }, AnalystSettings];
  /** Re-hash the open case's evidence files. */
  'case.verifyEvidence': [Record<string, never>, EvidenceCheckResult[]];
  /** Point the case at a moved evidence file (picked/dropped, so it has a handle); refused unless the hash matches. */
  'case.relocate': [{ sha256: string; handle: string }, EvidenceCheckResult];
  /** Save the renderer's view state (opaque JSON, at most 256 KiB) in the case. */
  'case.saveView': [{ view: unknown }, { ok: true }];
  /**
   * Set (offsetMs) or undo (0) a clock correction of one evidence file, or of its events timed by `field`: saved in
   * the case, applied to those events, detection runs again. Returns the new summary.
   */
  'case.setClock': [{ sha256: string; field?: string; offsetMs: number }, CaseSummary];
  /**
   * Replace the analyst's IP -> host table of the open case (`[]` removes it): movements name a source address no
   * event resolves by it (resolvedBy 'host-table'). Checked (IPv4/IPv6, host names of [A-Za-z0-9._-] up to 255,
   * at most 100,000 entries, one host per address), saved in the case, detection runs again. Returns the new summary.
   */
  'case.setHostTable': [{ entries: HostTableEntry[] }, CaseSummary];
  /** The open case's IP -> host table (addresses in canonical spelling; [] when none). */
  'case.hostTable': [Record<string, never>, { entries: HostTableEntry[] }];
  /** The view state saved in the open case (null when none); the renderer validates it before applying it. */
  'case.view': [Record<string, never>, { view: unknown }];
  'case.recent': [Record<string, never>, RecentCaseItem[]];
  /**
   * Reopen a recent case: its evidence is re-hashed first. When every file is ok the case opens (jobId);
   * otherwise jobId is null and the checks say which files changed or are missing. Moved files are named
   * in `relocate` by a handle (picked/dropped) and accepted only when their SHA-256 matches the case.
   */
  'case.reopen': [
    { id: string; relocate?: Array<{ sha256: string; handle: string }>; takeOver?: boolean },
    { jobId: string | null; checks: EvidenceCheckResult[] },
  ];
}

export type Channel = keyof ApiContract;
export type Req<C extends Channel> = ApiContract[C][0];
export type Res<C extends Channel> = ApiContract[C][1];

/** The DOM `File` as seen from the pure engine (the renderer passes real Files). */
export interface FileLike {
  readonly name: string;
  readonly size: number;
}

/** What the renderer holds: one object, whatever the transport. */
export interface HopscopeApi {
  call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>>;
  /** Subscribe to host pushes (progress, errors, case ready); returns an unsubscribe function. */
  subscribe(listener: (push: HostPush) => void): () => void;
  /** Browser mode only: upload a picked or dropped File; Electron resolves dropped files in preload. */
  upload?(file: FileLike): Promise<EvidenceHandle>;
  /** Electron only: register a dropped File by its path (preload uses webUtils.getPathForFile); a folder gives its log files. */
  registerDropped?(file: FileLike): Promise<EvidenceHandle | EvidenceHandle[]>;
}
