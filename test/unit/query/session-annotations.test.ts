// The engine session with the real query layer: annotation terms answer from the doc the host hands over
// (cached table answers expire when it changes), and eventKeys lists a table scope's events by SHA-256 + record.

import { describe, expect, it } from 'vitest';
import { applyChanges, emptyDoc, type AnnotationChange } from '../../../engine/case/annotations.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { rows } from '../../../engine/query/rows.ts';
import { timeline } from '../../../engine/query/timeline.ts';
import type { CompiledRule, LoadedRuleSet } from '../../../engine/rules/types.ts';
import { EngineSession } from '../../../engine/session.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import { fieldAt, type EventSource } from '../../../engine/store/view.ts';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const SHA = 'c'.repeat(64);
const AT = '2024-05-02T00:00:00Z';

function rec(i: number, dest: string, process: string): IngestRecord {
  return { timeMs: T0 + i * 1000, source: 'cim', fields: { dest, process, process_name: process.split(' ')[0] }, originalNames: ['dest', 'process'], originalValues: [dest, process], record: i + 1, line: i + 2, byteOffset: i * 40 };
}

const rule: CompiledRule = {
  meta: { id: 'stub-psexec', title: 'PsExec', language: 'sigma', source: 'test', riskScore: 35, techniques: [], messageTemplate: 'psexec' },
  run(source: EventSource) {
    const out: number[] = [];
    for (let r = 0; r < source.rowCount; r++) if ((fieldAt(source, r, 'process') ?? '').includes('psexec')) out.push(r);
    return { ruleId: 'stub-psexec', rows: Uint32Array.from(out), elapsedMs: 0 };
  },
  explain: () => ({ matched: false, steps: [] }),
};

function session(): EngineSession {
  const s = new EngineSession({
    loadSigmaRules: (): LoadedRuleSet => ({ rules: [rule], issues: [] }),
    queries: {
      timeline: (store, req, ctx) => timeline(store, req, ctx.findings, ctx.annotations),
      rows: (store, req, ctx) => rows(store, req, { findings: ctx.findings, ...(ctx.annotations ? { annotations: ctx.annotations } : {}) }),
    },
  });
  const b = new SegmentBuilder({ evidence: 0, evidenceName: 'a.csv', rawFormat: 'csv' });
  ['cmd.exe /c whoami', 'psexec.exe \\\\H2 cmd', 'notepad.exe', 'psexec.exe -s', 'calc.exe'].forEach((p, i) => b.append(rec(i, i < 3 ? 'H1' : 'H2', p)));
  const stats = { records: 5, appended: 5, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false };
  s.addSegments([b.finish()], { evidence: 0, name: 'a.csv', format: 'splunk-cim', formatReason: 'x', encoding: 'utf-8', stats });
  s.setEvidenceMeta({ evidence: 0, sha256: SHA, bytes: 1, path: '/cases/a.csv', addedAt: AT });
  s.loadRules({ files: [], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }] });
  s.runDetection({ binSpanSec: 1 });
  return s;
}

type Change = AnnotationChange extends infer C ? (C extends AnnotationChange ? Omit<C, 'atIso'> : never) : never;
const doc = (...c: Change[]) => applyChanges(emptyDoc(), c.map((x) => ({ ...x, atIso: AT }) as AnnotationChange));
const total = (s: EngineSession, filter: string) => s.rows({ offset: 0, limit: 10, filter }).total;

describe('session annotations', () => {
  it('answers annotation terms from the doc it was given, and a new doc changes the answer', () => {
    const s = session();
    const h1 = s.findings().findings.find((f) => f.host === 'H1')!;
    expect(total(s, 'status:confirmed-malicious')).toBe(0);
    s.setAnnotations(doc({ op: 'setStatus', target: { kind: 'finding', id: h1.id }, status: 'confirmed-malicious' }));
    expect(s.rows({ offset: 0, limit: 10, filter: 'status:confirmed-malicious' }).rows.map((r) => r.row)).toEqual([1]);
    s.setAnnotations(doc({ op: 'setStar', target: { kind: 'event', id: `${SHA}:5` }, star: true }));
    expect(total(s, 'status:confirmed-malicious')).toBe(0);
    expect(s.rows({ offset: 0, limit: 10, filter: 'starred' }).rows.map((r) => r.row)).toEqual([4]);
    const tl = s.timeline({ startMs: T0, endMs: T0 + 5000, buckets: 5, filter: 'starred' });
    expect(tl.total).toEqual([0, 0, 0, 0, 1]);
    expect(() => s.setAnnotations({ findings: { x: { status: 'evil' } } })).toThrow(/status/);
  });

  it('lists the annotation keys of a scope, or only the count beyond the limit', () => {
    const s = session();
    expect(s.eventKeys({ filter: 'process_name:psexec.exe' }, 10)).toEqual({ total: 2, keys: [`${SHA}:2`, `${SHA}:4`] });
    expect(s.eventKeys({ hosts: ['H2'] }, 10)).toEqual({ total: 2, keys: [`${SHA}:4`, `${SHA}:5`] });
    expect(s.eventKeys({}, 3)).toEqual({ total: 5, keys: [] });
    expect(() => s.eventKeys({ filter: 'status:evil' }, 10)).toThrow(/unknown status/);
  });
});
