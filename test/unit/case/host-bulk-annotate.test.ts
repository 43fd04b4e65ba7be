// Bulk annotation through the host: the same edits on chosen findings and on the events of a table scope,
// saved as one journal entry (all or none), refused beyond BULK_MAX_EVENTS with the count.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnotationDoc } from '../../../engine/case/annotations.ts';
import { BULK_MAX_EVENTS, type CaseSummary, type HostPush } from '../../../engine/rpc/api.ts';
import type { EngineMethod } from '../../../engine/rpc/protocol.ts';
import { caseKey } from '../../../main/host/case-service.ts';
import { readCase } from '../../../main/host/case-store.ts';
import { hashEvidence } from '../../../main/host/evidence.ts';
import type { EngineLike } from '../../../main/host/engine-client.ts';
import { createHostService, type HostService } from '../../../main/host/host-service.ts';

const SUMMARY: CaseSummary = { evidence: [], events: 2, hosts: ['H1'], firstMs: 0, lastMs: 1, rules: [], ruleIssues: [], findings: 0, binSpanSec: 1 };
const SHA = 'ab'.repeat(32);
const AT = '2024-05-01T08:00:00.000Z';

let eventKeys: { total: number; keys: string[] } = { total: 0, keys: [] };
const engineCalls: Array<{ method: EngineMethod; params: unknown }> = [];

function fakeEngine(): EngineLike {
  const results: Partial<Record<EngineMethod, () => unknown>> = {
    reset: () => ({ ok: true }),
    ingestFile: () => ({ evidence: 0, stats: { records: 2, appended: 2, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false }, format: 'splunk-cim', formatReason: 'x', encoding: 'utf-8', totalRows: 2, cancelled: false }),
    evidenceMeta: () => ({ ok: true }),
    annotations: () => ({ ok: true }),
    loadRules: () => ({ rules: [], issues: [] }),
    detect: () => ({ findings: 0, hosts: 1, ruleErrors: [], elapsedMs: 0 }),
    summary: () => SUMMARY,
    eventKeys: () => eventKeys,
  };
  return {
    call: (method, params) => {
      engineCalls.push({ method, params });
      return { promise: Promise.resolve(results[method]?.() as never), cancel() {} };
    },
    onCrash: () => () => {},
    async close() {},
  };
}

let dir: string;
let caseFolder: string;
let svc: HostService;
const pushes: HostPush[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-bulk-'));
  await mkdir(join(dir, 'res', 'rules'), { recursive: true });
  const evidencePath = join(dir, 'evidence.csv');
  await writeFile(evidencePath, '_time,dest\n1,H1\n2,H1\n');
  caseFolder = join(dir, 'user', 'cases', caseKey([(await hashEvidence(evidencePath)).sha256]));
  svc = createHostService({ mode: 'test', resourcesDir: join(dir, 'res'), userDataDir: join(dir, 'user'), preopened: [evidencePath], engine: fakeEngine() });
  svc.subscribe((p) => pushes.push(p));
  await svc.ready;
  const [h] = (await svc.call('files.preopened', {})) as Array<{ id: string }>;
  await svc.call('case.open', { handles: [h!.id] });
  await new Promise<void>((ok) => {
    const tick = (): void => (pushes.some((p) => p.type === 'case-ready') ? ok() : void setTimeout(tick, 5));
    tick();
  });
});
afterAll(async () => {
  await svc.close();
  await rm(dir, { recursive: true, force: true });
});

describe('bulk annotation', () => {
  it('applies every edit to every finding and every event of the scope in one journal entry', async () => {
    eventKeys = { total: 2, keys: [`${SHA}:1`, `${SHA}:2`] };
    const seqBefore = (await readCase(caseFolder)).seq;
    const doc = (await svc.call('case.annotate', {
      bulk: {
        edits: [
          { op: 'setStatus', status: 'confirmed-malicious' },
          { op: 'addTag', tag: 'psexec' },
          { op: 'addComment', author: 'ana', text: 'same campaign' },
          { op: 'setStar', star: true },
        ],
        atIso: AT,
        findingIds: ['f1', 'f2'],
        events: { filter: 'process_name:psexec.exe', hosts: ['H1'] },
      },
    })) as AnnotationDoc;
    for (const a of [doc.findings['f1'], doc.findings['f2'], doc.events[`${SHA}:1`], doc.events[`${SHA}:2`]]) {
      expect(a).toMatchObject({ status: 'confirmed-malicious', tags: ['psexec'], star: true, comments: [{ author: 'ana', text: 'same campaign', atIso: AT }] });
    }
    expect(engineCalls.find((c) => c.method === 'eventKeys')?.params).toEqual({ scope: { filter: 'process_name:psexec.exe', hosts: ['H1'] }, max: BULK_MAX_EVENTS });
    const after = await readCase(caseFolder);
    expect(after.seq).toBe(seqBefore + 1);
  });

  it('refuses a scope beyond the limit with the count, and saves nothing', async () => {
    eventKeys = { total: BULK_MAX_EVENTS + 1, keys: [] };
    const before = await svc.call('case.annotations', {});
    await expect(
      svc.call('case.annotate', { bulk: { edits: [{ op: 'setStar', star: false }], atIso: AT, findingIds: ['f1'], events: {} } }),
    ).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining(`matches ${BULK_MAX_EVENTS + 1} events`) });
    expect(await svc.call('case.annotations', {})).toEqual(before);
  });

  it('refuses an invalid edit without saving any of the others', async () => {
    const before = await svc.call('case.annotations', {});
    await expect(
      svc.call('case.annotate', { bulk: { edits: [{ op: 'setStar', star: false }, { op: 'addTag', tag: 'a,b' }], atIso: AT, findingIds: ['f1', 'f2'] } }),
    ).rejects.toMatchObject({ code: 'E_CASE' });
    expect(await svc.call('case.annotations', {})).toEqual(before);
  });

  it('validates the request shape: changes or bulk, bounded edits', async () => {
    await expect(svc.call('case.annotate', {})).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.call('case.annotate', { changes: [], bulk: { edits: [], atIso: AT } })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.call('case.annotate', { bulk: { edits: Array(9).fill({ op: 'setStar', star: true }), atIso: AT, findingIds: ['f1'] } })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    await expect(svc.call('case.annotate', { bulk: { edits: [], atIso: AT, findingIds: ['f1'], extra: 1 } })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    await expect(svc.call('case.annotate', { bulk: { edits: [{ op: 'setStar', star: true }], atIso: AT } })).rejects.toMatchObject({ code: 'E_USAGE', message: 'nothing selected to annotate' });
  });
});
