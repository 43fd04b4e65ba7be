// Host service over the real worker with forced tiny cuts (HOPSCOPE_PARTIAL_CUT_RECORDS): `case-partial` pushes come
// before `case-ready`, say findings 0 with no rules yet, and the table answers on the partial case meanwhile.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostService } from '../../../main/host/host-service.ts';
import type { HostPush, RowsResponse } from '../../../engine/rpc/api.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const workerPath = join(root, 'dist', 'host', 'engine-worker.js');
const ROWS = 20_000;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-partial-push-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function csv(rows: number): string {
  const out = ['_time,host,user,process_name,process,parent_process_name,dest'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2024, 2, 12) + i * 500).toISOString();
    out.push(`${t},WKS-${i % 9},CORP\\u${i % 5},cmd.exe,cmd.exe /c echo ${i},explorer.exe,wks-${i % 9}.corp`);
  }
  return out.join('\n') + '\n';
}

describe('partial view pushes', () => {
  it('pushes case-partial (findings 0, rules pending) before case-ready, and queries answer meanwhile', async () => {
    const path = join(tmp, 'big.csv');
    await writeFile(path, csv(ROWS));
    const saved = process.env['HOPSCOPE_PARTIAL_CUT_RECORDS'];
    // The worker copies the environment when it starts (on the host's first engine call).
    process.env['HOPSCOPE_PARTIAL_CUT_RECORDS'] = '500';
    const host = createHostService({ mode: 'test', resourcesDir: join(root, 'resources'), userDataDir: join(tmp, 'user'), workerPath });
    const pushes: HostPush[] = [];
    let partialRows: Promise<RowsResponse> | null = null;
    try {
      const h = await host.registerPath(path, 'picked');
      const end = new Promise<void>((ok) => {
        host.subscribe((p) => {
          pushes.push(p);
          if (p.type === 'case-partial' && !partialRows) partialRows = host.call('query.rows', { offset: 0, limit: 5, columns: ['host'] }) as Promise<RowsResponse>;
          if (p.type === 'case-ready' || (p.type === 'error' && p.jobId)) ok();
        });
      });
      const { jobId } = (await host.call('case.open', { handles: [h.id] })) as { jobId: string };
      await end;
      const kinds = pushes.map((p) => p.type);
      const firstPartial = kinds.indexOf('case-partial');
      const ready = kinds.indexOf('case-ready');
      expect(firstPartial).toBeGreaterThanOrEqual(0);
      expect(ready).toBeGreaterThan(firstPartial);
      expect(kinds.slice(ready + 1)).not.toContain('case-partial');
      const partial = pushes[firstPartial] as Extract<HostPush, { type: 'case-partial' }>;
      expect(partial.jobId).toBe(jobId);
      expect(partial.summary.findings).toBe(0);
      expect(partial.summary.rules).toEqual([]);
      expect(partial.summary.events).toBeGreaterThan(0);
      expect(partial.summary.events).toBeLessThan(ROWS);
      const rows = await partialRows!;
      expect(rows.total).toBeGreaterThanOrEqual(partial.summary.events);
      expect(rows.total).toBeLessThanOrEqual(ROWS);
      expect((pushes[ready] as Extract<HostPush, { type: 'case-ready' }>).summary.events).toBe(ROWS);
    } finally {
      if (saved === undefined) delete process.env['HOPSCOPE_PARTIAL_CUT_RECORDS'];
      else process.env['HOPSCOPE_PARTIAL_CUT_RECORDS'] = saved;
      await host.close();
    }
  });
});
