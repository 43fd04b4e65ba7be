// `hopscope scan` text output: each finding with what ran (user, parent -> process, command line) cut to the terminal
// width, rule titles instead of ids (Sigma UUIDs), rejected records listed (capped), log text without terminal
// escapes; and the --mapping hint for a file of no known layout. Last, the CLI on the bundled sample.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, HostRisk } from '../../../engine/detect/types.ts';
import type { CaseSummary, EventDetails, EvidenceSummary, FindingsResponse } from '../../../engine/rpc/api.ts';
import type { CaseJobResult } from '../../../main/host/case-job.ts';
import { cut, firstEventRows, formatSummary, mappingHint, MAX_LISTED_REJECTS, safeText, terminalColumns } from '../../../main/host/scan-text.ts';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist', 'host', 'cli.js');
const UUID = '11111111-2222-3333-4444-555555555555';
const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);

function caseResult(rejected = 0): CaseJobResult {
  const stats = { records: 3 + rejected, appended: 3, rejected, nonProcess: 0, rejectedByReason: (rejected ? { 'bad-time': rejected } : {}) as Record<string, number>, invalidBytesReplaced: 0, assumedUtc: false };
  const ev: EvidenceSummary = {
    id: 'ev-0', name: 'a.csv', path: '/e/a.csv', bytes: 100, sha256: 'ab'.repeat(32), format: 'splunk-cim', formatReason: '', encoding: 'utf-8',
    events: 3, nonProcessEvents: 0, rejected, rejectedByReason: stats.rejectedByReason, assumedUtc: false, addedAt: '',
    rejectSamples: Array.from({ length: Math.min(rejected, 20) }, (_, i) => ({ evidence: 'a.csv', line: i + 2, record: i + 1, byteOffset: 40 * i, reason: `unreadable time "x${i}"` })),
  };
  const summary: CaseSummary = { evidence: [ev], events: 3, hosts: ['WKS-1'], firstMs: T0, lastMs: T0, rules: [], ruleIssues: [], findings: 1, binSpanSec: 1 };
  return {
    summary,
    evidence: [{ input: { path: '/e/a.csv', name: 'a.csv' }, sha256: 'ab'.repeat(32), bytes: 100, warnings: [], ingest: { format: 'splunk-cim', formatReason: '', encoding: 'utf-8', stats, totalRows: 3, cancelled: false } as never }],
    rules: { rules: [{ id: UUID, title: 'PsExec With Accepteula', language: 'sigma', source: '/r.yml', riskScore: 50, techniques: [] }], issues: [] },
    detect: { findings: 1, hosts: 1, ruleErrors: [], elapsedMs: 0 },
  };
}

const finding: Finding = {
  id: `${UUID}|WKS-1|${T0}`, ruleId: UUID, host: 'WKS-1', binStartMs: T0, binEndMs: T0 + 1000, eventCount: 2, riskScore: 50,
  message: 'psexec on WKS-1', techniques: [],
  events: [{ row: 9, evidence: 0, record: 3, timeMs: T0 + 500 }, { row: 4, evidence: 0, record: 2, timeMs: T0 + 100 }],
};
const host: HostRisk = { host: 'WKS-1', events: 3, findings: 1, riskScore: 50, topRules: [{ ruleId: UUID, findings: 1, riskScore: 50 }], firstMs: T0, lastMs: T0 };
const found: FindingsResponse = { findings: [finding], hosts: [host], links: [], movements: { movements: [], paths: [], episodes: [], findingSources: {} } };
const LONG = 'PsExec.exe -accepteula \\\\SRV-2 -u CORP\\admin ' + 'x'.repeat(300);
const event: EventDetails = {
  row: 4, timeMs: T0 + 100, evidence: 'a.csv', record: 2, line: 3, original: {}, raw: '',
  canonical: { dest: 'WKS-1', user: 'CORP\\alice', parent_process_name: 'cmd.exe', process_name: 'PsExec.exe', process: LONG },
};

describe('scan text output', () => {
  it('shows what ran under each finding (user, parent -> process, command line), cut to the width', () => {
    expect(firstEventRows(found)).toEqual([{ findingId: finding.id, row: 4 }]);
    const text = formatSummary(caseResult(), found, { columns: 100, firstEvents: new Map([[finding.id, event]]) });
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes('psexec on WKS-1'));
    expect(lines[i + 1]).toMatch(/^ {6}user CORP\\alice {2}cmd\.exe -> PsExec\.exe {2}cmd: PsExec\.exe -accepteula \\\\SRV-2 -u CORP\\admin x+…$/);
    expect(lines[i + 1]).toHaveLength(100);
    // The host is on the finding's line; an event of another host (e.g. a short name) says so.
    const other = formatSummary(caseResult(), found, { firstEvents: new Map([[finding.id, { ...event, canonical: { ...event.canonical, dest: 'wks-1.corp' } }]]) });
    expect(other).toContain('      host wks-1.corp  user CORP\\alice');
    expect(Math.max(...other.split('\n').filter((l) => l.startsWith('      ')).map((l) => l.length))).toBe(120);
  });

  it('groups lateral links by source, target and method, finding-backed first, top 20, and says how many are hidden', () => {
    const link = (i: number, fromHost: string, kind: string, fromRow = 1000 + i) => ({ id: `l${i}`, fromRow, fromHost, fromTimeMs: T0 + i * 1000, toRow: 5000 + i, toHost: 'SRV-2', toTimeMs: T0 + i * 1000 + 10, kind, evidence: 'a.csv' });
    const links = [
      ...Array.from({ length: 8000 }, (_, i) => link(i, `WKS-${i % 40}`, i % 2 ? 'admin-share' : 'psexec')),
      // Its naming event is an event of the finding (row 9).
      link(9000, 'WKS-1', 'wmic-node', 9),
    ];
    const text = formatSummary(caseResult(), { ...found, links });
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('lateral links'));
    expect(lines[at]).toBe('lateral links (8001 in 41 groups of source, target, method):');
    expect(lines[at + 1]).toMatch(/^ {2}WKS-1 -> SRV-2 {2}wmic-node {2}x1 {2}\S+ {2}finding-backed \(1\)$/);
    expect(lines[at + 2]).toMatch(/^ {2}WKS-0 -> SRV-2 {2}psexec {2}x200 {2}\S+ \.\. \S+$/);
    expect(lines.slice(at + 1, at + 21).every((l) => /^  \S+ -> SRV-2 /.test(l))).toBe(true);
    expect(lines[at + 21]).toBe('  ... 21 more groups (4200 links) not listed (--format html lists every group)');
    expect(text).not.toMatch(/lateral links \(8001\):/);
  });

  it('answers who moved where: source (address) -> target, method, account, side, first steps, what is missing, paths', () => {
    const step = (host: string, role: 'logon' | 'process', t: number, summary: string) => ({ role, row: 1, evidence: 0, record: 1, timeMs: t, host, kind: 'logon' as const, summary });
    const mv = (id: string, source: string | null, target: string, t: number, steps: ReturnType<typeof step>[]) => ({
      id, method: 'psexec' as const, source, sourceIp: '10.0.0.5', source_attribution: { host: source, ip: '10.0.0.5', resolvedBy: 'workstation-name' as const, rows: [1] },
      target, account: 'CORP\\admin', logonId: '0x1', firstMs: t, lastMs: t + 1000, steps, missing: ['share' as const], seenFrom: 'target' as const, findingIds: [], linkIds: [], explanation: '', sourceOnly: false,
    });
    const steps = Array.from({ length: 8 }, (_, i) => step('SRV-2', i === 0 ? 'logon' : 'process', T0 + i, i === 1 ? 'cmd.exe \u001b[31m<b>' : `step ${i}`));
    const movements = {
      movements: [mv('m1', 'WKS-1', 'SRV-2', T0, steps), mv('m2', 'SRV-2', 'DC-3', T0 + 5000, [step('DC-3', 'logon', T0 + 5000, 'logon')])],
      paths: [{ id: 'p', hosts: ['WKS-1', 'SRV-2', 'DC-3'], movementIds: ['m1', 'm2'], accounts: ['CORP\\admin', null], firstMs: T0, lastMs: T0 + 6000 }],
      episodes: [], findingSources: {},
    };
    const text = formatSummary(caseResult(), { ...found, movements }, { columns: 200 });
    expect(text).toContain('movements (2):');
    expect(text).toMatch(/\n  \S+Z  psexec  WKS-1 \(10\.0\.0\.5\) -> SRV-2  as CORP\\admin  seen from target, source by workstation-name\n/);
    expect(text).toContain('... 2 more step(s)');
    expect(text).toContain('      not found: share');
    expect(text).toMatch(/paths \(1\):\n  WKS-1 -> SRV-2 -> DC-3  as CORP\\admin, \?/);
    expect(text).not.toContain('\u001b');
    expect(formatSummary(caseResult(), found)).not.toContain('movements (');
  });

  it('names rules by title in the host table and the findings (Sigma ids are UUIDs)', () => {
    const text = formatSummary(caseResult(), found);
    expect(text).toMatch(/WKS-1\s+3\s+1\s+50\s+50\s+PsExec With Accepteula \(1\)/);
    expect(text).toContain('WKS-1  PsExec With Accepteula  risk 50');
    expect(text).not.toContain(UUID);
  });

  it('lists rejected records with file, line, record, byte offset and reason, capped, with a count of the rest', () => {
    const text = formatSummary(caseResult(45), found);
    expect(text).toContain('    rejected records (bad-time 45):\n      a.csv  line 2, record 1, byte 0: unreadable time "x0"\n');
    expect(text.split('\n').filter((l) => /^ {6}a\.csv {2}line /.test(l))).toHaveLength(MAX_LISTED_REJECTS);
    expect(text).toContain(`      ... ${45 - MAX_LISTED_REJECTS} more rejected record(s) not listed`);
    expect(formatSummary(caseResult(0), found)).not.toContain('rejected records');
  });

  it('escapes control characters of log text and cuts to at least 20 columns', () => {
    const hostile = { ...event, canonical: { ...event.canonical, process: 'cmd \u001b[2J\u001b]0;pwn\u0007 \u202Eexe' } };
    const text = formatSummary(caseResult(), { ...found, findings: [{ ...finding, message: 'a\u001b[31mb' }] }, { firstEvents: new Map([[finding.id, hostile]]) });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(text).toContain('cmd \\x1b[2J\\x1b]0;pwn\\x07 \\u{202e}exe');
    expect(text).toContain('a\\x1b[31mb');
    expect(safeText('tab\there')).toBe('tab\\x09here');
    expect(cut('x'.repeat(50), 5)).toHaveLength(20);
  });

  it('cuts to the terminal columns, or 120 when stdout is not a terminal', () => {
    expect(terminalColumns({ isTTY: true, columns: 80 })).toBe(80);
    expect(terminalColumns({ isTTY: false, columns: 80 })).toBe(120);
    expect(terminalColumns({})).toBe(120);
  });
});

describe('unknown layout hint', () => {
  it('names --mapping and shows the JSON, with the columns guessed into place', () => {
    const hint = mappingHint(['when', 'machine', 'account', 'exe', 'cmdline']);
    expect(hint).toContain('--mapping FILE');
    const json = /\{.*\}/.exec(hint)![0];
    expect(JSON.parse(json)).toEqual({ time: 'when', host: 'machine', fields: { process: 'cmdline', user: 'account', process_name: 'exe' } });
    expect(hint).toContain('parent_process_name');
    expect(JSON.parse(/\{.*\}/.exec(mappingHint(['a', 'b']))![0])).toEqual({ time: 'COLUMN', host: 'COLUMN', fields: { process: 'COLUMN' } });
  });
});

describe('scan on the bundled sample (text)', () => {
  it('prints what ran for each finding, cut to 120 columns when not a terminal', () => {
    const r = spawnSync(process.execPath, [cli, 'scan', join(root, 'resources', 'samples', 'corp-lateral-movement.sysmon.xml')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const i = lines.findIndex((l) => l.includes('WKS-NYC-1002.corp.example  Detect PsExec With accepteula Flag  risk 35'));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatch(/^ {6}user CORP\\john\.smith {2}cmd\.exe -> PsExec64\.exe {2}cmd: PsExec64\.exe \\\\SRV-FILE-01 /);
    const detail = lines.filter((l) => /^ {6}user /.test(l));
    expect(detail).toHaveLength(10);
    for (const l of detail) expect(l.length).toBeLessThanOrEqual(120);
  });
});
