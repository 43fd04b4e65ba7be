// StartScreen: lists bundled samples and recent files; opening a sample reaches `case.openSample`.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import StartScreen from '../../renderer/panels/StartScreen.svelte';
import { AppState, type OpenRequest } from '../../renderer/state/app-state.svelte.ts';
import { FakeApi } from './fake-api.ts';

describe('StartScreen', () => {
  it('lists the bundled samples and opening one calls case.openSample', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    await app.start();
    const onopen = vi.fn((req) => app.open(req));
    render(StartScreen, { api, mode: 'browser', info: app.info, onopen, onerror: vi.fn() });
    const button = screen.getByRole('button', { name: /open bundled sample lateral-movement\.csv/i });
    await userEvent.click(button);
    expect(onopen).toHaveBeenCalledWith({ kind: 'sample', id: 'lateral-movement' });
    await waitFor(() => expect(api.callsTo('case.openSample')).toEqual([{ id: 'lateral-movement' }]));
    expect(app.screen).toBe('loading');
  });

  it('shows recent files as text and reopens them by id', async () => {
    const api = new FakeApi({
      recent: [{ kind: 'file', name: '<b>evil</b>.csv', path: '/cases/<img src=x onerror=alert(1)>.csv', id: 'r1', openedAt: '2024-03-05T15:00:00Z' }],
    });
    const onopen = vi.fn();
    const { container } = render(StartScreen, { api, mode: 'electron', info: null, onopen, onerror: vi.fn() });
    const button = await screen.findByRole('button', { name: '<b>evil</b>.csv' });
    expect(container.querySelector('img, b')).toBeNull();
    await userEvent.click(button);
    expect(onopen).toHaveBeenCalledWith({ kind: 'recent', id: 'r1' });
  });

  it('browser mode uploads chosen files and opens the returned handles', async () => {
    const api = new FakeApi();
    const onopen = vi.fn();
    const { container } = render(StartScreen, { api, mode: 'browser', info: null, onopen, onerror: vi.fn() });
    const input = container.querySelector('input[type=file]') as HTMLInputElement;
    expect(input.multiple).toBe(true);
    const files = [new File(['a'], 'a.csv'), new File(['bb'], 'b.xml')];
    await userEvent.upload(input, files);
    await waitFor(() => expect(onopen).toHaveBeenCalledWith({ kind: 'handles', handles: ['up-1', 'up-2'] }));
    expect(api.uploads.map((f) => f.name)).toEqual(['a.csv', 'b.xml']);
  });

  it('browser mode uploads the log files of a chosen folder and says what it passed over', async () => {
    const api = new FakeApi();
    const onopen = vi.fn();
    render(StartScreen, { api, mode: 'browser', info: null, onopen, onerror: vi.fn() });
    // The folder input is made on demand and clicked: catch it there, as the browser's folder dialog would get it.
    let picked: HTMLInputElement | null = null;
    const click = vi.spyOn(HTMLInputElement.prototype, 'click').mockImplementation(function (this: HTMLInputElement) {
      picked = this;
    });
    await userEvent.click(screen.getByRole('button', { name: 'Open folder…' }));
    click.mockRestore();
    const input = picked as unknown as HTMLInputElement;
    expect(input.hasAttribute('webkitdirectory')).toBe(true);
    const files = [new File(['a'], 'Security.evtx'), new File(['b'], 'desktop.ini'), new File(['c'], 'System.evtx')];
    await userEvent.upload(input, files);
    await waitFor(() => expect(onopen).toHaveBeenCalledWith({ kind: 'handles', handles: ['up-1', 'up-2'] }));
    expect(api.uploads.map((f) => f.name)).toEqual(['Security.evtx', 'System.evtx']);
    expect(screen.getByText(/1 file\(s\) in the folder are not log files by their names and were not opened: desktop\.ini/)).toBeInTheDocument();
  });

  it('Electron mode opens a folder through the native folder picker', async () => {
    const api = new FakeApi();
    const orig = api.call.bind(api);
    const asked: unknown[] = [];
    api.call = (async (channel: string, req: unknown) => {
      if (channel === 'files.pick') {
        asked.push(req);
        return [{ id: 'h8', name: 'Security.evtx', bytes: 3 }, { id: 'h9', name: 'System.evtx', bytes: 3 }];
      }
      return orig(channel as never, req as never);
    }) as typeof api.call;
    const onopen = vi.fn();
    render(StartScreen, { api, mode: 'electron', info: null, onopen, onerror: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: 'Open folder…' }));
    await waitFor(() => expect(onopen).toHaveBeenCalledWith({ kind: 'handles', handles: ['h8', 'h9'] }));
    expect(asked).toEqual([{ folder: true }]);
  });

  it('Electron mode opens files through the native picker', async () => {
    const api = new FakeApi();
    const orig = api.call.bind(api);
    api.call = (async (channel: string, req: unknown) =>
      channel === 'files.pick' ? [{ id: 'h7', name: 'x.csv', bytes: 3 }] : orig(channel as never, req as never)) as typeof api.call;
    const onopen = vi.fn();
    render(StartScreen, { api, mode: 'electron', info: null, onopen, onerror: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: 'Open file…' }));
    await waitFor(() => expect(onopen).toHaveBeenCalledWith({ kind: 'handles', handles: ['h7'] }));
  });

  it('lists recent cases; a reopen with changed evidence is kept for the relocate dialog', async () => {
    const api = new FakeApi({
      recentCases: [{ id: 'c1', name: 'Contoso IR', dir: '/cases/c1', openedAt: '2024-05-02T10:00:00Z', evidence: [{ name: 'sysmon.xml', sha256: 'a'.repeat(64) }] }],
      reopen: {
        jobId: null,
        checks: [
          { sha256: 'a'.repeat(64), path: '/ev/sysmon.xml', name: 'sysmon.xml', status: 'changed', actualSha256: 'b'.repeat(64) },
          { sha256: 'c'.repeat(64), path: '/ev/4688.csv', name: '4688.csv', status: 'ok' },
        ],
      },
    });
    const app = new AppState(api);
    render(StartScreen, { api, mode: 'browser', info: null, onopen: (req: OpenRequest) => app.open(req), onerror: vi.fn() });
    await userEvent.click(await screen.findByRole('button', { name: 'Contoso IR' }));
    await waitFor(() => expect(api.callsTo('case.reopen')).toEqual([{ id: 'c1' }]));
    expect(app.screen).toBe('start');
    expect(app.reopenProblem?.id).toBe('c1');
    expect(app.reopenProblem?.checks.map((c) => c.status)).toEqual(['changed', 'ok']);
  });
});
