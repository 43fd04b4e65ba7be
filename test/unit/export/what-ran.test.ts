// Reports say what ran in each finding's event (host, user, parent -> process, the whole command line) with the
// same choice of fields as the scan's text, and name browser-mode uploads by the name the analyst opened, never by
// the temporary copy's path (issue 20).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsToCsv } from '../../../engine/export/csv.ts';
import { buildHtmlReport } from '../../../engine/export/html.ts';
import { buildReport, UPLOAD_ORIGIN } from '../../../engine/export/report.ts';
import { whatRanOf } from '../../../engine/export/what-ran.ts';
import type { EngineMethod } from '../../../engine/rpc/protocol.ts';
import { runCaseJob } from '../../../main/host/case-job.ts';
import type { EngineLike } from '../../../main/host/engine-client.ts';
import { input } from './fixtures.ts';

const LONG = `powershell.exe -NoProfile -EncodedCommand ${'A'.repeat(400)} <b>not markup</b>`;

describe('what ran in reports', () => {
  const ran = whatRanOf({ dest: 'SRV-FILE-01', user: 'CORP\\john.smith', parent_process_path: 'C:\\Windows\\System32\\cmd.exe', process_name: 'powershell.exe', process: LONG });

  it('picks names as the scan does (name field, else the basename of the path)', () => {
    expect(ran).toEqual({ host: 'SRV-FILE-01', user: 'CORP\\john.smith', parent: 'cmd.exe', process: 'powershell.exe', commandLine: LONG });
    expect(whatRanOf({})).toEqual({ host: null, user: null, parent: '?', process: '?', commandLine: null });
  });

  it('JSON, CSV and HTML carry it for every event, the command line whole; HTML wraps it and escapes it', () => {
    const rep = buildReport({ ...input(), whatRan: () => ran });
    const e = rep.findings[0]!.events[0]!;
    expect(e).toMatchObject({ host: 'SRV-FILE-01', user: 'CORP\\john.smith', parent_process_name: 'cmd.exe', process_name: 'powershell.exe', command_line: LONG });
    const csv = findingsToCsv(rep);
    expect(csv.split('\r\n')[0]!.split(',')).toContain('what_ran');
    expect(csv).toContain(`SRV-FILE-01 | CORP\\john.smith | cmd.exe -> powershell.exe | ${LONG.replace(/"/g, '""')}`);
    const html = buildHtmlReport({ ...input(), whatRan: () => ran, eventRecordId: () => 4711, generatedAtMs: 0 });
    expect(html).toContain('EventRecordID <span class="mono">4711</span><div class="ran">host <span class="mono">SRV-FILE-01</span> · user <span class="mono">CORP\\john.smith</span> · <span class="mono">cmd.exe → powershell.exe</span>');
    expect(html).toContain(`<code class="cmd">powershell.exe -NoProfile -EncodedCommand ${'A'.repeat(400)} &lt;b&gt;not markup&lt;/b&gt;</code>`);
    expect(html).toMatch(/code, \.mono \{[^}]*white-space: pre-wrap/);
  });

  it('without what-ran fields the events stay as they were', () => {
    const rep = buildReport(input());
    expect(rep.findings.flatMap((f) => f.events).some((e) => 'command_line' in e || 'user' in e)).toBe(false);
    expect(findingsToCsv(rep).split('\r\n')[1]!.endsWith(',')).toBe(true);
  });
});

describe('browser-mode uploads in reports', () => {
  it('the HTML names the evidence by the name opened and says the original path is unknown', () => {
    const base = input();
    const html = buildHtmlReport({ ...base, evidence: base.evidence.map((e) => ({ ...e, path: 'corp.xml', name: 'corp.xml', origin: UPLOAD_ORIGIN })), generatedAtMs: 0 });
    expect(html).toContain(`corp.xml<br><span class="meta">${UPLOAD_ORIGIN}</span>`);
  });

  it('the case job hands the engine the name and the origin, never the temporary path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hopscope-upload-test-'));
    try {
      const file = join(dir, 'a1b2', 'corp-lateral-movement.sysmon.xml');
      await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'a1b2')));
      await writeFile(file, '<Events/>');
      const metas: Array<Record<string, unknown>> = [];
      const stats = { records: 1, appended: 1, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false };
      const engine: EngineLike = {
        call(method: EngineMethod, params: unknown) {
          if (method === 'evidenceMeta') metas.push(params as Record<string, unknown>);
          const p = params as Record<string, unknown>;
          const res =
            method === 'ingestFile'
              ? { evidence: p['evidence'], stats, format: 'windows-xml', formatReason: 'x', encoding: 'utf-8', totalRows: 1, cancelled: false }
              : method === 'loadRules' ? { rules: [], issues: [] } : method === 'detect' ? { findings: 0, hosts: 0, ruleErrors: [], elapsedMs: 0 } : method === 'summary' ? null : { ok: true };
          return { promise: Promise.resolve(res) as never, cancel: () => {} };
        },
        onCrash: () => () => {},
        async close() {},
      };
      await runCaseJob(engine, { evidence: [{ path: file, name: 'corp-lateral-movement.sysmon.xml', origin: UPLOAD_ORIGIN }], rules: { files: [], macros: [], sigmaFiles: [] }, binSpanSec: 1 }).promise;
      expect(metas).toHaveLength(1);
      expect(metas[0]).toMatchObject({ path: 'corp-lateral-movement.sysmon.xml', origin: UPLOAD_ORIGIN, bytes: 9 });
      expect(JSON.stringify(metas)).not.toContain(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
