// case.exportEvents through the real engine worker (browser mode: the CSV comes back as text to download): the
// table's scope and columns, each event's evidence locator, at most EXPORT_MAX_EVENTS, requests validated.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from './open-case.ts';
import type { ExportResponse } from '../../../engine/rpc/api.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-export-events-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('case.exportEvents', () => {
  it('exports the events of the scope with the asked columns and where each is in the evidence', async () => {
    const { host, summary } = await openCase(join(tmp, 'u1'));
    try {
      const res = (await host.call('case.exportEvents', { scope: { hosts: ['WKS-1'] }, columns: ['_time', 'dest', 'process_name', 'process'] })) as ExportResponse;
      expect(res).toMatchObject({ fileName: 'hopscope-events.csv', mime: 'text/csv' });
      expect(res.text!.charCodeAt(0)).toBe(0xfeff);
      const table = Papa.parse<string[]>(res.text!.slice(1), { skipEmptyLines: true }).data;
      expect(table).toEqual([
        ['time_utc', 'dest', 'process_name', 'process', 'evidence_file', 'evidence_sha256', 'record', 'line'],
        ['2024-05-01T08:00:00.000Z', 'WKS-1', 'cmd.exe', 'cmd.exe /c whoami', 'small-cim.csv', summary.evidence[0]!.sha256, '1', '2'],
        ['2024-05-01T08:00:01.500Z', 'WKS-1', 'PsExec.exe', 'PsExec.exe -accepteula \\\\SRV-2 cmd.exe', 'small-cim.csv', summary.evidence[0]!.sha256, '2', '3'],
      ]);
      expect(res.bytes).toBe(new TextEncoder().encode(res.text!).byteLength);
      await expect(host.call('case.exportEvents', { scope: { filter: 'dest:(' }, columns: ['dest'] })).rejects.toMatchObject({ code: 'E_USAGE' });
      await expect(host.call('case.exportEvents', { scope: { evil: 1 }, columns: [] } as never)).rejects.toMatchObject({ code: 'E_PROTOCOL' });
      await expect(host.call('case.exportEvents', { scope: {}, columns: ['x'.repeat(300)] })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    } finally {
      await host.close();
    }
  });
});
