// Host <-> engine-worker message protocol: a discriminated union on `type`, keyed by `seq`.
// Invariant: every message is validated on receipt in both directions; a malformed one becomes an
// E_PROTOCOL error (answered when it carries a usable seq), never an exception in the pump.

import type { AnnotationDoc } from '../case/annotations.ts';
import type { ClockCorrection } from '../store/clock.ts';
import { HOST_NAME_MAX, HOST_TABLE_MAX_ENTRIES, type HostTableEntry } from '../detect/movements/host-table.ts';
import type { ErrorInfo } from '../model/errors.ts';
import type { IngestStats } from '../model/sink.ts';
import type { GenericMapping } from '../formats/types.ts';
import type { RuleLoadIssue, RuleMeta } from '../rules/types.ts';
import type {
  CaseSummary,
  EventDetails,
  EventScope,
  EventExplanation,
  ExplainRequest,
  FindingsResponse,
  ProcessNode,
  RowsRequest,
  RowsResponse,
  TimelineRequest,
  TimelineResponse,
} from './api.ts';
import { validateRequest } from './validate.ts';

/** A rule or macro file handed to the engine as text (the host reads the disk, the engine never does). */
export interface TextFile {
  path: string;
  text: string;
  /** Why the host did not read the file (too large): the engine lists it as a rule issue; `text` is empty. */
  refused?: string;
}

export interface IngestFileParams {
  /** Absolute path of a registered, read-only evidence file (the worker opens it itself). */
  path: string;
  /** Evidence index in the case (0-based, dense). */
  evidence: number;
  /** Display name. */
  name: string;
  /** Format override; absent means sniff. */
  format?: string;
  /** Remembered column mappings by header signature (`*`: any), used when the layout is not recognised. */
  mappings?: Record<string, GenericMapping>;
}

/** The file's layout is of no known family and no remembered mapping fits: nothing was added. */
export interface MappingNeeded {
  signature: string;
  container: string;
  columns: string[];
}

export interface IngestFileResult {
  evidence: number;
  stats: IngestStats;
  format: string;
  formatReason: string;
  encoding: string;
  /** Rows in the store after this file. */
  totalRows: number;
  cancelled: boolean;
  needsMapping?: MappingNeeded;
  /** What the evidence should say about the file beyond its records (EVTX: damaged chunks, header checksum). */
  warnings?: string[];
}

export interface EvidenceMetaParams {
  evidence: number;
  sha256: string;
  bytes: number;
  path: string;
  addedAt: string;
  /** Warnings the host found while reading (file changed during read ...). */
  warnings?: string[];
  /** Where the file came from when `path` is not its real location: a browser-mode upload (export/report.ts UPLOAD_ORIGIN). */
  origin?: string;
}

export interface LoadRulesParams {
  files: TextFile[];
  macros: TextFile[];
  sigmaFiles: TextFile[];
  /** When present, only these rule ids run. */
  enabledIds?: string[];
}

export interface LoadRulesResult {
  rules: RuleMeta[];
  issues: RuleLoadIssue[];
}

export interface DetectParams {
  binSpanSec: number;
}

export interface DetectResult {
  findings: number;
  hosts: number;
  ruleErrors: ErrorInfo[];
  elapsedMs: number;
}

export type ReportFormat = 'json' | 'csv' | 'ndjson' | 'html';

export interface ReportParams {
  format: ReportFormat;
  /** Who/what produced it, for the report header. */
  generator?: string;
  /** The analyst's annotations to include (checked again by the engine's annotation parser). */
  annotations?: AnnotationDoc;
  /** Only these findings (and the annotations of them and of their events); absent: all. */
  findingIds?: string[];
}

export interface ReportResult {
  format: ReportFormat;
  /** UTF-8 bytes of the report; transferred, not copied. */
  bytes: ArrayBuffer;
}

/** Worker methods: name -> [params, result]. */
export interface EngineMethods {
  ingestFile: [IngestFileParams, IngestFileResult];
  evidenceMeta: [EvidenceMetaParams, { ok: true }];
  /** Every clock correction of the case (store/clock.ts; [] undoes them all); run `detect` after it. */
  clock: [{ corrections: ClockCorrection[] }, { moved: number }];
  /** The analyst's whole IP -> host table for movements ([] removes it; checked again in the engine); run `detect` after it. */
  hostTable: [{ entries: HostTableEntry[] }, { entries: number }];
  /** The open case's annotations, for the filter's annotation terms (the engine parses them again). */
  annotations: [{ doc: AnnotationDoc }, { ok: true }];
  /** Annotation keys (`<sha256>:<record>`) of the events of a table scope; none when more than `max` match. */
  eventKeys: [{ scope: EventScope; max: number }, { total: number; keys: string[] }];
  /** The events of a table scope as CSV (time, `columns`, evidence locators); `text` null when more than `max` match. */
  eventsCsv: [{ scope: EventScope; columns: string[]; max: number }, { total: number; text: string | null }];
  /**
   * A page of every event of a scope in time order, formatted (engine/export/events.ts) for `hopscope events`: rows
   * [offset, offset + count) of `total`; `header` adds the CSV header (and BOM) before them.
   */
  eventsChunk: [
    { scope: EventScope; format: 'csv' | 'ndjson'; offset: number; limit: number; header: boolean },
    { total: number; count: number; text: string },
  ];
  loadRules: [LoadRulesParams, LoadRulesResult];
  detect: [DetectParams, DetectResult];
  summary: [Record<string, never>, CaseSummary | null];
  timeline: [TimelineRequest, TimelineResponse];
  rows: [RowsRequest, RowsResponse];
  event: [{ row: number }, EventDetails];
  processTree: [{ row: number }, ProcessNode[]];
  findings: [{ sort?: 'risk' | 'time' }, FindingsResponse];
  explain: [ExplainRequest, EventExplanation[]];
  report: [ReportParams, ReportResult];
  reset: [Record<string, never>, { ok: true }];
}

export type EngineMethod = keyof EngineMethods;
export type EngineParams<M extends EngineMethod> = EngineMethods[M][0];
export type EngineResult<M extends EngineMethod> = EngineMethods[M][1];

/** Progress of a long call (ingest, detection), pushed with the call's seq. */
export interface WorkerProgress {
  phase: 'parsing' | 'indexing' | 'rules';
  bytesDone: number;
  bytesTotal: number;
  records: number;
  rejected: number;
  /** Bytes per second since the call started. */
  rate: number;
  /** Set when a partial segment of the file has just joined the case: queries now see the rows so far. */
  partial?: true;
}

export interface RequestMessage<M extends EngineMethod = EngineMethod> {
  type: 'request';
  seq: number;
  method: M;
  params: EngineParams<M>;
}
export interface CancelMessage {
  type: 'cancel';
  seq: number;
}
export interface ResponseMessage {
  type: 'response';
  seq: number;
  result: unknown;
  timingMs: number;
}
export interface ProgressMessage {
  type: 'progress';
  seq: number;
  progress: WorkerProgress;
}
export interface ErrorMessage {
  type: 'error';
  /** -1 when the offending message had no usable seq. */
  seq: number;
  error: ErrorInfo;
}

export type HostToWorker = RequestMessage | CancelMessage;
export type WorkerToHost = ResponseMessage | ProgressMessage | ErrorMessage;

export type Parsed<T> = { ok: true; msg: T } | { ok: false; seq: number; error: ErrorInfo };

const MAX_SEQ = Number.MAX_SAFE_INTEGER;
const MAX_PATH = 32_768;
const MAX_RULE_FILES = 20_000;
const MAX_RULE_TEXT = 4 * 1024 * 1024;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_SEQ;
const isNonNegInt = (v: unknown, max = 2 ** 32): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const isFiniteNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A short printable form of an untrusted value (String() throws on objects without a prototype). */
function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : `(${typeof v})`;
}

function fail(seq: number, message: string): { ok: false; seq: number; error: ErrorInfo } {
  return { ok: false, seq, error: { code: 'E_PROTOCOL', message } };
}

/** Checks only the keys listed, refusing extras; returns a problem description or null. */
function shape(v: unknown, keys: Record<string, (x: unknown) => boolean>, optional: readonly string[] = []): string | null {
  if (!isPlainObject(v)) return 'params must be a plain object';
  // Own keys only: `in` would admit `constructor`, `toString` or a JSON `__proto__` key through Object.prototype.
  for (const k of Object.keys(v)) if (!Object.hasOwn(keys, k)) return `params.${k.slice(0, 80)} is not allowed`;
  for (const [k, check] of Object.entries(keys)) {
    const val = v[k];
    if (val === undefined && optional.includes(k)) continue;
    if (!check(val)) return `params.${k} is invalid`;
  }
  return null;
}

const textFiles = (v: unknown): boolean =>
  Array.isArray(v) &&
  v.length <= MAX_RULE_FILES &&
  v.every(
    (f) =>
      isPlainObject(f) &&
      isStr(f['path'], MAX_PATH) &&
      isStr(f['text'], MAX_RULE_TEXT) &&
      (Object.keys(f).length === 2 || (Object.keys(f).length === 3 && isStr(f['refused'], 1000))),
  );

/** The API channel whose schema also validates a worker method's params (same request type). */
const SAME_AS_CHANNEL = {
  summary: 'case.summary',
  timeline: 'query.timeline',
  rows: 'query.rows',
  event: 'query.event',
  processTree: 'query.processTree',
  findings: 'query.findings',
  explain: 'query.explain',
} as const;

const PARAM_CHECKS: { [M in EngineMethod]: (p: unknown) => string | null } = {
  ingestFile: (p) =>
    shape(p, {
      path: (x) => isStr(x, MAX_PATH) && x.length > 0 && !x.includes('\0'),
      evidence: (x) => isNonNegInt(x, 1_000_000),
      name: (x) => isStr(x, 4096),
      format: (x) => isStr(x, 64),
      mappings: (x) =>
        isPlainObject(x) &&
        Object.keys(x).length <= 10_000 &&
        Object.values(x).every((m) => isPlainObject(m) && isStr(m['time'], 512) && isPlainObject(m['fields'])),
    }, ['format', 'mappings']),
  annotations: (p) => shape(p, { doc: isPlainObject }),
  eventKeys: (p) =>
    shape(p, {
      scope: (x) => channelCheck('rows', { ...(isPlainObject(x) ? x : { bad: true }), offset: 0, limit: 0 }) === null,
      max: (x) => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= 1_000_000,
    }),
  eventsCsv: (p) =>
    shape(p, {
      scope: (x) => channelCheck('rows', { ...(isPlainObject(x) ? x : { bad: true }), offset: 0, limit: 0 }) === null,
      columns: (x) => Array.isArray(x) && x.length <= 500 && x.every((s) => isStr(s, 256)),
      max: (x) => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= 1_000_000,
    }),
  eventsChunk: (p) =>
    shape(p, {
      scope: (x) => channelCheck('rows', { ...(isPlainObject(x) ? x : { bad: true }), offset: 0, limit: 0 }) === null,
      format: (x) => x === 'csv' || x === 'ndjson',
      offset: (x) => Number.isSafeInteger(x) && (x as number) >= 0,
      limit: (x) => Number.isSafeInteger(x) && (x as number) >= 1 && (x as number) <= 100_000,
      header: (x) => typeof x === 'boolean',
    }),
  clock: (p) =>
    shape(p, {
      corrections: (x) =>
        Array.isArray(x) &&
        x.length <= 10_000 &&
        x.every((c) => shape(c, { evidence: (e) => isNonNegInt(e, 1_000_000), offsetMs: (o) => typeof o === 'number' && Number.isFinite(o), field: (f) => isStr(f, 256) }, ['field']) === null),
    }),
  hostTable: (p) =>
    shape(p, {
      entries: (x) =>
        Array.isArray(x) &&
        x.length <= HOST_TABLE_MAX_ENTRIES &&
        x.every((e) => shape(e, { ip: (v) => isStr(v, 64), host: (v) => isStr(v, HOST_NAME_MAX) }) === null),
    }),
  evidenceMeta: (p) =>
    shape(p, {
      evidence: (x) => isNonNegInt(x, 1_000_000),
      sha256: (x) => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x),
      bytes: (x) => isNonNegInt(x, Number.MAX_SAFE_INTEGER),
      path: (x) => isStr(x, MAX_PATH),
      addedAt: (x) => isStr(x, 64),
      warnings: (x) => Array.isArray(x) && x.length <= 100 && x.every((w) => isStr(w, 4096)),
      origin: (x) => isStr(x, 256),
    }, ['warnings', 'origin']),
  loadRules: (p) =>
    shape(p, {
      files: textFiles,
      macros: textFiles,
      sigmaFiles: textFiles,
      enabledIds: (x) => Array.isArray(x) && x.length <= 100_000 && x.every((s) => isStr(s, 512)),
    }, ['enabledIds']),
  detect: (p) => shape(p, { binSpanSec: (x) => isFiniteNum(x) && x > 0 && x <= 86_400 * 366 }),
  summary: (p) => channelCheck('summary', p),
  timeline: (p) => channelCheck('timeline', p),
  rows: (p) => channelCheck('rows', p),
  event: (p) => channelCheck('event', p),
  processTree: (p) => channelCheck('processTree', p),
  findings: (p) => channelCheck('findings', p),
  explain: (p) => channelCheck('explain', p),
  report: (p) =>
    shape(p, {
      format: (x) => x === 'json' || x === 'csv' || x === 'ndjson' || x === 'html',
      generator: (x) => isStr(x, 256),
      annotations: isPlainObject,
      findingIds: (x) => Array.isArray(x) && x.length <= 1_000_000 && x.every((s) => isStr(s, 1024)),
    }, ['generator', 'annotations', 'findingIds']),
  reset: (p) => shape(p, {}),
};

function channelCheck(method: keyof typeof SAME_AS_CHANNEL, p: unknown): string | null {
  const v = validateRequest(SAME_AS_CHANNEL[method], p);
  return v.ok ? null : v.error.message;
}

export function isEngineMethod(m: unknown): m is EngineMethod {
  return typeof m === 'string' && Object.prototype.hasOwnProperty.call(PARAM_CHECKS, m);
}

/** Validate a message arriving at the worker. */
export function parseHostMessage(m: unknown): Parsed<HostToWorker> {
  if (!isPlainObject(m)) return fail(-1, 'message must be a plain object');
  const seq = isSeq(m['seq']) ? m['seq'] : -1;
  if (seq < 0) return fail(-1, 'message.seq must be a non-negative integer');
  switch (m['type']) {
    case 'cancel':
      if (Object.keys(m).length !== 2) return fail(seq, 'cancel message has extra keys');
      return { ok: true, msg: { type: 'cancel', seq } };
    case 'request': {
      for (const k of Object.keys(m)) if (k !== 'type' && k !== 'seq' && k !== 'method' && k !== 'params') return fail(seq, `request.${k} is not allowed`);
      const method = m['method'];
      if (!isEngineMethod(method)) return fail(seq, `unknown method ${shown(method)}`);
      const problem = PARAM_CHECKS[method](m['params']);
      if (problem) return fail(seq, `${method}: ${problem}`);
      return { ok: true, msg: { type: 'request', seq, method, params: m['params'] as EngineParams<typeof method> } };
    }
    default:
      return fail(seq, `unknown message type ${shown(m['type'])}`);
  }
}

const ERROR_CODES = new Set<string>([
  'E_USAGE', 'E_IO', 'E_FORMAT', 'E_RECORD', 'E_TIME', 'E_ENCODING', 'E_RULE_PARSE', 'E_RULE_UNSUPPORTED',
  'E_RULE_REGEX', 'E_RULE_BUDGET', 'E_PROTOCOL', 'E_CANCELLED', 'E_WORKER', 'E_CASE', 'E_CASE_LOCKED', 'E_SECURITY',
  'E_INTERNAL',
]);

function isErrorInfo(v: unknown): v is ErrorInfo {
  return (
    isPlainObject(v) &&
    typeof v['code'] === 'string' &&
    ERROR_CODES.has(v['code']) &&
    typeof v['message'] === 'string' &&
    (v['location'] === undefined || isPlainObject(v['location']))
  );
}

/** Validate a message arriving at the host from the worker. Results are trusted in shape only as far as the envelope. */
export function parseWorkerMessage(m: unknown): Parsed<WorkerToHost> {
  if (!isPlainObject(m)) return fail(-1, 'worker message must be a plain object');
  const seq = m['seq'] === -1 ? -1 : isSeq(m['seq']) ? m['seq'] : NaN;
  if (Number.isNaN(seq)) return fail(-1, 'worker message.seq must be an integer');
  switch (m['type']) {
    case 'response':
      if (seq < 0) return fail(-1, 'response without seq');
      if (!('result' in m)) return fail(seq, 'response without result');
      if (!isFiniteNum(m['timingMs']) || m['timingMs'] < 0) return fail(seq, 'response.timingMs must be a non-negative number');
      return { ok: true, msg: { type: 'response', seq, result: m['result'], timingMs: m['timingMs'] } };
    case 'progress': {
      const p = m['progress'];
      if (seq < 0) return fail(-1, 'progress without seq');
      if (
        !isPlainObject(p) ||
        !(p['phase'] === 'parsing' || p['phase'] === 'indexing' || p['phase'] === 'rules') ||
        !['bytesDone', 'bytesTotal', 'records', 'rejected', 'rate'].every((k) => isFiniteNum(p[k]) && (p[k] as number) >= 0) ||
        !(p['partial'] === undefined || p['partial'] === true)
      ) {
        return fail(seq, 'malformed progress');
      }
      return { ok: true, msg: { type: 'progress', seq, progress: p as unknown as WorkerProgress } };
    }
    case 'error':
      if (!isErrorInfo(m['error'])) return fail(seq, 'malformed error message');
      return { ok: true, msg: { type: 'error', seq, error: m['error'] } };
    default:
      return fail(seq, `unknown worker message type ${shown(m['type'])}`);
  }
}

/** Large results travel as transferables: collect the ArrayBuffers at the top level of a result. */
export function transferablesOf(result: unknown): ArrayBuffer[] {
  if (result instanceof ArrayBuffer) return [result];
  if (!isPlainObject(result)) return [];
  const out: ArrayBuffer[] = [];
  for (const v of Object.values(result)) if (v instanceof ArrayBuffer) out.push(v);
  return out;
}
