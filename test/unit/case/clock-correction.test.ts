// Issue 15: a clock correction set by the analyst moves that file's events (or those timed by one field), findings
// move with them, the case journal keeps it across a reopen, every export carries original and corrected time, and
// undoing it gives back exactly what was read.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import type { CompiledRule, LoadedRuleSet } from '../../../engine/rules/types.ts';
import { EngineSession } from '../../../engine/session.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import { fieldAt, type EventSource } from '../../../engine/store/view.ts';
import { applyCaseOp, emptyCaseDoc, parseCaseDoc, parseCaseOp } from '../../../main/host/case/case-doc.ts';
import { openCaseStore, readCase } from '../../../main/host/case-store.ts';
import { parseClockArg, parseClockOffset, resolveClockArgs } from '../../../main/host/cli-args.ts';

const T0 = Date.UTC(2020, 9, 19, 7, 30, 46, 251);
const SHA = 'b'.repeat(64);
const H4 = 4 * 3600_000;

/** The OTRF shape: a Sysmon 1 timed by UtcTime, and the same launch's 4688 timed by a local-time TimeCreated (-4 h). */
function recs(): IngestRecord[] {
  const base = { source: 'sysmon' as const, originalNames: ['TimeCreated', 'UtcTime', 'CommandLine'], line: 1, byteOffset: 0 };
  return [
    { ...base, timeMs: T0, timeField: 'UtcTime', timeAlts: [{ field: 'TimeCreated', ms: T0 - H4 + 6, assumedUtc: true }], fields: { dest: 'WS5', process: 'PsExec.exe -accepteula' }, originalValues: ['2020-10-19 03:30:46.257', '2020-10-19 07:30:46.251', 'PsExec.exe -accepteula'], record: 1 },
    { ...base, source: 'security-4688', timeMs: T0 - H4, assumedUtc: true, timeField: 'TimeCreated', fields: { dest: 'WS5', process: 'PsExec.exe -accepteula' }, originalValues: ['2020-10-19 03:30:46.251', undefined, 'PsExec.exe -accepteula'], record: 2 },
  ];
}

const rule: CompiledRule = {
  meta: { id: 'psexec', title: 'PsExec', language: 'sigma', source: 'test', riskScore: 35, techniques: [], messageTemplate: 'psexec on $dest$' },
  run(source: EventSource) {
    const rows: number[] = [];
    for (let r = 0; r < source.rowCount; r++) if ((fieldAt(source, r, 'process') ?? '').includes('accepteula')) rows.push(r);
    return { ruleId: 'psexec', rows: Uint32Array.from(rows), elapsedMs: 0 };
  },
  explain: () => ({ matched: false, steps: [] }),
};

function session(): EngineSession {
  const s = new EngineSession({ loadSigmaRules: (): LoadedRuleSet => ({ rules: [rule], issues: [] }) });
  const b = new SegmentBuilder({ evidence: 0, evidenceName: 'psexec.json', rawFormat: 'json' });
  for (const r of recs()) b.append(r);
  const stats = { records: 2, appended: 2, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: true };
  s.addSegments([b.finish()], { evidence: 0, name: 'psexec.json', format: 'windows-flat', formatReason: 'x', encoding: 'utf-8', stats });
  s.setEvidenceMeta({ evidence: 0, sha256: SHA, bytes: 100, path: '/ev/psexec.json', addedAt: '2024-05-02T00:00:00Z' });
  s.loadRules({ files: [], macros: [], sigmaFiles: [{ path: 'x.yml', text: '' }] });
  s.runDetection({ binSpanSec: 1 });
  return s;
}

const bins = (s: EngineSession) => s.findings('time').findings.map((f) => [new Date(f.binStartMs).toISOString(), f.eventCount]);

describe('clock corrections in the engine', () => {
  it('offers the detected offset without applying it', () => {
    const s = session();
    expect(bins(s)).toEqual([['2020-10-19T03:30:46.000Z', 1], ['2020-10-19T07:30:46.000Z', 1]]);
    const ev = s.summary()!.evidence[0]!;
    expect(ev.clock).toBeUndefined();
    expect(ev.clockOffers).toEqual([expect.objectContaining({ field: 'TimeCreated', offsetMs: H4, offset: '+04:00:00', events: 1 })]);
    expect(ev.warnings).toContainEqual(expect.stringContaining('Clock correction offered, not applied: TimeCreated +04:00:00.'));
  });

  it('moves the events timed by the field, findings follow, every export carries both times, and undo restores them', () => {
    const s = session();
    expect(s.setClockCorrections([{ evidence: 0, offsetMs: H4, field: 'TimeCreated' }])).toEqual({ moved: 1 });
    s.runDetection({ binSpanSec: 1 });
    expect(bins(s)).toEqual([['2020-10-19T07:30:46.000Z', 2]]);
    const summary = s.summary()!;
    expect(summary.evidence[0]!.clock).toEqual([{ offset: '+04:00:00', offset_ms: H4, field: 'TimeCreated' }]);
    expect(summary.evidence[0]!.warnings).toContainEqual(expect.stringContaining('The analyst set a clock correction: TimeCreated +04:00:00.'));

    const json = JSON.parse(s.report('json', 0)) as { evidence: Array<{ clock?: unknown }>; findings: Array<{ events: Array<{ record: number; time: string; original_time?: string }> }> };
    expect(json.evidence[0]!.clock).toEqual([{ offset: '+04:00:00', offset_ms: H4, field: 'TimeCreated' }]);
    expect(json.findings[0]!.events).toEqual([
      expect.objectContaining({ record: 1, time: '2020-10-19T07:30:46.251Z' }),
      expect.objectContaining({ record: 2, time: '2020-10-19T07:30:46.251Z', original_time: '2020-10-19T03:30:46.251Z' }),
    ]);
    expect(json.findings[0]!.events[0]!.original_time).toBeUndefined();

    const csv = s.report('csv', 0);
    const [header, row] = csv.replace(/^\ufeff/, '').split('\r\n');
    expect(header).toContain('event_original_times,clock');
    expect(row).toContain('2020-10-19T07:30:46.251Z; 2020-10-19T03:30:46.251Z');
    expect(row).toContain('/ev/psexec.json: +04:00:00@TimeCreated');

    const html = s.report('html', 0);
    expect(html).toContain('Clock corrections set by the analyst');
    expect(html).toContain('(as read: <span class="mono">2020-10-19T03:30:46.251Z</span>, clock corrected)');

    const events = s.eventsCsv({}, ['dest', 'TimeCreated'], 100).text!;
    const lines = events.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('time_utc,time_original_utc,dest,TimeCreated,evidence_file,evidence_sha256,record,line');
    // The original time column keeps what the file wrote, whatever the correction.
    expect(lines.some((l) => l.includes('2020-10-19T03:30:46.251Z') && l.includes('2020-10-19 03:30:46.251') && l.endsWith(',2,1'))).toBe(true);

    // Undo: back to the times as read, exactly.
    expect(s.setClockCorrections([])).toEqual({ moved: 0 });
    s.runDetection({ binSpanSec: 1 });
    expect(bins(s)).toEqual([['2020-10-19T03:30:46.000Z', 1], ['2020-10-19T07:30:46.000Z', 1]]);
    expect(s.eventStore().views[0]!.segment.timeMsOriginal).toBeUndefined();
    expect([...s.eventStore().views[0]!.segment.timeMs]).toEqual([T0, T0 - H4]);
    expect((JSON.parse(s.report('json', 0)) as { evidence: Array<{ clock?: unknown }> }).evidence[0]!.clock).toBeUndefined();
  });

  it('a whole-file correction moves every event of the file; bad corrections are refused', () => {
    const s = session();
    expect(s.setClockCorrections([{ evidence: 0, offsetMs: -60_000 }]).moved).toBe(2);
    expect([...s.eventStore().views[0]!.segment.timeMs]).toEqual([T0 - 60_000, T0 - H4 - 60_000]);
    expect(() => s.setClockCorrections([{ evidence: 0, offsetMs: 8 * 86_400_000 }])).toThrow(/out of range/);
    expect(() => s.setClockCorrections([{ evidence: 0, offsetMs: 1 }, { evidence: 0, offsetMs: 2 }])).toThrow(/same file/);
  });
});

describe('clock corrections in the case', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hopscope-clock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('set and undo are journal operations that survive a reopen', async () => {
    const store = await openCaseStore({ dir: join(dir, 'c') });
    await store.apply({ kind: 'clock', sha256: SHA, field: 'TimeCreated', offsetMs: H4 });
    await store.apply({ kind: 'clock', sha256: SHA, offsetMs: -5 * 3600_000 });
    await store.close();
    const again = await readCase(join(dir, 'c'));
    expect(again.doc.clock).toEqual([
      { sha256: SHA, offsetMs: H4, field: 'TimeCreated' },
      { sha256: SHA, offsetMs: -5 * 3600_000 },
    ]);
    const reopened = await openCaseStore({ dir: join(dir, 'c') });
    await reopened.apply({ kind: 'clock', sha256: SHA, field: 'TimeCreated', offsetMs: null });
    await reopened.close();
    expect((await readCase(join(dir, 'c'))).doc.clock).toEqual([{ sha256: SHA, offsetMs: -5 * 3600_000 }]);
  });

  it('validates clock operations and snapshots', () => {
    expect(() => parseCaseOp({ kind: 'clock', sha256: SHA, offsetMs: 'x' })).toThrow(/offsetMs/);
    expect(() => parseCaseOp({ kind: 'clock', sha256: 'nope', offsetMs: 1 })).toThrow(/SHA-256/);
    expect(() => parseCaseOp({ kind: 'clock', sha256: SHA, offsetMs: 1, extra: 1 })).toThrow(/not allowed/);
    const doc = applyCaseOp(emptyCaseDoc(), parseCaseOp({ kind: 'clock', sha256: SHA, offsetMs: 1000 }));
    expect(parseCaseDoc(JSON.parse(JSON.stringify(doc))).clock).toEqual([{ sha256: SHA, offsetMs: 1000 }]);
    expect(parseCaseDoc({ ...emptyCaseDoc() }).clock).toBeUndefined();
  });
});

describe('--clock', () => {
  it('reads FILE=OFFSET[@FIELD] and names files by path or name', () => {
    expect(parseClockOffset('+05:00:00')).toBe(5 * 3600_000);
    expect(parseClockOffset('-04:00')).toBe(-H4);
    expect(parseClockOffset('+00:00:37.5')).toBe(37_500);
    expect(parseClockOffset('5h')).toBeNull();
    const a = parseClockArg('C:=odd/psexec.json=+04:00:00@TimeCreated');
    expect(a).toMatchObject({ file: 'C:=odd/psexec.json', offsetMs: H4, field: 'TimeCreated' });
    expect(() => parseClockArg('psexec.json')).toThrow(/--clock/);
    expect(() => parseClockArg('psexec.json=+200:00:00')).toThrow(/out of range/);
    const files = ['/ev/a/psexec.json', '/ev/b/other.json', '/ev/c/other.json'];
    expect(resolveClockArgs([parseClockArg('psexec.json=+04:00:00')], files)).toEqual([{ path: '/ev/a/psexec.json', offsetMs: H4 }]);
    expect(() => resolveClockArgs([parseClockArg('other.json=+04:00:00')], files)).toThrow(/names 2 evidence files/);
    expect(() => resolveClockArgs([parseClockArg('missing.json=+04:00:00')], files)).toThrow(/not one of the evidence files/);
  });
});
