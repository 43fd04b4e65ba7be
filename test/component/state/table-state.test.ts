// TableState: page requests follow the viewport, query changes drop the cache, scroll math stays bounded.
import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_PX, PAGE_SIZE, TableState, scrollTopFor, virtualWindow } from '../../../renderer/state/table-state.svelte.ts';
import { FakeApi } from '../fake-api.ts';

describe('virtualWindow', () => {
  it('maps scroll 1:1 for small tables', () => {
    const w = virtualWindow(240, 480, 1000, 24, 5);
    expect(w.spacerPx).toBe(24_000);
    expect(w.first).toBe(5);
    expect(w.blockTopPx).toBe(120);
    expect(w.count).toBe(480 / 24 + 1 + 10);
  });

  it('compresses huge tables below the browser height limit and reaches the last row', () => {
    const total = 10_000_000;
    const w0 = virtualWindow(0, 480, total, 24);
    expect(w0.spacerPx).toBe(MAX_SCROLL_PX);
    const end = virtualWindow(MAX_SCROLL_PX - 480, 480, total, 24, 0);
    expect(end.first + end.count).toBeGreaterThanOrEqual(total);
    expect(end.count).toBeLessThanOrEqual(480 / 24 + 1);
    const mid = scrollTopFor(5_000_000, 480, total, 24);
    expect(virtualWindow(mid, 480, total, 24, 0).first).toBe(5_000_000);
  });

  it('handles an empty table', () => {
    expect(virtualWindow(0, 480, 0, 24)).toEqual({ spacerPx: 0, first: 0, count: 0, blockTopPx: 0 });
  });
});

describe('TableState', () => {
  it('fetches only the pages covering the requested rows, once', async () => {
    const api = new FakeApi({ totalRows: 1_000_000 });
    const t = new TableState(api);
    await t.ensure(0, 30);
    expect(t.total).toBe(1_000_000);
    await t.ensure(PAGE_SIZE * 10 + 5, 30);
    await t.ensure(PAGE_SIZE * 10 + 50, 30);
    const offsets = api.callsTo('query.rows').map((r) => r.offset);
    expect(offsets).toEqual([0, PAGE_SIZE * 10]);
    expect(t.rowAt(PAGE_SIZE * 10 + 5)?.row).toBe(PAGE_SIZE * 10 + 5);
    expect(t.rowAt(PAGE_SIZE * 5)).toBeUndefined();
  });

  it('sends sort, filter, range and finding with each page request', async () => {
    const api = new FakeApi();
    const t = new TableState(api);
    t.setSort('process_name');
    t.setFilter('process_name=cmd.exe');
    t.setFinding('psexec-accepteula|WKS-NYC-1001|1', { startMs: 1000, endMs: 2000 });
    await t.ensure(0, 10);
    const req = api.callsTo('query.rows').at(-1)!;
    expect(req).toMatchObject({
      offset: 0,
      limit: PAGE_SIZE,
      sort: { field: 'process_name', dir: 'asc' },
      filter: 'process_name=cmd.exe',
      findingId: 'psexec-accepteula|WKS-NYC-1001|1',
      startMs: 1000,
      endMs: 2000,
      // The detections column (the rules whose findings hold the event) comes with the default columns.
      columns: ['_time', 'dest', 'user', 'parent_process_name', 'process_name', '_rules', 'process'],
    });
    t.setSort('process_name');
    expect(t.sort).toEqual({ field: 'process_name', dir: 'desc' });
  });

  it('a query change drops cached pages and ignores late answers to the old query', async () => {
    const api = new FakeApi();
    const t = new TableState(api);
    const late = t.ensure(0, 10);
    t.setFilter('user=alice');
    await late;
    expect(t.rowAt(0)).toBeUndefined();
    await t.ensure(0, 10);
    expect(t.rowAt(0)).toBeDefined();
    expect(api.callsTo('query.rows')).toHaveLength(2);
  });

  it('selecting an index records the store row', async () => {
    const api = new FakeApi();
    const t = new TableState(api);
    t.setSort('_time');
    expect(t.sort).toEqual({ field: '_time', dir: 'desc' });
    await t.ensure(0, 10);
    t.select(0);
    expect(t.selectedRow).toBe(999);
  });

  it('pivots on a field value with quotes and backslashes escaped, added to the current filter', () => {
    const t = new TableState(new FakeApi());
    t.addFieldFilter('user', 'CORP\\alice');
    expect(t.filter).toBe('user:"CORP\\\\alice"');
    t.addFieldFilter('process', 'cmd.exe /c "echo hi"');
    expect(t.filter).toBe('user:"CORP\\\\alice" process:"cmd.exe /c \\"echo hi\\""');
    expect(t.draft).toBe(t.filter);
  });
});

describe('TableState columns', () => {
  function memStore() {
    const data = new Map<string, string>();
    return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
  }

  it('shows chosen fields (time first, the last one stretched), asks for them and remembers them for the session', async () => {
    const { layoutColumns } = await import('../../../renderer/state/table-state.svelte.ts');
    const store = memStore();
    const api = new FakeApi();
    const t = new TableState(api, store);
    t.setColumns(['dest', 'CommandLine', 'dest']);
    expect(t.fieldColumns).toEqual(['_time', 'dest', 'CommandLine']);
    expect(t.columns.map((c) => c.width)).toEqual(['13.9rem', '8.5rem', 'minmax(10rem, 1fr)']);
    await t.refresh();
    // Asked for even when not shown, so detected rows can be coloured.
    expect(api.callsTo('query.rows').at(-1)?.columns).toEqual(['_time', 'dest', 'CommandLine', '_rules']);
    expect(new TableState(api, store).fieldColumns).toEqual(['_time', 'dest', 'CommandLine']);
    // The command line takes the free width wherever it is (issue 20); without it, the last column does.
    expect(layoutColumns(['process', 'user']).map((c) => c.width)).toEqual(['13.9rem', 'minmax(10rem, 1fr)', '8.5rem']);
    expect(layoutColumns(['user', 'dest']).map((c) => c.width)).toEqual(['13.9rem', '8.5rem', 'minmax(10rem, 1fr)']);
  });

  it('ignores a malformed saved choice', () => {
    const store = memStore();
    store.setItem('hopscope.tableColumns', '{"x":1}');
    expect(new TableState(new FakeApi(), store).fieldColumns[0]).toBe('_time');
    expect(new TableState(new FakeApi(), store).fieldColumns.length).toBe(7);
  });
});

describe('TableState page answers', () => {
  it('are applied in the next animation frame (after its scroll events), and dropped if the query changed meanwhile', async () => {
    const frames: Array<() => void> = [];
    const raf = globalThis.requestAnimationFrame;
    globalThis.requestAnimationFrame = ((cb: FrameRequestCallback) => frames.push(() => cb(0))) as typeof requestAnimationFrame;
    try {
      const api = new FakeApi({ totalRows: 1000 });
      const table = new TableState(api, null);
      const done = table.refresh();
      await new Promise((r) => setTimeout(r, 0));
      expect(api.callsTo('query.rows')).toHaveLength(1);
      // Answered, but not applied until the frame.
      expect(table.total).toBe(0);
      expect(frames.length).toBe(1);
      frames.shift()!();
      await done;
      expect(table.total).toBe(1000);
      expect(table.rowAt(0)).toBeDefined();

      // An answer whose frame comes after a new query is dropped.
      const stale = table.ensure(PAGE_SIZE, 10);
      await new Promise((r) => setTimeout(r, 0));
      table.setSort('host');
      frames.shift()!();
      await stale;
      expect(table.rowAt(PAGE_SIZE)).toBeUndefined();
    } finally {
      globalThis.requestAnimationFrame = raf;
    }
  });
});
