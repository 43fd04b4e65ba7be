// EventTable: virtualised (a million rows yield a few dozen DOM rows), pages requested as the user scrolls,
// sortable headers, selection; hostile command lines are rendered as text, never as elements.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import EventTable from '../../renderer/table/EventTable.svelte';
import { PAGE_SIZE, TableState } from '../../renderer/state/table-state.svelte.ts';
import { FakeApi } from './fake-api.ts';

const ROW_PX = 24;

function dataRows(): HTMLElement[] {
  return screen.getAllByRole('row').filter((r) => r.getAttribute('aria-rowindex') !== '1');
}

/** A scrollable table over `totalRows` fake rows, rendered and counted. */
async function scrollableTable(totalRows: number) {
  const api = new FakeApi({ totalRows });
  const table = new TableState(api);
  render(EventTable, { table, onselect: vi.fn(), rowPx: ROW_PX });
  const grid = screen.getByRole('grid', { name: 'Events' });
  await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', String(totalRows + 1)));
  return { api, table, grid, viewport: screen.getByTestId('table-viewport') };
}

describe('EventTable', () => {
  it('renders only the visible rows of a 1,000,000-row result and fetches pages as it scrolls', async () => {
    const api = new FakeApi({ totalRows: 1_000_000 });
    const table = new TableState(api);
    render(EventTable, { table, onselect: vi.fn(), rowPx: ROW_PX });
    const grid = screen.getByRole('grid', { name: 'Events' });
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', String(1_000_000 + 1)));
    await waitFor(() => expect(within(grid).getAllByRole('gridcell')[1]).toHaveTextContent('DC01'));
    const rows = dataRows();
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(document.querySelectorAll('[role=row]').length).toBeLessThan(61);
    expect(api.callsTo('query.rows').map((r) => [r.offset, r.limit])).toEqual([[0, PAGE_SIZE]]);

    const viewport = screen.getByTestId('table-viewport');
    const target = 500_000;
    // 1 M rows exceed the scroll cap, so scroll positions are compressed; ask the table where row 500,000 is.
    const { scrollTopFor } = await import('../../renderer/state/table-state.svelte.ts');
    viewport.scrollTop = scrollTopFor(target, 480, 1_000_000, ROW_PX);
    await fireEvent.scroll(viewport);
    await waitFor(() => expect(screen.getAllByRole('row').some((r) => r.getAttribute('aria-rowindex') === String(target + 2))).toBe(true));
    const page = Math.floor(target / PAGE_SIZE) * PAGE_SIZE;
    await waitFor(() => expect(api.callsTo('query.rows').map((r) => r.offset)).toContain(page));
    // Only pages near the viewport were ever requested (overscan may reach the previous page).
    for (const r of api.callsTo('query.rows')) expect([0, page - PAGE_SIZE, page, page + PAGE_SIZE]).toContain(r.offset);
    expect(dataRows().length).toBeLessThan(60);
    const shown = dataRows().find((r) => r.getAttribute('aria-rowindex') === String(target + 2))!;
    await waitFor(() => expect(within(shown).getAllByRole('gridcell')[6]).toHaveTextContent(`notes-${target}.txt`));
  });

  it('a reload (a partial case grew) refetches the rows in view and keeps the scroll position; a new query goes to the top', async () => {
    const { api, table, grid, viewport } = await scrollableTable(5000);
    const target = 3000;
    viewport.scrollTop = target * ROW_PX;
    await fireEvent.scroll(viewport);
    await waitFor(() => expect(dataRows().some((r) => r.getAttribute('aria-rowindex') === String(target + 2))).toBe(true));
    const page = Math.floor(target / PAGE_SIZE) * PAGE_SIZE;
    await waitFor(() => expect(api.callsTo('query.rows').map((r) => r.offset)).toContain(page));
    const before = api.callsTo('query.rows').length;

    // More events arrived: the same query over more rows.
    api.totalRows = 6000;
    table.reload();
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '6001'));
    // The pages in view were asked again, not page 0, and the table stayed where it was.
    const again = api.callsTo('query.rows').slice(before).map((r) => r.offset);
    expect(again).toContain(page);
    expect(again).not.toContain(0);
    expect(viewport.scrollTop).toBe(target * ROW_PX);
    await waitFor(() => expect(dataRows().some((r) => r.getAttribute('aria-rowindex') === String(target + 2))).toBe(true));

    // A new query (sort) does go back to the top.
    table.setSort('host');
    await waitFor(() => expect(viewport.scrollTop).toBe(0));
  });

  it('a reload above the scroll-height cap keeps the same row at the top when the total grows', async () => {
    const { api, table, grid, viewport } = await scrollableTable(1_000_000);
    const { scrollTopFor } = await import('../../renderer/state/table-state.svelte.ts');
    const target = 500_000;
    viewport.scrollTop = scrollTopFor(target, 480, 1_000_000, ROW_PX);
    await fireEvent.scroll(viewport);
    const topRow = () => Math.min(...dataRows().map((r) => Number(r.getAttribute('aria-rowindex')))) - 2;
    await waitFor(() => expect(dataRows().some((r) => r.getAttribute('aria-rowindex') === String(target + 2))).toBe(true));
    const firstBefore = topRow();
    api.totalRows = 2_000_000;
    table.reload();
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '2000001'));
    // Compressed positions: the old scrollTop would now show row ~1,000,000; the table re-anchored instead.
    await waitFor(() => expect(Math.abs(topRow() - firstBefore)).toBeLessThanOrEqual(1));
    expect(viewport.scrollTop).toBeCloseTo(scrollTopFor(target, 480, 2_000_000, ROW_PX), -1);
  });

  it('renders a command line full of markup as text', async () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script><b>bold</b>';
    const api = new FakeApi({
      totalRows: 3,
      rowOverride: (e) => ({ ...e, fields: { ...e.fields, process: hostile, user: '<svg onload=alert(3)>' } }),
    });
    const table = new TableState(api);
    const { container } = render(EventTable, { table, onselect: vi.fn() });
    await waitFor(() => expect(screen.getAllByText(hostile)).toHaveLength(3));
    expect(container.querySelector('img, script, b, svg')).toBeNull();
    expect(screen.getAllByText('<svg onload=alert(3)>')).toHaveLength(3);
  });

  it('sorts by a header and selects a clicked row', async () => {
    const api = new FakeApi({ totalRows: 50 });
    const table = new TableState(api);
    const onselect = vi.fn();
    render(EventTable, { table, onselect });
    await waitFor(() => expect(within(dataRows()[0]!).getAllByRole('gridcell')[1]).toHaveTextContent('DC01'));
    const header = screen.getByRole('columnheader', { name: /Process$/ });
    expect(header).toHaveAttribute('aria-sort', 'none');
    await userEvent.click(within(header).getByRole('button'));
    expect(header).toHaveAttribute('aria-sort', 'ascending');
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.sort).toEqual({ field: 'process_name', dir: 'asc' }));
    await waitFor(() => expect(within(dataRows()[0]!).getAllByRole('gridcell')[0]).not.toHaveTextContent(/^$/));
    await userEvent.click(dataRows()[2]!);
    expect(onselect).toHaveBeenCalledWith(2);
    expect(dataRows()[2]).toHaveAttribute('aria-selected', 'true');
  });

  it('applies a filter and shows the filter error from the host with its column', async () => {
    const api = new FakeApi({ totalRows: 100 });
    const table = new TableState(api);
    render(EventTable, { table, onselect: vi.fn() });
    const input = screen.getByRole('searchbox', { name: 'Filter' });
    await userEvent.type(input, 'user:alice ((x');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.filter).toBe('user:alice ((x'));
    const alert = await screen.findByRole('alert');
    // One message, the column named once (the engine's message already ends with it).
    expect(alert).toHaveTextContent(/^E_USAGE: unbalanced parenthesis \(column 12\) — showing all events$/);
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveValue('user:alice ((x');
    // The last good view stays: the table went back to the unfiltered query.
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.filter).toBeUndefined());
    await waitFor(() => expect(screen.getByRole('grid', { name: 'Events' })).toHaveAttribute('aria-rowcount', '101'));
    expect(table.filter).toBe('');
    expect(screen.getByRole('alert')).toBeInTheDocument();
    // The caret sits under column 12, the first '(' of '((', which is underlined.
    const caret = screen.getByTestId('filter-caret');
    expect(caret.querySelector('mark')?.textContent).toBe('(');
    const [line, pointer] = [...caret.querySelectorAll('code')].map((c) => c.textContent ?? '');
    expect(line).toBe('user:alice ((x');
    expect(pointer).toBe(' '.repeat(11) + '^');
    // A good filter, then a bad one: the good one's rows stay and the message names it.
    await userEvent.clear(input);
    await userEvent.type(input, 'user:alice{Enter}');
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    await userEvent.clear(input);
    await userEvent.type(input, 'user:bob ((y{Enter}');
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('showing the last good filter, user:alice'));
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.filter).toBe('user:alice'));
    expect(table.filter).toBe('user:alice');
  });

  it('moves a column with Alt+arrows on its header and resizes it from its edge (the time stays first)', async () => {
    const api = new FakeApi({ totalRows: 100 });
    const table = new TableState(api, null);
    const { container } = render(EventTable, { table, onselect: vi.fn() });
    const headers = () => screen.getAllByRole('columnheader').map((h) => h.textContent?.replace(/[▲▼]/g, '').trim());
    expect(headers().slice(0, 3)).toEqual(['Time (UTC)', 'Host', 'User']);
    const user = within(screen.getByRole('columnheader', { name: /^User/ })).getByRole('button');
    user.focus();
    await userEvent.keyboard('{Alt>}{ArrowLeft}{/Alt}');
    expect(headers().slice(0, 3)).toEqual(['Time (UTC)', 'User', 'Host']);
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.columns?.slice(0, 3)).toEqual(['_time', 'user', 'dest']));
    // Not before the time.
    within(screen.getByRole('columnheader', { name: /^User/ })).getByRole('button').focus();
    await userEvent.keyboard('{Alt>}{ArrowLeft}{/Alt}');
    expect(headers()[0]).toBe('Time (UTC)');
    table.moveColumn('dest', 99);
    expect(table.fieldColumns.at(-1)).toBe('dest');
    // Resize: the edge's arrows, 16 px a step; the grid template follows and the width is kept for the session.
    const edge = screen.getByRole('separator', { name: 'Resize column User' });
    edge.focus();
    await userEvent.keyboard('{ArrowRight}{ArrowRight}');
    // (jsdom lays nothing out: the first step starts from 0 and is held at the 48 px minimum.)
    expect(table.widths['user']).toBe(48 + 16);
    expect((container.querySelector('[role="grid"]') as HTMLElement).style.getPropertyValue('--cols')).toContain('64px');
    table.setWidth('user', 5);
    expect(table.widths['user']).toBe(48);
  });

  it('shows the rules of detected events in their own column and colours their rows', async () => {
    const api = new FakeApi({ totalRows: 100 });
    const table = new TableState(api);
    const { container } = render(EventTable, { table, onselect: vi.fn() });
    await waitFor(() => expect(container.querySelector('#event-row-7 [role="gridcell"]')).not.toHaveTextContent(/^$/));
    expect(screen.getByRole('columnheader', { name: /^Rules/ })).toBeInTheDocument();
    const row7 = container.querySelector('#event-row-7')!;
    expect(row7.classList.contains('detected')).toBe(true);
    expect(within(row7 as HTMLElement).getAllByRole('gridcell')[5]).toHaveTextContent(/\S/);
    expect(container.querySelector('#event-row-8')!.classList.contains('detected')).toBe(false);
  });

  it('explains the filter syntax in a popover whose example applies; Escape and an outside click close it', async () => {
    const api = new FakeApi({ totalRows: 100 });
    const table = new TableState(api);
    render(EventTable, { table, onselect: vi.fn() });
    const input = screen.getByRole('searchbox', { name: 'Filter' });
    const example = input.getAttribute('placeholder')!;
    const help = screen.getByRole('button', { name: 'Filter syntax' });
    await userEvent.click(help);
    const pop = screen.getByRole('region', { name: 'Filter syntax' });
    expect(pop).toHaveTextContent('cmd.exe /Q is text');
    expect(pop).toHaveTextContent('No pipes');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Filter syntax' })).toBeNull();
    await userEvent.click(help);
    await userEvent.click(screen.getByRole('grid', { name: 'Events' }));
    expect(screen.queryByRole('region', { name: 'Filter syntax' })).toBeNull();
    await userEvent.click(help);
    await userEvent.click(within(screen.getByRole('region', { name: 'Filter syntax' })).getByRole('button', { name: example }));
    expect(screen.queryByRole('region', { name: 'Filter syntax' })).toBeNull();
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.filter).toBe(example));
  });
});

describe('EventTable filter bar', () => {
  it('remembers applied filters to pick again, and turns the timeline selection into time terms', async () => {
    const { RecentQueries } = await import('../../renderer/state/recent-queries.svelte.ts');
    const api = new FakeApi({ totalRows: 100 });
    const table = new TableState(api);
    const recent = new RecentQueries(null);
    const selection = { startMs: Date.UTC(2024, 2, 5, 14, 0, 0), endMs: Date.UTC(2024, 2, 5, 14, 1, 0) };
    render(EventTable, { table, onselect: vi.fn(), recent, selection });
    const input = screen.getByRole('searchbox', { name: 'Filter' });
    await userEvent.type(input, 'user:alice');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await userEvent.clear(input);
    await userEvent.type(input, 'dest:DC01');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    const pick = screen.getByRole('combobox', { name: 'Recent filters' });
    expect(within(pick).getAllByRole('option').map((o) => o.textContent)).toEqual(['Recent…', 'dest:DC01', 'user:alice']);
    await userEvent.selectOptions(pick, 'user:alice');
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.filter).toBe('user:alice'));
    expect(input).toHaveValue('user:alice');
    await userEvent.click(screen.getByRole('button', { name: 'Filter to selection' }));
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.filter).toBe('user:alice time>=2024-03-05T14:00:00.000Z time<2024-03-05T14:01:00.000Z'));
  });
});

describe('EventTable: Export CSV', () => {
  it('asks the host for the events of the table\'s scope with its columns, and downloads the file in browser mode', async () => {
    const api = new FakeApi({ totalRows: 40 });
    const orig = api.call.bind(api);
    api.call = (async (channel: string, req: unknown) =>
      channel === 'case.exportEvents'
        ? (api.calls.push({ channel: 'case.exportEvents', req }), { fileName: 'hopscope-events.csv', mime: 'text/csv', bytes: 9, text: 'time_utc\n' })
        : orig(channel as never, req as never)) as typeof api.call;
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => (created.push(b), 'blob:fake')) as typeof URL.createObjectURL;
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const table = new TableState(api);
    render(EventTable, { table, api, onselect: vi.fn(), onerror: vi.fn(), rowPx: ROW_PX });
    await waitFor(() => expect(screen.getByRole('grid', { name: 'Events' })).toHaveAttribute('aria-rowcount', '41'));
    table.setScope({ hosts: ['DC01'], range: null, findingId: null });
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Downloaded hopscope-events.csv'));
    // The engine's detections column stays out of the CSV: it holds the evidence's own columns.
    expect(api.callsTo('case.exportEvents')).toEqual([{ scope: { hosts: ['DC01'] }, columns: table.columns.map((c) => c.key).filter((k) => k !== '_rules') }]);
    expect(table.columns[0]!.key).toBe('_time');
    expect(click).toHaveBeenCalledTimes(1);
    expect(created).toHaveLength(1);
    click.mockRestore();
  });

  it('offers no export while the case is still being read', async () => {
    const api = new FakeApi({ totalRows: 40 });
    const table = new TableState(api);
    render(EventTable, { table, api, onselect: vi.fn(), onerror: vi.fn(), rowPx: ROW_PX, partial: true });
    await waitFor(() => expect(screen.getByRole('grid', { name: 'Events' })).toHaveAttribute('aria-rowcount', '41'));
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Export CSV' })).toHaveAttribute('title', 'Once the evidence is read');
  });
});

describe('EventTable finding scope at the filter box (issue 20)', () => {
  it('says the filter searches in the selected finding, and × or Backspace at the start searches all events', async () => {
    const api = new FakeApi({ totalRows: 500 });
    const table = new TableState(api);
    render(EventTable, { table, onselect: vi.fn(), rowPx: ROW_PX });
    const grid = screen.getByRole('grid', { name: 'Events' });
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '501'));
    // A finding the fake has no events for: a filter inside it finds nothing.
    table.setScope({ findingId: 'nope|HOST|1', findingLabel: 'Some rule · HOST · 2024-03-05 · 2 events' });
    const box = screen.getByRole('searchbox', { name: 'Filter' }) as HTMLInputElement;
    const scope = await screen.findByText(/^Finding: Some rule/);
    expect(box).toHaveAccessibleDescription(/in\s*Finding: Some rule · HOST/);
    expect(scope.closest('form')).toBe(box.closest('form'));
    await userEvent.type(box, 'powershell{Enter}');
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)).toMatchObject({ filter: 'powershell', findingId: 'nope|HOST|1' }));
    await screen.findByText('0 events in this finding');
    // One click from a global search: the scope goes, the filter stays.
    await userEvent.click(screen.getByRole('button', { name: 'Search all events' }));
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.findingId).toBeUndefined());
    expect(api.callsTo('query.rows').at(-1)?.filter).toBe('powershell');
    expect(screen.queryByText(/^Finding: /)).toBeNull();
    expect(box).toHaveFocus();

    // One key: Backspace at the start of the box (the text is kept).
    table.setScope({ findingId: 'nope|HOST|1', findingLabel: 'Some rule' });
    await screen.findByText(/^Finding: Some rule/);
    box.focus();
    box.setSelectionRange(0, 0);
    await userEvent.keyboard('{Backspace}');
    await waitFor(() => expect(screen.queryByText(/^Finding: /)).toBeNull());
    expect(table.findingId).toBeNull();
    expect(box).toHaveValue('powershell');

    // The × beside the chip does the same.
    table.setScope({ findingId: 'nope|HOST|1', findingLabel: 'Some rule' });
    await userEvent.click(await screen.findByRole('button', { name: 'Search all events, not only this finding' }));
    expect(table.findingId).toBeNull();
  });
});

describe('EventTable long values (issue 20)', () => {
  it('"Wrap long values" makes the rows taller (the virtual window follows) and the cells wrap; off again, one line', async () => {
    const { grid, viewport } = await scrollableTable(1000);
    await waitFor(() => expect(within(grid).getAllByRole('gridcell')[1]).toHaveTextContent('DC01'));
    const spacer = () => (viewport.firstElementChild as HTMLElement).style.height;
    const before = spacer();
    expect(grid).not.toHaveClass('wrap');
    const rowsBefore = dataRows().length;
    await userEvent.click(screen.getByRole('checkbox', { name: 'Wrap long values' }));
    expect(grid).toHaveClass('wrap');
    expect(grid.style.getPropertyValue('--row-px')).toBe(`${ROW_PX * 4}px`);
    // The header keeps its one-line height; the body is four times as tall, so fewer rows are rendered.
    expect(grid.style.getPropertyValue('--line-px')).toBe(`${ROW_PX}px`);
    await waitFor(() => expect(spacer()).not.toBe(before));
    expect(dataRows().length).toBeLessThan(rowsBefore);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Wrap long values' }));
    expect(grid).not.toHaveClass('wrap');
    await waitFor(() => expect(spacer()).toBe(before));
  });
});
