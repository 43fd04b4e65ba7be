// The case's saved view: restored when a case opens (range, filter, scope, selection), saved after changes
// through case.saveView, and malformed saved JSON is never applied.
import { describe, expect, it, vi } from 'vitest';
import { AppState } from '../../../renderer/state/app-state.svelte.ts';
import { parseSavedView } from '../../../renderer/state/saved-view.ts';
import { FakeApi } from '../fake-api.ts';

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('saved view', () => {
  it('restores the saved range, filter, scope and selection when the case opens', async () => {
    const api = new FakeApi();
    const s = api.summary();
    api.savedView = {
      v: 1,
      range: { startMs: s.firstMs + 10_000, endMs: s.firstMs + 70_000 },
      filter: 'status:confirmed-malicious',
      scope: { hosts: ['DC01'] },
      selectedFindingId: 'f-1',
      detailsRow: 3,
      columns: ['_time', 'dest', 'CommandLine'],
      sort: { field: 'dest', dir: 'desc' },
    };
    const app = new AppState(api);
    app.onPush({ type: 'case-ready', summary: s });
    expect(app.viewReady).toBe(false);
    await vi.waitFor(() => expect(app.viewReady).toBe(true));
    expect([app.view.startMs, app.view.endMs]).toEqual([s.firstMs + 10_000, s.firstMs + 70_000]);
    expect(app.table.filter).toBe('status:confirmed-malicious');
    expect(app.table.draft).toBe('status:confirmed-malicious');
    expect(app.table.hosts).toEqual(['DC01']);
    expect(app.selectedFindingId).toBe('f-1');
    expect(app.detailsRow).toBe(3);
    expect(app.table.fieldColumns).toEqual(['_time', 'dest', 'CommandLine']);
    expect(app.table.sort).toEqual({ field: 'dest', dir: 'desc' });
  });

  it('saves the view a moment after it changes, not before the saved one was applied', async () => {
    vi.useFakeTimers();
    try {
      const api = new FakeApi();
      const app = new AppState(api);
      app.onPush({ type: 'case-ready', summary: api.summary() });
      app.saveViewSoon(500);
      vi.advanceTimersByTime(1000);
      expect(api.callsTo('case.saveView')).toHaveLength(0);
      await settle();
      expect(app.viewReady).toBe(true);
      app.table.setFilter('tag:x');
      app.saveViewSoon(500);
      app.table.setFilter('tag:psexec');
      app.saveViewSoon(500);
      vi.advanceTimersByTime(499);
      expect(api.callsTo('case.saveView')).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(api.callsTo('case.saveView')).toHaveLength(1);
      expect(parseSavedView(api.callsTo('case.saveView')[0]!.view)).toMatchObject({ v: 1, filter: 'tag:psexec' });
      // A view change pending when another case opens is not saved into it.
      app.table.setFilter('tag:old-case');
      app.saveViewSoon(500);
      app.onPush({ type: 'case-ready', summary: api.summary() });
      vi.advanceTimersByTime(1000);
      expect(api.callsTo('case.saveView')).toHaveLength(1);
      app.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops malformed or foreign saved views', () => {
    expect(parseSavedView(null)).toBeNull();
    expect(parseSavedView({ zoom: 3 })).toBeNull();
    expect(parseSavedView({ v: 1, range: { startMs: 5, endMs: 1 }, filter: 7, detailsRow: -1, scope: { hosts: [1] }, columns: [], sort: { field: 'x', dir: 'up' } })).toEqual({ v: 1, scope: {} });
  });
});
