// DetailsPane: every canonical and original field as text (hostile values stay text), the source location,
// and a process tree whose other nodes can be opened.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import DetailsPane from '../../renderer/panels/DetailsPane.svelte';
import { FakeApi } from './fake-api.ts';

describe('DetailsPane', () => {
  it('locates an event of a binary .evtx (no lines) by its byte offset', async () => {
    const api = new FakeApi({ noLines: true });
    render(DetailsPane, { api, row: 3, onclose: vi.fn(), onselectrow: vi.fn(), onerror: vi.fn() });
    await screen.findByRole('heading', { name: 'Canonical fields' });
    expect(screen.getByText('Sysmon.evtx · record 4 · byte offset 8208')).toBeInTheDocument();
  });

  it('lists canonical and original fields as text and shows the process tree', async () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const api = new FakeApi({ rowOverride: (e) => ({ ...e, fields: { ...e.fields, process: hostile } }) });
    const onselectrow = vi.fn();
    const { container } = render(DetailsPane, { api, row: 7, onclose: vi.fn(), onselectrow, onerror: vi.fn() });
    await screen.findByRole('heading', { name: 'Canonical fields' });
    expect(api.callsTo('query.event')).toEqual([{ row: 7 }]);
    expect(api.callsTo('query.processTree')).toEqual([{ row: 7 }]);
    expect(screen.getByText('sysmon-lateral.csv · record 8 · line 9')).toBeInTheDocument();
    for (const k of ['dest', 'user', 'process_name', 'parent_process_name', 'process', 'CommandLine', 'Computer', 'UtcTime']) {
      expect(screen.getByText(k, { selector: 'dt' })).toBeInTheDocument();
    }
    expect(screen.getAllByText(hostile).length).toBeGreaterThanOrEqual(2);
    expect(container.querySelector('img, script')).toBeNull();
    const tree = screen.getByRole('list', { name: 'Process tree' });
    // A parent whose creation is not in the evidence is named, marked, and not offered as an event to open.
    const unlogged = within(tree).getByText('svchost.exe');
    expect(unlogged.tagName).not.toBe('BUTTON');
    expect(unlogged.closest('li')).toHaveTextContent('svchost.exe pid 612 · parent, not in the evidence');
    expect(within(tree).getAllByRole('button').map((b) => b.textContent)).toEqual(['WmiPrvSE.exe']);
    await userEvent.click(within(tree).getByRole('button', { name: 'WmiPrvSE.exe' }));
    expect(onselectrow).toHaveBeenCalledWith(6);
  });

  it('asks for nothing without a selected row', () => {
    const api = new FakeApi();
    render(DetailsPane, { api, row: null, onclose: vi.fn(), onselectrow: vi.fn(), onerror: vi.fn() });
    expect(screen.getByText('Select an event in the table.')).toBeInTheDocument();
    expect(api.calls).toHaveLength(0);
  });

  it('offers a filter pivot per canonical value', async () => {
    const api = new FakeApi();
    const onfilter = vi.fn();
    render(DetailsPane, { api, row: 3, onclose: vi.fn(), onselectrow: vi.fn(), onfilter, onerror: vi.fn() });
    await userEvent.click(await screen.findByRole('button', { name: 'Filter the table on user' }));
    expect(onfilter).toHaveBeenCalledWith('user', 'CORP\\alice');
  });
});
