// The case document (evidence references, rule set, settings, annotations, view state) and the operations
// that change it. Invariant: every operation is validated and applied by one pure function, so the journal
// replays to exactly the state the analyst saw, and an invalid operation never reaches the disk.

import { applyChanges, emptyDoc, parseAnnotationDoc, type AnnotationChange, type AnnotationDoc } from '../../../engine/case/annotations.ts';
import { HopscopeError } from '../../../engine/model/errors.ts';
import { checkHostTable, type HostTableEntry } from '../../../engine/detect/movements/host-table.ts';

export const CASE_SCHEMA = 'hopscope.case/2';

export interface CaseEvidenceRef {
  /** Absolute path where the file was last seen (relocation updates it). */
  path: string;
  name: string;
  bytes: number;
  /** Lower-case hex SHA-256 of the content: the evidence's identity. */
  sha256: string;
  /** Detected format id (`sysmon-xml`, `cim-csv`, ...). */
  format: string;
  addedAt: string;
}

export interface CaseRuleRef {
  id: string;
  version: string | null;
  /** SHA-256 of the rule's source text (null when the text was not available). */
  sha256: string | null;
  source: string;
}

export interface CaseSettings {
  binSpanSec: number;
  /** IANA zone for display; all stored times stay UTC. */
  timeZone: string;
}

/** A clock correction the analyst set on one evidence file (engine/store/clock.ts). */
export interface CaseClockRef {
  sha256: string;
  /** Added to the times of the file's events (of those timed by `field` only, when named). */
  offsetMs: number;
  field?: string;
}

export interface CaseDoc {
  evidence: CaseEvidenceRef[];
  /** Clock corrections per evidence file (and time field); absent in cases made before them. */
  clock?: CaseClockRef[];
  /** The analyst's IP -> host table for movements (detect/movements/host-table.ts); absent when none. */
  hostTable?: HostTableEntry[];
  rules: CaseRuleRef[];
  /** SHA-256 over every rule, macro and Sigma file text used (sorted by path), null before a scan. */
  ruleSetSha256: string | null;
  settings: CaseSettings;
  annotations: AnnotationDoc;
  /** Renderer view state: opaque JSON, at most VIEW_MAX_CHARS when serialised. */
  view: unknown;
}

export type CaseOp =
  | { kind: 'annotate'; changes: AnnotationChange[] }
  /** Add evidence, or refresh path/name/format of evidence already in the case (same content). */
  | { kind: 'evidence'; evidence: CaseEvidenceRef[] }
  | { kind: 'relocate'; sha256: string; path: string }
  | { kind: 'rules'; rules: CaseRuleRef[]; ruleSetSha256: string | null }
  | { kind: 'settings'; settings: Partial<CaseSettings> }
  | { kind: 'view'; view: unknown }
  /** Set (offsetMs) or undo (null) the clock correction of one file, or of its events timed by `field`. */
  | { kind: 'clock'; sha256: string; field?: string; offsetMs: number | null }
  /** Replace the whole IP -> host table (`[]` removes it). */
  | { kind: 'hostTable'; entries: HostTableEntry[] };

export const VIEW_MAX_CHARS = 256 * 1024;
/** One journal entry: a bulk annotation of 10,000 targets with up to 8 edits each. */
export const MAX_CHANGES_PER_OP = 100_000;
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_TEXT = 4096;

export function emptyCaseDoc(settings?: Partial<CaseSettings>): CaseDoc {
  return {
    evidence: [],
    rules: [],
    ruleSetSha256: null,
    settings: { binSpanSec: settings?.binSpanSec ?? 1, timeZone: settings?.timeZone ?? 'UTC' },
    annotations: emptyDoc(),
    view: null,
  };
}

function fail(message: string): never {
  throw new HopscopeError('E_CASE', message);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function text(v: unknown, what: string, max = MAX_TEXT): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) fail(`${what} must be a string of 1..${max} characters`);
  return v;
}

function sha(v: unknown, what: string): string {
  if (typeof v !== 'string' || !SHA256.test(v.toLowerCase())) fail(`${what} must be a SHA-256 in hex`);
  return v.toLowerCase();
}

function only(v: Record<string, unknown>, keys: readonly string[], what: string): void {
  for (const k of Object.keys(v)) if (!keys.includes(k)) fail(`${what}.${k} is not allowed`);
}

export function isTimeZone(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

export function checkBinSpanSec(v: unknown, what = 'binSpanSec'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0.001 || v > 86_400 * 366) fail(`${what} must be a number of seconds in [0.001, 31622400]`);
  return v;
}

function parseEvidenceRef(v: unknown, what: string): CaseEvidenceRef {
  if (!isPlainObject(v)) fail(`${what} must be an object`);
  only(v, ['path', 'name', 'bytes', 'sha256', 'format', 'addedAt'], what);
  const bytes = v['bytes'];
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) fail(`${what}.bytes must be a byte count`);
  return {
    path: text(v['path'], `${what}.path`),
    name: text(v['name'], `${what}.name`),
    bytes,
    sha256: sha(v['sha256'], `${what}.sha256`),
    format: text(v['format'], `${what}.format`, 128),
    addedAt: text(v['addedAt'], `${what}.addedAt`, 64),
  };
}

function parseRuleRef(v: unknown, what: string): CaseRuleRef {
  if (!isPlainObject(v)) fail(`${what} must be an object`);
  only(v, ['id', 'version', 'sha256', 'source'], what);
  const version = v['version'] ?? null;
  if (version !== null && (typeof version !== 'string' || version.length > 128)) fail(`${what}.version must be a short string or null`);
  const hash = v['sha256'] ?? null;
  return { id: text(v['id'], `${what}.id`, 1024), version, sha256: hash === null ? null : sha(hash, `${what}.sha256`), source: text(v['source'], `${what}.source`) };
}

function parseSettings(v: unknown, partial: boolean): Partial<CaseSettings> {
  if (!isPlainObject(v)) fail('settings must be an object');
  only(v, ['binSpanSec', 'timeZone'], 'settings');
  const out: Partial<CaseSettings> = {};
  if (v['binSpanSec'] !== undefined || !partial) out.binSpanSec = checkBinSpanSec(v['binSpanSec'], 'settings.binSpanSec');
  if (v['timeZone'] !== undefined || !partial) {
    if (!isTimeZone(v['timeZone'])) fail('settings.timeZone must be an IANA time zone such as UTC or Europe/Berlin');
    out.timeZone = v['timeZone'];
  }
  return out;
}

/** View state is the renderer's business; the case only insists it is plain JSON of bounded size. */
export function checkView(v: unknown): unknown {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    fail('view state must be JSON');
  }
  if (s === undefined) fail('view state must be JSON');
  if (s.length > VIEW_MAX_CHARS) fail(`view state must be at most ${VIEW_MAX_CHARS} characters of JSON`);
  return JSON.parse(s) as unknown;
}

/** Validate an operation from the journal or a caller; throws E_CASE. Returns a normalised copy. */
export function parseCaseOp(v: unknown): CaseOp {
  if (!isPlainObject(v)) fail('case operation must be an object');
  switch (v['kind']) {
    case 'annotate': {
      only(v, ['kind', 'changes'], 'annotate');
      const changes = v['changes'];
      if (!Array.isArray(changes) || changes.length === 0 || changes.length > MAX_CHANGES_PER_OP) fail(`annotate.changes must be a non-empty array of at most ${MAX_CHANGES_PER_OP}`);
      // The annotation model validates each change when it is applied.
      return { kind: 'annotate', changes: changes as AnnotationChange[] };
    }
    case 'evidence': {
      only(v, ['kind', 'evidence'], 'evidence');
      const list = v['evidence'];
      if (!Array.isArray(list) || list.length > 10_000) fail('evidence.evidence must be an array');
      return { kind: 'evidence', evidence: list.map((e, i) => parseEvidenceRef(e, `evidence[${i}]`)) };
    }
    case 'relocate':
      only(v, ['kind', 'sha256', 'path'], 'relocate');
      return { kind: 'relocate', sha256: sha(v['sha256'], 'relocate.sha256'), path: text(v['path'], 'relocate.path') };
    case 'rules': {
      only(v, ['kind', 'rules', 'ruleSetSha256'], 'rules');
      const list = v['rules'];
      if (!Array.isArray(list) || list.length > 100_000) fail('rules.rules must be an array');
      const set = v['ruleSetSha256'] ?? null;
      return { kind: 'rules', rules: list.map((r, i) => parseRuleRef(r, `rules[${i}]`)), ruleSetSha256: set === null ? null : sha(set, 'rules.ruleSetSha256') };
    }
    case 'settings':
      only(v, ['kind', 'settings'], 'settings');
      return { kind: 'settings', settings: parseSettings(v['settings'], true) };
    case 'view':
      only(v, ['kind', 'view'], 'view');
      return { kind: 'view', view: checkView(v['view'] ?? null) };
    case 'clock': {
      only(v, ['kind', 'sha256', 'field', 'offsetMs'], 'clock');
      const off = v['offsetMs'] ?? null;
      if (off !== null) checkClockOffset(off, 'clock.offsetMs');
      const field = v['field'];
      return { kind: 'clock', sha256: sha(v['sha256'], 'clock.sha256'), ...(field !== undefined ? { field: text(field, 'clock.field', 256) } : {}), offsetMs: off as number | null };
    }
    case 'hostTable':
      only(v, ['kind', 'entries'], 'hostTable');
      return { kind: 'hostTable', entries: hostTable(v['entries'], 'hostTable.entries') };
    default:
      return fail(`unknown case operation ${JSON.stringify(v['kind'])}`);
  }
}

/** Apply one validated operation; returns a new document (the input is not modified). Throws E_CASE. */
export function applyCaseOp(doc: CaseDoc, op: CaseOp): CaseDoc {
  switch (op.kind) {
    case 'annotate':
      return { ...doc, annotations: applyChanges(doc.annotations, op.changes) };
    case 'evidence': {
      const evidence = [...doc.evidence];
      for (const ref of op.evidence) {
        const i = evidence.findIndex((e) => e.sha256 === ref.sha256);
        if (i < 0) evidence.push(ref);
        else evidence[i] = { ...ref, addedAt: evidence[i]!.addedAt };
      }
      return { ...doc, evidence };
    }
    case 'relocate': {
      const i = doc.evidence.findIndex((e) => e.sha256 === op.sha256);
      if (i < 0) fail('no evidence with that SHA-256 in the case');
      const evidence = [...doc.evidence];
      evidence[i] = { ...evidence[i]!, path: op.path };
      return { ...doc, evidence };
    }
    case 'rules':
      return { ...doc, rules: op.rules, ruleSetSha256: op.ruleSetSha256 };
    case 'settings':
      return { ...doc, settings: { ...doc.settings, ...op.settings } };
    case 'view':
      return { ...doc, view: op.view };
    case 'clock': {
      const same = (c: CaseClockRef): boolean => c.sha256 === op.sha256 && c.field === op.field;
      const clock = (doc.clock ?? []).filter((c) => !same(c));
      if (op.offsetMs !== null && op.offsetMs !== 0) clock.push({ sha256: op.sha256, offsetMs: op.offsetMs, ...(op.field !== undefined ? { field: op.field } : {}) });
      return { ...doc, clock };
    }
    case 'hostTable': {
      const { hostTable: _old, ...rest } = doc;
      return op.entries.length ? { ...rest, hostTable: op.entries } : rest;
    }
  }
}

function nonEmptyTable(entries: HostTableEntry[]): { hostTable?: HostTableEntry[] } {
  return entries.length ? { hostTable: entries } : {};
}

/** The host table's own checks (E_USAGE there), as a case error naming the part. */
function hostTable(v: unknown, what: string): HostTableEntry[] {
  try {
    return checkHostTable(v, what);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

/** A clock offset in ms: finite, at most 7 days either way. */
export function checkClockOffset(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 7 * 86_400_000) fail(`${what} must be a number of ms within 7 days either way`);
  return v;
}

function parseClockRef(v: unknown, what: string): CaseClockRef {
  if (!isPlainObject(v)) fail(`${what} must be an object`);
  only(v, ['sha256', 'offsetMs', 'field'], what);
  const field = v['field'];
  return { sha256: sha(v['sha256'], `${what}.sha256`), offsetMs: checkClockOffset(v['offsetMs'], `${what}.offsetMs`), ...(field !== undefined ? { field: text(field, `${what}.field`, 256) } : {}) };
}

/** Validate a case document read from a snapshot; throws E_CASE naming the bad part. */
export function parseCaseDoc(v: unknown): CaseDoc {
  if (!isPlainObject(v)) fail('case must be an object');
  only(v, ['evidence', 'clock', 'hostTable', 'rules', 'ruleSetSha256', 'settings', 'annotations', 'view'], 'case');
  const ev = v['evidence'] ?? [];
  const rules = v['rules'] ?? [];
  if (!Array.isArray(ev)) fail('case.evidence must be an array');
  if (!Array.isArray(rules)) fail('case.rules must be an array');
  if (v['clock'] !== undefined && !Array.isArray(v['clock'])) fail('case.clock must be an array');
  const set = v['ruleSetSha256'] ?? null;
  return {
    evidence: ev.map((e, i) => parseEvidenceRef(e, `case.evidence[${i}]`)),
    ...(Array.isArray(v['clock']) && v['clock'].length ? { clock: v['clock'].map((c, i) => parseClockRef(c, `case.clock[${i}]`)) } : {}),
    ...(v['hostTable'] !== undefined ? nonEmptyTable(hostTable(v['hostTable'], 'case.hostTable')) : {}),
    rules: rules.map((r, i) => parseRuleRef(r, `case.rules[${i}]`)),
    ruleSetSha256: set === null ? null : sha(set, 'case.ruleSetSha256'),
    settings: parseSettings(v['settings'] ?? { binSpanSec: 1, timeZone: 'UTC' }, false) as CaseSettings,
    annotations: parseAnnotationDoc(v['annotations'] ?? {}),
    view: checkView(v['view'] ?? null),
  };
}
