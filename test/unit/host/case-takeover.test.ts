// Taking a locked case over (issue 16 item 7) through the host service, over a fake engine and the real case store:
// a case another live Hopscope holds opens its evidence but says E_CASE_LOCKED with the owner; the same open with
// `takeOver` takes the lock. Reopening a recent case with moved evidence (relocate) is refused the same way.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary, HostPush } from '../../../engine/rpc/api.ts';
import type { EngineMethod } from '../../../engine/rpc/protocol.ts';
import type { EngineLike } from '../../../main/host/engine-client.ts';
import { createHostService, type HostService } from '../../../main/host/host-service.ts';
import { LOCK_FILE } from '../../../main/host/case-store.ts';

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
const pushes: HostPush[] = [];
let evidence: { id: string; path: string; sha256: string };
let other: { id: string };
let caseDir: string;
/** Stands in for a second Hopscope that is still running: a live process that is not this one. */
const OWNER = { pid: process.ppid, host: hostname(), at: '2026-01-02T03:04:05.000Z' };

function waitFor(pred: () => boolean): Promise<void> {
  return new Promise((ok) => {
    const tick = (): void => (pred() ? ok() : void setTimeout(tick, 5));
    tick();
  });
}

/** Runs an open and waits for its case-ready; returns the errors pushed meanwhile. */
async function open(run: () => Promise<unknown>): Promise<HostPush[]> {
  const from = pushes.length;
  const ready = pushes.filter((p) => p.type === 'case-ready').length;
  await run();
  await waitFor(() => pushes.filter((p) => p.type === 'case-ready').length > ready || pushes.slice(from).some((p) => p.type === 'error' && p.jobId));
  return pushes.slice(from).filter((p) => p.type === 'error');
}

/** Another Hopscope holds the evidence's case: the other evidence is open here, the lock names the owner. */
async function lockedByOther(): Promise<void> {
  await open(() => svc.call('case.open', { handles: [other.id] }));
  await writeFile(join(caseDir, LOCK_FILE), JSON.stringify(OWNER));
}

const lockOwner = async (): Promise<number> => (JSON.parse(await readFile(join(caseDir, LOCK_FILE), 'utf8')) as { pid: number }).pid;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-takeover-'));
  await mkdir(join(dir, 'res', 'samples'), { recursive: true });
  await mkdir(join(dir, 'res', 'rules'), { recursive: true });
  const path = join(dir, 'evidence.csv');
  const text = '_time,dest\n1,H1\n2,H1\n';
  await writeFile(path, text);
  await writeFile(join(dir, 'res', 'samples', 'demo.csv'), text);
  await writeFile(join(dir, 'other.csv'), '_time,dest\n3,H2\n');
  svc = createHostService({ mode: 'test', resourcesDir: join(dir, 'res'), userDataDir: join(dir, 'user'), engine: fakeEngine() });
  svc.subscribe((p) => pushes.push(p));
  await svc.ready;
  const h = await svc.registerPath(path, 'picked');
  evidence = { id: h.id, path, sha256: createHash('sha256').update(text).digest('hex') };
  other = { id: (await svc.registerPath(join(dir, 'other.csv'), 'picked')).id };
  // The first open creates the evidence's case folder (demo.csv has the same bytes, so the same case).
  expect(await open(() => svc.call('case.open', { handles: [evidence.id] }))).toEqual([]);
  const folders = await readdir(join(dir, 'user', 'cases'));
  expect(folders).toHaveLength(1);
  caseDir = join(dir, 'user', 'cases', folders[0]!);
});
afterAll(async () => {
  await svc.close();
  await rm(dir, { recursive: true, force: true });
});

describe('taking a locked case over', () => {
  it.each([
    ['case.open', () => ({ handles: [evidence.id] })],
    ['case.openSample', () => ({ id: 'demo.csv' })],
    ['case.openRecent', () => ({ id: '' })],
    ['case.reopen', () => ({ id: '' })],
  ] as const)('%s: E_CASE_LOCKED naming the owner, then takeOver takes the lock', async (channel, req) => {
    await lockedByOther();
    const reqOf = async (): Promise<Record<string, unknown>> => {
      if (channel === 'case.openRecent') {
        let files: Array<{ id: string; path: string }> = [];
        await waitFor(() => {
          void svc.call('files.recent', {}).then((r) => (files = r as typeof files));
          return files.some((f) => f.path === evidence.path);
        });
        return { id: files.find((f) => f.path === evidence.path)!.id };
      }
      if (channel !== 'case.reopen') return req();
      const recent = (await svc.call('case.recent', {})) as Array<{ id: string; dir: string }>;
      return { id: recent.find((r) => r.dir === caseDir)!.id };
    };
    const refused = await open(async () => svc.call(channel, (await reqOf()) as never));
    expect(refused).toHaveLength(1);
    const err = refused[0]!.type === 'error' ? refused[0]!.error : null;
    expect(err).toMatchObject({ code: 'E_CASE_LOCKED', lock: { pid: OWNER.pid, host: OWNER.host, since: OWNER.at }, message: expect.stringContaining(`pid ${OWNER.pid}`) });
    // The evidence is still viewable; the lock is untouched.
    expect(await svc.call('case.summary', {})).toEqual(SUMMARY);
    expect(await lockOwner()).toBe(OWNER.pid);
    // The analyst confirmed: the same open, allowed to take the lock.
    expect(await open(async () => svc.call(channel, { ...(await reqOf()), takeOver: true } as never))).toEqual([]);
    expect(await lockOwner()).toBe(process.pid);
    // Saving works again: the case is this Hopscope's now.
    await expect(svc.call('case.saveView', { view: { v: 1 } })).resolves.toBeDefined();
  });

  it('case.reopen with relocate: refused with the owner before anything is written, taken over on request', async () => {
    await lockedByOther();
    const recent = (await svc.call('case.recent', {})) as Array<{ id: string; dir: string }>;
    const id = recent.find((r) => r.dir === caseDir)!.id;
    const relocate = [{ sha256: evidence.sha256, handle: evidence.id }];
    await expect(svc.call('case.reopen', { id, relocate })).rejects.toMatchObject({ code: 'E_CASE_LOCKED', lock: { pid: OWNER.pid, host: OWNER.host } });
    expect(await lockOwner()).toBe(OWNER.pid);
    const res = await open(() => svc.call('case.reopen', { id, relocate, takeOver: true }));
    expect(res).toEqual([]);
    expect(await lockOwner()).toBe(process.pid);
  });
});
