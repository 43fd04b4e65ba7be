// The table's filter row (a box under each header: that column contains the text), its chips, and the table
// following the timeline's zoom; both saved with the case view.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import EventTable from '../../../renderer/table/EventTable.svelte';
import { TableState, tableScope } from '../../../renderer/state/table-state.svelte.ts';
import { TimelineView } from '../../../renderer/state/timeline-view.svelte.ts';
import { parseSavedView } from '../../../renderer/state/saved-view.ts';
import { FakeApi } from '../fake-api.ts';

const lastRows = (api: FakeApi) => api.callsTo('query.rows').at(-1)!;

function setup(timeline: TimelineView | null = null) {
  const api = new FakeApi({ totalRows: 500 });
  const table = new TableState(api, null);
  render(EventTable, { table, onselect: vi.fn(), api, timeline, filterDelayMs: 10 });
  return { api, table };
}

describe('column filters', () => {
  it('typing in a column box narrows by that column, ANDed with the filter, shown as a chip that clears it', async () => {
    const { api, table } = setup();
    const user = userEvent.setup();
    await waitFor(() => expect(api.callsTo('query.rows').length).toBeGreaterThan(0));
    await user.type(screen.getByRole('searchbox', { name: 'Filter' }), 'user:alice{Enter}');
    await user.type(screen.getByRole('searchbox', { name: 'Column Process contains' }), 'PsExec');
    await waitFor(() => expect(lastRows(api).columnFilters).toEqual([{ field: 'process_name', text: 'PsExec' }]));
    expect(lastRows(api).filter).toBe('user:alice');
    expect(screen.getByText(/Process contains “PsExec”/)).toBeInTheDocument();
    await user.type(screen.getByRole('searchbox', { name: 'Column Host contains' }), 'dc{Enter}');
    await waitFor(() => expect(lastRows(api).columnFilters).toEqual([{ field: 'process_name', text: 'PsExec' }, { field: 'dest', text: 'dc' }]));
    // The export and bulk notes take the same scope.
    expect(tableScope(table).columnFilters).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'Clear the Process column filter' }));
    await waitFor(() => expect(lastRows(api).columnFilters).toEqual([{ field: 'dest', text: 'dc' }]));
    expect(screen.getByRole('searchbox', { name: 'Column Process contains' })).toHaveValue('');
    // Escape in a box clears it.
    screen.getByRole('searchbox', { name: 'Column Host contains' }).focus();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(lastRows(api).columnFilters).toBeUndefined());
    expect(screen.queryByText(/contains “/)).toBeNull();
  });

  it('hostile text reaches the engine as the exact characters, clipped to the API bound', async () => {
    const { api } = setup();
    const box = screen.getByRole('searchbox', { name: 'Column Command line contains' });
    const hostile = 'cmd /c "a\\"b" *? OR NOT (x) | stats';
    await fireEvent.input(box, { target: { value: hostile } });
    await waitFor(() => expect(lastRows(api).columnFilters).toEqual([{ field: 'process', text: hostile }]));
    expect(lastRows(api).filter).toBeUndefined();
    await fireEvent.input(box, { target: { value: 'x'.repeat(10_000) } });
    await waitFor(() => expect(lastRows(api).columnFilters?.[0]?.text).toHaveLength(4096));
  });

  it('a saved view keeps the column filters and the follow toggle; malformed ones are dropped', () => {
    expect(parseSavedView({ v: 1, columnFilters: { dest: 'dc', process: '"\\*' }, followTimeline: true })).toMatchObject({ columnFilters: { dest: 'dc', process: '"\\*' }, followTimeline: true });
    expect(parseSavedView({ v: 1, columnFilters: { dest: 5 } })?.columnFilters).toBeUndefined();
    expect(parseSavedView({ v: 1, columnFilters: { dest: 'x'.repeat(5000) } })?.columnFilters).toBeUndefined();
    expect(parseSavedView({ v: 1, columnFilters: ['dest'] })?.columnFilters).toBeUndefined();
    expect(parseSavedView({ v: 1, followTimeline: 'yes' })?.followTimeline).toBeUndefined();
  });
});

describe('table follows the timeline', () => {
  it('is off by default; on, the table lists the zoomed span, the chip says it, one click shows all again', async () => {
    const view = new TimelineView();
    view.setExtent(Date.UTC(2024, 4, 1), Date.UTC(2024, 4, 2));
    const { api, table } = setup(view);
    const user = userEvent.setup();
    const toggle = screen.getByRole('checkbox', { name: 'Table follows the timeline' });
    expect(toggle).not.toBeChecked();
    // Off: zooming leaves the table alone.
    view.setRange(Date.UTC(2024, 4, 1, 6), Date.UTC(2024, 4, 1, 7));
    await new Promise((r) => setTimeout(r, 250));
    expect(lastRows(api).startMs).toBeUndefined();

    await user.click(toggle);
    await waitFor(() => expect(lastRows(api)).toMatchObject({ startMs: Date.UTC(2024, 4, 1, 6), endMs: Date.UTC(2024, 4, 1, 7) }));
    expect(screen.getByTestId('range-chip')).toHaveTextContent(/^Timeline: /);
    view.zoom(0.5);
    await waitFor(() => expect(lastRows(api)).toMatchObject({ startMs: Date.UTC(2024, 4, 1, 6, 15), endMs: Date.UTC(2024, 4, 1, 6, 45) }));
    // Zoomed all the way out: nothing to narrow, no chip.
    view.reset();
    await waitFor(() => expect(lastRows(api).startMs).toBeUndefined());
    expect(screen.queryByTestId('range-chip')).toBeNull();
    view.setRange(Date.UTC(2024, 4, 1, 8), Date.UTC(2024, 4, 1, 9));
    await waitFor(() => expect(lastRows(api).startMs).toBe(Date.UTC(2024, 4, 1, 8)));

    await user.click(screen.getByRole('button', { name: 'Show all events' }));
    await waitFor(() => expect(lastRows(api).startMs).toBeUndefined());
    expect(toggle).not.toBeChecked();
    expect(table.followTimeline).toBe(false);
    view.setRange(Date.UTC(2024, 4, 1, 10), Date.UTC(2024, 4, 1, 11));
    await new Promise((r) => setTimeout(r, 250));
    expect(lastRows(api).startMs).toBeUndefined();

    // Unticking drops the followed span too.
    await user.click(toggle);
    await waitFor(() => expect(lastRows(api).startMs).toBe(Date.UTC(2024, 4, 1, 10)));
    await user.click(toggle);
    await waitFor(() => expect(lastRows(api).startMs).toBeUndefined());
  });
});
