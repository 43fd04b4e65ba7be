// Host service over an in-process fake engine: validation comes first, only registered handles open,
// samples and recent files work, a case job pushes progress and case-ready.

import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary, HostPush } from '../../../engine/rpc/api.ts';
import type { EngineMethod } from '../../../engine/rpc/protocol.ts';
import type { EngineLike } from '../../../main/host/engine-client.ts';
import { createHostService, type HostService } from '../../../main/host/host-service.ts';
import { readCase } from '../../../main/host/case-store.ts';

const SUMMARY: CaseSummary = { evidence: [], events: 2, hosts: ['H1'], firstMs: 0, lastMs: 1, rules: [], ruleIssues: [], findings: 0, binSpanSec: 1 };

function fakeEngine(calls: Array<{ method: EngineMethod; params: unknown }>): EngineLike {
  const results: Partial<Record<EngineMethod, unknown>> = {
    reset: { ok: true },
    ingestFile: { evidence: 0, stats: { records: 2, appended: 2, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false }, format: 'splunk-cim', formatReason: 'x', encoding: 'utf-8', totalRows: 2, cancelled: false },
    evidenceMeta: { ok: true },
    loadRules: { rules: [], issues: [] },
    detect: { findings: 0, hosts: 1, ruleErrors: [], elapsedMs: 0 },
    summary: SUMMARY,
    rows: { total: 0, offset: 0, columns: [], rows: [] },
    report: { format: 'csv', bytes: new TextEncoder().encode('id,rule_id\n').buffer },
  };
  return {
    call(method, params, opts) {
      calls.push({ method, params });
      if (method === 'ingestFile') opts?.onProgress?.({ phase: 'parsing', bytesDone: 4, bytesTotal: 8, records: 1, rejected: 0, rate: 1 });
      return { promise: Promise.resolve(results[method] as never), cancel() {} };
    },
    onCrash: () => () => {},
    async close() {},
  };
}

let dir: string;
let svc: HostService;
const calls: Array<{ method: EngineMethod; params: unknown }> = [];
const pushes: HostPush[] = [];
let evidencePath: string;

function waitFor(pred: () => boolean): Promise<void> {
  return new Promise((ok) => {
    const tick = (): void => (pred() ? ok() : void setTimeout(tick, 5));
    tick();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-host-'));
  await mkdir(join(dir, 'res', 'samples'), { recursive: true });
  await mkdir(join(dir, 'res', 'rules'), { recursive: true });
  await writeFile(join(dir, 'res', 'samples', 'demo.csv'), '_time,dest\n1,H1\n');
  await writeFile(join(dir, 'res', 'samples', 'notes.md'), 'not a sample');
  await mkdir(join(dir, 'user', 'sigma'), { recursive: true });
  await writeFile(join(dir, 'user', 'sigma', 'mine.yml'), 'title: mine');
  await writeFile(join(dir, 'res', 'rules', 'macros.conf'), '[m]\ndefinition = x');
  evidencePath = join(dir, 'evidence.csv');
  await writeFile(evidencePath, '_time,dest\n1,H1\n2,H1\n');
  svc = createHostService({
    mode: 'test',
    resourcesDir: join(dir, 'res'),
    userDataDir: join(dir, 'user'),
    preopened: [evidencePath, join(dir, 'missing.csv')],
    engine: fakeEngine(calls),
  });
  svc.subscribe((p) => pushes.push(p));
  await svc.ready;
});
afterAll(async () => {
  await svc.close();
  await rm(dir, { recursive: true, force: true });
});

describe('host service', () => {
  it('validates before dispatching: bad channels and payloads never reach the engine', async () => {
    const before = calls.length;
    await expect(svc.call('query.rows', { offset: 0, limit: 10, path: '/etc/passwd' })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    await expect(svc.call('fs.read', {})).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    await expect(svc.call('case.open', { handles: ['/etc/passwd'], path: 'x' })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    await expect(svc.call('files.setMapping', { signature: 'abc', mapping: { time: 't', fields: { __proto__x: 'a' } } })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    await expect(svc.call('files.setMapping', { signature: 'abc', mapping: { time: 't', fields: { process: 7 } } })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    expect(calls.length).toBe(before);
  });

  it('reports app info with the samples folder contents', async () => {
    const info = (await svc.call('app.info', {})) as { mode: string; samples: Array<{ id: string; bytes: number }> };
    expect(info.mode).toBe('test');
    expect(info.samples.map((s) => s.id)).toEqual(['demo.csv']);
    expect(info.samples[0]!.bytes).toBe(16);
  });

  it('files.pick {folder} registers the log files below the picked folder and says what it passed over', async () => {
    const logs = join(dir, 'kape', 'Logs');
    await mkdir(join(logs, 'old'), { recursive: true });
    await writeFile(join(logs, 'Security.evtx'), 'x');
    await writeFile(join(logs, 'old', 'System.evtx'), 'y');
    await writeFile(join(logs, 'desktop.ini'), 'z');
    const asked: Array<boolean | undefined> = [];
    const seen: HostPush[] = [];
    const el = createHostService({
      mode: 'electron', resourcesDir: join(dir, 'res'), userDataDir: join(dir, 'user-el'), engine: fakeEngine([]),
      pickFiles: async (folder) => {
        asked.push(folder);
        return [logs];
      },
    });
    el.subscribe((p) => seen.push(p));
    try {
      const handles = (await el.call('files.pick', { folder: true })) as Array<{ name: string }>;
      expect(asked).toEqual([true]);
      expect(handles.map((h) => h.name)).toEqual(['Security.evtx', 'System.evtx']);
      expect(JSON.stringify(seen)).toContain('desktop.ini: not a log file by its name (.ini)');
      await expect(el.call('files.pick', { folder: 'yes' } as never)).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    } finally {
      await el.close();
    }
  });

  it('returns no picked files outside Electron and lists the command-line files', async () => {
    expect(await svc.call('files.pick', {})).toEqual([]);
    const pre = (await svc.call('files.preopened', {})) as Array<{ id: string; name: string; bytes: number }>;
    expect(pre).toHaveLength(1);
    expect(pre[0]).toMatchObject({ name: 'evidence.csv', bytes: 21 });
    expect(pre[0]!.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses export and rescan before a case is open', async () => {
    await expect(svc.call('case.export', { format: 'json' })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.call('case.rescan', {})).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.call('case.annotations', {})).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('refuses handles it never issued, even real paths', async () => {
    await expect(svc.call('case.open', { handles: [evidencePath] })).rejects.toMatchObject({ code: 'E_SECURITY' });
    await expect(svc.call('case.openSample', { id: '../evidence.csv' })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.call('case.openRecent', { id: 'nope' })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('opens a case: ingest of the registered path, progress, case-ready, recent list persisted', async () => {
    const [h] = (await svc.call('files.preopened', {})) as Array<{ id: string }>;
    const { jobId } = (await svc.call('case.open', { handles: [h!.id] })) as { jobId: string };
    await waitFor(() => pushes.some((p) => p.type === 'case-ready'));
    const ingest = calls.find((c) => c.method === 'ingestFile');
    expect(ingest?.params).toMatchObject({ path: evidencePath, evidence: 0, name: 'evidence.csv' });
    const rules = calls.find((c) => c.method === 'loadRules')?.params as { macros: Array<{ path: string }>; sigmaFiles: Array<{ path: string }> };
    expect(rules.macros.map((m) => m.path)).toEqual(['builtin:macros.conf']);
    expect(rules.sigmaFiles.map((m) => m.path)).toEqual([join(dir, 'user', 'sigma', 'mine.yml')]);
    const meta = calls.find((c) => c.method === 'evidenceMeta')?.params as { sha256: string };
    expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/);
    const progress = pushes.filter((p) => p.type === 'progress').map((p) => (p.type === 'progress' ? p.progress : null));
    expect(progress.every((p) => p?.jobId === jobId)).toBe(true);
    expect(progress.map((p) => p?.phase)).toContain('parsing');
    expect(progress.at(-1)?.phase).toBe('done');
    expect(await svc.call('case.summary', {})).toEqual(SUMMARY);
    let recent: Array<{ id: string; path: string; name: string }> = [];
    await waitFor(() => {
      void svc.call('files.recent', {}).then((r) => (recent = r as typeof recent));
      return recent.length > 0;
    });
    expect(recent[0]).toMatchObject({ name: 'evidence.csv', path: evidencePath });
    const onDisk = JSON.parse(await readFile(join(dir, 'user', 'recent.json'), 'utf8')) as unknown[];
    expect(onDisk).toHaveLength(1);
    const again = (await svc.call('case.openRecent', { id: recent[0]!.id })) as { jobId: string };
    expect(again.jobId).toMatch(/^[0-9a-f]{16}$/);
    await waitFor(() => pushes.filter((p) => p.type === 'case-ready').length === 2);
  });

  it('exports the report as text outside Electron', async () => {
    const out = (await svc.call('case.export', { format: 'csv' })) as { fileName: string; mime: string; text: string; bytes: number };
    expect(out).toEqual({ fileName: 'hopscope-report.csv', mime: 'text/csv', bytes: 11, text: 'id,rule_id\n' });
    expect(calls.at(-1)).toMatchObject({ method: 'report', params: { format: 'csv' } });
    await expect(svc.call('case.export', { format: 'docx' })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    // PDF is printed by the desktop app only.
    await expect(svc.call('case.export', { format: 'pdf' })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('rescans with another bin width and rule selection without re-parsing', async () => {
    const n = calls.length;
    await expect(svc.call('case.rescan', { binSpanSec: 0 })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    expect(await svc.call('case.rescan', { binSpanSec: 5, enabledRuleIds: ['psexec-accepteula'] })).toEqual(SUMMARY);
    const made = calls.slice(n).map((c) => c.method);
    expect(made).toEqual(['loadRules', 'detect', 'summary']);
    expect(calls[n]!.params).toMatchObject({ enabledIds: ['psexec-accepteula'] });
    expect(calls[n + 1]!.params).toEqual({ binSpanSec: 5 });
    expect(pushes.at(-1)).toEqual({ type: 'case-ready', summary: SUMMARY });
  });

  it('annotates the case, saves it atomically per evidence set, and includes it in exports', async () => {
    expect(await svc.call('case.annotations', {})).toEqual({ findings: {}, events: {} });
    const change = { op: 'setStatus', status: 'confirmed-malicious', target: { kind: 'finding', id: 'psexec|H1|0' }, atIso: '2024-05-02T10:00:00Z' };
    const doc = (await svc.call('case.annotate', { changes: [change] })) as { findings: Record<string, { status: string }> };
    expect(doc.findings['psexec|H1|0']!.status).toBe('confirmed-malicious');
    await expect(svc.call('case.annotate', { changes: [{ ...change, status: 'pwned' }] })).rejects.toMatchObject({ code: 'E_CASE' });
    await expect(svc.call('case.annotate', { changes: 'x' })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    // Saved durably in the evidence set's case folder: what a restart would read.
    const folders = await readdir(join(dir, 'user', 'cases'));
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^[0-9a-f]{64}$/);
    const saved = await readCase(join(dir, 'user', 'cases', folders[0]!));
    expect(saved.doc.evidence.map((e) => [e.name, e.format])).toEqual([['evidence.csv', 'splunk-cim']]);
    expect(saved.doc.annotations.findings['psexec|H1|0']!.status).toBe('confirmed-malicious');
    await svc.call('case.export', { format: 'json' });
    expect((calls.at(-1)!.params as { annotations?: { findings: Record<string, unknown> } }).annotations?.findings).toHaveProperty(['psexec|H1|0']);

    const [h] = (await svc.call('files.preopened', {})) as Array<{ id: string }>;
    const readyBefore = pushes.filter((p) => p.type === 'case-ready').length;
    await svc.call('case.open', { handles: [h!.id] });
    await waitFor(() => pushes.filter((p) => p.type === 'case-ready').length > readyBefore);
    const reloaded = (await svc.call('case.annotations', {})) as { findings: Record<string, { status: string }> };
    expect(reloaded.findings['psexec|H1|0']!.status).toBe('confirmed-malicious');
  });

  it('forwards queries to the engine after validation', async () => {
    expect(await svc.call('query.rows', { offset: 0, limit: 10 })).toEqual({ total: 0, offset: 0, columns: [], rows: [] });
    expect(calls.at(-1)).toEqual({ method: 'rows', params: { offset: 0, limit: 10 } });
  });

  it('pushed an error for a command-line file that cannot be read', () => {
    expect(pushes.some((p) => p.type === 'error' && p.error.code === 'E_IO' && p.error.message.includes('missing.csv'))).toBe(true);
  });
});
