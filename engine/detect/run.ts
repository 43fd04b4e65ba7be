// Detection driver: runs compiled rules over the case and turns matching rows into findings
// (one per rule x host x time bin, rules.md §3), host risk (Splunk RBA sums) and lateral links.
// Invariant: deterministic — the same source and rules give the same result in the same order.

import { HopscopeError, toErrorInfo, type ErrorInfo } from '../model/errors.ts';
import type { CompiledRule, RuleRunResult } from '../rules/types.ts';
import { fieldAt, locateRow, type EventSource, type EventView } from '../store/view.ts';
import { hostOf } from '../store/host.ts';
import { UNKNOWN_HOST } from './hosts.ts';
import { findLateralLinks, type LinkOptions } from './links.ts';
import { buildMovements, type MovementOptions } from './movements/build.ts';
import type { MovementResult } from './movements/types.ts';
import { sha256Hex } from '../rules/spl/sha256.ts';
import type { Finding, FindingEventRef, HostRisk, LateralLink } from './types.ts';

export { UNKNOWN_HOST };

/** How many rules `HostRisk.topRules` keeps (highest summed risk first). */
export const TOP_RULES_PER_HOST = 5;
/** How many distinct values a multi-valued `$field$` shows before `(+N more)`. */
export const MESSAGE_MAX_VALUES = 10;

/** Longest rule id or host kept as it is in a finding id; a longer one is replaced by its hash. */
export const ID_PART_MAX = 200;

/**
 * A finding's id: `${ruleId}|${host}|${binStartMs}`, with a rule id or host longer than ID_PART_MAX replaced by
 * `#` and 32 hex digits of its SHA-256, so an id never grows with log text (ordinary ids are unchanged: saved notes and
 * goldens keep their ids).
 */
export function findingId(ruleId: string, host: string, binStartMs: number): string {
  const part = (s: string): string => (s.length <= ID_PART_MAX ? s : '#' + sha256Hex(s).slice(0, 32));
  return `${part(ruleId)}|${part(host)}|${binStartMs}`;
}

export interface DetectOptions {
  /** Bin width in seconds (default 1); bins are floored on UTC epoch time. */
  binSpanSec?: number;
  /** Per-rule cooperative budget, passed to each rule. */
  budgetMs?: number;
  /** Checked between rules and inside them; cancellation throws HopscopeError E_CANCELLED. */
  isCancelled?: () => boolean;
  onRule?: (ruleId: string, done: number, total: number) => void;
  /**
   * Evidence index and 1-based record of a global row. Default: the `_evidence` / `_record`
   * columns when the store has them, else evidence 0 and record row + 1.
   */
  locate?: (row: number) => { evidence: number; record: number };
  /** Lateral-movement link options; `false` skips link detection. */
  links?: LinkOptions | false;
  /** Movement options (windows, the analyst's host table); `false` skips movements. */
  movements?: Omit<MovementOptions, 'locate'> | false;
  now?: () => number;
}

export interface RuleError {
  ruleId: string;
  error: ErrorInfo;
}

export interface RuleStat {
  ruleId: string;
  matches: number;
  elapsedMs: number;
}

export interface DetectionResult {
  findings: Finding[];
  hosts: HostRisk[];
  links: LateralLink[];
  /** Who moved where (issue 14): movements, multi-hop paths, episodes, finding -> source movement. */
  movements: MovementResult;
  ruleErrors: RuleError[];
  ruleStats: RuleStat[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Host (canonical `dest`) of every row, resolved once per view through the dictionary when present. */
function hostResolver(source: EventSource): (row: number) => string {
  const cache = new Map<EventView, (local: number) => string>();
  const forView = (view: EventView): ((local: number) => string) => {
    let f = cache.get(view);
    if (f) return f;
    f = hostOf(view);
    cache.set(view, f);
    return f;
  };
  return (row) => {
    const { view, row: local } = locateRow(source, row);
    return forView(view)(local);
  };
}

function defaultLocator(source: EventSource): (row: number) => { evidence: number; record: number } {
  return (row) => {
    const evText = fieldAt(source, row, '_evidence');
    const recText = fieldAt(source, row, '_record');
    const ev = evText === null ? NaN : Number(evText);
    const rec = recText === null ? NaN : Number(recText);
    return {
      evidence: Number.isInteger(ev) && ev >= 0 ? ev : 0,
      record: Number.isInteger(rec) && rec > 0 ? rec : row + 1,
    };
  };
}

function timeAt(source: EventSource, row: number): number {
  const { view, row: local } = locateRow(source, row);
  return view.timeMs[local]!;
}

const PLACEHOLDER = /\$([A-Za-z_][A-Za-z0-9_.]*)\$/g;

/**
 * Render a risk message: each `$field$` becomes the finding's value of that field — from the
 * rule's output row (`rowFields`, newline-separated multi-values) when it has the field, else from
 * the stored event (taken whole: a command line may itself hold newlines). Distinct
 * values over the finding's events are sorted (like SPL `values()`) and joined with ', '; a field
 * no event has renders as `[field unknown]`, so a gap is visible instead of silently empty.
 */
export function renderMessage(
  template: string,
  source: EventSource,
  rows: readonly number[],
  rowFields?: Map<number, Record<string, string>>,
): string {
  return template.replace(PLACEHOLDER, (_m, field: string) => {
    const seen = new Set<string>();
    for (const row of rows) {
      const fromRule = rowFields?.get(row);
      if (fromRule && Object.prototype.hasOwnProperty.call(fromRule, field)) {
        // A rule's `values(x)` output carries its several values newline-separated.
        for (const part of (fromRule[field] ?? '').split('\n')) if (part !== '') seen.add(part);
        continue;
      }
      const v = fieldAt(source, row, field);
      if (v !== null && v !== '') seen.add(v);
    }
    if (seen.size === 0) return `[${field} unknown]`;
    const values = [...seen].sort(cmp);
    const shown = values.slice(0, MESSAGE_MAX_VALUES).join(', ');
    return values.length > MESSAGE_MAX_VALUES ? `${shown} (+${values.length - MESSAGE_MAX_VALUES} more)` : shown;
  });
}

interface Group {
  host: string;
  bin: number;
  rows: number[];
}

/** Group one rule's rows into findings. Throws on malformed rule output (caught per rule). */
function findingsOfRule(
  rule: CompiledRule,
  result: RuleRunResult,
  source: EventSource,
  spanMs: number,
  hostOf: (row: number) => string,
  locate: (row: number) => { evidence: number; record: number },
): Finding[] {
  const groups = new Map<string, Group>();
  let prev = -1;
  for (const row of result.rows) {
    if (!(row < source.rowCount) || row <= prev) {
      throw new HopscopeError('E_INTERNAL', `rule ${rule.meta.id} returned row ${row} out of range or out of order`);
    }
    prev = row;
    const host = hostOf(row);
    const bin = Math.floor(timeAt(source, row) / spanMs);
    const key = `${bin}\u0000${host}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { host, bin, rows: [] }));
    g.rows.push(row);
  }
  const meta = rule.meta;
  const template = meta.messageTemplate ?? meta.title;
  const out: Finding[] = [];
  for (const g of groups.values()) {
    const events: FindingEventRef[] = g.rows.map((row) => {
      const loc = locate(row);
      return { row, evidence: loc.evidence, record: loc.record, timeMs: timeAt(source, row) };
    });
    events.sort((a, b) => a.timeMs - b.timeMs || a.row - b.row);
    const binStartMs = g.bin * spanMs;
    out.push({
      id: findingId(meta.id, g.host, binStartMs),
      ruleId: meta.id,
      host: g.host,
      binStartMs,
      binEndMs: binStartMs + spanMs,
      eventCount: events.length,
      riskScore: meta.riskScore,
      message: renderMessage(template, source, events.map((e) => e.row), result.rowFields),
      techniques: [...meta.techniques],
      events,
    });
  }
  return out;
}

/** Per host: every event counted, first/last event time; then findings and summed risk folded in. */
export function computeHostRisk(source: EventSource, findings: readonly Finding[]): HostRisk[] {
  const hosts = new Map<string, HostRisk>();
  const touch = (host: string): HostRisk => {
    let h = hosts.get(host);
    if (!h) hosts.set(host, (h = { host, events: 0, findings: 0, riskScore: 0, topRules: [], firstMs: Infinity, lastMs: -Infinity }));
    return h;
  };
  for (const view of source.views) {
    // The one host definition (store/host.ts): dest, else the event's own host, else NO_HOST.
    const hostAt = hostOf(view);
    const times = view.timeMs;
    let lastName: string | null = null;
    let lastHost: HostRisk | null = null;
    for (let r = 0; r < view.rowCount; r++) {
      const name = hostAt(r);
      const h: HostRisk = name === lastName ? lastHost! : touch(name);
      lastName = name;
      lastHost = h;
      const t = times[r]!;
      h.events++;
      if (t < h.firstMs) h.firstMs = t;
      if (t > h.lastMs) h.lastMs = t;
    }
  }
  const perRule = new Map<string, Map<string, { findings: number; riskScore: number }>>();
  for (const f of findings) {
    const h = touch(f.host);
    h.findings++;
    h.riskScore += f.riskScore;
    let rules = perRule.get(f.host);
    if (!rules) perRule.set(f.host, (rules = new Map()));
    const r = rules.get(f.ruleId) ?? { findings: 0, riskScore: 0 };
    r.findings++;
    r.riskScore += f.riskScore;
    rules.set(f.ruleId, r);
  }
  const out = [...hosts.values()];
  // Each event once: per host, findings by falling risk add their risk only when they bring a new event.
  const byHost = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byHost.get(f.host);
    if (list) list.push(f);
    else byHost.set(f.host, [f]);
  }
  for (const h of out) {
    const fs = (byHost.get(h.host) ?? []).slice().sort((a, b) => b.riskScore - a.riskScore || cmp(a.id, b.id));
    const seen = new Set<number>();
    let distinct = 0;
    for (const f of fs) {
      let fresh = f.events.length === 0;
      for (const e of f.events) {
        if (seen.has(e.row)) continue;
        fresh = true;
        seen.add(e.row);
      }
      if (fresh) distinct += f.riskScore;
    }
    h.riskDistinct = distinct;
  }
  for (const h of out) {
    if (h.firstMs === Infinity) {
      // Only reachable for a host known from findings alone; keep finite numbers for JSON.
      h.firstMs = 0;
      h.lastMs = 0;
    }
    const rules = perRule.get(h.host);
    if (rules) {
      h.topRules = [...rules.entries()]
        .map(([ruleId, r]) => ({ ruleId, findings: r.findings, riskScore: r.riskScore }))
        .sort((a, b) => b.riskScore - a.riskScore || b.findings - a.findings || cmp(a.ruleId, b.ruleId))
        .slice(0, TOP_RULES_PER_HOST);
    }
  }
  return out.sort((a, b) => b.riskScore - a.riskScore || cmp(a.host, b.host));
}

export function compareFindings(a: Finding, b: Finding): number {
  return a.binStartMs - b.binStartMs || cmp(a.host, b.host) || cmp(a.ruleId, b.ruleId);
}

/**
 * Run every rule and build findings, host risk and lateral links. A rule that errors (returned
 * `error` or threw) is listed in `ruleErrors` and contributes no findings — partial rows of an
 * aborted rule would under-report silently — while the other rules keep going. Cancellation
 * (before a rule or reported by one) aborts the whole run with E_CANCELLED.
 */
export function detect(source: EventSource, rules: readonly CompiledRule[], opts: DetectOptions = {}): DetectionResult {
  const spanSec = opts.binSpanSec ?? 1;
  if (!(typeof spanSec === 'number' && Number.isFinite(spanSec) && spanSec > 0)) {
    throw new HopscopeError('E_USAGE', `binSpanSec must be a positive number, got ${String(spanSec)}`);
  }
  const spanMs = spanSec * 1000;
  const now = opts.now ?? (() => performance.now());
  const hostOf = hostResolver(source);
  const locate = opts.locate ?? defaultLocator(source);
  const findings: Finding[] = [];
  const ruleErrors: RuleError[] = [];
  const ruleStats: RuleStat[] = [];
  const seenIds = new Set<string>();
  const cancelled = (): never => {
    throw new HopscopeError('E_CANCELLED', 'detection cancelled');
  };

  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const ruleId = rule.meta.id;
    if (opts.isCancelled?.()) cancelled();
    if (seenIds.has(ruleId)) {
      // Finding ids embed the rule id; a second rule with the same id would merge into the first.
      ruleErrors.push({ ruleId, error: { code: 'E_USAGE', message: `duplicate rule id ${ruleId}; rule skipped` } });
      opts.onRule?.(ruleId, i + 1, rules.length);
      continue;
    }
    seenIds.add(ruleId);
    const started = now();
    let result: RuleRunResult | undefined;
    try {
      const runOpts: { budgetMs?: number; isCancelled?: () => boolean; now?: () => number } = { now };
      if (opts.budgetMs !== undefined) runOpts.budgetMs = opts.budgetMs;
      if (opts.isCancelled) runOpts.isCancelled = opts.isCancelled;
      result = rule.run(source, runOpts);
    } catch (err) {
      const info = toErrorInfo(err);
      if (info.code === 'E_CANCELLED') cancelled();
      ruleErrors.push({ ruleId, error: info });
    }
    if (result) {
      if (result.error) {
        if (result.error.code === 'E_CANCELLED') cancelled();
        ruleErrors.push({ ruleId, error: result.error });
      } else {
        try {
          findings.push(...findingsOfRule(rule, result, source, spanMs, hostOf, locate));
        } catch (err) {
          ruleErrors.push({ ruleId, error: toErrorInfo(err) });
        }
      }
    }
    ruleStats.push({
      ruleId,
      matches: result && !result.error ? result.rows.length : 0,
      elapsedMs: result?.elapsedMs ?? now() - started,
    });
    opts.onRule?.(ruleId, i + 1, rules.length);
  }

  findings.sort(compareFindings);
  if (opts.isCancelled?.()) cancelled();
  const links = opts.links === false ? [] : findLateralLinks(source, opts.links ?? {});
  const movements =
    opts.movements === false
      ? { movements: [], paths: [], episodes: [], findingSources: {} }
      : buildMovements(source, findings, links, { ...(opts.movements ?? {}), locate });
  return { findings, hosts: computeHostRisk(source, findings), links, movements, ruleErrors, ruleStats };
}
