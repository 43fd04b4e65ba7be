// MappingDialog: guesses columns from their names, saves the mapping for the header signature and reopens
// the file by its handle; hostile column names stay text.
import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import MappingDialog from '../../renderer/panels/MappingDialog.svelte';
import { AppState } from '../../renderer/state/app-state.svelte.ts';
import { FakeApi } from './fake-api.ts';

const request = {
  type: 'needs-mapping' as const,
  file: 'odd-export.csv',
  handle: 'h1',
  signature: 'sig-123',
  container: 'csv',
  columns: ['EventTime', 'Computer', 'CommandLine', 'Image', 'ParentImage', 'User', '<img src=x onerror=alert(1)>'],
};

describe('MappingDialog', () => {
  it('saves the guessed mapping (after a change) and reopens the file', async () => {
    const api = new FakeApi();
    const onreopen = vi.fn();
    const onclose = vi.fn();
    const { container } = render(MappingDialog, { api, request, onreopen, onclose, onerror: vi.fn() });
    expect(screen.getByRole('dialog', { name: 'Which columns are which?' })).toBeInTheDocument();
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByRole('combobox', { name: 'Time (required)' })).toHaveValue('EventTime');
    expect(screen.getByRole('combobox', { name: 'Host' })).toHaveValue('Computer');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'User' }), '');
    await userEvent.click(screen.getByRole('button', { name: 'Save and open' }));
    expect(api.callsTo('files.setMapping')).toEqual([
      {
        signature: 'sig-123',
        mapping: { time: 'EventTime', host: 'Computer', fields: { process: 'CommandLine', process_name: 'Image', parent_process_name: 'ParentImage' } },
      },
    ]);
    expect(onreopen).toHaveBeenCalledWith('h1');
    expect(onclose).toHaveBeenCalled();
  });

  it('guesses the short names of a home-made EDR export (When, Machine, Account, Exe, CmdLine, ParentExe)', () => {
    render(MappingDialog, { api: new FakeApi(), request: { ...request, columns: ['When', 'Machine', 'Account', 'Exe', 'CmdLine', 'ParentExe'] }, onreopen: vi.fn(), onclose: vi.fn(), onerror: vi.fn() });
    const value = (name: string) => (screen.getByRole('combobox', { name }) as HTMLSelectElement).value;
    expect(['Time (required)', 'Host', 'User', 'Process name', 'Command line', 'Parent process name', 'Parent command line'].map(value)).toEqual(['When', 'Machine', 'Account', 'Exe', 'CmdLine', 'ParentExe', '']);
  });

  it('cannot be saved without a time column', async () => {
    const api = new FakeApi();
    render(MappingDialog, { api, request: { ...request, columns: ['a', 'b'] }, onreopen: vi.fn(), onclose: vi.fn(), onerror: vi.fn() });
    expect(screen.getByRole('button', { name: 'Save and open' })).toBeDisabled();
  });

  it('the app state keeps the request from the host push', () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.onPush(request);
    expect(app.mapping).toEqual(request);
  });
});
