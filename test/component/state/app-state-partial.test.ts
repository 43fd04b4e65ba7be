// AppState and the partial view: `case-partial` shows the case screen while the job reads on, keeps the job (and its
// progress banner) until `case-ready`, coalesces further partial pushes, and a cancel or failure leaves a sane state.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppState } from '../../../renderer/state/app-state.svelte.ts';
import { FakeApi } from '../fake-api.ts';

const parsing = (records: number, jobId = 'job-1') =>
  ({ type: 'progress', progress: { jobId, phase: 'parsing', bytesDone: records, bytesTotal: 1000, records, rejected: 0, rate: 1 } }) as const;

async function partialCase() {
  const api = new FakeApi();
  const app = new AppState(api);
  await app.start();
  await app.openSample('lateral-movement');
  api.emit(parsing(10));
  const s = api.summary();
  api.emit({ type: 'case-partial', jobId: 'job-1', summary: { ...s, events: 3, findings: 0, rules: [] } });
  return { api, app, s };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('AppState partial view', () => {
  it('switches to the case screen on case-partial and keeps the progress banner until case-ready', async () => {
    const { api, app, s } = await partialCase();
    expect(app.screen).toBe('case');
    expect(app.partial).toBe(true);
    expect(app.jobId).toBe('job-1');
    expect(app.summary?.events).toBe(3);
    expect(app.caseVersion).toBe(1);
    // Progress goes on in the banner: the case screen stays.
    api.emit(parsing(500));
    expect(app.screen).toBe('case');
    expect(app.partial).toBe(true);
    expect(app.progress?.records).toBe(500);
    api.emit({ type: 'progress', progress: { jobId: 'job-1', phase: 'rules', bytesDone: 1000, bytesTotal: 1000, records: 900, rejected: 0, rate: 1 } });
    expect(app.screen).toBe('case');
    api.emit({ type: 'case-ready', summary: s });
    expect(app.partial).toBe(false);
    expect(app.jobId).toBeNull();
    expect(app.summary).toBe(s);
    expect(app.caseVersion).toBe(2);
  });

  it('coalesces further partial pushes into one refresh and ignores other jobs', async () => {
    vi.useFakeTimers();
    const { api, app, s } = await partialCase();
    const before = app.dataVersion;
    const queryVersionBefore = app.table.queryVersion;
    api.emit({ type: 'case-partial', jobId: 'job-1', summary: { ...s, events: 5, findings: 0, rules: [] } });
    api.emit({ type: 'case-partial', jobId: 'job-1', summary: { ...s, events: 7, findings: 0, rules: [] } });
    api.emit({ type: 'case-partial', jobId: 'other', summary: { ...s, events: 99, findings: 0, rules: [] } });
    expect(app.summary?.events).toBe(3);
    vi.advanceTimersByTime(1000);
    expect(app.summary?.events).toBe(7);
    expect(app.dataVersion).toBe(before + 1);
    // The table refetches the same query where it is (reload), not as a new query that returns to the top.
    expect(app.table.dataVersion).toBe(1);
    expect(app.table.queryVersion).toBe(queryVersionBefore);
    expect(app.caseVersion).toBe(1);
    // A refresh still pending when the case is ready is dropped.
    api.emit({ type: 'case-partial', jobId: 'job-1', summary: { ...s, events: 8, findings: 0, rules: [] } });
    api.emit({ type: 'case-ready', summary: s });
    vi.advanceTimersByTime(1000);
    expect(app.summary).toBe(s);
    expect(app.dataVersion).toBe(before + 1);
  });

  it('the ready case refetches the table of the partial case where it is, unless the table was scoped', async () => {
    const { api, app, s } = await partialCase();
    const queryVersion = app.table.queryVersion;
    api.emit({ type: 'case-ready', summary: s });
    expect(app.partial).toBe(false);
    expect(app.table.queryVersion).toBe(queryVersion);
    expect(app.table.dataVersion).toBe(1);

    // A partial case whose table was scoped to a host starts the ready case from the whole table (a new query).
    const second = await partialCase();
    second.app.focusHost('DC01.corp.example');
    const scoped = second.app.table.queryVersion;
    second.api.emit({ type: 'case-ready', summary: second.s });
    expect(second.app.table.hosts).toBeNull();
    expect(second.app.table.queryVersion).toBe(scoped + 1);
  });

  it('a cancel after a partial view drops the partial case and returns to the start screen', async () => {
    const { api, app } = await partialCase();
    await app.cancel();
    expect(api.callsTo('case.cancel')).toEqual([{ jobId: 'job-1' }]);
    api.emit({ type: 'progress', progress: { jobId: 'job-1', phase: 'cancelled', bytesDone: 0, bytesTotal: 0, records: 0, rejected: 0, rate: 0 } });
    expect(app.screen).toBe('start');
    expect(app.partial).toBe(false);
    expect(app.summary).toBeNull();
    expect(app.jobId).toBeNull();
  });

  it('a failure after a partial view shows the error and returns to the start screen', async () => {
    const { api, app } = await partialCase();
    api.emit({ type: 'progress', progress: { jobId: 'job-1', phase: 'failed', bytesDone: 0, bytesTotal: 0, records: 0, rejected: 0, rate: 0 } });
    api.emit({ type: 'error', jobId: 'job-1', error: { code: 'E_IO', message: 'read failed' } });
    expect(app.errors.map((e) => e.code)).toEqual(['E_IO']);
    expect(app.screen).toBe('start');
    expect(app.summary).toBeNull();
    expect(app.partial).toBe(false);
    // The next job starts cleanly.
    await app.openSample('lateral-movement');
    expect(app.screen).toBe('loading');
  });
});

describe('AppState partial view: the timeline range', () => {
  it('a range zoomed into while reading survives more events and the ready case; a whole view follows the extent', async () => {
    vi.useFakeTimers();
    const { api, app, s } = await partialCase();
    // The partial case covers its first half; the analyst zooms into a minute of it.
    const first = s.firstMs;
    const half = first + Math.floor((s.lastMs - first) / 2);
    api.emit({ type: 'case-partial', jobId: 'job-1', summary: { ...s, events: 4, lastMs: half, findings: 0, rules: [] } });
    vi.advanceTimersByTime(1000);
    const zoomStart = Math.ceil(first / 1000) * 1000 + 60_000;
    app.view.setRange(zoomStart, zoomStart + 60_000);
    // More events: the extent grows, the minute stays.
    api.emit({ type: 'case-partial', jobId: 'job-1', summary: { ...s, events: 5, findings: 0, rules: [] } });
    vi.advanceTimersByTime(1000);
    expect(app.view.maxMs).toBeGreaterThanOrEqual(s.lastMs);
    expect([app.view.startMs, app.view.endMs]).toEqual([zoomStart, zoomStart + 60_000]);
    api.emit({ type: 'case-ready', summary: s });
    expect(app.partial).toBe(false);
    expect([app.view.startMs, app.view.endMs]).toEqual([zoomStart, zoomStart + 60_000]);
    expect(app.view.maxMs).toBeGreaterThanOrEqual(s.lastMs);

    // Never zoomed: the ready case shows all of it.
    const second = await partialCase();
    second.api.emit({ type: 'case-ready', summary: second.s });
    expect([second.app.view.startMs, second.app.view.endMs]).toEqual([second.app.view.minMs, second.app.view.maxMs]);
    expect(second.app.view.maxMs).toBeGreaterThanOrEqual(second.s.lastMs);
  });
});
