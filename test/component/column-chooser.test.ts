// Column chooser: lists canonical and original fields of an event of the result; ticking one adds the column
// (and its values are asked for), unticking removes it.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import EventTable from '../../renderer/table/EventTable.svelte';
import { TableState } from '../../renderer/state/table-state.svelte.ts';
import { FakeApi } from './fake-api.ts';

describe('ColumnChooser', () => {
  it('adds an original field and removes a canonical one', async () => {
    const api = new FakeApi({ totalRows: 50 });
    const table = new TableState(api, null);
    render(EventTable, { table, onselect: vi.fn(), api, onerror: vi.fn() });
    await waitFor(() => expect(table.rowAt(0)).toBeDefined());
    await userEvent.click(screen.getByRole('button', { name: 'Columns' }));
    const group = await screen.findByRole('group', { name: 'Table columns' });
    const original = await within(group).findByRole('group', { name: 'Original fields' });
    await userEvent.click(within(original).getByRole('checkbox', { name: 'CommandLine' }));
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.columns).toContain('CommandLine'));
    expect(screen.getByRole('columnheader', { name: /CommandLine/ })).toBeInTheDocument();
    const canonical = within(group).getByRole('group', { name: 'Canonical fields' });
    const user = within(canonical).getByRole('checkbox', { name: 'user' });
    expect(user).toBeChecked();
    await userEvent.click(user);
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.columns).not.toContain('user'));
    expect(screen.queryByRole('columnheader', { name: /^User/ })).toBeNull();
  });

  it('closes on Escape and on a click outside it, not on a click inside', async () => {
    const api = new FakeApi({ totalRows: 50 });
    const table = new TableState(api, null);
    render(EventTable, { table, onselect: vi.fn(), api, onerror: vi.fn() });
    await waitFor(() => expect(table.rowAt(0)).toBeDefined());
    const button = screen.getByRole('button', { name: 'Columns' });
    await userEvent.click(button);
    const group = await screen.findByRole('group', { name: 'Table columns' });
    await userEvent.click(await within(group).findByRole('group', { name: 'Canonical fields' }));
    expect(screen.getByRole('group', { name: 'Table columns' })).toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: 'Table columns' })).toBeNull();
    expect(button).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(button);
    await screen.findByRole('group', { name: 'Table columns' });
    await userEvent.click(screen.getByRole('grid', { name: 'Events' }));
    expect(screen.queryByRole('group', { name: 'Table columns' })).toBeNull();
    // The toggle still toggles.
    await userEvent.click(button);
    await screen.findByRole('group', { name: 'Table columns' });
    await userEvent.click(button);
    expect(screen.queryByRole('group', { name: 'Table columns' })).toBeNull();
  });
});
