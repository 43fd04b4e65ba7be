// HostTablePanel (issue 14): loads the case's table when opened, sends ip,host lines as entries, and shows the
// host's refusal at the line the analyst wrote. Table text stays text.
import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import type { HopscopeApi } from '../../engine/rpc/api.ts';
import HostTablePanel from '../../renderer/panels/HostTablePanel.svelte';

function fakeApi(entries: Array<{ ip: string; host: string }>, refuse?: string): HopscopeApi & { call: ReturnType<typeof vi.fn> } {
  const call = vi.fn(async (channel: string) => {
    if (channel === 'case.hostTable') return { entries };
    if (refuse) throw Object.assign(new Error(refuse), { code: 'E_PROTOCOL' });
    return {};
  });
  return { call, subscribe: () => () => {} } as unknown as HopscopeApi & { call: ReturnType<typeof vi.fn> };
}

describe('HostTablePanel', () => {
  it('shows the saved table when opened and saves the edited lines as entries', async () => {
    const api = fakeApi([{ ip: '10.0.0.12', host: 'WKS-NYC-1002' }]);
    render(HostTablePanel, { api, onerror: vi.fn() });
    expect(api.call).not.toHaveBeenCalled();
    await userEvent.click(screen.getByText(/Host table/));
    const box = screen.getByRole('textbox', { name: 'Host table, one ip,host per line' });
    await vi.waitFor(() => expect(box).toHaveValue('10.0.0.12,WKS-NYC-1002'));
    await userEvent.type(box, '\n# kiosk\n2001:db8::7 kiosk-7');
    await userEvent.click(screen.getByRole('button', { name: 'Save and find movements again' }));
    expect(api.call).toHaveBeenLastCalledWith('case.setHostTable', { entries: [{ ip: '10.0.0.12', host: 'WKS-NYC-1002' }, { ip: '2001:db8::7', host: 'kiosk-7' }] });
    expect(await screen.findByRole('status')).toHaveTextContent('Saved 2 addresses');
  });

  it('names the line of a refused entry; a line that is not ip,host is refused before sending', async () => {
    const api = fakeApi([], 'case.setHostTable: request.entries[1]: "10.0.0.300" is not an IPv4 or IPv6 address');
    const onerror = vi.fn();
    render(HostTablePanel, { api, onerror });
    await userEvent.click(screen.getByText(/Host table/));
    const box = screen.getByRole('textbox', { name: 'Host table, one ip,host per line' });
    await vi.waitFor(() => expect(screen.getByRole('button', { name: 'Save and find movements again' })).toBeEnabled());
    await userEvent.type(box, 'ip,host\n10.0.0.1,A\n\n10.0.0.300,<b>B</b>');
    await userEvent.click(screen.getByRole('button', { name: 'Save and find movements again' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Line 4: "10.0.0.300" is not an IPv4 or IPv6 address');
    expect(onerror).not.toHaveBeenCalled();
    await userEvent.clear(box);
    await userEvent.type(box, '10.0.0.1,A,B');
    const calls = api.call.mock.calls.length;
    await userEvent.click(screen.getByRole('button', { name: 'Save and find movements again' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Line 1: write the address and the host name as ip,host.');
    expect(api.call.mock.calls.length).toBe(calls);
  });
});
