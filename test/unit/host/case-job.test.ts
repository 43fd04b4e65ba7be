// The shared case pipeline over a scripted fake engine: files that fail are skipped and reported in the app
// (and fail the CLI), a vanished file stops its parse, evidence indexes stay dense.

import { unlinkSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HopscopeError, type ErrorInfo } from '../../../engine/model/errors.ts';
import type { EngineMethod } from '../../../engine/rpc/protocol.ts';
import { runCaseJob } from '../../../main/host/case-job.ts';
import type { EngineLike } from '../../../main/host/engine-client.ts';

const STATS = { records: 1, appended: 1, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false };
const NO_RULES = { files: [], macros: [], sigmaFiles: [] };

type Script = (params: Record<string, unknown>, cancelled: Promise<void>) => Promise<unknown>;

function engine(calls: Array<{ method: EngineMethod; params: Record<string, unknown> }>, ingest: Script): EngineLike {
  return {
    call(method, params) {
      calls.push({ method, params: params as Record<string, unknown> });
      let cancel = (): void => {};
      const cancelled = new Promise<void>((ok) => (cancel = ok));
      const results: Partial<Record<EngineMethod, unknown>> = {
        reset: { ok: true },
        evidenceMeta: { ok: true },
        loadRules: { rules: [], issues: [] },
        detect: { findings: 0, hosts: 0, ruleErrors: [], elapsedMs: 0 },
        summary: null,
      };
      const promise = method === 'ingestFile' ? ingest(params as Record<string, unknown>, cancelled) : Promise.resolve(results[method]);
      return { promise: promise as never, cancel };
    },
    onCrash: () => () => {},
    async close() {},
  };
}

const ok = (params: Record<string, unknown>) => ({ evidence: params['evidence'], stats: STATS, format: 'splunk-cim', formatReason: 'x', encoding: 'utf-8', totalRows: 1, cancelled: false });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-job-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runCaseJob', () => {
  it('skips a file the engine cannot parse, reports it, and keeps evidence indexes dense', async () => {
    await writeFile(join(dir, 'bad.csv'), 'x');
    await writeFile(join(dir, 'good.csv'), 'y');
    const calls: Array<{ method: EngineMethod; params: Record<string, unknown> }> = [];
    const errors: Array<[string, ErrorInfo]> = [];
    const eng = engine(calls, async (p) => {
      if (p['name'] === 'bad.csv') throw new HopscopeError('E_FORMAT', 'not a log');
      return ok(p);
    });
    const res = await runCaseJob(eng, {
      evidence: [{ path: join(dir, 'bad.csv'), name: 'bad.csv' }, { path: join(dir, 'good.csv'), name: 'good.csv' }],
      rules: NO_RULES,
      binSpanSec: 1,
      skipUnreadable: true,
      onEvidenceError: (input, e) => errors.push([input.name, e]),
    }).promise;
    expect(errors).toEqual([['bad.csv', expect.objectContaining({ code: 'E_FORMAT' })]]);
    expect(res.evidence.map((e) => e.input.name)).toEqual(['good.csv']);
    const ingests = calls.filter((c) => c.method === 'ingestFile').map((c) => [c.params['name'], c.params['evidence']]);
    expect(ingests).toEqual([['bad.csv', 0], ['good.csv', 0]]);
    expect(calls.filter((c) => c.method === 'evidenceMeta').map((c) => c.params['evidence'])).toEqual([0]);
  });

  it('fails the job instead when skipping is off (the CLI)', async () => {
    const eng = engine([], async () => {
      throw new HopscopeError('E_FORMAT', 'not a log');
    });
    await expect(runCaseJob(eng, { evidence: [{ path: join(dir, 'good.csv'), name: 'good.csv' }], rules: NO_RULES, binSpanSec: 1 }).promise).rejects.toMatchObject({ code: 'E_FORMAT' });
  });

  it('stops the parse of a file that vanishes before it can be hashed, and says why', async () => {
    const gone = join(dir, 'gone.csv');
    await writeFile(gone, 'z');
    const errors: ErrorInfo[] = [];
    const eng = engine([], async (p, cancelled) => {
      // The file disappears as the parse starts (synchronously, before the hash opens it); the hash then
      // cannot open it and cancels the parse.
      unlinkSync(gone);
      await cancelled;
      return { ...ok(p), cancelled: true };
    });
    const res = await runCaseJob(eng, {
      evidence: [{ path: gone, name: 'gone.csv' }],
      rules: NO_RULES,
      binSpanSec: 1,
      skipUnreadable: true,
      onEvidenceError: (_i, e) => errors.push(e),
    }).promise;
    expect(res.evidence).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ code: 'E_IO', message: expect.stringContaining("cannot read 'gone.csv': ENOENT") })]);
  });
});

describe('evidence hash', () => {
  it('is opened as the parse starts and read once it has settled, so a change during the parse is reported', async () => {
    const path = join(dir, 'grows.csv');
    await writeFile(path, 'a,b\n1,2\n');
    const calls: Array<{ method: EngineMethod; params: Record<string, unknown> }> = [];
    const eng = engine(calls, async (p) => {
      // The hash has opened the file by now (it opens as the parse starts); the parse "sees" more being written.
      await new Promise((r) => setTimeout(r, 30));
      await appendFile(path, '3,4\n');
      return ok(p);
    });
    const res = await runCaseJob(eng, { evidence: [{ path, name: 'grows.csv' }], rules: NO_RULES, binSpanSec: 1 }).promise;
    const out = res.evidence[0]!;
    // Read after the parse: the hash is of the bytes as they are now, and the growth since the start is reported.
    expect(out.bytes).toBe(12);
    expect(out.sha256).toBe(createHash('sha256').update('a,b\n1,2\n3,4\n').digest('hex'));
    expect(out.warnings.join(' ')).toMatch(/size changed while it was being read \(8 -> 12 bytes\)/);
    const methods = calls.map((c) => c.method);
    expect(methods.indexOf('evidenceMeta')).toBeGreaterThan(methods.indexOf('ingestFile'));
    expect(methods.indexOf('evidenceMeta')).toBeLessThan(methods.indexOf('summary'));
    expect(calls.find((c) => c.method === 'evidenceMeta')!.params).toMatchObject({ evidence: 0, bytes: 12, warnings: expect.arrayContaining([expect.stringContaining('size changed')]) });
  });

  it('records every file in order, each with its own hash, while the rules run', async () => {
    const names = ['one.csv', 'two.csv', 'three.csv'];
    for (const n of names) await writeFile(join(dir, n), `x,${n}\n`);
    const calls: Array<{ method: EngineMethod; params: Record<string, unknown> }> = [];
    const res = await runCaseJob(engine(calls, async (p) => ok(p)), { evidence: names.map((n) => ({ path: join(dir, n), name: n })), rules: NO_RULES, binSpanSec: 1 }).promise;
    expect(res.evidence.map((e) => [e.input.name, e.sha256])).toEqual(names.map((n) => [n, createHash('sha256').update(`x,${n}\n`).digest('hex')]));
    expect(calls.filter((c) => c.method === 'evidenceMeta').map((c) => c.params['evidence'])).toEqual([0, 1, 2]);
  });
});
