// Engine session over a real SegmentBuilder/EventStore with a stub rule: summary, detection, queries, reports.

import { describe, expect, it } from 'vitest';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import type { CompiledRule, LoadedRuleSet } from '../../../engine/rules/types.ts';
import { EngineSession, RULE_BUDGET_MS } from '../../../engine/session.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import type { EventSource } from '../../../engine/store/view.ts';
import { fieldAt } from '../../../engine/store/view.ts';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const NAMES = ['_time', 'dest', 'process'];

function rec(i: number, dest: string, process: string, extra: Partial<IngestRecord['fields']> = {}): IngestRecord {
  return {
    timeMs: T0 + i * 1000,
    source: 'cim',
    fields: { dest, process, process_name: process.split(' ')[0], ...extra },
    originalNames: NAMES,
    originalValues: [String((T0 + i * 1000) / 1000), dest, process],
    record: i + 1,
    line: i + 2,
    byteOffset: i * 40,
  };
}

const psexecRule: CompiledRule = {
  meta: { id: 'stub-psexec', title: 'PsExec', language: 'sigma', source: 'test', riskScore: 35, techniques: ['T1021.002'], messageTemplate: 'psexec on $dest$' },
  run(source: EventSource) {
    const rows: number[] = [];
    for (let r = 0; r < source.rowCount; r++) if ((fieldAt(source, r, 'process') ?? '').includes('psexec')) rows.push(r);
    return { ruleId: 'stub-psexec', rows: Uint32Array.from(rows), elapsedMs: 0 };
  },
  explain: (source: EventSource, row: number) => {
    const process = fieldAt(source, row, 'process');
    return { matched: (process ?? '').includes('psexec'), steps: [{ stage: 'search', condition: 'process contains psexec', fields: { process } }] };
  },
};

function makeSession(): EngineSession {
  const s = new EngineSession({ loadSigmaRules: (): LoadedRuleSet => ({ rules: [psexecRule], issues: [] }) });
  const b = new SegmentBuilder({ evidence: 0, evidenceName: 'a.csv', rawFormat: 'csv' });
  b.append(rec(0, 'H1', 'cmd.exe /c whoami', { process_id: '10', parent_process_id: '1' }));
  b.append(rec(1, 'H1', 'psexec.exe -accepteula \\\\H2 cmd', { process_id: '11', parent_process_id: '10' }));
  b.append(rec(2, 'H2', 'psexec.exe -accepteula', { process_id: '20' }));
  b.append(rec(5, 'H1', 'notepad.exe', { process_id: '12', parent_process_id: '11' }));
  b.reject({ reason: 'bad time', code: 'bad-time', line: 9 });
  const stats = { records: 5, appended: 4, rejected: 1, nonProcess: 0, rejectedByReason: { 'bad-time': 1 }, invalidBytesReplaced: 0, assumedUtc: false };
  s.addSegments([b.finish()], { evidence: 0, name: 'a.csv', format: 'splunk-cim', formatReason: 'CIM columns', encoding: 'utf-8', stats });
  s.setEvidenceMeta({ evidence: 0, sha256: 'a'.repeat(64), bytes: 123, path: '/cases/a.csv', addedAt: '2024-05-02T00:00:00Z', warnings: ['the file size changed while it was being read (1 -> 2 bytes)'] });
  return s;
}

describe('EngineSession', () => {
  it('has no summary before evidence and refuses metadata for unknown evidence', () => {
    const s = new EngineSession();
    expect(s.summary()).toBeNull();
    expect(() => s.setEvidenceMeta({ evidence: 3, sha256: 'a'.repeat(64), bytes: 1, path: '/x', addedAt: '' })).toThrow(/no evidence 3/);
  });

  it('summarises evidence, hosts, rules and findings', () => {
    const s = makeSession();
    const loaded = s.loadRules({ files: [], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }] });
    expect(loaded.rules.map((r) => r.id)).toEqual(['stub-psexec']);
    const d = s.runDetection({ binSpanSec: 1 });
    expect(d.findings).toBe(2);
    const sum = s.summary()!;
    expect(sum.events).toBe(4);
    expect(sum.hosts).toEqual(['H1', 'H2']);
    expect(sum.findings).toBe(2);
    expect(sum.firstMs).toBe(T0);
    expect(sum.lastMs).toBe(T0 + 5000);
    expect(sum.evidence[0]).toMatchObject({ name: 'a.csv', path: '/cases/a.csv', sha256: 'a'.repeat(64), format: 'splunk-cim', events: 4, rejected: 1 });
    expect(sum.evidence[0]!.rejectSamples[0]).toMatchObject({ evidence: 'a.csv', line: 9, reason: 'bad time' });
    expect(sum.evidence[0]!.warnings).toEqual(['the file size changed while it was being read (1 -> 2 bytes)']);
  });

  it('reports SPL packs as unsupported when no pack loader is wired, and honours enabledIds', () => {
    const s = makeSession();
    const r = s.loadRules({ files: [{ path: 'p.yml', text: '' }], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }], enabledIds: [] });
    expect(r.issues.some((i) => i.code === 'E_RULE_UNSUPPORTED' && i.source === 'p.yml')).toBe(true);
    expect(r.rules[0]!.enabled).toBe(false);
    expect(s.runDetection({ binSpanSec: 1 }).findings).toBe(0);
  });

  it('answers timeline, rows, event details and process tree', () => {
    const s = makeSession();
    s.loadRules({ files: [], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }] });
    s.runDetection({ binSpanSec: 1 });
    const tl = s.timeline({ startMs: T0, endMs: T0 + 10_000, buckets: 10 });
    expect(tl.total.reduce((a, b) => a + b, 0)).toBe(4);
    const h1 = tl.lanes.find((l) => l.host === 'H1')!;
    expect(h1.counts[1]).toBe(1);
    expect(h1.findings[1]).toBe(1);
    expect(h1.maxRisk[1]).toBe(35);
    expect(h1.riskScore).toBe(35);

    const page = s.rows({ offset: 1, limit: 2 });
    expect(page.total).toBe(4);
    expect(page.rows.map((r) => r.timeMs)).toEqual([T0 + 1000, T0 + 2000]);
    expect(page.rows[0]!.values[page.columns.indexOf('dest')]).toBe('H1');
    const onlyH2 = s.rows({ offset: 0, limit: 10, hosts: ['H2'] });
    expect(onlyH2.total).toBe(1);
    const f = s.findings('time').findings[0]!;
    const byFinding = s.rows({ offset: 0, limit: 10, findingId: f.id });
    expect(byFinding.rows.map((r) => r.row)).toEqual(f.events.map((e) => e.row));

    const ev = s.event(1);
    expect(ev).toMatchObject({ row: 1, evidence: 'a.csv', record: 2, line: 3 });
    expect(ev.canonical['process']).toContain('psexec');
    expect(ev.original['dest']).toBe('H1');

    const tree = s.processTree(1);
    expect(tree.map((n) => [n.process_id, n.relation])).toEqual([['10', 'ancestor'], ['11', 'self'], ['12', 'child']]);
    expect(() => s.event(99)).toThrow(/not in the case/);

    expect(s.explain({ ruleId: 'stub-psexec', findingId: f.id }).map((e) => [e.row, e.matched])).toEqual(f.events.map((e) => [e.row, true]));
    expect(s.explain({ ruleId: 'stub-psexec', row: 0 })[0]).toMatchObject({ row: 0, matched: false, steps: [{ condition: 'process contains psexec' }] });
    expect(() => s.explain({ ruleId: 'nope', row: 0 })).toThrow(/no rule nope/);
    expect(() => s.explain({ ruleId: 'stub-psexec' })).toThrow(/findingId or a row/);
  });

  it('writes deterministic JSON and CSV reports', () => {
    const s = makeSession();
    s.loadRules({ files: [], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }] });
    s.runDetection({ binSpanSec: 1 });
    const json = JSON.parse(s.report('json')) as { findings: Array<{ rule_id: string; events: Array<{ evidence: string }> }>; evidence: Array<{ sha256: string }> };
    expect(json.findings).toHaveLength(2);
    expect(json.findings[0]!.events[0]!.evidence).toBe('/cases/a.csv');
    expect(json.evidence[0]!.sha256).toBe('a'.repeat(64));
    expect(s.report('json')).toBe(s.report('json'));
    expect(s.report('csv')).toContain('stub-psexec');
    const html = s.report('html', 0);
    expect(html).toContain('<!DOCTYPE html>');
    expect(html).toBe(s.report('html', 0));
    const fid = s.findings('time').findings[0]!.id;
    const withNotes = JSON.parse(s.report('json', 0, { findings: { [fid]: { status: 'benign', tags: ['admin'], comments: [], star: false } }, events: {} })) as { annotations: { findings: Record<string, { status: string }> } };
    expect(withNotes.annotations.findings[fid]!.status).toBe('benign');
    expect(() => s.report('json', 0, { findings: { [fid]: { status: 'pwned' } } })).toThrow(expect.objectContaining({ code: 'E_CASE' }));
  });

  it('drops the detection result when evidence is added or the case is reset', () => {
    const s = makeSession();
    s.loadRules({ files: [], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }] });
    s.runDetection({ binSpanSec: 1 });
    s.reset();
    expect(s.summary()).toBeNull();
    expect(s.findings().findings).toEqual([]);
  });

  it('runs every rule under a finite time budget: a runaway rule is stopped and reported, the others still find', () => {
    const budgets: Array<number | undefined> = [];
    let runAway = true;
    const runaway: CompiledRule = {
      meta: { id: 'stub-runaway', title: 'Runaway', language: 'sigma', source: 'test', riskScore: 90, techniques: [] },
      run(_source, opts) {
        budgets.push(opts?.budgetMs);
        // Without a budget this never returns (the test times out): the session must always pass one.
        const t0 = performance.now();
        while (runAway) {
          if (opts?.budgetMs !== undefined && performance.now() - t0 > opts.budgetMs) {
            return { ruleId: 'stub-runaway', rows: new Uint32Array(0), elapsedMs: performance.now() - t0, error: { code: 'E_RULE_BUDGET', message: 'over budget' } };
          }
        }
        return { ruleId: 'stub-runaway', rows: new Uint32Array(0), elapsedMs: 0 };
      },
      explain: () => ({ matched: false, steps: [] }),
    };
    const s = new EngineSession({ loadSigmaRules: (): LoadedRuleSet => ({ rules: [runaway, psexecRule], issues: [] }) });
    const b = new SegmentBuilder({ evidence: 0, evidenceName: 'a.csv', rawFormat: 'csv' });
    b.append(rec(0, 'H2', 'psexec.exe -accepteula'));
    const stats = { records: 1, appended: 1, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false };
    s.addSegments([b.finish()], { evidence: 0, name: 'a.csv', format: 'splunk-cim', formatReason: 'CIM columns', encoding: 'utf-8', stats });
    s.loadRules({ files: [], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }] });
    const res = s.runDetection({ binSpanSec: 1, budgetMs: 20 });
    expect(res.findings).toBe(1);
    expect(res.ruleErrors.map((e) => e.code)).toEqual(['E_RULE_BUDGET']);
    expect(res.ruleErrors[0]!.message).toContain('stub-runaway');
    expect(budgets).toEqual([20]);
    // Without an explicit budget the session's own finite default reaches the rule.
    runAway = false;
    s.runDetection({ binSpanSec: 1 });
    expect(budgets[1]).toBe(RULE_BUDGET_MS);
    expect(Number.isFinite(RULE_BUDGET_MS)).toBe(true);
  });
});
