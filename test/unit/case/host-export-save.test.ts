// Exports in electron mode: the host writes where the save dialog says, refuses an evidence path, and prints
// the HTML report to PDF through the injected printer; other modes refuse PDF and return the text.

import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaseSummary, HostPush } from '../../../engine/rpc/api.ts';
import type { EngineMethod } from '../../../engine/rpc/protocol.ts';
import type { EngineLike } from '../../../main/host/engine-client.ts';
import { createHostService, type HostService, type HostServiceOptions } from '../../../main/host/host-service.ts';

const SUMMARY: CaseSummary = { evidence: [], events: 2, hosts: ['H1'], firstMs: 0, lastMs: 1, rules: [], ruleIssues: [], findings: 0, binSpanSec: 1 };

function fakeEngine(): EngineLike {
  const results: Partial<Record<EngineMethod, (p: unknown) => unknown>> = {
    reset: () => ({ ok: true }),
    ingestFile: () => ({ evidence: 0, stats: { records: 2, appended: 2, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false }, format: 'splunk-cim', formatReason: 'x', encoding: 'utf-8', totalRows: 2, cancelled: false }),
    evidenceMeta: () => ({ ok: true }),
    loadRules: () => ({ rules: [], issues: [] }),
    detect: () => ({ findings: 0, hosts: 1, ruleErrors: [], elapsedMs: 0 }),
    summary: () => SUMMARY,
    report: (p) => ({ format: (p as { format: string }).format, bytes: new TextEncoder().encode(`<report ${(p as { format: string }).format}>`).buffer }),
  };
  return {
    call: (method, params) => ({ promise: Promise.resolve(results[method]?.(params) as never), cancel() {} }),
    onCrash: () => () => {},
    async close() {},
  };
}

let dir = '';
let svc: HostService | null = null;

async function openCase(extra: Partial<HostServiceOptions>): Promise<{ svc: HostService; evidencePath: string }> {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-export-'));
  await mkdir(join(dir, 'res', 'rules'), { recursive: true });
  const evidencePath = join(dir, 'evidence.csv');
  await writeFile(evidencePath, '_time,dest\n1,H1\n2,H1\n');
  const s = createHostService({ mode: 'electron', resourcesDir: join(dir, 'res'), userDataDir: join(dir, 'user'), preopened: [evidencePath], engine: fakeEngine(), ...extra });
  svc = s;
  const pushes: HostPush[] = [];
  s.subscribe((p) => pushes.push(p));
  await s.ready;
  const [h] = (await s.call('files.preopened', {})) as Array<{ id: string }>;
  await s.call('case.open', { handles: [h!.id] });
  await vi.waitFor(() => expect(pushes.some((p) => p.type === 'case-ready')).toBe(true));
  return { svc: s, evidencePath };
}

afterEach(async () => {
  await svc?.close();
  svc = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('exports through the save dialog', () => {
  it('writes the report where the dialog says, suggesting the format name', async () => {
    const choose = vi.fn(async (name: string) => join(dir, 'out', name));
    const { svc: s } = await openCase({ chooseSavePath: choose });
    await mkdir(join(dir, 'out'));
    const res = (await s.call('case.export', { format: 'csv' })) as { savedTo: string; text?: string };
    expect(choose).toHaveBeenCalledWith('hopscope-report.csv');
    expect(res.savedTo).toBe(join(dir, 'out', 'hopscope-report.csv'));
    expect(res.text).toBeUndefined();
    expect(await readFile(res.savedTo, 'utf8')).toBe('<report csv>');
  });

  it('refuses to write over an evidence file and leaves it as it was', async () => {
    let target = '';
    const { svc: s, evidencePath } = await openCase({ chooseSavePath: async () => target });
    target = evidencePath;
    await expect(s.call('case.export', { format: 'json' })).rejects.toMatchObject({ code: 'E_SECURITY' });
    target = join(dir, '.', 'evidence.csv');
    await expect(s.call('case.export', { format: 'json' })).rejects.toMatchObject({ code: 'E_SECURITY' });
    expect(await readFile(evidencePath, 'utf8')).toBe('_time,dest\n1,H1\n2,H1\n');
  });

  it('prints the HTML report to PDF and saves it; cancelling saves nothing', async () => {
    const printToPdf = vi.fn(async (html: string) => new TextEncoder().encode(`%PDF of ${html}`));
    let target: string | null = null;
    const { svc: s } = await openCase({ chooseSavePath: async () => target, printToPdf });
    target = join(dir, 'r.pdf');
    const res = (await s.call('case.export', { format: 'pdf' })) as { fileName: string; mime: string; savedTo: string };
    expect(printToPdf).toHaveBeenCalledWith('<report html>');
    expect(res).toMatchObject({ fileName: 'hopscope-report.pdf', mime: 'application/pdf', savedTo: target });
    expect(await readFile(target, 'utf8')).toBe('%PDF of <report html>');
    target = null;
    expect(await s.call('case.export', { format: 'pdf' })).toMatchObject({ savedTo: null });
  });

  it('refuses PDF where there is no printer (browser mode)', async () => {
    const { svc: s } = await openCase({ mode: 'browser' });
    await expect(s.call('case.export', { format: 'pdf' })).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(await s.call('case.export', { format: 'html' })).toMatchObject({ text: '<report html>' });
  });
});
