// The pure engine session the worker pumps: the case's EventStore, its loaded rules and detection result,
// and every question the host asks about them. Invariant: the store is immutable — adding segments builds a
// new one and drops the detection result, so no answer ever mixes two versions of the case.

import { eventAnnotationKey, parseAnnotationDoc, type AnnotationDoc } from './case/annotations.ts';
import type { Finding, FindingEventRef } from './detect/types.ts';
import { explainFinding, whyNot, type EventExplanation } from './detect/explain.ts';
import { detect, type DetectionResult } from './detect/run.ts';
import { emptyMovements, movementsOf } from './detect/movement-view.ts';
import { checkHostTable, hostTableRecord, type HostTableEntry } from './detect/movements/host-table.ts';
import { csvRow, findingsToCsv } from './export/csv.ts';
import { buildHtmlReport } from './export/html.ts';
import { eventLine, eventsCsvHeader, eventsExportColumns, type EventExportContext, type EventsExportColumns, type EventsFormat } from './export/events.ts';
import { findingsToNdjson } from './export/ndjson.ts';
import { buildReport, isoUtc, reportToJson, type Report, type ReportEvidence, type ReportInput } from './export/report.ts';
import type { IngestStats } from './model/sink.ts';
import { HopscopeError, toErrorInfo, type ErrorInfo } from './model/errors.ts';
import type { CaseSummary, EventDetails, EventScope, ClockOffer, EvidenceSummary, FindingsResponse, ProcessNode, RowsRequest, RowsResponse, TimelineRequest, TimelineResponse } from './rpc/api.ts';
import type { DetectResult, EvidenceMetaParams, LoadRulesParams, LoadRulesResult, ReportFormat, TextFile } from './rpc/protocol.ts';
import type { CompiledRule, LoadedRuleSet, RuleLoadIssue, RuleMeta } from './rules/types.ts';
import type { Segment } from './store/segment.ts';
import { EventStore, type EvidenceStats } from './store/store.ts';
import { basicQueries } from './session/basic-queries.ts';
import type { QueryContext, SessionQueries } from './session/queries.ts';

export type { QueryContext, SessionQueries };
import { buildAnnotationIndex, type AnnotationIndex } from './query/annotation-index.ts';
import { windowsRecordId } from './query/record-id.ts';
import { whatRanOf } from './export/what-ran.ts';
import { duplicateEvidenceWarnings } from './query/duplicates.ts';
import { analyseTimeSkew, formatOffset, timeSkewWarnings } from './query/time-skew.ts';
import { applyClock, checkCorrections, type ClockCorrection } from './store/clock.ts';

/** The fields engine/export/what-ran.ts reads for a report's "what ran". */
const WHAT_RAN_FIELDS = ['dest', 'user', 'parent_process_name', 'parent_process_path', 'parent_process', 'process_name', 'process_path', 'process'] as const;

/** Per-rule time budget: generous for 10 M events, finite so one hostile or broken rule cannot hold the case. */
export const RULE_BUDGET_MS = 120_000;

export interface SessionDeps {
  loadRulePack?: (files: TextFile[], macros: TextFile[]) => LoadedRuleSet;
  loadSigmaRules?: (files: TextFile[]) => LoadedRuleSet;
  /** Any subset; the rest falls back to the basic query layer. */
  queries?: Partial<SessionQueries>;
  tool?: { name: string; version: string };
}

/** What the ingest of one file reported, kept for the evidence summary. */
export interface EvidenceIngestInfo {
  evidence: number;
  name: string;
  format: string;
  formatReason: string;
  encoding: string;
  stats: IngestStats;
}

/** A point to roll the case back to (EngineSession.mark). */
export interface SessionMark {
  readonly segments: number;
  readonly evidence: ReadonlyMap<number, EvidenceEntry>;
}

export interface EvidenceEntry {
  ingest: EvidenceIngestInfo;
  meta?: EvidenceMetaParams;
}

export class EngineSession {
  private segments: Segment[] = [];
  private store = new EventStore([]);
  private evidence = new Map<number, EvidenceEntry>();
  private rules: CompiledRule[] = [];
  /** Every loaded rule, enabled or not, so "why not" works for a rule the analyst switched off. */
  private loaded: CompiledRule[] = [];
  private ruleMetas: RuleMeta[] = [];
  private ruleIssues: RuleLoadIssue[] = [];
  private result: DetectionResult | null = null;
  private ctx: QueryContext = { findings: [], findingById: new Map(), hostRisk: new Map() };
  private binSpanSec = 1;
  private annotationDoc: AnnotationDoc = { findings: {}, events: {} };
  private annotationVersion = 0;
  /** Duplicate-evidence warnings of the detected case, per store and evidence hashes (engine/query/duplicates.ts). */
  private duplicates: { store: EventStore; hashes: string; warnings: Map<number, string[]> } | null = null;
  private readonly queries: SessionQueries;
  /** The analyst's per-file clock corrections (store/clock.ts), applied to every segment of their files. */
  private clock: ClockCorrection[] = [];
  /** The analyst's IP -> host table (detect/movements/host-table.ts), handed to the movement builder by every detection. */
  private hostTable: HostTableEntry[] = [];
  private hostTableRec: Record<string, string> | null = null;

  constructor(private readonly deps: SessionDeps = {}) {
    this.queries = { ...basicQueries, ...deps.queries };
  }

  /** Forget the case (rules stay loaded). */
  reset(): void {
    this.segments = [];
    this.store = new EventStore([]);
    this.evidence.clear();
    this.annotationDoc = { findings: {}, events: {} };
    this.hostTable = [];
    this.hostTableRec = null;
    this.setResult(null);
  }

  get rowCount(): number {
    return this.store.rowCount;
  }

  eventStore(): EventStore {
    return this.store;
  }

  addSegments(segments: readonly Segment[], info?: EvidenceIngestInfo): void {
    const nonEmpty = segments.filter((s) => s.rowCount > 0 || s.stats.length > 0);
    if (this.clock.length) for (const s of nonEmpty) applyClock(s, this.clock);
    this.segments = [...this.segments, ...nonEmpty];
    const names = new Map<number, string>();
    for (const [i, e] of this.evidence) names.set(i, e.ingest.name);
    if (info) {
      this.evidence.set(info.evidence, { ingest: info, meta: this.evidence.get(info.evidence)?.meta });
      names.set(info.evidence, info.name);
    }
    this.store = new EventStore(this.segments, names);
    this.setResult(null);
  }

  /**
   * Sets the case's clock corrections (all of them: an empty list undoes every one). The events they apply to move;
   * the findings are gone until detection runs again (the caller runs it), so they move too.
   */
  setClockCorrections(list: readonly ClockCorrection[]): { moved: number } {
    const bad = checkCorrections(list);
    if (bad) throw new HopscopeError('E_USAGE', bad);
    this.clock = list.map((c) => ({ evidence: c.evidence, offsetMs: c.offsetMs, ...(c.field !== undefined ? { field: c.field } : {}) }));
    let moved = 0;
    for (const s of this.segments) moved += applyClock(s, this.clock);
    const names = new Map<number, string>();
    for (const [i, e] of this.evidence) names.set(i, e.ingest.name);
    this.store = new EventStore(this.segments, names);
    this.setResult(null);
    return { moved };
  }

  clockCorrections(): readonly ClockCorrection[] {
    return this.clock;
  }

  /**
   * Sets the analyst's IP -> host table (all of it: an empty list removes it), checked again here. The movements are
   * gone until detection runs again (the caller runs it). Returns how many entries the table holds.
   */
  setHostTable(entries: unknown): { entries: number } {
    this.hostTable = checkHostTable(entries);
    this.hostTableRec = this.hostTable.length ? hostTableRecord(this.hostTable) : null;
    this.setResult(null);
    return { entries: this.hostTable.length };
  }

  hostTableEntries(): readonly HostTableEntry[] {
    return this.hostTable;
  }

  /** Where the case stands now, so a file whose ingest fails after partial segments can be taken out again. */
  mark(): SessionMark {
    return { segments: this.segments.length, evidence: new Map(this.evidence) };
  }

  /** Back to a mark: drops the segments added since (a cancelled or failed ingest) and their evidence entries. */
  rollback(mark: SessionMark): void {
    if (this.segments.length === mark.segments && this.evidence.size === mark.evidence.size) return;
    this.segments = this.segments.slice(0, mark.segments);
    this.evidence = new Map(mark.evidence);
    const names = new Map<number, string>();
    for (const [i, e] of this.evidence) names.set(i, e.ingest.name);
    this.store = new EventStore(this.segments, names);
    this.setResult(null);
  }

  setEvidenceMeta(meta: EvidenceMetaParams): void {
    const e = this.evidence.get(meta.evidence);
    if (!e) throw new HopscopeError('E_PROTOCOL', `no evidence ${meta.evidence} in the case`);
    e.meta = meta;
    this.indexAnnotations();
  }

  loadRules(params: LoadRulesParams): LoadRulesResult {
    const rules: CompiledRule[] = [];
    const issues: RuleLoadIssue[] = [];
    const add = (set: LoadedRuleSet): void => {
      rules.push(...set.rules);
      issues.push(...set.issues);
    };
    // Files the host refused to read (too large) are issues of their own; the rest load as usual.
    const readable = (files: TextFile[]): TextFile[] =>
      files.filter((f) => {
        if (f.refused === undefined) return true;
        issues.push({ source: f.path, severity: 'error', code: 'E_RULE_PARSE', message: f.refused, location: { file: f.path } });
        return false;
      });
    params = { ...params, files: readable(params.files), macros: readable(params.macros), sigmaFiles: readable(params.sigmaFiles) };
    const guarded = (what: string, files: TextFile[], load: () => LoadedRuleSet): void => {
      try {
        add(load());
      } catch (err) {
        const info = toErrorInfo(err);
        issues.push({ source: files[0]?.path ?? what, severity: 'error', code: info.code, message: `${what}: ${info.message}`, location: info.location });
      }
    };
    if (params.files.length || params.macros.length) {
      const load = this.deps.loadRulePack;
      if (load) guarded('rule pack', params.files, () => load(params.files, params.macros));
      else for (const f of params.files) issues.push({ source: f.path, severity: 'unsupported', code: 'E_RULE_UNSUPPORTED', message: 'SPL rule packs are not available in this build' });
    }
    if (params.sigmaFiles.length) {
      const load = this.deps.loadSigmaRules;
      if (load) guarded('sigma', params.sigmaFiles, () => load(params.sigmaFiles));
      else for (const f of params.sigmaFiles) issues.push({ source: f.path, severity: 'unsupported', code: 'E_RULE_UNSUPPORTED', message: 'Sigma is not available in this build' });
    }
    // Same input, same order: rules sorted by id, duplicates after the first refused.
    rules.sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0));
    const seen = new Set<string>();
    const enabled = params.enabledIds ? new Set(params.enabledIds) : null;
    const kept: CompiledRule[] = [];
    for (const r of rules) {
      if (seen.has(r.meta.id)) {
        issues.push({ source: r.meta.source, ruleId: r.meta.id, title: r.meta.title, severity: 'warning', code: 'E_RULE_PARSE', message: `duplicate rule id ${r.meta.id}; this copy is skipped` });
        continue;
      }
      seen.add(r.meta.id);
      kept.push(r);
    }
    this.loaded = kept;
    this.rules = kept.filter((r) => (enabled ? enabled.has(r.meta.id) : r.meta.enabled !== false));
    this.ruleMetas = kept.map((r) => ({ ...r.meta, enabled: this.rules.includes(r) }));
    this.ruleIssues = issues;
    this.setResult(null);
    return { rules: this.ruleMetas, issues };
  }

  /**
   * Runs every enabled rule. Each rule has its own cooperative time budget (default RULE_BUDGET_MS): a runaway
   * rule is stopped and reported in ruleErrors (E_RULE_BUDGET) while the others still produce findings.
   */
  runDetection(opts: { binSpanSec: number; budgetMs?: number; isCancelled?: () => boolean; onRule?: (done: number, total: number) => void }): DetectResult {
    const t0 = performance.now();
    this.binSpanSec = opts.binSpanSec;
    const store = this.store;
    const res = detect(store, this.rules, {
      binSpanSec: opts.binSpanSec,
      budgetMs: opts.budgetMs ?? RULE_BUDGET_MS,
      isCancelled: opts.isCancelled,
      onRule: opts.onRule ? (_id, done, total) => opts.onRule!(done, total) : undefined,
      ...(this.hostTableRec ? { movements: { hostTable: this.hostTableRec } } : {}),
      locate: (row) => {
        const loc = store.locator(row);
        return { evidence: loc.evidence, record: loc.record };
      },
    });
    this.setResult(res);
    const ruleErrors: ErrorInfo[] = res.ruleErrors.map((e) => ({ ...e.error, message: `${e.ruleId}: ${e.error.message}` }));
    return { findings: res.findings.length, hosts: res.hosts.length, ruleErrors, elapsedMs: performance.now() - t0 };
  }

  private setResult(res: DetectionResult | null): void {
    this.result = res;
    const findings = res?.findings ?? [];
    this.ctx = {
      findings,
      findingById: new Map(findings.map((f) => [f.id, f])),
      hostRisk: new Map((res?.hosts ?? []).map((h) => [h.host, h.riskScore])),
    };
    this.indexAnnotations();
  }

  /** The open case's annotations (validated again here): annotation filter terms answer from them. */
  setAnnotations(doc: unknown): void {
    this.annotationDoc = parseAnnotationDoc(doc);
    this.indexAnnotations();
  }

  private indexAnnotations(): void {
    const doc = this.annotationDoc;
    const empty = Object.keys(doc.findings).length === 0 && Object.keys(doc.events).length === 0;
    const version = ++this.annotationVersion;
    let index: AnnotationIndex | null = null;
    // Built on first use: most queries have no annotation term.
    const lazy = (): AnnotationIndex =>
      (index ??= buildAnnotationIndex(doc, version, (e) => this.evidence.get(e)?.meta?.sha256, [...this.evidence.keys()], this.ctx.findings));
    const { annotations: _old, ...rest } = this.ctx;
    this.ctx = empty ? rest : { ...rest, annotations: { version, forView: (view) => lazy().forView(view) } };
  }

  /**
   * Read warnings (evidence metadata) plus the case's own: the same file twice, or the same events in two files.
   * The latter needs a pass over the store, so it is made once the case is detected (not for partial views) and kept
   * while the store and the hashes stay the same.
   */
  private evidenceWarnings(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const [i, e] of this.evidence) if (e.meta?.warnings?.length) out.set(i, [...e.meta.warnings]);
    // Each file's time fields compared while its records were mapped (query/time-skew.ts).
    for (const st of this.store.stats()) {
      const mine = this.clock.filter((c) => c.evidence === st.evidence);
      const ws = timeSkewWarnings(st.timeSkew, (field) => (mine.find((c) => c.field === field) ?? mine.find((c) => c.field === undefined))?.offsetMs);
      if (ws.length && this.evidence.has(st.evidence)) out.set(st.evidence, [...(out.get(st.evidence) ?? []), ...ws]);
    }
    if (!this.result) return out;
    const ids = [...this.evidence].sort((a, b) => a[0] - b[0]).map(([i, e]) => ({ evidence: i, name: e.ingest.name, sha256: e.meta?.sha256 ?? '' }));
    const hashes = ids.map((x) => `${x.evidence}:${x.sha256}`).join(',');
    if (this.duplicates?.store !== this.store || this.duplicates.hashes !== hashes) {
      this.duplicates = { store: this.store, hashes, warnings: duplicateEvidenceWarnings(this.store, ids) };
    }
    for (const [i, ws] of this.duplicates.warnings) out.set(i, [...(out.get(i) ?? []), ...ws]);
    return out;
  }

  /** The clock corrections of evidence `i`, as the report and the summary carry them. */
  private clockOf(i: number): { clock?: Array<{ offset: string; offset_ms: number; field?: string }> } {
    const mine = this.clock.filter((c) => c.evidence === i);
    if (!mine.length) return {};
    return { clock: mine.map((c) => ({ offset: formatOffset(c.offsetMs), offset_ms: c.offsetMs, ...(c.field !== undefined ? { field: c.field } : {}) })) };
  }

  private evidenceSummaries(): EvidenceSummary[] {
    const stats = new Map(this.store.stats().map((s) => [s.evidence, s]));
    const warnings = this.evidenceWarnings();
    const out: EvidenceSummary[] = [];
    for (const [i, e] of [...this.evidence].sort((a, b) => a[0] - b[0])) {
      const st = e.ingest.stats;
      const samples = stats.get(i)?.rejectSamples ?? [];
      out.push({
        id: `ev-${i}`,
        name: e.ingest.name,
        path: e.meta?.path ?? e.ingest.name,
        bytes: e.meta?.bytes ?? 0,
        sha256: e.meta?.sha256 ?? '',
        format: e.ingest.format,
        formatReason: e.ingest.formatReason,
        encoding: e.ingest.encoding,
        events: st.appended,
        nonProcessEvents: st.nonProcess,
        eventsByKind: { ...(stats.get(i)?.byKind ?? {}) },
        rejected: st.rejected,
        rejectedByReason: { ...st.rejectedByReason },
        rejectSamples: samples.slice(0, 20).map((s) => ({
          evidence: e.ingest.name,
          reason: s.reason,
          ...(s.line !== undefined ? { line: s.line } : {}),
          ...(s.record !== undefined ? { record: s.record } : {}),
          ...(s.byteOffset !== undefined ? { byteOffset: s.byteOffset } : {}),
        })),
        assumedUtc: st.assumedUtc,
        addedAt: e.meta?.addedAt ?? '',
        ...(warnings.get(i)?.length ? { warnings: warnings.get(i)! } : {}),
        ...this.clockOf(i),
        ...this.clockOffersOf(i, stats.get(i)?.timeSkew),
      });
    }
    return out;
  }

  /** Events per (evidence, time field) of the current store, counted once per store. */
  private timeFieldCounts: { store: EventStore; counts: Map<string, number> } | null = null;

  private clockOffersOf(i: number, skew: EvidenceStats['timeSkew']): { clockOffers?: ClockOffer[] } {
    const offers = analyseTimeSkew(skew).filter((f) => f.offer);
    if (!offers.length) return {};
    if (this.timeFieldCounts?.store !== this.store) {
      const counts = new Map<string, number>();
      for (const v of this.store.views) {
        const seg = v.segment;
        for (let r = 0; r < seg.rowCount; r++) {
          const k = `${seg.evidence[r]}\n${seg.timeFields[seg.timeField[r]!] ?? ''}`;
          counts.set(k, (counts.get(k) ?? 0) + 1);
        }
      }
      this.timeFieldCounts = { store: this.store, counts };
    }
    const counts = this.timeFieldCounts.counts;
    const seen = new Set<string>();
    const out: ClockOffer[] = [];
    for (const f of offers) {
      const o = f.offer!;
      const key = `${o.field}\n${o.offsetMs}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ field: o.field, offsetMs: o.offsetMs, offset: formatOffset(o.offsetMs), events: counts.get(`${i}\n${o.field}`) ?? 0, reason: f.text });
    }
    return { clockOffers: out };
  }

  summary(): CaseSummary | null {
    if (this.evidence.size === 0) return null;
    const range = this.store.timeRange();
    return {
      evidence: this.evidenceSummaries(),
      events: this.store.rowCount,
      hosts: this.store.hosts().map((h) => h.host),
      firstMs: range?.firstMs ?? 0,
      lastMs: range?.lastMs ?? 0,
      rules: this.ruleMetas,
      ruleIssues: this.ruleIssues,
      findings: this.result?.findings.length ?? 0,
      binSpanSec: this.binSpanSec,
    };
  }

  private checkRow(row: number): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.store.rowCount) {
      throw new HopscopeError('E_USAGE', `row ${row} is not in the case (0..${this.store.rowCount - 1})`);
    }
  }

  timeline(req: TimelineRequest): TimelineResponse {
    if (req.endMs <= req.startMs) throw new HopscopeError('E_USAGE', 'timeline: endMs must be after startMs');
    return this.queries.timeline(this.store, req, this.ctx);
  }

  rows(req: RowsRequest): RowsResponse {
    return this.queries.rows(this.store, req, this.ctx);
  }

  /** Annotation keys of the events a table scope shows (at most `max`; only the count beyond it). */
  eventKeys(scope: EventScope, max: number): { total: number; keys: string[] } {
    const base: RowsRequest = { ...scope, offset: 0, limit: 0, columns: ['_time'] };
    const first = this.queries.rows(this.store, base, this.ctx);
    if (first.filterError) throw HopscopeError.fromInfo({ ...first.filterError, code: 'E_USAGE' });
    const total = first.total;
    if (total > max) return { total, keys: [] };
    const keys: string[] = [];
    const PAGE = 5000;
    for (let offset = 0; offset < total; offset += PAGE) {
      for (const r of this.queries.rows(this.store, { ...base, offset, limit: PAGE }, this.ctx).rows) {
        const loc = this.store.locator(r.row);
        const sha = this.evidence.get(loc.evidence)?.meta?.sha256;
        if (!sha) throw new HopscopeError('E_CASE', `evidence ${this.store.evidenceName(loc.evidence)} has no SHA-256 yet`);
        keys.push(eventAnnotationKey(sha, loc.record));
      }
    }
    return { total, keys };
  }

  /**
   * The events of a table scope as CSV (formula-safe cells, UTF-8 BOM for spreadsheets): UTC time, the given columns,
   * then where each event is in the evidence (file, SHA-256, record, line) so it can be found again. Nothing when
   * more than `max` match (the caller asks for a narrower scope).
   */
  eventsCsv(scope: EventScope, columns: readonly string[], max: number): { total: number; text: string | null } {
    const cols = columns.filter((c) => c !== '_time');
    const base: RowsRequest = { ...scope, offset: 0, limit: 0, columns: ['_time', ...cols] };
    const first = this.queries.rows(this.store, base, this.ctx);
    if (first.filterError) throw HopscopeError.fromInfo({ ...first.filterError, code: 'E_USAGE' });
    const total = first.total;
    if (total > max) return { total, text: null };
    // With clock corrections set, each event carries its time as read beside the corrected one (store/clock.ts).
    const corrected = this.clock.length > 0;
    const lines: string[] = [csvRow(['time_utc', ...(corrected ? ['time_original_utc'] : []), ...cols, 'evidence_file', 'evidence_sha256', 'record', 'line'])];
    const PAGE = 5000;
    for (let offset = 0; offset < total; offset += PAGE) {
      for (const r of this.queries.rows(this.store, { ...base, offset, limit: PAGE }, this.ctx).rows) {
        const loc = this.store.locator(r.row);
        const values = corrected ? [r.values[0]!, isoUtc(this.store.originalTimeAt(r.row)), ...r.values.slice(1)] : r.values;
        lines.push(csvRow([...values, this.store.evidenceName(loc.evidence), this.evidence.get(loc.evidence)?.meta?.sha256 ?? '', loc.record, loc.line]));
      }
    }
    return { total, text: '\ufeff' + lines.join('\r\n') + '\r\n' };
  }

  /** Cached for a run of eventsChunk calls over one store (the column list scans every segment). */
  private exportColumns: { store: EventStore; cols: EventsExportColumns; set: Set<string> } | null = null;

  /**
   * Every event of a scope in time order, a page at a time, as CSV rows or NDJSON lines (`hopscope events`). The
   * scope is the table's (filter, kinds, hosts, range); the page is [offset, offset + limit) of the rows in time order.
   */
  eventsChunk(scope: EventScope, format: EventsFormat, offset: number, limit: number, header: boolean): { total: number; count: number; text: string } {
    const base: RowsRequest = { ...scope, offset, limit, columns: ['_time'], sort: { field: '_time', dir: 'asc' } };
    const page = this.queries.rows(this.store, base, this.ctx);
    if (page.filterError) throw HopscopeError.fromInfo({ ...page.filterError, code: 'E_USAGE' });
    if (this.exportColumns?.store !== this.store) {
      const cols = eventsExportColumns(this.store);
      this.exportColumns = { store: this.store, cols, set: new Set(cols.original) };
    }
    const ctx: EventExportContext = {
      store: this.store,
      columns: this.exportColumns.cols,
      originalSet: this.exportColumns.set,
      sha256: (e) => this.evidence.get(e)?.meta?.sha256 ?? '',
      corrected: this.clock.length > 0,
    };
    const lines: string[] = [];
    if (header && format === 'csv') lines.push('\ufeff' + eventsCsvHeader(ctx.columns));
    for (const r of page.rows) lines.push(eventLine(ctx, r.row, format));
    const eol = format === 'csv' ? '\r\n' : '\n';
    return { total: page.total, count: page.rows.length, text: lines.length ? lines.join(eol) + eol : '' };
  }

  event(row: number): EventDetails {
    this.checkRow(row);
    return this.queries.eventDetails(this.store, row);
  }

  processTree(row: number): ProcessNode[] {
    this.checkRow(row);
    return this.queries.processTree(this.store, row);
  }

  findings(sort: 'risk' | 'time' = 'risk'): FindingsResponse {
    const res = this.result;
    if (!res) return { findings: [], hosts: [], links: [], movements: emptyMovements() };
    const findings = [...res.findings];
    if (sort === 'risk') findings.sort((a, b) => b.riskScore - a.riskScore || a.binStartMs - b.binStartMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    else findings.sort((a, b) => a.binStartMs - b.binStartMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { findings, hosts: res.hosts, links: res.links, movements: movementsOf(res) };
  }

  private reportInput(annotations?: AnnotationDoc, findingIds?: readonly string[]): ReportInput {
    let findings = this.result?.findings ?? [];
    if (findingIds) {
      // A report of chosen findings carries only the notes on them and on their events.
      const ids = new Set(findingIds);
      findings = findings.filter((f) => ids.has(f.id));
      if (annotations) annotations = this.annotationsOf(annotations, findings);
    }
    const evidence: ReportEvidence[] = [];
    const warnings = this.evidenceWarnings();
    const maxIndex = Math.max(-1, ...this.evidence.keys());
    const kindsOf = new Map(this.store.stats().map((s) => [s.evidence, s.byKind] as const));
    for (let i = 0; i <= maxIndex; i++) {
      const e = this.evidence.get(i);
      evidence.push({
        path: e ? (e.meta?.path ?? e.ingest.name) : `evidence-${i}`,
        // An upload's path is the name the analyst opened (the host never sends its temporary copy's), and says so.
        ...(e?.meta?.origin !== undefined ? { name: e.ingest.name, origin: e.meta.origin } : {}),
        sha256: e?.meta?.sha256 ?? '',
        bytes: e?.meta?.bytes ?? 0,
        format: e?.ingest.format ?? 'unknown',
        events: e?.ingest.stats.appended ?? 0,
        rejected: e?.ingest.stats.rejected ?? 0,
        ...(Object.keys(kindsOf.get(i) ?? {}).length ? { eventsByKind: { ...kindsOf.get(i)! } } : {}),
        ...(warnings.get(i)?.length ? { warnings: warnings.get(i)! } : {}),
        ...this.clockOf(i),
      });
    }
    return {
      tool: this.deps.tool ?? { name: 'Hopscope', version: '0.1.0' },
      evidence,
      rules: this.rules.map((r) => r.meta),
      findings,
      hosts: this.result?.hosts ?? [],
      // Movements go into whole-case reports; a report of chosen findings keeps to those findings.
      ...(this.result?.movements && !findingIds ? { movements: this.result.movements } : {}),
      ...(this.hostTable.length && !findingIds ? { hostTable: this.hostTable.map((e) => ({ ip: e.ip, host: e.host })) } : {}),
      ...(this.result?.links.length && !findingIds ? { links: this.result.links, locateRow: (row: number) => this.store.locator(row) } : {}),
      ...(annotations ? { annotations } : {}),
      ...(this.clock.length ? { originalTimeMs: (ref: FindingEventRef) => (ref.row >= 0 && ref.row < this.store.rowCount ? this.store.originalTimeAt(ref.row) : undefined) } : {}),
      eventRecordId: (ref) => {
        if (!(ref.row >= 0 && ref.row < this.store.rowCount)) return undefined;
        const { view, row } = this.store.locate(ref.row);
        return windowsRecordId(view, row);
      },
      whatRan: (ref) => {
        if (!(ref.row >= 0 && ref.row < this.store.rowCount)) return undefined;
        const { view, row } = this.store.locate(ref.row);
        const fields: Record<string, string | null> = {};
        for (const f of WHAT_RAN_FIELDS) fields[f] = view.column(f)?.get(row) ?? null;
        return whatRanOf(fields);
      },
    };
  }

  /** The rule's own explanation for a finding's events (at most 100), or for one row. */
  explain(req: { ruleId: string; findingId?: string; row?: number }): EventExplanation[] {
    const rule = this.loaded.find((r) => r.meta.id === req.ruleId);
    if (!rule) throw new HopscopeError('E_USAGE', `no rule ${req.ruleId} is loaded`);
    if (req.findingId !== undefined) {
      const f = this.ctx.findingById.get(req.findingId);
      if (!f || f.ruleId !== req.ruleId) throw new HopscopeError('E_USAGE', 'no such finding for this rule');
      return explainFinding(this.store, rule, f, 100);
    }
    if (req.row === undefined) throw new HopscopeError('E_USAGE', 'explain needs a findingId or a row');
    this.checkRow(req.row);
    return [whyNot(this.store, rule, req.row)];
  }

  buildReport(annotations?: AnnotationDoc, findingIds?: readonly string[]): Report {
    return buildReport(this.reportInput(annotations, findingIds));
  }

  private annotationsOf(doc: AnnotationDoc, findings: readonly Finding[]): AnnotationDoc {
    const out: AnnotationDoc = { findings: Object.create(null) as AnnotationDoc['findings'], events: Object.create(null) as AnnotationDoc['events'] };
    const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
    for (const f of findings) {
      if (has(doc.findings, f.id)) out.findings[f.id] = doc.findings[f.id]!;
      for (const e of f.events) {
        const sha = this.evidence.get(e.evidence)?.meta?.sha256;
        const key = sha ? eventAnnotationKey(sha, e.record) : null;
        if (key && has(doc.events, key)) out.events[key] = doc.events[key]!;
      }
    }
    return out;
  }

  /**
   * The report text; `generatedAtMs` only appears in HTML (pass a fixed value for byte-identical output).
   * Annotations come from the host (it owns the case file) and are validated here before use.
   */
  report(format: ReportFormat, generatedAtMs = Date.now(), annotations?: unknown, findingIds?: readonly string[]): string {
    const doc = annotations === undefined ? undefined : parseAnnotationDoc(annotations);
    if (format === 'html') return buildHtmlReport({ ...this.reportInput(doc, findingIds), generatedAtMs, links: this.result?.links ?? [] });
    const report = this.buildReport(doc, findingIds);
    switch (format) {
      case 'json':
        return reportToJson(report);
      case 'csv':
        return findingsToCsv(report);
      case 'ndjson':
        return findingsToNdjson(report);
    }
  }
}
