// AppState: the screen follows host pushes; errors keep their code and location.
import { describe, expect, it, vi } from 'vitest';
import { AppState } from '../../../renderer/state/app-state.svelte.ts';
import { FakeApi } from '../fake-api.ts';

describe('AppState', () => {
  it('goes start -> loading -> case as the host pushes progress and case-ready', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    await app.start();
    expect(app.screen).toBe('start');
    expect(app.info?.samples).toHaveLength(1);
    await app.openSample('lateral-movement');
    expect(api.callsTo('case.openSample')).toEqual([{ id: 'lateral-movement' }]);
    expect(app.screen).toBe('loading');
    api.emit({ type: 'progress', progress: { jobId: 'job-1', phase: 'parsing', bytesDone: 10, bytesTotal: 100, records: 5, rejected: 0, rate: 1000 } });
    expect(app.progress?.records).toBe(5);
    api.emit({ type: 'case-ready', summary: api.summary() });
    expect(app.screen).toBe('case');
    expect(app.rejectedTotal).toBe(2);
    expect(app.caseVersion).toBe(1);
  });

  it('a cancelled job returns to the start screen and cancel asks the host', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    await app.start();
    await app.openSample('lateral-movement');
    await app.cancel();
    expect(api.callsTo('case.cancel')).toEqual([{ jobId: 'job-1' }]);
    api.emit({ type: 'progress', progress: { jobId: 'job-1', phase: 'cancelled', bytesDone: 10, bytesTotal: 100, records: 5, rejected: 0, rate: 0 } });
    expect(app.screen).toBe('start');
  });

  it('keeps error code and location, and a failed job goes back to start', async () => {
    const api = new FakeApi({ failures: { 'case.openSample': { code: 'E_IO', message: 'sample missing', location: { file: 'x.csv' } } } });
    const app = new AppState(api);
    await app.start();
    await app.openSample('nope');
    expect(app.errors).toHaveLength(1);
    expect(app.errors[0]).toMatchObject({ code: 'E_IO', message: 'sample missing', location: { file: 'x.csv' } });
    expect(app.screen).toBe('start');
    api.emit({ type: 'error', error: { code: 'E_FORMAT', message: 'unknown format', location: { file: 'a.bin', line: 1 } } });
    expect(app.errors.map((e) => e.code)).toEqual(['E_IO', 'E_FORMAT']);
    app.dismissError(app.errors[0]!.seq);
    expect(app.errors.map((e) => e.code)).toEqual(['E_FORMAT']);
  });

  it('opens files named on the command line automatically', async () => {
    const api = new FakeApi();
    const orig = api.call.bind(api);
    api.call = (async (channel: string, req: unknown) =>
      channel === 'files.preopened' ? [{ id: 'h1', name: 'a.csv', bytes: 1 }] : orig(channel as never, req as never)) as typeof api.call;
    const app = new AppState(api);
    await app.start();
    expect(api.callsTo('case.open')).toEqual([{ handles: ['h1'] }]);
    expect(app.screen).toBe('loading');
  });

  it('shows the case when a job is done even if case-ready was missed', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    await app.start();
    await app.openSample('lateral-movement');
    const orig = api.call.bind(api);
    api.call = (async (channel: string, req: unknown) => (channel === 'case.summary' ? api.summary() : orig(channel as never, req as never))) as typeof api.call;
    api.emit({ type: 'progress', progress: { jobId: 'job-1', phase: 'done', bytesDone: 100, bytesTotal: 100, records: 1000, rejected: 2, rate: 0 } });
    await vi.waitFor(() => expect(app.screen).toBe('case'));
    expect(app.caseVersion).toBe(1);
    api.emit({ type: 'case-ready', summary: api.summary() });
    expect(app.caseVersion).toBe(2);
  });

  it('reopening a recent case whose evidence checks out starts its job', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    await app.open({ kind: 'case', id: 'c9' });
    expect(api.callsTo('case.reopen')).toEqual([{ id: 'c9' }]);
    expect(app.screen).toBe('loading');
    expect(app.jobId).toBe('job-1');
  });
});

describe('AppState: the event in view (issue 22)', () => {
  const flush = () => new Promise((r) => setTimeout(r, 0));

  it('every change of the listed events closes the details pane and drops the selection; a sort does not', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.showCase(api.summary());
    await flush();
    const steps: Array<[string, () => void]> = [
      ['finding', () => app.table.setScope({ findingId: 'f1' })],
      ['host', () => app.focusHost('DC01')],
      ['bucket', () => app.pickBucket({ startMs: 1, endMs: 2 }, 'DC01')],
      ['range', () => app.table.setRange({ startMs: 1, endMs: 5 })],
      ['show all', () => app.table.clearScope()],
      ['filter', () => app.table.setFilter('process_name:cmd.exe')],
      ['pivot', () => app.table.addFieldFilter('dest', 'DC01')],
    ];
    for (const [what, change] of steps) {
      app.table.select(0);
      app.showDetails(7);
      change();
      expect(app.detailsRow, what).toBeNull();
      expect(app.table.selectedRow, what).toBeNull();
      expect(app.table.selectedIndex, what).toBeNull();
    }
    app.showDetails(7);
    app.table.setSort('dest');
    expect(app.detailsRow).toBe(7);
  });

  it('another case starts unfiltered; a re-run of detection on the same evidence keeps the filter', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.showCase(api.summary());
    await flush();
    app.table.setFilter('process_name:whoami.exe');
    // Detection re-run: the same evidence.
    app.showCase(api.summary());
    expect(app.table.filter).toBe('process_name:whoami.exe');
    // Open… another file.
    const other = api.summary();
    app.showCase({ ...other, evidence: other.evidence.map((e) => ({ ...e, name: 'other.csv', sha256: 'b'.repeat(64) })) });
    expect(app.table.filter).toBe('');
    expect(app.table.draft).toBe('');
    // A case being read (partial) is new evidence too.
    app.table.setFilter('dest:DC01');
    app.showPartial({ ...other, evidence: other.evidence.map((e) => ({ ...e, name: 'third.csv', sha256: '' })) });
    expect(app.table.filter).toBe('');
  });
});
