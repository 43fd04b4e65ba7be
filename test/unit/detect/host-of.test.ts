// Issue 17 item 1: one definition of an event's host (store/host.ts). Events without `dest` (Event Viewer's CSV names
// no computer; a Splunk row may carry only `host`) land in the same lane, finding host, risk-table row and report host.
import { describe, expect, it } from 'vitest';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import type { CompiledRule, LoadedRuleSet } from '../../../engine/rules/types.ts';
import { EngineSession } from '../../../engine/session.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import { NO_HOST } from '../../../engine/store/host.ts';
import { NO_HOST as STORE_NO_HOST } from '../../../engine/store/store.ts';
import { UNKNOWN_HOST } from '../../../engine/detect/hosts.ts';
import { fieldAt, type EventSource } from '../../../engine/store/view.ts';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);

function rec(i: number, process: string, names: string[], values: string[], fields: IngestRecord['fields'] = {}): IngestRecord {
  return { timeMs: T0 + i * 1000, source: 'generic', fields: { process, ...fields }, originalNames: names, originalValues: values, record: i + 1, line: i + 2, byteOffset: i * 10 };
}

const psexec: CompiledRule = {
  meta: { id: 'stub-psexec', title: 'PsExec', language: 'sigma', source: 'test', riskScore: 35, techniques: [], messageTemplate: 'psexec on $dest$' },
  run(source: EventSource) {
    const rows: number[] = [];
    for (let r = 0; r < source.rowCount; r++) if ((fieldAt(source, r, 'process') ?? '').includes('psexec')) rows.push(r);
    return { ruleId: 'stub-psexec', rows: Uint32Array.from(rows), elapsedMs: 0 };
  },
  explain: () => ({ matched: true, steps: [] }),
};

describe('one host definition', () => {
  it('is the store\'s: detection\'s unknown host is the lanes\' no-host', () => {
    expect(UNKNOWN_HOST).toBe(NO_HOST);
    expect(STORE_NO_HOST).toBe(NO_HOST);
  });

  it('host-less events: one lane, and the findings, risk table and report name the same host', () => {
    const s = new EngineSession({ loadSigmaRules: (): LoadedRuleSet => ({ rules: [psexec], issues: [] }) });
    const b = new SegmentBuilder({ evidence: 0, evidenceName: 'viewer.csv', rawFormat: 'csv' });
    const P = ['Message'];
    b.append(rec(0, 'cmd.exe /c whoami', P, ['cmd.exe /c whoami']));
    b.append(rec(1, 'psexec.exe -accepteula', P, ['psexec.exe -accepteula']));
    // A row with only its own `host` (a forwarder's name) is that host's, in the lanes and in the findings.
    b.append(rec(2, 'psexec.exe -accepteula', ['Message', 'host'], ['psexec.exe -accepteula', 'FWD01']));
    b.append(rec(3, 'psexec.exe -s', ['Message'], ['psexec.exe -s'], { dest: 'WKS-1' }));
    const stats = { records: 4, appended: 4, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false };
    s.addSegments([b.finish()], { evidence: 0, name: 'viewer.csv', format: 'generic', formatReason: 'x', encoding: 'utf-8', stats });
    s.setEvidenceMeta({ evidence: 0, sha256: 'b'.repeat(64), bytes: 100, path: '/e/viewer.csv', addedAt: '2024-05-02T00:00:00Z' });
    s.loadRules({ files: [], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }] });
    expect(s.runDetection({ binSpanSec: 1 }).findings).toBe(3);

    const lanes = s.timeline({ startMs: T0, endMs: T0 + 10_000, buckets: 10 }).lanes;
    const laneOf = new Map(lanes.map((l) => [l.host, l]));
    expect([...laneOf.keys()].sort()).toEqual([NO_HOST, 'FWD01', 'WKS-1'].sort());
    expect(laneOf.get(NO_HOST)!.counts.reduce((a, n) => a + n, 0)).toBe(2);
    expect(laneOf.get(NO_HOST)!.riskScore).toBe(35);
    expect(laneOf.get(NO_HOST)!.findings.reduce((a, n) => a + n, 0)).toBe(1);

    const found = s.findings('time');
    expect(found.findings.map((f) => f.host)).toEqual([NO_HOST, 'FWD01', 'WKS-1']);
    const risk = new Map(found.hosts.map((h) => [h.host, h]));
    expect([...risk.keys()].sort()).toEqual([NO_HOST, 'FWD01', 'WKS-1'].sort());
    expect(risk.get(NO_HOST)).toMatchObject({ events: 2, findings: 1, riskScore: 35 });
    expect(risk.get('FWD01')).toMatchObject({ events: 1, findings: 1 });

    const report = s.buildReport();
    expect(report.hosts.map((h) => [h.host, h.events, h.findings]).sort()).toEqual([[NO_HOST, 2, 1], ['FWD01', 1, 1], ['WKS-1', 1, 1]].sort());
    expect(report.findings.map((f) => f.host)).toEqual([NO_HOST, 'FWD01', 'WKS-1']);
    expect(s.summary()!.hosts.sort()).toEqual([NO_HOST, 'FWD01', 'WKS-1'].sort());
  });
});
