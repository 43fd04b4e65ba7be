// Exporting chosen findings: the report holds only them, with the notes on them and on their events,
// and the evidence SHA-256s; the request is validated like every other.

import { describe, expect, it } from 'vitest';
import { eventAnnotationKey } from '../../../engine/case/annotations.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import type { CompiledRule, LoadedRuleSet } from '../../../engine/rules/types.ts';
import { EngineSession } from '../../../engine/session.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import { fieldAt, type EventSource } from '../../../engine/store/view.ts';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const SHA = 'a'.repeat(64);

function rec(i: number, dest: string, process: string): IngestRecord {
  return {
    timeMs: T0 + i * 1000,
    source: 'cim',
    fields: { dest, process, process_name: process.split(' ')[0] },
    originalNames: ['_time', 'dest', 'process'],
    originalValues: [String((T0 + i * 1000) / 1000), dest, process],
    record: i + 1,
    line: i + 2,
    byteOffset: i * 40,
  };
}

const rule: CompiledRule = {
  meta: { id: 'stub-psexec', title: 'PsExec', language: 'sigma', source: 'test', riskScore: 35, techniques: ['T1021.002'], messageTemplate: 'psexec on $dest$' },
  run(source: EventSource) {
    const rows: number[] = [];
    for (let r = 0; r < source.rowCount; r++) if ((fieldAt(source, r, 'process') ?? '').includes('psexec')) rows.push(r);
    return { ruleId: 'stub-psexec', rows: Uint32Array.from(rows), elapsedMs: 0 };
  },
  explain: () => ({ matched: false, steps: [] }),
};

function session(): EngineSession {
  const s = new EngineSession({ loadSigmaRules: (): LoadedRuleSet => ({ rules: [rule], issues: [] }) });
  const b = new SegmentBuilder({ evidence: 0, evidenceName: 'a.csv', rawFormat: 'csv' });
  b.append(rec(0, 'H1', 'psexec.exe \\\\H2 cmd'));
  b.append(rec(5, 'H2', 'psexec.exe -accepteula'));
  const stats = { records: 2, appended: 2, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false };
  s.addSegments([b.finish()], { evidence: 0, name: 'a.csv', format: 'splunk-cim', formatReason: 'CIM columns', encoding: 'utf-8', stats });
  s.setEvidenceMeta({ evidence: 0, sha256: SHA, bytes: 80, path: '/ev/a.csv', addedAt: '2024-05-02T00:00:00Z' });
  s.loadRules({ files: [], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }] });
  s.runDetection({ binSpanSec: 1 });
  return s;
}

const note = (text: string) => ({ status: 'investigating', tags: [], comments: [{ author: 'ana', atIso: '2024-05-02T10:00:00Z', text }], star: false });

describe('export of chosen findings', () => {
  it('keeps only the chosen findings and the notes on them and their events', () => {
    const s = session();
    const [f1, f2] = s.findings('time').findings;
    expect(f2).toBeDefined();
    const annotations = {
      findings: { [f1!.id]: note('first'), [f2!.id]: note('second') },
      events: { [eventAnnotationKey(SHA, 1)]: note('event of first'), [eventAnnotationKey(SHA, 2)]: note('event of second') },
    };
    const all = JSON.parse(s.report('json', 0, annotations)) as { findings: unknown[]; annotations: { findings: object; events: object } };
    expect(all.findings).toHaveLength(2);
    const one = JSON.parse(s.report('json', 0, annotations, [f1!.id])) as { findings: Array<{ id: string }>; evidence: Array<{ sha256: string }>; annotations: { findings: object; events: object } };
    expect(one.findings.map((f) => f.id)).toEqual([f1!.id]);
    expect(Object.keys(one.annotations.findings)).toEqual([f1!.id]);
    expect(Object.keys(one.annotations.events)).toEqual([eventAnnotationKey(SHA, 1)]);
    expect(one.evidence[0]!.sha256).toBe(SHA);
    const html = s.report('html', 0, annotations, [f2!.id]);
    expect(html).toContain('second');
    expect(html).not.toContain('first');
    expect(JSON.parse(s.report('json', 0, undefined, [])) as { findings: unknown[] }).toMatchObject({ findings: [] });
  });

  it('validates the selection in case.export requests', () => {
    expect(validateRequest('case.export', { format: 'csv', findingIds: ['a|b|1'] }).ok).toBe(true);
    expect(validateRequest('case.export', { format: 'csv', findingIds: 'a|b|1' }).ok).toBe(false);
    expect(validateRequest('case.export', { format: 'csv', findingIds: [1] }).ok).toBe(false);
  });
});
