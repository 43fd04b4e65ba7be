import { describe, expect, it } from 'vitest';
import { buildReport, isoUtc, reportToJson } from '../../../engine/export/report.ts';
import { findingsToNdjson } from '../../../engine/export/ndjson.ts';
import { findingsToCsv } from '../../../engine/export/csv.ts';
import { input } from './fixtures.ts';

describe('isoUtc', () => {
  it('omits the fraction for whole seconds and keeps milliseconds otherwise', () => {
    expect(isoUtc(Date.parse('2024-05-01T08:01:40Z'))).toBe('2024-05-01T08:01:40Z');
    expect(isoUtc(Date.parse('2024-05-01T08:01:40.250Z'))).toBe('2024-05-01T08:01:40.250Z');
    expect(isoUtc(Date.parse('2024-05-01T08:01:40Z') + 0.75)).toBe('2024-05-01T08:01:40Z');
    expect(isoUtc(Date.parse('1969-12-31T23:59:59.500Z'))).toBe('1969-12-31T23:59:59.500Z');
    expect(() => isoUtc(Number.NaN)).toThrow(expect.objectContaining({ code: 'E_TIME' }));
  });
});

describe('buildReport', () => {
  it('follows the hopscope.report/1 schema with fixed key order and sorting', () => {
    const r = buildReport(input());
    expect(Object.keys(r)).toEqual(['schema', 'tool', 'evidence', 'rules', 'findings', 'hosts']);
    expect(r.schema).toBe('hopscope.report/1');
    expect(r.tool).toEqual({ name: 'Hopscope', version: '0.1.0' });
    expect(r.evidence.map((e) => e.path)).toEqual(['a/security.csv', 'z/sysmon.xml']);
    expect(Object.keys(r.evidence[0]!)).toEqual(['path', 'sha256', 'bytes', 'format', 'events', 'rejected']);
    expect(r.rules.map((x) => x.id)).toEqual(['impacket-lateral-movement-sysmon', 'psexec-accepteula']);
    expect(r.rules[0]).toEqual({
      id: 'impacket-lateral-movement-sysmon',
      title: 'Impacket Lateral Movement Activity (Sysmon)',
      language: 'spl',
      source: 'builtin:001_impacket.spl',
      risk_score: 56,
      techniques: ['T1021.002', 'T1210'],
    });
    expect(r.findings.map((f) => f.rule_id)).toEqual(['impacket-lateral-movement-sysmon', 'psexec-accepteula']);
    const f = r.findings[1]!;
    expect(Object.keys(f)).toEqual(['id', 'rule_id', 'host', 'bin_start', 'bin_end', 'event_count', 'risk_score', 'message', 'techniques', 'events']);
    expect([f.bin_start, f.bin_end]).toEqual(['2024-05-01T08:01:40Z', '2024-05-01T08:01:41Z']);
    expect(f.events).toEqual([
      { evidence: 'z/sysmon.xml', record: 4, time: '2024-05-01T08:01:40Z' },
      { evidence: 'a/security.csv', record: 12, time: '2024-05-01T08:01:40.250Z' },
    ]);
    expect(r.hosts).toEqual([
      { host: 'IEWIN7', events: 4, findings: 1, risk_score: 56 },
      { host: 'WS1', events: 10, findings: 1, risk_score: 35 },
      { host: '<b>bold-host</b>', events: 1, findings: 0, risk_score: 0 },
    ]);
    expect(r.annotations).toBeUndefined();
  });

  it('is byte-stable regardless of input order, with 2-space indent and a trailing newline', () => {
    const a = input();
    const b = { ...input(), findings: [...a.findings].reverse(), rules: [...a.rules].reverse(), hosts: [...a.hosts].reverse() };
    const json = reportToJson(buildReport(a));
    expect(reportToJson(buildReport(b))).toBe(json);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.split('\n')[1]).toBe('  "schema": "hopscope.report/1",');
    expect(JSON.parse(json)).toEqual(buildReport(a));
  });

  it('adds movements, paths and episodes of the case when given, located by evidence path and record', () => {
    const step = (role: 'logon' | 'process', row: number, record: number, timeMs: number) => ({ role, row, evidence: 1, record, timeMs, host: 'SRV-2', kind: 'logon' as const, summary: `${role} ${record}` });
    const t = Date.parse('2024-05-01T08:01:40Z');
    const r = buildReport({
      ...input(),
      movements: {
        movements: [{
          id: 'mv|psexec|SRV-2|1', method: 'psexec', source: 'WKS-1', sourceIp: '10.0.0.5', source_attribution: { host: 'WKS-1', ip: '10.0.0.5', resolvedBy: 'workstation-name', rows: [3] },
          target: 'SRV-2', account: 'CORP\\admin', logonId: '0x3e7a1', firstMs: t, lastMs: t + 1500, steps: [step('logon', 3, 4, t), step('process', 5, 6, t + 1500)],
          missing: ['share'], seenFrom: 'target', findingIds: ['f1'], linkIds: [], explanation: 'psexec onto SRV-2', sourceOnly: false,
        }],
        paths: [],
        episodes: [{ id: 'ep|f1', host: 'SRV-2', firstMs: t, lastMs: t + 1000, ruleIds: ['a', 'b'], findingIds: ['f1', 'f2'], eventCount: 2, riskSum: 120, riskDistinct: 64 }],
        findingSources: {},
      },
    });
    expect(Object.keys(r)).toEqual(['schema', 'tool', 'evidence', 'rules', 'findings', 'hosts', 'movements', 'paths', 'episodes']);
    expect(r.movements![0]).toMatchObject({ method: 'psexec', source: 'WKS-1', source_ip: '10.0.0.5', source_resolved_by: 'workstation-name', target: 'SRV-2', first: '2024-05-01T08:01:40Z', last: '2024-05-01T08:01:41.500Z', missing: ['share'] });
    expect(r.movements![0]!.steps[1]).toEqual({ role: 'process', evidence: 'a/security.csv', record: 6, time: '2024-05-01T08:01:41.500Z', host: 'SRV-2', kind: 'logon', summary: 'process 6' });
    expect(r.episodes![0]).toMatchObject({ risk_sum: 120, risk_distinct: 64, event_count: 2 });
  });

  it('lists lateral links with both ends located, the target side, and the findings they touch', () => {
    const base = input();
    const t = Date.parse('2024-05-01T08:01:40Z');
    const r = buildReport({
      ...base,
      links: [
        { id: 'l2', fromRow: 3, fromHost: 'WS1', fromTimeMs: t, toRow: -1, toHost: 'SRV-9', toTimeMs: t, kind: 'wmic-node', evidence: 'z/sysmon.xml', targetSide: 'no target-side event found' },
        { id: 'l1', fromRow: 3, fromHost: 'WS1', fromTimeMs: t - 1000, toRow: 9, toHost: 'SRV-2', toTimeMs: t + 500, kind: 'psexec', evidence: 'z/sysmon.xml', targetSide: 'PSEXESVC start' },
      ],
      locateRow: (row) => ({ evidence: row === 9 ? 1 : 0, record: row + 1 }),
    });
    expect(r.links!.map((l) => l.id)).toEqual(['l1', 'l2']);
    expect(r.links![0]).toEqual({
      id: 'l1', kind: 'psexec', from_host: 'WS1', from_time: '2024-05-01T08:01:39Z', from_evidence: 'z/sysmon.xml', from_record: 4,
      to_host: 'SRV-2', to_time: '2024-05-01T08:01:40.500Z', to_evidence: 'a/security.csv', to_record: 10, target_side: 'PSEXESVC start',
      finding_ids: [base.findings[0]!.id],
    });
    expect(r.links![1]).toMatchObject({ to_evidence: null, to_record: null, target_side: 'no target-side event found' });
    const csv = findingsToCsv(r);
    expect(csv.split('\r\n')[0]!.split(',')).toContain('lateral_links');
    expect(csv).toContain('"WS1 -> SRV-2 (psexec; PSEXESVC start)\nWS1 -> SRV-9 (wmic-node; no target-side event found)"');
  });

  it('appends annotations when given', () => {
    const r = buildReport(input(true));
    expect(Object.keys(r).at(-1)).toBe('annotations');
    const ann = r.annotations!.findings[r.findings[1]!.id]!;
    expect(ann.status).toBe('confirmed-malicious');
    expect(ann.tags).toEqual(['@SUM(1)']);
    expect(r.annotations!.events).toEqual({});
  });
});

describe('findingsToNdjson', () => {
  it('writes one finding per line, with its annotation', () => {
    const r = buildReport(input(true));
    const text = findingsToNdjson({ ...r, findings: r.findings.map((f, i) => (i === 0 ? { ...f, message: 'a\u2028b\nc' } : f)) });
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[0]).not.toContain('\u2028');
    const first = JSON.parse(lines[0]!);
    expect(first.message).toBe('a\u2028b\nc');
    expect(first.annotation).toBeUndefined();
    expect(JSON.parse(lines[1]!).annotation.status).toBe('confirmed-malicious');
  });
});

describe('renderExport', () => {
  it('renders every format from the same report', async () => {
    const { renderExport, EXPORT_FORMATS } = await import('../../../engine/export/index.ts');
    const inp = { ...input(true), generatedAtMs: Date.parse('2024-05-03T12:00:00Z') };
    const outs = Object.fromEntries(EXPORT_FORMATS.map((f) => [f, renderExport(f, inp)]));
    expect(JSON.parse(outs['json']!.text).findings).toHaveLength(2);
    expect(outs['csv']!.text.startsWith('\uFEFFid,rule_id')).toBe(true);
    expect(outs['ndjson']!.text.trim().split('\n')).toHaveLength(2);
    expect(outs['html']!.text.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(outs['csv']!.mimeType).toBe('text/csv; charset=utf-8');
    expect(outs['html']!.extension).toBe('.html');
  });
});
