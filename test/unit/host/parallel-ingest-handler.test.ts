// The engine worker's ingestFile with parallel ranges (run in-process here; parse workers in the app): the same
// case as a sequential parse (rows, summary, stats), progress while parsing, and cancellation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineHandlers, createWiredSession } from '../../../engine/node/engine-handlers.ts';
import { ingestRange } from '../../../engine/node/parallel-ingest.ts';
import type { WorkerProgress } from '../../../engine/rpc/protocol.ts';

const dir = mkdtempSync(join(tmpdir(), 'hopscope-parh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(rows: number): string {
  const out = ['_time,host,user,process_name,process,parent_process_name,dest'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2024, 2, 12) + i * 500).toISOString();
    const cmd = i % 4 === 0 ? `"cmd.exe /c ""echo ${i}""\nsecond line"` : `cmd.exe /c echo ${i}`;
    out.push(i % 101 === 3 ? `${t},short,row` : `${t},WKS-${i % 9},CORP\\u${i % 5},cmd.exe,${cmd},explorer.exe,wks-${i % 9}.corp`);
  }
  return out.join('\n') + '\n';
}

async function ingest(parallel: boolean, path: string, isCancelled = () => false) {
  const session = createWiredSession();
  const engine = createEngineHandlers(session, { parallel: parallel ? { runRange: ingestRange, parts: 3, minBytes: 0, minPartBytes: 1 } : false });
  const progress: WorkerProgress[] = [];
  const result = await engine.run('ingestFile', { path, evidence: 0, name: 'x.csv' }, { isCancelled, progress: (p) => progress.push(p) });
  return { session, result, progress };
}

describe('ingestFile with parallel ranges', () => {
  const path = join(dir, 'x.csv');
  writeFileSync(path, csv(6000));

  it('builds the same case as the sequential parse, in several segments', async () => {
    const seq = await ingest(false, path);
    const par = await ingest(true, path);
    expect(par.session.eventStore().views.length).toBe(3);
    expect(seq.session.eventStore().views.length).toBe(1);
    expect(par.result).toEqual(seq.result);
    expect(par.session.summary()).toEqual(seq.session.summary());
    expect(par.session.eventStore().stats()).toEqual(seq.session.eventStore().stats());
    const a = par.session.eventStore();
    const b = seq.session.eventStore();
    for (let g = 0; g < a.rowCount; g += 7) {
      expect(a.locator(g)).toEqual(b.locator(g));
      const va = a.locate(g);
      const vb = b.locate(g);
      expect(va.view.text(va.row)).toBe(vb.view.text(vb.row));
    }
    expect(par.progress.some((p) => p.phase === 'indexing')).toBe(true);
  });

  it('answers a cancelled parse as cancelled and adds nothing', async () => {
    const { result, session } = await ingest(true, path, () => true);
    expect(result.cancelled).toBe(true);
    expect(session.rowCount).toBe(0);
  });
});
