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

describe('SettingsPanel: adding rule files', () => {
  const sigma = 'title: Lab rule from the analyst\nid: 33333333-2222-3333-4444-555555555555\nlogsource:\n  category: process_creation\ndetection:\n  sel:\n    CommandLine|contains: whoami\n  condition: sel\n';

  it('sends the picked files to rules.add, re-runs detection with them, and lists the new rule as enabled', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.showCase(api.summary());
    render(SettingsPanel, { api, get summary() { return app.summary!; }, annotations: app.annotations, onrescan: (req: RescanRequest) => app.rescan(req), onclose: vi.fn(), onerror: vi.fn() });
    const input = screen.getByLabelText('Rule files to add') as HTMLInputElement;
    await userEvent.upload(input, [new File([sigma], 'lab rule.yml', { type: 'application/yaml' })]);
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Added 1 Sigma file(s); 1 new rule(s) ran.'));
    expect(api.callsTo('rules.add')).toEqual([{ files: [{ name: 'lab rule.yml', text: sigma }] }]);
    expect(api.callsTo('case.rescan')).toEqual([{ reloadRules: true }]);
    await waitFor(() => expect(screen.getByRole('checkbox', { name: /Lab rule from the analyst/ })).toBeChecked());
  });

  it('refuses a file over 1 MiB in the page, before anything is sent', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.showCase(api.summary());
    const onerror = vi.fn();
    render(SettingsPanel, { api, summary: app.summary!, annotations: app.annotations, onrescan: (req: RescanRequest) => app.rescan(req), onclose: vi.fn(), onerror });
    await userEvent.upload(screen.getByLabelText('Rule files to add') as HTMLInputElement, [new File(['x'.repeat(1024 * 1024 + 1)], 'huge.yml')]);
    await waitFor(() => expect(onerror).toHaveBeenCalledWith(expect.objectContaining({ code: 'E_USAGE', message: expect.stringContaining("'huge.yml' is larger than 1 MiB") })));
    expect(api.callsTo('rules.add')).toEqual([]);
  });
});

describe('ruleBatches', () => {
  it('keeps every file, in order, in batches under the encoded-size and count limits (a lone large file goes alone)', async () => {
    const { ruleBatches, encodedSize } = await import('../../renderer/panels/rule-batches.ts');
    const files = [300, 300, 300, 2000, 10, 10].map((n, i) => ({ name: `r${i}.yml`, text: 'x'.repeat(n) }));
    const batches = ruleBatches(files, 700, 2);
    expect(batches.flat()).toEqual(files);
    expect(batches.map((b) => b.map((f) => f.name))).toEqual([['r0.yml', 'r1.yml'], ['r2.yml'], ['r3.yml'], ['r4.yml', 'r5.yml']]);
    for (const b of batches) if (b.length > 1) expect(b.reduce((n, f) => n + encodedSize(f), 0)).toBeLessThanOrEqual(700);
    expect(ruleBatches(files.slice(4), 700, 1).map((b) => b.length)).toEqual([1, 1]);
    expect(ruleBatches([])).toEqual([]);
  });

  it('counts what the socket counts: JSON escapes and UTF-8 bytes, not characters', async () => {
    const { encodedSize, oversized } = await import('../../renderer/panels/rule-batches.ts');
    // 400,000 backslashes are 800,000 bytes once JSON-escaped; 300,000 "é" are 600,000 UTF-8 bytes.
    const paths = { name: 'paths.yml', text: '\\'.repeat(400_000) };
    const accents = { name: 'accents.yml', text: 'é'.repeat(300_000) };
    expect(encodedSize(paths)).toBeGreaterThan(800_000);
    expect(encodedSize(accents)).toBeGreaterThan(600_000);
    expect(oversized([paths, accents])).toBeNull();
    const tooBig = { name: 'big.yml', text: '\\'.repeat(600_000) };
    expect(tooBig.text.length).toBeLessThan(1024 * 1024);
    expect(oversized([paths, tooBig])).toBe(tooBig);
  });
});
