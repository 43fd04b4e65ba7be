// Headless scan report (`hopscope.report/1`): the one normalised view of a case that every export
// (JSON, CSV, NDJSON, HTML) is written from. Invariant: same input -> same bytes (fixed key order, sorted lists).

import type { MovementResult } from '../detect/movements/types.ts';
import type { Annotation, AnnotationDoc } from '../case/annotations.ts';
import type { Finding, FindingEventRef, HostRisk, LateralLink } from '../detect/types.ts';
import { HopscopeError } from '../model/errors.ts';
import { EVENT_KINDS } from '../model/event-kinds.ts';
import type { RuleMeta } from '../rules/types.ts';
import type { WhatRan } from './what-ran.ts';

export const REPORT_SCHEMA = 'hopscope.report/1';

export interface ReportEvidence {
  /** Where the file was read: its real path (desktop app, CLI); in browser mode the name the analyst opened (see `origin`). */
  path: string;
  /** The file name the analyst opened, when it is not the last part of `path`'s real location (browser mode). */
  name?: string;
  /** Where the file came from when no real path is known: UPLOAD_ORIGIN in browser mode. */
  origin?: string;
  sha256: string;
  bytes: number;
  /** Detected format id (`sysmon-xml`, `cim-csv`, ...). */
  format: string;
  events: number;
  /** Events per kind (process_creation, logon, share_access ...), in the case's kind order; they add up to `events`. */
  eventsByKind?: Record<string, number>;
  /** The report's own spelling of eventsByKind (JSON, CSV and HTML read this one). */
  events_by_kind?: Record<string, number>;
  rejected: number;
  /** What the case noticed about the file: read problems, the same file twice, the same events as another file. */
  warnings?: string[];
  /** The analyst's clock corrections of this file: its events' times are corrected by `offset` (of `field`'s events only, when named). */
  clock?: ReportClock[];
}

export interface ReportClock {
  /** `+04:00:00` */
  offset: string;
  offset_ms: number;
  field?: string;
}

export interface ReportRule {
  id: string;
  title: string;
  language: string;
  source: string;
  risk_score: number;
  techniques: string[];
}

export interface ReportEventRef {
  /** Evidence path (not the index), so the report stands alone. */
  evidence: string;
  /** Ordinal of the record in the evidence file (1-based). */
  record: number;
  time: string;
  /** The time as read from the evidence, when a clock correction moved it (`time` is the corrected one). */
  original_time?: string;
  /** The Windows EventRecordID (what Event Viewer shows), when the export carries one. */
  eventRecordId?: number;
  /** What ran (what-ran.ts), each when the event has it: its host, user, parent and process image names, whole command line. */
  host?: string;
  user?: string;
  parent_process_name?: string;
  process_name?: string;
  command_line?: string;
}

export interface ReportFinding {
  id: string;
  rule_id: string;
  host: string;
  bin_start: string;
  bin_end: string;
  event_count: number;
  risk_score: number;
  message: string;
  techniques: string[];
  events: ReportEventRef[];
}

export interface ReportHost {
  host: string;
  events: number;
  findings: number;
  risk_score: number;
  /** Each event counted once (the RBA sum is risk_score). */
  risk_distinct?: number;
}

export interface ReportAnnotations {
  findings: Record<string, Annotation>;
  events: Record<string, Annotation>;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  tool: { name: string; version: string };
  evidence: ReportEvidence[];
  rules: ReportRule[];
  findings: ReportFinding[];
  hosts: ReportHost[];
  /** Who moved where (issue 14): absent from reports of builds before movements. */
  movements?: ReportMovement[];
  paths?: Array<{ hosts: string[]; accounts: Array<string | null>; first: string; last: string; movements: string[] }>;
  episodes?: Array<{ id: string; host: string; first: string; last: string; rule_ids: string[]; finding_ids: string[]; event_count: number; risk_sum: number; risk_distinct: number }>;
  /**
   * Lateral links: a command line naming another host, and the target-side event its evidence implies (`to_record`
   * null with `target_side` "no target-side event found" when there is none).
   */
  links?: ReportLink[];
  /** The analyst's IP -> host table, when one named sources (`source_resolved_by: host-table`). */
  host_table?: Array<{ ip: string; host: string }>;
  annotations?: ReportAnnotations;
}

export interface ReportLink {
  id: string;
  kind: string;
  from_host: string;
  from_time: string;
  from_evidence: string | null;
  from_record: number | null;
  to_host: string;
  to_time: string;
  to_evidence: string | null;
  to_record: number | null;
  target_side: string | null;
  /** The finding ids whose events are one of the link's ends. */
  finding_ids: string[];
}

export interface ReportMovement {
  id: string;
  method: string;
  source: string | null;
  source_ip: string | null;
  /** How the source host was found from its address (workstation-name, network-connection, host-table, naming-command). */
  source_resolved_by: string | null;
  target: string;
  account: string | null;
  logon_id: string | null;
  first: string;
  last: string;
  seen_from: 'source' | 'target' | 'both';
  missing: string[];
  explanation: string;
  finding_ids: string[];
  steps: Array<{ role: string; evidence: string; record: number; time: string; host: string; kind: string; summary: string }>;
}

export interface ReportInput {
  tool: { name: string; version: string };
  /** In case order: `FindingEventRef.evidence` indexes this list. */
  evidence: readonly ReportEvidence[];
  rules: readonly RuleMeta[];
  findings: readonly Finding[];
  hosts: readonly HostRisk[];
  annotations?: AnnotationDoc;
  /** The Windows EventRecordID of a finding's event, where the evidence has one (engine/query/record-id.ts). */
  eventRecordId?: (ref: FindingEventRef) => number | undefined;
  /** The event's time as read, when clock corrections are set (engine/store/clock.ts). */
  originalTimeMs?: (ref: FindingEventRef) => number | undefined;
  /** What ran in a finding's event (engine/export/what-ran.ts). */
  whatRan?: (ref: FindingEventRef) => WhatRan | undefined;
  /** The case's movements (engine/detect/movements). */
  movements?: MovementResult;
  /** Lateral links (engine/detect/links.ts) of a whole-case report, located by `locateRow`. */
  links?: readonly LateralLink[];
  /** Evidence and record of a global row (for the links' two ends). */
  locateRow?: (row: number) => { evidence: number; record: number };
  /** The analyst's IP -> host table the movements used (`--hosts`, the app's Host table). */
  hostTable?: ReadonlyArray<{ ip: string; host: string }>;
}

/** A browser-mode upload's origin: the browser never tells the page where the file lived. */
export const UPLOAD_ORIGIN = 'uploaded in browser mode: original path unknown';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * ISO 8601 UTC: `2024-05-01T08:01:40Z` for whole seconds, `2024-05-01T08:01:40.250Z` otherwise.
 * Sub-millisecond parts are truncated (floored), matching how the store keeps epoch milliseconds.
 */
export function isoUtc(timeMs: number): string {
  const ms = Math.floor(timeMs);
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) throw new HopscopeError('E_TIME', `time ${timeMs} ms is not representable`);
  const iso = d.toISOString();
  return ms % 1000 === 0 ? iso.slice(0, -5) + 'Z' : iso;
}

function evidencePath(evidence: readonly ReportEvidence[], index: number): string {
  // An index outside the case is a caller bug; keep it visible rather than guessing a file.
  return evidence[index]?.path ?? `evidence-${index}`;
}

function annotationOut(a: Annotation): Annotation {
  const out: Annotation = {
    status: a.status,
    tags: [...a.tags].sort(cmp),
    comments: a.comments.map((c) => ({ author: c.author, atIso: c.atIso, text: c.text })),
    star: a.star,
  };
  if (a.updatedAtIso !== undefined) out.updatedAtIso = a.updatedAtIso;
  return out;
}

function sortedSection(section: Record<string, Annotation>): Record<string, Annotation> {
  const out: Record<string, Annotation> = Object.create(null) as Record<string, Annotation>;
  for (const id of Object.keys(section).sort(cmp)) out[id] = annotationOut(section[id]!);
  return out;
}

/** Per-kind counts in EVENT_KINDS order (deterministic output), zero counts left out. */
function kindCounts(by: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of EVENT_KINDS) if (Object.hasOwn(by, k) && by[k]! > 0) out[k] = by[k]!;
  return out;
}

export function buildReport(input: ReportInput): Report {
  const evidence = input.evidence
    .map((e): ReportEvidence => ({
      path: e.path,
      ...(e.name !== undefined ? { name: e.name } : {}),
      ...(e.origin !== undefined ? { origin: e.origin } : {}),
      sha256: e.sha256, bytes: e.bytes, format: e.format, events: e.events,
      ...(e.eventsByKind && Object.keys(e.eventsByKind).length ? { events_by_kind: kindCounts(e.eventsByKind) } : {}),
      rejected: e.rejected,
      ...(e.warnings?.length ? { warnings: [...e.warnings] } : {}),
      ...(e.clock?.length ? { clock: e.clock.map((c) => ({ ...c })) } : {}),
    }))
    .sort((a, b) => cmp(a.path, b.path) || cmp(a.sha256, b.sha256));
  const rules = input.rules
    .map((r): ReportRule => ({
      id: r.id,
      title: r.title,
      language: r.language,
      source: r.source,
      risk_score: r.riskScore,
      techniques: [...r.techniques],
    }))
    .sort((a, b) => cmp(a.id, b.id));
  const findings = [...input.findings]
    .sort((a, b) => a.binStartMs - b.binStartMs || cmp(a.host, b.host) || cmp(a.ruleId, b.ruleId) || cmp(a.id, b.id))
    .map((f): ReportFinding => ({
      id: f.id,
      rule_id: f.ruleId,
      host: f.host,
      bin_start: isoUtc(f.binStartMs),
      bin_end: isoUtc(f.binEndMs),
      event_count: f.eventCount,
      risk_score: f.riskScore,
      message: f.message,
      techniques: [...f.techniques],
      events: [...f.events]
        .sort((a, b) => a.timeMs - b.timeMs || a.evidence - b.evidence || a.record - b.record)
        .map((e): ReportEventRef => {
          const out: ReportEventRef = { evidence: evidencePath(input.evidence, e.evidence), record: e.record, time: isoUtc(e.timeMs) };
          const orig = input.originalTimeMs?.(e);
          if (orig !== undefined && orig !== e.timeMs) out.original_time = isoUtc(orig);
          const id = input.eventRecordId?.(e);
          if (id !== undefined) out.eventRecordId = id;
          const w = input.whatRan?.(e);
          if (w) {
            if (w.host !== null) out.host = w.host;
            if (w.user !== null) out.user = w.user;
            if (w.parent !== '?') out.parent_process_name = w.parent;
            if (w.process !== '?') out.process_name = w.process;
            if (w.commandLine !== null) out.command_line = w.commandLine;
          }
          return out;
        }),
    }));
  const hosts = input.hosts
    .map((h): ReportHost => ({ host: h.host, events: h.events, findings: h.findings, risk_score: h.riskScore, ...(h.riskDistinct !== undefined ? { risk_distinct: h.riskDistinct } : {}) }))
    .sort((a, b) => b.risk_score - a.risk_score || cmp(a.host, b.host));
  const report: Report = { schema: REPORT_SCHEMA, tool: { name: input.tool.name, version: input.tool.version }, evidence, rules, findings, hosts };
  if (input.movements) {
    const mv = input.movements;
    report.movements = mv.movements.map((m): ReportMovement => ({
      id: m.id,
      method: m.method,
      source: m.source,
      source_ip: m.sourceIp,
      source_resolved_by: m.source_attribution.resolvedBy,
      target: m.target,
      account: m.account,
      logon_id: m.logonId,
      first: isoUtc(m.firstMs),
      last: isoUtc(m.lastMs),
      seen_from: m.seenFrom,
      missing: [...m.missing],
      explanation: m.explanation,
      finding_ids: [...m.findingIds],
      steps: m.steps.map((st) => ({ role: st.role, evidence: evidencePath(input.evidence, st.evidence), record: st.record, time: isoUtc(st.timeMs), host: st.host, kind: st.kind, summary: st.summary })),
    }));
    report.paths = mv.paths.map((p) => ({ hosts: [...p.hosts], accounts: [...p.accounts], first: isoUtc(p.firstMs), last: isoUtc(p.lastMs), movements: [...p.movementIds] }));
    report.episodes = mv.episodes.map((e) => ({ id: e.id, host: e.host, first: isoUtc(e.firstMs), last: isoUtc(e.lastMs), rule_ids: [...e.ruleIds], finding_ids: [...e.findingIds], event_count: e.eventCount, risk_sum: e.riskSum, risk_distinct: e.riskDistinct }));
  }
  if (input.links && input.links.length) {
    const loc = (row: number): { evidence: string | null; record: number | null } => {
      if (row < 0 || !input.locateRow) return { evidence: null, record: null };
      const l = input.locateRow(row);
      return { evidence: evidencePath(input.evidence, l.evidence), record: l.record };
    };
    const findingsOfRow = new Map<number, string[]>();
    for (const f of input.findings) for (const e of f.events) (findingsOfRow.get(e.row) ?? findingsOfRow.set(e.row, []).get(e.row)!).push(f.id);
    report.links = [...input.links]
      .sort((a, b) => a.fromTimeMs - b.fromTimeMs || cmp(a.id, b.id))
      .map((l): ReportLink => {
        const from = loc(l.fromRow);
        const to = loc(l.toRow);
        return {
          id: l.id, kind: l.kind, from_host: l.fromHost, from_time: isoUtc(l.fromTimeMs), from_evidence: from.evidence, from_record: from.record,
          to_host: l.toHost, to_time: isoUtc(l.toTimeMs), to_evidence: to.evidence, to_record: to.record, target_side: l.targetSide ?? null,
          finding_ids: [...new Set([...(findingsOfRow.get(l.fromRow) ?? []), ...(l.toRow >= 0 ? findingsOfRow.get(l.toRow) ?? [] : [])])].sort(),
        };
      });
  }
  if (input.hostTable && input.hostTable.length) {
    report.host_table = [...input.hostTable].map((e) => ({ ip: e.ip, host: e.host })).sort((a, b) => cmp(a.ip, b.ip));
  }
  if (input.annotations) {
    report.annotations = { findings: sortedSection(input.annotations.findings), events: sortedSection(input.annotations.events) };
  }
  return report;
}

/** Stable JSON: 2-space indent, trailing newline. */
export function reportToJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** The annotation of a finding in a report, if any. */
export function findingAnnotation(report: Pick<Report, 'annotations'>, findingId: string): Annotation | undefined {
  const section = report.annotations?.findings;
  return section && Object.prototype.hasOwnProperty.call(section, findingId) ? section[findingId] : undefined;
}
