// SettingsPanel: the analyst name goes to settings.set; a new bin width and rule selection re-run detection
// through case.rescan and the app shows the new summary.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import SettingsPanel from '../../renderer/panels/SettingsPanel.svelte';
import { AppState } from '../../renderer/state/app-state.svelte.ts';
import type { RescanRequest } from '../../engine/rpc/api.ts';
import { FakeApi } from './fake-api.ts';
import EventTable from '../../renderer/table/EventTable.svelte';
import { displayZone } from '../../renderer/state/display-zone.svelte.ts';

afterEach(() => {
  displayZone.set('UTC');
});

describe('SettingsPanel', () => {
  it('saves the analyst and re-runs detection with a new bin width and rule selection', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.showCase(api.summary());
    await waitFor(() => expect(app.annotations.analyst).toBe('alice'));
    const onclose = vi.fn();
    render(SettingsPanel, { api, summary: app.summary!, annotations: app.annotations, onrescan: (req: RescanRequest) => app.rescan(req), onclose, onerror: vi.fn() });

    const name = screen.getByRole('textbox', { name: 'Analyst' });
    await userEvent.clear(name);
    await userEvent.type(name, 'bob');
    await userEvent.click(screen.getByRole('button', { name: 'Save analyst name' }));
    await waitFor(() => expect(app.annotations.analyst).toBe('bob'));
    expect(api.callsTo('settings.set')).toEqual([{ analyst: 'bob' }]);

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Finding bin' }), '60');
    await userEvent.click(screen.getByRole('checkbox', { name: /PsExec with -accepteula/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Apply and re-run detection' }));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(api.callsTo('case.rescan')).toEqual([{ binSpanSec: 60, enabledRuleIds: ['impacket-lateral-movement-sysmon'] }]);
    expect(app.summary?.binSpanSec).toBe(60);
    expect(app.caseVersion).toBe(2);
  });

  it('verifies the evidence hashes and lists each file as text', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.showCase(api.summary());
    const { container } = render(SettingsPanel, { api, summary: app.summary!, annotations: app.annotations, onrescan: vi.fn(), onclose: vi.fn(), onerror: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: 'Verify SHA-256 of evidence files' }));
    const region = screen.getByRole('region', { name: 'Evidence integrity' });
    await waitFor(() => expect(region).toHaveTextContent('unchanged sysmon-lateral.csv'));
    expect(region).toHaveTextContent('missing <b>x</b>.csv');
    expect(region).toHaveTextContent('no such file');
    expect(container.querySelector('b')).toBeNull();
  });

  it('shows times in the chosen display zone, with the offset; queries stay UTC', async () => {
    const api = new FakeApi({ totalRows: 5 });
    const app = new AppState(api);
    app.showCase(api.summary());
    render(SettingsPanel, { api, summary: app.summary!, annotations: app.annotations, onrescan: vi.fn(), onclose: vi.fn(), onerror: vi.fn() });
    const zone = screen.getByRole('combobox', { name: 'Show times in' });
    await userEvent.clear(zone);
    await userEvent.type(zone, 'Not/AZone');
    expect(screen.getByRole('button', { name: 'Save display time zone' })).toBeDisabled();
    await userEvent.clear(zone);
    await userEvent.type(zone, 'Europe/Berlin');
    await userEvent.click(screen.getByRole('button', { name: 'Save display time zone' }));
    await waitFor(() => expect(displayZone.zone).toBe('Europe/Berlin'));
    expect(api.callsTo('settings.set')).toEqual([{ timeZone: 'Europe/Berlin' }]);

    render(EventTable, { table: app.table, onselect: vi.fn() });
    expect(await screen.findByRole('columnheader', { name: /Time \(Europe\/Berlin\)/ })).toBeInTheDocument();
    // BASE_MS is 2024-03-05T14:00:00Z: 15:00 in Berlin (CET, +01:00).
    expect(await screen.findByText('2024-03-05 15:00:00.000 +01:00')).toBeInTheDocument();
    expect(api.callsTo('query.rows').every((r) => r.startMs === undefined)).toBe(true);
  });
});
