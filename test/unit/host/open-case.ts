// A host service over the real engine worker (dist/) with one evidence file opened: resolves at case-ready.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHostService, type HostService } from '../../../main/host/host-service.ts';
import type { CaseSummary, HostPush } from '../../../engine/rpc/api.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const workerPath = join(root, 'dist', 'host', 'engine-worker.js');

export async function openCase(userDataDir: string, fixture = join(here, 'fixtures', 'small-cim.csv')): Promise<{ host: HostService; pushes: HostPush[]; summary: CaseSummary }> {
  const host = createHostService({ mode: 'test', resourcesDir: join(root, 'resources'), userDataDir, workerPath });
  const pushes: HostPush[] = [];
  host.subscribe((p) => pushes.push(p));
  const h = await host.registerPath(fixture, 'picked');
  const { jobId } = (await host.call('case.open', { handles: [h.id] })) as { jobId: string };
  const end = await new Promise<HostPush>((ok) => {
    const check = (): boolean => {
      const hit = pushes.find((p) => p.type === 'case-ready' || (p.type === 'error' && p.jobId === jobId));
      if (hit) ok(hit);
      return hit !== undefined;
    };
    if (!check()) {
      const off = host.subscribe(() => {
        if (check()) off();
      });
    }
  });
  if (end.type !== 'case-ready') throw new Error(`case did not open: ${JSON.stringify(end)}`);
  return { host, pushes, summary: end.summary };
}
