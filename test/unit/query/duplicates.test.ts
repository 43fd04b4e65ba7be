// The same evidence twice (identical SHA-256) or the same events in two forms (same host, second and record id, or
// process id and command line) is warned about in the case summary and the report, in one pass over the store.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { duplicateEvidenceWarnings, OVERLAP_SAMPLE } from '../../../engine/query/duplicates.ts';
import { EngineSession } from '../../../engine/session.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import type { Segment } from '../../../engine/store/segment.ts';
import { EventStore } from '../../../engine/store/store.ts';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist', 'host', 'cli.js');
const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);

/** n process creations on 4 hosts, one every 250 ms; `recordIds` adds an EventRecordID column, `shift` changes the events. */
function segment(evidence: number, n: number, opts: { recordIds?: boolean; shift?: number; name?: string; other?: boolean } = {}): Segment {
  const b = new SegmentBuilder({ evidence, evidenceName: opts.name ?? `e${evidence}`, rawFormat: 'csv' });
  const names = opts.recordIds ? ['_time', 'dest', 'process', 'EventRecordID'] : ['_time', 'dest', 'process'];
  for (let i = 0; i < n; i++) {
    const k = i + (opts.shift ?? 0);
    const timeMs = T0 + k * 250;
    const dest = `H${k % 4}`;
    const process = `cmd.exe /c ${opts.other ? 'other' : 'task'} ${k}`;
    const rec: IngestRecord = {
      timeMs, source: 'sysmon', fields: { dest, process, process_id: String((opts.other ? 9000 : 1000) + k) },
      originalNames: names, originalValues: [String(timeMs / 1000), dest, process, ...(opts.recordIds ? [String(5000 + k)] : [])],
      record: i + 1, line: i + 2, byteOffset: i * 50,
    };
    b.append(rec);
  }
  return b.finish();
}

const ids = (names: string[], shas: string[] = names.map(() => '')) => names.map((name, evidence) => ({ evidence, name, sha256: shas[evidence]! }));

describe('duplicateEvidenceWarnings', () => {
  it('names the later copy of an identical file, and does not also report its events as overlapping', () => {
    const store = new EventStore([segment(0, 50), segment(1, 50)]);
    const w = duplicateEvidenceWarnings(store, ids(['a.xml', 'b.xml'], ['f'.repeat(64), 'f'.repeat(64)]));
    expect([...w.keys()]).toEqual([1]);
    expect(w.get(1)).toEqual([expect.stringMatching(/^the same file as a\.xml \(identical SHA-256\)/)]);
  });

  it('reports the same events in two forms, both ways, by record id or by process id and command line', () => {
    const store = new EventStore([segment(0, 400, { recordIds: true }), segment(1, 400)]);
    const w = duplicateEvidenceWarnings(store, ids(['a.xml', 'a.csv']));
    expect(w.get(0)).toEqual([expect.stringMatching(/^100% of its events \(400 of 400\) are also in a\.csv .*counted twice$/)]);
    expect(w.get(1)).toEqual([expect.stringMatching(/^100% of its events \(400 of 400\) are also in a\.xml /)]);
  });

  it('says nothing for different events on the same hosts at the same times, or for a single file', () => {
    const differentCmd = new EventStore([segment(0, 400, { recordIds: true }), segment(1, 400, { other: true })]);
    expect(duplicateEvidenceWarnings(differentCmd, ids(['a.xml', 'b.csv'])).size).toBe(0);
    expect(duplicateEvidenceWarnings(new EventStore([segment(0, 400)]), ids(['a.xml'])).size).toBe(0);
  });

  it('samples a large file and stays linear: 2 x 300,000 events, half of them shared', () => {
    const n = 300_000;
    const store = new EventStore([segment(0, n, { recordIds: true }), segment(1, n, { recordIds: true, shift: n / 2 })]);
    const t0 = performance.now();
    const w = duplicateEvidenceWarnings(store, ids(['a.ndjson', 'b.xml']));
    const ms = performance.now() - t0;
    expect(w.get(0)).toEqual([expect.stringMatching(new RegExp(`^50% of its events \\(${OVERLAP_SAMPLE / 2} of ${OVERLAP_SAMPLE} sampled\\) are also in b\\.xml`))]);
    expect(w.get(1)?.[0]).toMatch(/^50% of its events/);
    expect(ms).toBeLessThan(5000);
  });
});

describe('in the case summary and the report', () => {
  it('the session adds them to the evidence warnings once the case is detected', () => {
    const s = new EngineSession();
    const stats = (n: number) => ({ records: n, appended: n, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false });
    s.addSegments([segment(0, 20, { name: 'a.csv' })], { evidence: 0, name: 'a.csv', format: 'splunk-cim', formatReason: '', encoding: 'utf-8', stats: stats(20) });
    s.addSegments([segment(1, 20, { name: 'copy.csv' })], { evidence: 1, name: 'copy.csv', format: 'splunk-cim', formatReason: '', encoding: 'utf-8', stats: stats(20) });
    for (const [evidence, path] of [[0, '/e/a.csv'], [1, '/e/copy.csv']] as const) {
      s.setEvidenceMeta({ evidence, sha256: 'c'.repeat(64), bytes: 10, path, addedAt: '' });
    }
    expect(s.summary()!.evidence.every((e) => e.warnings === undefined)).toBe(true); // not before detection
    s.loadRules({ files: [], macros: [], sigmaFiles: [] });
    s.runDetection({ binSpanSec: 1 });
    expect(s.summary()!.evidence.map((e) => e.warnings)).toEqual([undefined, [expect.stringMatching(/^the same file as a\.csv/)]]);
    const report = JSON.parse(s.report('json')) as { evidence: Array<{ path: string; warnings?: string[] }> };
    expect(report.evidence.find((e) => e.path === '/e/copy.csv')!.warnings).toEqual([expect.stringMatching(/^the same file as a\.csv/)]);
    expect(s.report('html', 0)).toContain('Warnings about the evidence:');
  });

  it('scan of the bundled sample as XML and as CSV warns on stderr, in the text and in the JSON report', () => {
    const samples = join(root, 'resources', 'samples');
    const files = [join(samples, 'corp-lateral-movement.sysmon.xml'), join(samples, 'corp-lateral-movement.splunk.csv')];
    const text = spawnSync(process.execPath, [cli, 'scan', ...files], { encoding: 'utf8' });
    expect(text.status).toBe(0);
    expect(text.stderr).toContain('warning: corp-lateral-movement.splunk.csv: 100% of its events (373 of 373) are also in corp-lateral-movement.sysmon.xml');
    // The XML's 373 process creations are the CSV's rows (its other events, if the case keeps them, are not).
    expect(text.stdout).toMatch(/\n {4}warning: \d+% of its events \(373 of \d+\) are also in corp-lateral-movement\.splunk\.csv /);
    const json = spawnSync(process.execPath, [cli, 'scan', '--format', 'json', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const rep = JSON.parse(json.stdout) as { evidence: Array<{ warnings?: string[] }> };
    expect(rep.evidence.every((e) => e.warnings?.some((w) => w.includes('counted twice')))).toBe(true);
  });
});
