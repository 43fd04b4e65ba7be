// Self-contained offline HTML report: inline CSS and SVG, no script, no external resources, strict CSP.
// Invariant: every string that may come from evidence, rules or analysts goes through `esc`, so log
// content can never become markup; class names and numbers come only from fixed tables.

import { eventAnnotationKey, isAnnotationStatus, type Annotation } from '../case/annotations.ts';
import type { LateralLink } from '../detect/types.ts';
import { groupLinks } from '../detect/link-groups.ts';
import type { RuleMeta } from '../rules/types.ts';
import { buildReport, findingAnnotation, isoUtc, type Report, type ReportInput } from './report.ts';

export interface HtmlReportInput extends ReportInput {
  /** When the report was generated (UTC epoch ms), supplied by the caller so output stays deterministic. */
  generatedAtMs: number;
  links?: readonly LateralLink[];
  title?: string;
}

export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
/** Lanes drawn in the timeline image; the host table lists every host. */
const MAX_LANES = 40;

// Bidi overrides/isolates and invisible marks can reorder or hide text (`evil\u202Egnp.exe` showing as
// `evilexe.png`); C0/C1 controls other than TAB and LF have no business in a report.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** HTML-escape text for element content and double-quoted attributes; controls shown as ⟦U+XXXX⟧. */
/** Characters of a log value (a host name) shown before the rest is folded away (issue 16, item 10). */
export const LONG_TEXT_MAX = 200;

/** A log value escaped, cut at LONG_TEXT_MAX with the whole value one click away (a script-free <details>). */
export function escLong(value: string): string {
  if (value.length <= LONG_TEXT_MAX) return esc(value);
  return `${esc(value.slice(0, LONG_TEXT_MAX))}<details class="more"><summary>… ${(value.length - LONG_TEXT_MAX).toLocaleString('en-US')} more characters</summary>${esc(value)}</details>`;
}

export function esc(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(INVISIBLE, (c) => `⟦U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟧`);
}

function num(n: number): string {
  return Number.isFinite(n) ? String(n) : '0';
}

/** `1 event`, `2 events`. */
function count(n: number, noun: string): string {
  return `${num(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** Risk band for colour only; thresholds follow Splunk's low/medium/high RBA bands. */
function riskClass(score: number): 'risk-high' | 'risk-med' | 'risk-low' | 'risk-none' {
  if (score >= 70) return 'risk-high';
  if (score >= 40) return 'risk-med';
  if (score > 0) return 'risk-low';
  return 'risk-none';
}
const RISK_FILL: Record<ReturnType<typeof riskClass>, string> = {
  'risk-high': '#c62828',
  'risk-med': '#ef6c00',
  'risk-low': '#f9a825',
  'risk-none': '#9e9e9e',
};

function statusClass(a: Annotation | undefined): string {
  return a && isAnnotationStatus(a.status) ? `status-${a.status}` : 'status-new';
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0 0 6px; }
.meta { color: #555; margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #e4e4e4; overflow-wrap: anywhere; }
details.more { display: inline; } details.more summary { display: inline; cursor: pointer; color: #555; }
th { background: #f4f4f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, "Cascadia Mono", Consolas, monospace; font-size: 12.5px; word-break: break-all; white-space: pre-wrap; }
.finding { border: 1px solid #ddd; border-left: 6px solid #9e9e9e; border-radius: 4px; padding: 10px 12px; margin: 10px 0; }
.finding.risk-high { border-left-color: #c62828; }
.finding.risk-med { border-left-color: #ef6c00; }
.finding.risk-low { border-left-color: #f9a825; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; background: #eee; margin-right: 4px; }
.badge.risk-high { background: #c62828; color: #fff; }
.badge.risk-med { background: #ef6c00; color: #000; }
.badge.risk-low { background: #f9a825; color: #000; }
.status-confirmed-malicious { background: #b71c1c; color: #fff; }
.status-investigating { background: #1565c0; color: #fff; }
.status-benign, .status-false-positive { background: #2e7d32; color: #fff; }
.message { margin: 6px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.comments { margin: 6px 0 0; padding-left: 18px; }
.events { margin: 6px 0 0; padding-left: 18px; color: #444; }
.ran { margin: 2px 0 6px; color: #1b1b1b; }
.cmd { display: block; margin-top: 2px; padding: 3px 6px; background: #f6f6f6; border-radius: 3px; }
.timeline { width: 100%; height: auto; border: 1px solid #e4e4e4; }
.bar { display: inline-block; height: 8px; background: #c62828; vertical-align: middle; }
footer { margin-top: 32px; color: #595959; font-size: 12px; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  h2 { break-after: avoid; }
  .finding, tr, svg { break-inside: avoid; }
  .badge { border: 1px solid #000; }
  a { color: inherit; text-decoration: none; }
}
`;

interface Lane {
  host: string;
  y: number;
}

function timelineSvg(input: HtmlReportInput, report: Report): string {
  const width = 1000;
  const labelW = 190;
  const plotW = width - labelW - 20;
  const laneH = 26;
  const top = 10;
  const ruleTitle = new Map(input.rules.map((r) => [r.id, r.title]));
  const hostOrder = [...report.hosts.map((h) => h.host)];
  for (const f of report.findings) if (!hostOrder.includes(f.host)) hostOrder.push(f.host);
  const laneHosts = hostOrder.slice(0, MAX_LANES);
  const lanes = new Map<string, Lane>(laneHosts.map((host, i) => [host, { host, y: top + i * laneH + laneH / 2 }]));
  const height = top + laneHosts.length * laneH + 36;
  if (input.findings.length === 0 || laneHosts.length === 0) {
    return `<p class="meta">No findings to draw.</p>`;
  }
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (const f of input.findings) {
    minMs = Math.min(minMs, f.binStartMs);
    maxMs = Math.max(maxMs, f.binEndMs);
  }
  if (maxMs - minMs < 60_000) {
    // A single burst would otherwise collapse to one point; give it a minute of context.
    const mid = (minMs + maxMs) / 2;
    minMs = mid - 30_000;
    maxMs = mid + 30_000;
  }
  const x = (ms: number) => labelW + ((ms - minMs) / (maxMs - minMs)) * plotW;
  const parts: string[] = [];
  parts.push(
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="Findings per host over time">`,
  );
  laneHosts.forEach((host, i) => {
    const y = top + i * laneH;
    parts.push(
      `<rect x="0" y="${y}" width="${width}" height="${laneH}" fill="${i % 2 ? '#ffffff' : '#f7f7f7'}"/>`,
      `<text x="6" y="${y + laneH / 2 + 4}" font-size="12" fill="#333">${esc(host.length > 28 ? host.slice(0, 27) + '…' : host)}<title>${esc(host)}</title></text>`,
    );
  });
  // One line per link group (its first link), so thousands of links between the same hosts draw as one.
  for (const g of groupLinks(input.links ?? [], input.findings)) {
    const l = g.links[0]!;
    const a = lanes.get(l.fromHost);
    const b = lanes.get(l.toHost);
    if (!a || !b) continue;
    parts.push(
      `<line x1="${x(l.fromTimeMs).toFixed(1)}" y1="${a.y}" x2="${x(l.toTimeMs).toFixed(1)}" y2="${b.y}" stroke="#6a1b9a" stroke-width="1.5" stroke-dasharray="4 3"><title>${esc(`${l.kind}: ${l.fromHost} → ${l.toHost}${g.count > 1 ? ` (${g.count} links)` : ''}`)}</title></line>`,
    );
  }
  const byId = new Map(report.findings.map((f) => [f.id, f]));
  const sorted = [...input.findings].sort((p, q) => p.riskScore - q.riskScore || p.binStartMs - q.binStartMs);
  for (const f of sorted) {
    const lane = lanes.get(f.host);
    if (!lane) continue;
    const r = 3 + Math.min(100, Math.max(0, f.riskScore)) / 20;
    const rf = byId.get(f.id);
    const label = `${rf?.bin_start ?? ''} ${f.host} ${ruleTitle.get(f.ruleId) ?? f.ruleId} (risk ${num(f.riskScore)}, ${count(f.eventCount, 'event')})`;
    parts.push(
      `<circle cx="${x(f.binStartMs).toFixed(1)}" cy="${lane.y}" r="${r.toFixed(1)}" fill="${RISK_FILL[riskClass(f.riskScore)]}" fill-opacity="0.85"><title>${esc(label)}</title></circle>`,
    );
  }
  const axisY = top + laneHosts.length * laneH + 16;
  parts.push(
    `<line x1="${labelW}" y1="${axisY - 10}" x2="${labelW + plotW}" y2="${axisY - 10}" stroke="#999"/>`,
    `<text x="${labelW}" y="${axisY + 6}" font-size="11" fill="#555">${esc(isoUtc(minMs))}</text>`,
    `<text x="${labelW + plotW}" y="${axisY + 6}" font-size="11" fill="#555" text-anchor="end">${esc(isoUtc(maxMs))}</text>`,
    `</svg>`,
  );
  if (hostOrder.length > laneHosts.length) {
    parts.push(`<p class="meta">${num(hostOrder.length - laneHosts.length)} more hosts are listed in the table but not drawn.</p>`);
  }
  return parts.join('\n');
}

/** Colours of movement methods in the path picture (colour-blind-safe Okabe-Ito order; the table names the method). */
const METHOD_COLOUR: Readonly<Record<string, string>> = {
  psexec: '#d55e00', smbexec: '#cc79a7', wmiexec: '#0072b2', dcomexec: '#56b4e9', atexec: '#e69f00', 'remote-service': '#a0522d',
  'remote-task': '#b8860b', wmi: '#009e73', winrm: '#006d5b', rdp: '#6a1b9a', 'admin-share-copy': '#555555', 'explicit-credentials': '#999999', 'pass-the-hash': '#000000',
};

/**
 * The path picture: a lane per host a movement touches (sources first seen first), each movement a line from its
 * source lane (hollow dot) to its target lane (filled dot) at its first time, coloured by method. Movements with no
 * known source start at the lane "unknown source".
 */
function movementSvg(report: Report): string {
  const ms = report.movements ?? [];
  if (ms.length === 0) return '';
  const UNKNOWN = 'unknown source';
  const order: string[] = [];
  const see = (h: string): void => {
    if (!order.includes(h)) order.push(h);
  };
  for (const m of ms) {
    see(m.source ?? m.source_ip ?? UNKNOWN);
    see(m.target);
  }
  const hosts = order.slice(0, MAX_LANES);
  const width = 1000;
  const labelW = 190;
  const plotW = width - labelW - 20;
  const laneH = 26;
  const top = 10;
  const lane = new Map(hosts.map((h, i) => [h, top + i * laneH + laneH / 2]));
  const times = ms.map((m) => Date.parse(m.first));
  let minMs = Math.min(...times);
  let maxMs = Math.max(...times);
  if (maxMs - minMs < 60_000) {
    const mid = (minMs + maxMs) / 2;
    minMs = mid - 30_000;
    maxMs = mid + 30_000;
  }
  const x = (t: number): string => (labelW + ((t - minMs) / (maxMs - minMs)) * plotW).toFixed(1);
  const height = top + hosts.length * laneH + 36;
  const parts: string[] = [`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="Movements between hosts over time">`];
  hosts.forEach((h, i) => {
    const y = top + i * laneH;
    parts.push(
      `<rect x="0" y="${y}" width="${width}" height="${laneH}" fill="${i % 2 ? '#ffffff' : '#f7f7f7'}"/>`,
      `<text x="6" y="${y + laneH / 2 + 4}" font-size="12" fill="#333">${esc(h.length > 28 ? h.slice(0, 27) + '…' : h)}<title>${esc(h)}</title></text>`,
    );
  });
  for (const m of ms) {
    const ya = lane.get(m.source ?? m.source_ip ?? UNKNOWN);
    const yb = lane.get(m.target);
    if (ya === undefined || yb === undefined) continue;
    const t = x(Date.parse(m.first));
    const colour = METHOD_COLOUR[m.method] ?? '#333333';
    const label = `${m.first} ${m.method}: ${m.source ?? m.source_ip ?? UNKNOWN} → ${m.target}${m.account ? ` as ${m.account}` : ''}`;
    parts.push(
      `<line x1="${t}" y1="${ya}" x2="${t}" y2="${yb}" stroke="${colour}" stroke-width="2"><title>${esc(label)}</title></line>`,
      `<circle cx="${t}" cy="${ya}" r="4" fill="#ffffff" stroke="${colour}" stroke-width="2"/>`,
      `<circle cx="${t}" cy="${yb}" r="4.5" fill="${colour}"><title>${esc(label)}</title></circle>`,
    );
  }
  const axisY = top + hosts.length * laneH + 16;
  parts.push(
    `<text x="${labelW}" y="${axisY + 6}" font-size="11" fill="#555">${esc(isoUtc(minMs))}</text>`,
    `<text x="${labelW + plotW}" y="${axisY + 6}" font-size="11" fill="#555" text-anchor="end">${esc(isoUtc(maxMs))}</text>`,
    '</svg>',
  );
  const methods = [...new Set(ms.map((m) => m.method))].sort();
  parts.push(`<p class="meta">Hollow dot: source; filled dot: target. ${methods.map((k) => `<span style="color:${METHOD_COLOUR[k] ?? '#333333'}">■</span> ${esc(k)}`).join(' · ')}</p>`);
  if (order.length > hosts.length) parts.push(`<p class="meta">${num(order.length - hosts.length)} more hosts are in the table but not drawn.</p>`);
  return parts.join('\n');
}

function rulesTable(rules: readonly RuleMeta[]): string {
  const rows = [...rules]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(
      (r) =>
        `<tr><td><code>${esc(r.id)}</code></td><td>${esc(r.title)}</td><td>${esc(r.language)}</td><td>${esc(r.version ?? '—')}</td>` +
        `<td class="num">${num(r.riskScore)}</td><td>${esc(r.techniques.join(', '))}</td><td class="mono">${esc(r.source)}${
          r.contentSha256 ? `<br>sha256 ${esc(r.contentSha256)}` : ''
        }</td></tr>`,
    );
  return `<table><thead><tr><th>Id</th><th>Title</th><th>Language</th><th>Version</th><th class="num">Risk</th><th>ATT&amp;CK</th><th>Source</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function annotationBlock(a: Annotation | undefined): string {
  if (!a) return '';
  const parts = [`<p><span class="badge ${statusClass(a)}">${esc(a.status)}</span>${a.star ? '<span class="badge">★ starred</span>' : ''}`];
  for (const t of a.tags) parts.push(`<span class="badge">${esc(t)}</span>`);
  parts.push('</p>');
  if (a.comments.length > 0) {
    parts.push(
      `<ul class="comments">${a.comments
        .map((c) => `<li><strong>${esc(c.author)}</strong> <small>${esc(c.atIso)}</small><div class="message">${esc(c.text)}</div></li>`)
        .join('')}</ul>`,
    );
  }
  return parts.join('');
}

/** An event's own annotation (keyed by evidence SHA-256 and record), inline after the event. */
function eventNote(report: Report, shaByPath: ReadonlyMap<string, string>, path: string, record: number): string {
  const sha = shaByPath.get(path);
  const section = report.annotations?.events;
  if (sha === undefined || !section) return '';
  const key = eventAnnotationKey(sha, record);
  if (!Object.prototype.hasOwnProperty.call(section, key)) return '';
  const a = section[key]!;
  const comments = a.comments.map((c) => `<br><small>${esc(c.author)} ${esc(c.atIso)}:</small> ${esc(c.text)}`).join('');
  return ` <span class="badge ${statusClass(a)}">${esc(a.status)}</span>${a.star ? '<span class="badge">★</span>' : ''}${a.tags
    .map((t) => `<span class="badge">${esc(t)}</span>`)
    .join('')}${comments}`;
}

/** A group's target-side events by what they are (`PSEXESVC start`, `no target-side event found ×3`). */
function targetSides(links: readonly LateralLink[]): string {
  const n = new Map<string, number>();
  for (const l of links) n.set(l.targetSide ?? '—', (n.get(l.targetSide ?? '—') ?? 0) + 1);
  return [...n].map(([k, c]) => (c > 1 ? `${k} ×${num(c)}` : k)).join(', ');
}

/** What ran in a finding's event: host, user, parent -> process, then the whole command line (wrapped, never cut). */
function whatRanHtml(e: Report['findings'][number]['events'][number]): string {
  if (e.host === undefined && e.user === undefined && e.process_name === undefined && e.command_line === undefined) return '';
  const who = `host <span class="mono">${esc(e.host ?? '—')}</span> · user <span class="mono">${esc(e.user ?? '—')}</span> · <span class="mono">${esc(e.parent_process_name ?? '?')} → ${esc(e.process_name ?? '?')}</span>`;
  const cmd = e.command_line !== undefined ? `<code class="cmd">${esc(e.command_line)}</code>` : '';
  return `<div class="ran">${who}${cmd}</div>`;
}

/** Events listed per finding before `… and N more` (the JSON report keeps all). */
const EVENTS_SHOWN = 20;

export function buildHtmlReport(input: HtmlReportInput): string {
  const report = buildReport(input);
  const ruleTitle = new Map(input.rules.map((r) => [r.id, r.title]));
  const totalEvents = report.evidence.reduce((s, e) => s + e.events, 0);
  const totalRisk = report.hosts.reduce((s, h) => s + h.risk_score, 0);
  const maxHostRisk = Math.max(1, ...report.hosts.map((h) => h.risk_score));
  const title = input.title ?? `${input.tool.name} report`;
  const shaByPath = new Map(report.evidence.map((e) => [e.path, e.sha256]));
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${esc(title)}</h1>`,
    `<p class="meta">Generated ${esc(isoUtc(input.generatedAtMs))} (UTC) by ${esc(input.tool.name)} ${esc(input.tool.version)}. ` +
      `${count(report.evidence.length, 'evidence file')}, ${count(totalEvents, 'event')}, ${count(report.findings.length, 'finding')}, ` +
      `${count(report.hosts.length, 'host')}, total risk ${num(totalRisk)}.</p></header>`,
    '<main>',
  );

  out.push('<h2>Evidence</h2>');
  out.push(
    `<table><thead><tr><th>File</th><th>Format</th><th>SHA-256</th><th class="num">Bytes</th><th class="num">Events</th><th class="num">Rejected</th></tr></thead><tbody>${report.evidence
      .map(
        (e) =>
          `<tr><td class="mono">${esc(e.path)}${e.origin !== undefined ? `<br><span class="meta">${esc(e.origin)}</span>` : ''}</td><td>${esc(e.format)}</td><td class="mono">${esc(e.sha256)}</td><td class="num">${num(e.bytes)}</td><td class="num">${num(e.events)}</td><td class="num">${num(e.rejected)}</td></tr>`,
      )
      .join('')}</tbody></table>`,
  );

  const evidenceWarnings = report.evidence.flatMap((e) => (e.warnings ?? []).map((w) => `<li><span class="mono">${esc(e.path)}</span>: ${esc(w)}</li>`));
  if (evidenceWarnings.length) out.push(`<p class="meta">Warnings about the evidence:</p><ul class="meta">${evidenceWarnings.join('')}</ul>`);
  const clocks = report.evidence.flatMap((e) => (e.clock ?? []).map((c) => `<li><span class="mono">${esc(e.path)}</span>: ${c.field ? `events timed by ${esc(c.field)}` : 'every event'} moved by <span class="mono">${esc(c.offset)}</span></li>`));
  if (clocks.length) out.push(`<p class="meta">Clock corrections set by the analyst (times below are corrected; each moved event also shows its time as read):</p><ul class="meta">${clocks.join('')}</ul>`);

  out.push('<h2>Rules</h2>', rulesTable(input.rules));

  out.push('<h2>Host risk</h2>');
  out.push(
    `<table><thead><tr><th>Host</th><th class="num">Risk</th><th><span class="vh">Risk, as a bar</span></th><th class="num">Findings</th><th class="num">Events</th></tr></thead><tbody>${report.hosts
      .map(
        (h) =>
          `<tr><td>${escLong(h.host)}</td><td class="num">${num(h.risk_score)}</td><td><span class="bar" style="width:${Math.round((h.risk_score / maxHostRisk) * 160)}px"></span></td><td class="num">${num(h.findings)}</td><td class="num">${num(h.events)}</td></tr>`,
      )
      .join('')}</tbody></table>`,
  );

  out.push('<h2>Timeline</h2>', timelineSvg(input, report));

  const movements = report.movements ?? [];
  if (movements.length > 0) {
    // Who moved where: every movement with its source, how the source was found, the account, and its ordered steps.
    out.push(`<h2>Movements (${num(movements.length)})</h2>`, movementSvg(report));
    out.push(
      `<table><thead><tr><th>First</th><th>Method</th><th>From</th><th>To</th><th>As</th><th>Seen from</th><th>Steps</th><th>Not found</th></tr></thead><tbody>${movements
        .map((m) => {
          const from = `${m.source ?? m.source_ip ?? 'unknown'}${m.source && m.source_ip ? ` (${m.source_ip})` : ''}${m.source_resolved_by ? ` · by ${m.source_resolved_by}` : ''}`;
          const steps = m.steps
            .slice(0, EVENTS_SHOWN)
            .map((st) => `<li><span class="mono">${esc(st.time)}</span> ${escLong(st.host)} · ${esc(st.role)}: ${esc(st.summary)} <span class="meta">(${esc(st.evidence)} record ${num(st.record)})</span></li>`)
            .join('');
          const more = m.steps.length > EVENTS_SHOWN ? `<li>… and ${num(m.steps.length - EVENTS_SHOWN)} more</li>` : '';
          return `<tr><td class="mono">${esc(m.first)}</td><td>${esc(m.method)}</td><td>${escLong(from)}</td><td>${escLong(m.target)}</td><td>${esc(m.account ?? '—')}</td><td>${esc(m.seen_from)}</td><td><ol class="events">${steps}${more}</ol></td><td>${esc(m.missing.join(', ') || '—')}</td></tr>`;
        })
        .join('')}</tbody></table>`,
    );
    const paths = report.paths ?? [];
    if (paths.length > 0) {
      out.push(`<h3>Paths (${num(paths.length)})</h3><ul>${paths.map((p) => `<li>${p.hosts.map(escLong).join(' → ')} <span class="meta">as ${esc(p.accounts.map((a) => a ?? '?').join(', '))} · ${esc(p.first)} – ${esc(p.last)}</span></li>`).join('')}</ul>`);
    }
  }

  const links = input.links ?? [];
  if (links.length > 0) {
    // One row per (source, target, method), finding-backed groups first, then the largest: every group is listed
    // (the scan's text shows the top ones), each with its link count and span.
    const groups = groupLinks(links, input.findings);
    out.push(`<h2>Lateral movement (${num(links.length)} links in ${num(groups.length)} groups)</h2>`);
    out.push(
      `<table><thead><tr><th>From</th><th>To</th><th>Technique</th><th class="num">Links</th><th>First</th><th>Last</th><th>Finding events</th><th>Evidence</th><th>Target side</th></tr></thead><tbody>${groups
        .map(
          (g) =>
            `<tr><td>${esc(g.fromHost)}</td><td>${esc(g.toHost)}</td><td>${esc(g.kind)}</td><td class="num">${num(g.count)}</td><td>${esc(isoUtc(g.firstMs))}</td><td>${esc(isoUtc(g.lastMs))}</td><td>${g.findingBacked > 0 ? `${num(g.findingBacked)} of its links` : '—'}</td><td class="mono">${esc([...new Set(g.links.map((l) => l.evidence))].join(', '))}</td><td>${esc(targetSides(g.links))}</td></tr>`,
        )
        .join('')}</tbody></table>`,
    );
  }

  out.push(`<h2>Findings (${num(report.findings.length)})</h2>`);
  if (report.findings.length === 0) out.push('<p class="meta">No rule matched.</p>');
  for (const f of report.findings) {
    const a = findingAnnotation(report, f.id);
    const rc = riskClass(f.risk_score);
    const events = f.events
      .slice(0, EVENTS_SHOWN)
      .map((e) => `<li><span class="mono">${esc(e.time)}</span>${e.original_time ? ` <span class="meta">(as read: <span class="mono">${esc(e.original_time)}</span>, clock corrected)</span>` : ''} ${esc(e.evidence)} record ${num(e.record)}${e.eventRecordId !== undefined ? ` · EventRecordID <span class="mono">${e.eventRecordId}</span>` : ''}${whatRanHtml(e)}${eventNote(report, shaByPath, e.evidence, e.record)}</li>`);
    if (f.events.length > EVENTS_SHOWN) events.push(`<li>… and ${num(f.events.length - EVENTS_SHOWN)} more</li>`);
    out.push(
      `<section class="finding ${rc}">`,
      `<h3>${esc(ruleTitle.get(f.rule_id) ?? f.rule_id)} <span class="badge ${rc}">risk ${num(f.risk_score)}</span></h3>`,
      `<p class="meta">${escLong(f.host)} · ${esc(f.bin_start)} – ${esc(f.bin_end)} · ${count(f.event_count, 'event')} · ATT&amp;CK ${esc(f.techniques.join(', ') || '—')} · <code>${esc(f.rule_id)}</code></p>`,
      `<p class="message">${esc(f.message)}</p>`,
      annotationBlock(a),
      `<ol class="events">${events.join('')}</ol>`,
      '</section>',
    );
  }
  out.push(
    '</main>',
    `<footer>Times are UTC. Finding ids: rule|host|bin start (epoch ms). This file is self-contained and loads nothing.</footer>`,
    '</body>',
    '</html>',
    '',
  );
  return out.join('\n');
}
