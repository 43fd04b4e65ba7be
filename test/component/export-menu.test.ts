// ExportMenu: asks the host for the report in the chosen format; browser mode downloads the returned text,
// Electron reports where the host saved it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import ExportMenu from '../../renderer/panels/ExportMenu.svelte';
import { FakeApi } from './fake-api.ts';

function withExport(api: FakeApi, res: unknown): void {
  const orig = api.call.bind(api);
  api.call = (async (channel: string, req: unknown) => {
    if (channel === 'case.export') {
      api.calls.push({ channel: 'case.export', req });
      return res;
    }
    return orig(channel as never, req as never);
  }) as typeof api.call;
}

afterEach(() => vi.restoreAllMocks());

describe('ExportMenu', () => {
  it('downloads the report text in browser mode', async () => {
    const api = new FakeApi();
    withExport(api, { fileName: 'hopscope-report.csv', mime: 'text/csv', bytes: 12, text: 'a,b\n<b>x</b>,2\n' });
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => {
      created.push(b);
      return 'blob:fake';
    }) as typeof URL.createObjectURL;
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    render(ExportMenu, { api, onerror: vi.fn() });
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Report format' }), 'csv');
    await userEvent.click(screen.getByRole('button', { name: 'Export report' }));
    expect(api.callsTo('case.export')).toEqual([{ format: 'csv' }]);
    expect(click).toHaveBeenCalledTimes(1);
    const text = await new Promise<string>((resolve) => {
      const fr = new FileReader();
      fr.onload = () => resolve(String(fr.result));
      fr.readAsText(created[0]!);
    });
    expect(text).toBe('a,b\n<b>x</b>,2\n');
    expect(screen.getByRole('status')).toHaveTextContent('Downloaded hopscope-report.csv');
  });

  it('reports where Electron saved a finding report', async () => {
    const api = new FakeApi();
    withExport(api, { fileName: 'r.html', mime: 'text/html', bytes: 10, savedTo: '/home/a/r.html' });
    render(ExportMenu, { api, findingIds: ['f1'], onerror: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: 'Export finding' }));
    expect(api.callsTo('case.export')).toEqual([{ format: 'html', findingIds: ['f1'] }]);
    expect(screen.getByRole('status')).toHaveTextContent('Saved /home/a/r.html');
  });

  it('says so when the save dialog was cancelled', async () => {
    const api = new FakeApi();
    withExport(api, { fileName: 'r.html', mime: 'text/html', bytes: 10, savedTo: null });
    render(ExportMenu, { api, onerror: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: 'Export report' }));
    expect(screen.getByRole('status')).toHaveTextContent('Export cancelled');
  });

  it('offers PDF only in the desktop app and asks the host for it', async () => {
    const api = new FakeApi();
    withExport(api, { fileName: 'hopscope-report.pdf', mime: 'application/pdf', bytes: 10, savedTo: '/home/a/hopscope-report.pdf' });
    const { unmount } = render(ExportMenu, { api, onerror: vi.fn() });
    expect(screen.queryByRole('option', { name: 'PDF (print report)' })).toBeNull();
    unmount();
    render(ExportMenu, { api, pdf: true, onerror: vi.fn() });
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Report format' }), 'pdf');
    await userEvent.click(screen.getByRole('button', { name: 'Export report' }));
    expect(api.callsTo('case.export')).toEqual([{ format: 'pdf' }]);
    expect(screen.getByRole('status')).toHaveTextContent('Saved /home/a/hopscope-report.pdf');
  });
});
