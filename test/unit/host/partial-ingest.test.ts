// Partial view: ingestFile cutting a file into several segments as it parses gives exactly the case of one segment
// (rows, locators, stats, rejects), adds each cut to the session at once with a partial progress, and rolls back on cancel.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineHandlers, createWiredSession } from '../../../engine/node/engine-handlers.ts';
import { ingestRange } from '../../../engine/node/parallel-ingest.ts';
import { partialCutsFromEnv, type PartialCutOptions } from '../../../engine/node/partial-cuts.ts';
import type { WorkerProgress } from '../../../engine/rpc/protocol.ts';

const dir = mkdtempSync(join(tmpdir(), 'hopscope-partial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(rows: number): string {
  const out = ['_time,host,user,process_name,process,parent_process_name,dest'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2024, 2, 12) + ((i * 7919) % rows) * 500).toISOString();
    const cmd = i % 4 === 0 ? `"cmd.exe /c ""echo ${i}""\nsecond line"` : `cmd.exe /c echo ${i}`;
    out.push(i % 101 === 3 ? `${t},short,row` : `${t},WKS-${i % 9},CORP\\u${i % 5},cmd.exe,${cmd},explorer.exe,wks-${i % 9}.corp`);
  }
  return out.join('\n') + '\n';
}

/** Only record-count cuts: no timing in the test. */
const EVERY: PartialCutOptions = { everyRecords: 250, firstMs: 1e9 };

async function ingest(path: string, opts: { partial?: PartialCutOptions | false; parallel?: boolean; isCancelled?: () => boolean; onProgress?: (p: WorkerProgress, rows: number) => void } = {}) {
  const session = createWiredSession();
  const engine = createEngineHandlers(session, {
    parallel: opts.parallel ? { runRange: ingestRange, parts: 3, minBytes: 0, minPartBytes: 1 } : false,
    partial: opts.partial ?? false,
  });
  const progress: WorkerProgress[] = [];
  const result = await engine.run('ingestFile', { path, evidence: 0, name: 'x.csv' }, {
    isCancelled: opts.isCancelled ?? (() => false),
    progress: (p) => {
      progress.push(p);
      opts.onProgress?.(p, session.rowCount);
    },
  });
  return { session, engine, result, progress };
}

function expectSameCase(a: Awaited<ReturnType<typeof ingest>>, b: Awaited<ReturnType<typeof ingest>>): void {
  expect(a.result).toEqual(b.result);
  expect(a.session.summary()).toEqual(b.session.summary());
  expect(a.session.eventStore().stats()).toEqual(b.session.eventStore().stats());
  const sa = a.session.eventStore();
  const sb = b.session.eventStore();
  expect(sa.rowCount).toBe(sb.rowCount);
  for (let g = 0; g < sa.rowCount; g++) {
    expect(sa.locator(g)).toEqual(sb.locator(g));
    expect(sa.timeAt(g)).toBe(sb.timeAt(g));
    const va = sa.locate(g);
    const vb = sb.locate(g);
    expect(va.view.text(va.row)).toBe(vb.view.text(vb.row));
  }
  const req = { startMs: 0, endMs: 8.64e15, offset: 0, limit: 500, sort: { field: '_time', dir: 'asc' as const }, columns: ['_time', 'host', 'user', 'process'] };
  expect(a.session.rows(req)).toEqual(b.session.rows(req));
}

describe('ingestFile with partial cuts', () => {
  const path = join(dir, 'x.csv');
  writeFileSync(path, csv(6000));

  it('sequential: several cuts give exactly the case of one segment, each cut visible to queries at once', async () => {
    const one = await ingest(path);
    const seen: number[] = [];
    const cut = await ingest(path, {
      partial: EVERY,
      onProgress: (p, rows) => {
        if (!p.partial) return;
        seen.push(rows);
      },
    });
    expect(one.session.eventStore().views.length).toBe(1);
    expect(cut.session.eventStore().views.length).toBeGreaterThan(10);
    expectSameCase(cut, one);
    const partials = cut.progress.filter((p) => p.partial);
    expect(partials.length).toBe(cut.session.eventStore().views.length - 1);
    // Rows grow with every cut, in 250-row steps, before the call returns.
    expect(seen.length).toBe(partials.length);
    for (let i = 0; i < seen.length; i++) expect(seen[i]).toBe((i + 1) * 250);
  });

  it('queries answer on the partial store while the ingest goes on', async () => {
    const session = createWiredSession();
    const engine = createEngineHandlers(session, { parallel: false, partial: EVERY });
    const answers: Array<Promise<number>> = [];
    await engine.run('ingestFile', { path, evidence: 0, name: 'x.csv' }, {
      isCancelled: () => false,
      progress: (p) => {
        if (!p.partial) return;
        const rows = session.rowCount;
        answers.push(engine.run('summary', {}, { isCancelled: () => false, progress: () => undefined }).then((s) => {
          expect(s?.findings).toBe(0);
          return rows;
        }));
        const r = session.rows({ startMs: 0, endMs: 8.64e15, offset: 0, limit: 10, sort: { field: '_time', dir: 'asc' }, columns: ['_time', 'host'] });
        expect(r.total).toBe(rows);
      },
    });
    expect((await Promise.all(answers)).length).toBeGreaterThan(5);
  });

  it('parallel: cuts in the first range give the case of the uncut parallel and sequential parses', async () => {
    const seq = await ingest(path);
    const par = await ingest(path, { parallel: true });
    const cut = await ingest(path, { parallel: true, partial: EVERY });
    expect(cut.progress.some((p) => p.partial)).toBe(true);
    expect(cut.session.eventStore().views.length).toBeGreaterThan(par.session.eventStore().views.length);
    expectSameCase(cut, par);
    expectSameCase(cut, seq);
  });

  it('a cancel after partial segments takes them out of the case again', async () => {
    let partials = 0;
    const { result, session } = await ingest(path, {
      partial: EVERY,
      isCancelled: () => partials >= 3,
      onProgress: (p) => {
        if (p.partial) partials++;
      },
    });
    expect(partials).toBeGreaterThanOrEqual(3);
    expect(result.cancelled).toBe(true);
    expect(session.rowCount).toBe(0);
    expect(session.summary()).toBeNull();
  });

  it('makes the first cut early by row count, then waits for the time intervals', async () => {
    const one = await ingest(path);
    const rows: number[] = [];
    const cut = await ingest(path, { partial: { firstRecords: 1000, firstMs: 1e9 }, onProgress: (p, n) => p.partial && rows.push(n) });
    expect(rows).toEqual([1000]);
    expect(cut.session.eventStore().views.length).toBe(2);
    expectSameCase(cut, one);
  });

  it('reads its cut options from the environment', () => {
    expect(partialCutsFromEnv({})).toEqual({});
    expect(partialCutsFromEnv({ HOPSCOPE_PARTIAL_CUT_RECORDS: '5000' })).toEqual({ everyRecords: 5000 });
    expect(partialCutsFromEnv({ HOPSCOPE_PARTIAL: '0' })).toBe(false);
  });
});

describe('a partial view names the log family while the rest is read', () => {
  const path = join(dir, 'fmt.csv');
  writeFileSync(path, csv(3000));
  for (const parallel of [false, true]) {
    it(`${parallel ? 'parallel' : 'sequential'}: every partial summary says splunk-cim, not unknown`, async () => {
      const session = createWiredSession();
      const engine = createEngineHandlers(session, {
        parallel: parallel ? { runRange: ingestRange, parts: 2, minBytes: 0, minPartBytes: 1 } : false,
        partial: EVERY,
      });
      const formats: string[] = [];
      const result = await engine.run('ingestFile', { path, evidence: 0, name: 'fmt.csv' }, {
        isCancelled: () => false,
        progress: (p) => {
          if (p.partial) formats.push(...(session.summary()?.evidence.map((e) => e.format) ?? []));
        },
      });
      expect(result.format).toBe('splunk-cim');
      expect(formats.length).toBeGreaterThan(2);
      expect(new Set(formats)).toEqual(new Set(['splunk-cim']));
    });
  }
});
