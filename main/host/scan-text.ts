// The text `hopscope scan` prints without --format: evidence (with rejected records and warnings), the per-host risk
// table, the findings with what ran, the lateral links; and the hint for a file of no known layout.
// Invariant: log text is printed with control characters escaped (no terminal escape sequences from evidence), and
// the lines built from log text are cut to the terminal width.

import { CANONICAL_FIELDS } from '../../engine/model/fields.ts';
import type { EventDetails, FindingsResponse } from '../../engine/rpc/api.ts';
import type { CaseJobResult } from './case-job.ts';
import { groupLinks, hiddenLinkGroups, TOP_LINK_GROUPS } from '../../engine/detect/link-groups.ts';
import { whatRanOf } from '../../engine/export/what-ran.ts';

const MAX_LISTED_FINDINGS = 500;
const MAX_LISTED_MOVEMENTS = 200;
/** Steps of a movement the text lists (the JSON and HTML reports have them all). */
const MAX_LISTED_STEPS = 6;
/** Rejected records listed per evidence file before the count of the rest. */
export const MAX_LISTED_REJECTS = 20;
/** Width when standard output is not a terminal. */
export const DEFAULT_COLUMNS = 120;

export interface SummaryOptions {
  /** Terminal width: a finding's "what ran" line and the top-rules cells are cut to it (default 120). */
  columns?: number;
  /** The first event of each listed finding, by finding id (the engine's `event` answer), for "what ran". */
  firstEvents?: ReadonlyMap<string, EventDetails>;
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : '-';
}

function pad(s: string, n: number, right = false): string {
  const t = s.length > n ? s.slice(0, n - 1) + '…' : s;
  return right ? t.padStart(n) : t.padEnd(n);
}

/** Cuts a line to `width` characters, marking the cut with `…`. */
export function cut(line: string, width: number): string {
  const w = Math.max(20, Math.floor(width));
  return line.length > w ? line.slice(0, w - 1) + '…' : line;
}

/** Log text for a terminal: C0/C1 controls, DEL and bidi overrides escaped as `\xNN` / `\u{NNNN}`. */
export function safeText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}

/** The width to cut to: the terminal's columns, else 120 (a pipe or file). */
export function terminalColumns(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY && stream.columns && stream.columns > 0 ? stream.columns : DEFAULT_COLUMNS;
}

/**
 * "What ran" for a finding's first event, like Hayabusa's and Chainsaw's key fields: host (when it is not the finding's,
 * which the line above shows), user, parent -> process, command line.
 */
export function whatRan(ev: EventDetails, findingHost?: string): string {
  // The same choice of fields as the reports (engine/export/what-ran.ts).
  const w = whatRanOf(ev.canonical);
  const parts = [`user ${w.user ?? '-'}`, `${w.parent} -> ${w.process}`];
  if (w.host !== findingHost) parts.unshift(`host ${w.host ?? '-'}`);
  if (w.commandLine) parts.push(`cmd: ${w.commandLine}`);
  return safeText(parts.join('  '));
}

export function formatSummary(result: CaseJobResult, found: FindingsResponse, opts: SummaryOptions = {}): string {
  const width = opts.columns ?? DEFAULT_COLUMNS;
  const lines: string[] = [];
  const s = result.summary;
  const ruleCount = result.rules.rules.length;
  const issues = result.rules.issues.length;
  // Rule titles for the text (Sigma ids are UUIDs); the JSON report keeps the ids.
  const titles = new Map(result.rules.rules.map((r) => [r.id, r.title.trim() || r.id]));
  const ruleLabel = (id: string): string => safeText(titles.get(id) ?? id);
  lines.push(
    `Hopscope scan: ${result.evidence.length} file(s), ${s?.events ?? 0} events, ${found.hosts.length} host(s), ` +
      `${ruleCount} rule(s)${issues ? ` (${issues} rule issue(s))` : ''}, ${found.findings.length} finding(s)` +
      (s ? `, bins of ${s.binSpanSec}s` : ''),
  );
  lines.push('');
  lines.push('evidence:');
  // Per kind, so a file of logons alone never reads as "0 events" of what the timeline shows by default.
  const kindList = (sha256: string, name: string): string => {
    const by = s?.evidence.find((x) => x.sha256 === sha256 && x.name === name)?.eventsByKind ?? {};
    const parts = Object.entries(by).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return parts.length ? ` (${parts.map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
  };
  for (const e of result.evidence) {
    const st = e.ingest.stats;
    lines.push(
      `  ${e.input.name}  ${humanBytes(e.bytes)}  sha256 ${e.sha256}  format ${e.ingest.format}  ` +
        `${st.appended} events${kindList(e.sha256, e.input.name)}, ${st.rejected} rejected` +
        (st.nonProcess > 0 ? `, ${st.nonProcess} not kept as events` : ''),
    );
    const sum = s?.evidence.find((x) => x.sha256 === e.sha256 && x.name === e.input.name && x.path === e.input.path) ?? s?.evidence.find((x) => x.sha256 === e.sha256 && x.name === e.input.name);
    // The summary's warnings include the case's own (the same file twice, the same events in two files).
    for (const w of sum ? (sum.warnings ?? []) : e.warnings) lines.push(`    warning: ${safeText(w)}`);
    if (st.rejected > 0) {
      const byReason = Object.entries(st.rejectedByReason).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      lines.push(`    rejected records (${byReason.map(([k, n]) => `${k} ${n}`).join(', ')}):`);
      const samples = (sum?.rejectSamples ?? []).slice(0, MAX_LISTED_REJECTS);
      for (const r of samples) {
        const where = [
          r.line !== undefined ? `line ${r.line}` : undefined,
          r.record !== undefined ? `record ${r.record}` : undefined,
          r.byteOffset !== undefined ? `byte ${r.byteOffset}` : undefined,
        ].filter((x) => x !== undefined);
        lines.push(cut(`      ${e.input.name}  ${where.join(', ') || '-'}: ${safeText(r.reason)}`, width));
      }
      if (st.rejected > samples.length) lines.push(`      ... ${st.rejected - samples.length} more rejected record(s) not listed`);
    }
  }
  lines.push('');
  const hw = Math.max(4, ...found.hosts.map((h) => h.host.length));
  // RISK is Splunk's RBA sum; ONCE counts each event once (rules overlapping on the same events score as the riskiest).
  lines.push(`${pad('HOST', hw)}  ${pad('EVENTS', 8, true)}  ${pad('FINDINGS', 8, true)}  ${pad('RISK', 6, true)}  ${pad('ONCE', 6, true)}  TOP RULES`);
  for (const h of found.hosts) {
    const top = h.topRules.map((r) => `${ruleLabel(r.ruleId)} (${r.findings})`).join(', ') || '-';
    lines.push(cut(`${pad(h.host, hw)}  ${pad(String(h.events), 8, true)}  ${pad(String(h.findings), 8, true)}  ${pad(String(h.riskScore), 6, true)}  ${pad(String(h.riskDistinct ?? h.riskScore), 6, true)}  ${top}`, width));
  }
  lines.push('');
  if (found.findings.length === 0) {
    lines.push('no findings');
  } else {
    lines.push(`findings (${found.findings.length}):`);
    for (const f of found.findings.slice(0, MAX_LISTED_FINDINGS)) {
      lines.push(`  ${iso(f.binStartMs)}  ${f.host}  ${ruleLabel(f.ruleId)}  risk ${f.riskScore}  ${f.eventCount} event(s)  ${safeText(f.message)}`);
      const ev = opts.firstEvents?.get(f.id);
      if (ev) lines.push(cut(`      ${whatRan(ev, f.host)}`, width));
    }
    if (found.findings.length > MAX_LISTED_FINDINGS) {
      lines.push(`  ... ${found.findings.length - MAX_LISTED_FINDINGS} more (use --format json|csv|ndjson|html for all)`);
    }
  }
  lines.push(...movementLines(found, width));
  if (found.links.length) {
    // Grouped by (source, target, method), finding-backed groups first, then the largest: the top ones, then how
    // many are hidden (a case with thousands of command-line links stays readable).
    const groups = groupLinks(found.links, found.findings);
    lines.push('');
    lines.push(`lateral links (${found.links.length} in ${groups.length} ${groups.length === 1 ? 'group' : 'groups'} of source, target, method):`);
    for (const g of groups.slice(0, TOP_LINK_GROUPS)) {
      const span = g.count > 1 ? `${iso(g.firstMs)} .. ${iso(g.lastMs)}` : iso(g.firstMs);
      const backed = g.findingBacked > 0 ? `  finding-backed (${g.findingBacked})` : '';
      lines.push(cut(`  ${safeText(g.fromHost)} -> ${safeText(g.toHost)}  ${safeText(g.kind)}  x${g.count}  ${span}${backed}`, width));
    }
    const hidden = hiddenLinkGroups(groups, TOP_LINK_GROUPS);
    if (hidden) lines.push(`  ... ${hidden.groups} more ${hidden.groups === 1 ? 'group' : 'groups'} (${hidden.links} ${hidden.links === 1 ? 'link' : 'links'}) not listed (--format html lists every group)`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Who moved where (issue 14): each movement as source (address) -> target, method, account and which side's logs saw
 * it, its first steps in order and the steps its method has that were not found; then multi-hop paths.
 */
export function movementLines(found: FindingsResponse, width: number): string[] {
  const mv = found.movements;
  if (!mv || mv.movements.length === 0) return [];
  const lines: string[] = ['', `movements (${mv.movements.length}):`];
  for (const m of mv.movements.slice(0, MAX_LISTED_MOVEMENTS)) {
    const from = m.source ? `${m.source}${m.sourceIp ? ` (${m.sourceIp})` : ''}` : m.sourceIp ?? 'unknown source';
    const by = m.source_attribution.resolvedBy ? `, source by ${m.source_attribution.resolvedBy}` : '';
    lines.push(cut(`  ${iso(m.firstMs)}  ${safeText(m.method)}  ${safeText(from)} -> ${safeText(m.target)}  as ${safeText(m.account ?? '?')}  seen from ${m.seenFrom}${by}${m.sourceOnly ? ', source has no logs here' : ''}`, width));
    for (const st of m.steps.slice(0, MAX_LISTED_STEPS)) lines.push(cut(`      ${iso(st.timeMs)}  ${safeText(st.host)}  ${st.role}: ${safeText(st.summary)}`, width));
    if (m.steps.length > MAX_LISTED_STEPS) lines.push(`      ... ${m.steps.length - MAX_LISTED_STEPS} more step(s)`);
    if (m.missing.length) lines.push(`      not found: ${m.missing.join(', ')}`);
  }
  if (mv.movements.length > MAX_LISTED_MOVEMENTS) lines.push(`  ... ${mv.movements.length - MAX_LISTED_MOVEMENTS} more (use --format json|html for all)`);
  if (mv.paths.length) {
    lines.push('', `paths (${mv.paths.length}):`);
    for (const p of mv.paths.slice(0, MAX_LISTED_MOVEMENTS)) {
      lines.push(cut(`  ${p.hosts.map(safeText).join(' -> ')}  as ${p.accounts.map((a) => safeText(a ?? '?')).join(', ')}  ${iso(p.firstMs)} .. ${iso(p.lastMs)}`, width));
    }
  }
  return lines;
}

/** The row of each listed finding whose event the text shows: its earliest. */
export function firstEventRows(found: FindingsResponse): Array<{ findingId: string; row: number }> {
  const out: Array<{ findingId: string; row: number }> = [];
  for (const f of found.findings.slice(0, MAX_LISTED_FINDINGS)) {
    let first = f.events[0];
    for (const e of f.events) if (first && (e.timeMs < first.timeMs || (e.timeMs === first.timeMs && e.row < first.row))) first = e;
    if (first) out.push({ findingId: f.id, row: first.row });
  }
  return out;
}

const GUESS: ReadonlyArray<[role: string, re: RegExp]> = [
  ['time', /time|date|when|stamp|utc/i],
  ['host', /host|computer|machine|device|dest|endpoint/i],
  ['parent_process', /parent.*(cmd|command)|parent.*line/i],
  ['process', /cmd|command|line|args/i],
  ['user', /user|account|principal/i],
  ['process_name', /exe|image|process|proc|name/i],
];

/**
 * What to do about a file of no known layout on the command line: `--mapping FILE` and the JSON it takes, with the
 * file's own columns guessed into place where their names suggest it (`COLUMN` where they do not).
 */
export function mappingHint(columns: readonly string[]): string {
  const used = new Set<string>();
  const pick = (re: RegExp): string | undefined => {
    const c = columns.find((x) => !used.has(x) && re.test(x));
    if (c !== undefined) used.add(c);
    return c;
  };
  const guess = new Map<string, string | undefined>();
  for (const [role, re] of GUESS) guess.set(role, pick(re));
  const fields: Record<string, string> = { process: guess.get('process') ?? 'COLUMN' };
  for (const k of ['user', 'process_name', 'parent_process']) {
    const v = guess.get(k);
    if (v !== undefined) fields[k] = v;
  }
  const example = { time: guess.get('time') ?? 'COLUMN', host: guess.get('host') ?? 'COLUMN', fields };
  const json = JSON.stringify(example, null, 1).replace(/\n\s*/g, ' ').replace(/\{ /g, '{').replace(/ \}/g, '}');
  return [
    `  give the columns with --mapping FILE, a JSON file like this one (${guess.size && [...guess.values()].some((v) => v !== undefined) ? 'guessed from the column names; check it' : 'put in your column names'}):`,
    `    ${json}`,
    '  "time": the column holding each event\'s time; "host": the computer\'s name (optional); "fields": canonical field ->',
    `  column, any of: ${CANONICAL_FIELDS.join(', ')}`,
  ].join('\n');
}
