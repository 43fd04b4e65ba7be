// Host API over the durable case: settings.get/set, evidence verification and relocation through handles,
// view state, legacy annotations imported into a new case, and refusals before a case is open.

import { mkdtemp, mkdir, rename, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChange, emptyDoc } from '../../../engine/case/annotations.ts';
import type { CaseSummary, HostPush } from '../../../engine/rpc/api.ts';
import type { EngineMethod } from '../../../engine/rpc/protocol.ts';
import { createAnnotationStore } from '../../../main/host/annotation-store.ts';
import { caseKey } from '../../../main/host/case-service.ts';
import { readCase } from '../../../main/host/case-store.ts';
import type { EngineLike } from '../../../main/host/engine-client.ts';
import { hashEvidence } from '../../../main/host/evidence.ts';
import { createHostService, type HostService } from '../../../main/host/host-service.ts';

const SUMMARY: CaseSummary = { evidence: [], events: 2, hosts: ['H1'], firstMs: 0, lastMs: 1, rules: [], ruleIssues: [], findings: 0, binSpanSec: 1 };

function fakeEngine(): EngineLike {
  const results: Partial<Record<EngineMethod, unknown>> = {
    reset: { ok: true },
    ingestFile: { evidence: 0, stats: { records: 2, appended: 2, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false }, format: 'splunk-cim', formatReason: 'x', encoding: 'utf-8', totalRows: 2, cancelled: false },
    evidenceMeta: { ok: true },
    loadRules: { rules: [], issues: [] },
    detect: { findings: 0, hosts: 1, ruleErrors: [], elapsedMs: 0 },
    summary: SUMMARY,
  };
  return {
    call: (method) => ({ promise: Promise.resolve(results[method] as never), cancel() {} }),
    onCrash: () => () => {},
    async close() {},
  };
}

let dir: string;
let svc: HostService;
let evidencePath: string;
let sha: string;
const pushes: HostPush[] = [];

function waitFor(pred: () => boolean): Promise<void> {
  return new Promise((ok) => {
    const tick = (): void => (pred() ? ok() : void setTimeout(tick, 5));
    tick();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-host-case-'));
  await mkdir(join(dir, 'res', 'rules'), { recursive: true });
  evidencePath = join(dir, 'evidence.csv');
  await writeFile(evidencePath, '_time,dest\n1,H1\n2,H1\n');
  sha = (await hashEvidence(evidencePath)).sha256;
  // Notes saved by the earlier per-evidence-set store must come along into the new case.
  const legacy = applyChange(emptyDoc(), { op: 'addComment', target: { kind: 'finding', id: 'old|H1|0' }, atIso: '2024-05-01T00:00:00Z', author: 'ana', text: 'from before' });
  await createAnnotationStore(join(dir, 'user', 'annotations')).save(caseKey([sha]), [{ sha256: sha, name: 'evidence.csv' }], legacy);
  svc = createHostService({ mode: 'test', resourcesDir: join(dir, 'res'), userDataDir: join(dir, 'user'), preopened: [evidencePath], engine: fakeEngine() });
  svc.subscribe((p) => pushes.push(p));
  await svc.ready;
});
afterAll(async () => {
  await svc.close();
  await rm(dir, { recursive: true, force: true });
});

describe('host case channels', () => {
  it('refuses case channels before a case is open; settings work without one', async () => {
    await expect(svc.call('case.verifyEvidence', {})).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.call('case.saveView', { view: {} })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.call('case.view', {})).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.call('case.relocate', { sha256: 'a'.repeat(64), handle: 'x' })).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(await svc.call('settings.get', {})).toEqual({ analyst: '', binSpanSec: 1, timeZone: 'UTC', fromCase: false });
    await expect(svc.call('settings.set', { timeZone: 'Atlantis/Lost' })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.call('settings.set', { binSpanSec: -1 })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    await expect(svc.call('settings.set', { colour: 'red' })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    expect(await svc.call('settings.set', { analyst: 'Ana', timeZone: 'Europe/Paris' })).toMatchObject({ analyst: 'Ana', timeZone: 'Europe/Paris' });
  });

  it('opens the case folder, imports legacy notes, saves view and settings, verifies and relocates evidence', async () => {
    const [h] = (await svc.call('files.preopened', {})) as Array<{ id: string }>;
    await svc.call('case.open', { handles: [h!.id] });
    await waitFor(() => pushes.some((p) => p.type === 'case-ready'));
    const doc = (await svc.call('case.annotations', {})) as { findings: Record<string, { comments: Array<{ text: string }> }> };
    expect(doc.findings['old|H1|0']!.comments[0]!.text).toBe('from before');
    expect(await svc.call('settings.get', {})).toEqual({ analyst: 'Ana', binSpanSec: 1, timeZone: 'Europe/Paris', fromCase: true });
    await svc.call('settings.set', { binSpanSec: 5 });
    expect(await svc.call('case.saveView', { view: { zoom: 3 } })).toEqual({ ok: true });
    expect(await svc.call('case.view', {})).toEqual({ view: { zoom: 3 } });
    await expect(svc.call('case.view', { x: 1 })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    await expect(svc.call('case.saveView', { view: 'x'.repeat(300_000) })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    expect(await svc.call('case.verifyEvidence', {})).toMatchObject([{ status: 'ok', sha256: sha }]);

    const moved = join(dir, 'moved.csv');
    await rename(evidencePath, moved);
    expect(await svc.call('case.verifyEvidence', {})).toMatchObject([{ status: 'missing' }]);
    const other = join(dir, 'other.csv');
    await writeFile(other, 'different');
    const hOther = await svc.registerPath(other, 'picked');
    await expect(svc.call('case.relocate', { sha256: sha, handle: hOther.id })).rejects.toMatchObject({ code: 'E_CASE' });
    await expect(svc.call('case.relocate', { sha256: sha, handle: 'not-a-handle' })).rejects.toMatchObject({ code: 'E_SECURITY' });
    const hMoved = await svc.registerPath(moved, 'picked');
    expect(await svc.call('case.relocate', { sha256: sha, handle: hMoved.id })).toMatchObject({ status: 'ok', path: moved });
    expect(await svc.call('case.verifyEvidence', {})).toMatchObject([{ status: 'ok', path: moved }]);

    const saved = await readCase(join(dir, 'user', 'cases', caseKey([sha])));
    expect(saved.doc.evidence[0]!.path).toBe(moved);
    expect(saved.doc.view).toEqual({ zoom: 3 });
    expect(saved.doc.settings).toEqual({ binSpanSec: 5, timeZone: 'Europe/Paris' });
    expect(saved.doc.annotations.findings['old|H1|0']).toBeDefined();
    await copyFile(moved, evidencePath);
  });

  it('lists recent cases and reopens one only when its evidence is intact or relocated to identical content', async () => {
    const recent = (await svc.call('case.recent', {})) as Array<{ id: string; evidence: Array<{ sha256: string }> }>;
    expect(recent).toHaveLength(1);
    expect(recent[0]!.evidence).toEqual([{ name: 'evidence.csv', sha256: sha }]);
    await expect(svc.call('case.reopen', { id: 'nope' })).rejects.toMatchObject({ code: 'E_USAGE' });
    const moved = join(dir, 'moved.csv');
    const movedAgain = join(dir, 'moved-again.csv');
    await rename(moved, movedAgain);
    const refused = (await svc.call('case.reopen', { id: recent[0]!.id })) as { jobId: string | null; checks: Array<{ status: string }> };
    expect(refused).toMatchObject({ jobId: null, checks: [{ status: 'missing' }] });
    const h = await svc.registerPath(movedAgain, 'dropped');
    const readyBefore = pushes.filter((p) => p.type === 'case-ready').length;
    const opened = (await svc.call('case.reopen', { id: recent[0]!.id, relocate: [{ sha256: sha, handle: h.id }] })) as { jobId: string | null; checks: Array<{ status: string; path: string }> };
    expect(opened.jobId).toMatch(/^[0-9a-f]{16}$/);
    expect(opened.checks).toEqual([expect.objectContaining({ status: 'ok', path: movedAgain })]);
    await waitFor(() => pushes.filter((p) => p.type === 'case-ready').length > readyBefore);
    const doc = (await svc.call('case.annotations', {})) as { findings: Record<string, unknown> };
    expect(doc.findings['old|H1|0']).toBeDefined();
    expect((await svc.call('case.recent', {})) as unknown[]).toHaveLength(1);
  });
});
