// App lifecycle: single instance, sandbox and scheme before ready, host wiring, quit paths.
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const log: string[] = [];
  const state = { lock: true, ready: Promise.resolve() as Promise<void> };
  const appEvents = new Map<string, (...a: unknown[]) => void>();
  const windows: unknown[] = [];
  return { log, state, appEvents, windows };
});

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  class BrowserWindow extends EventEmitter {
    webContents = Object.assign(new EventEmitter(), { isDestroyed: () => false, getURL: () => 'app://hopscope/index.html', send: () => undefined });
    constructor(public options: unknown) {
      super();
      fake.log.push('window');
      fake.windows.push(this);
    }
    loadURL() {
      return Promise.resolve();
    }
    show() {}
    static fromWebContents() {
      return null;
    }
    static getFocusedWindow() {
      return null;
    }
    isMinimized() {
      return false;
    }
    focus() {
      fake.log.push('focus');
    }
  }
  return {
    app: {
      isPackaged: false,
      requestSingleInstanceLock: vi.fn(() => fake.state.lock),
      enableSandbox: vi.fn(() => fake.log.push('enableSandbox')),
      on: vi.fn((name: string, fn: (...a: unknown[]) => void) => fake.appEvents.set(name, fn)),
      whenReady: vi.fn(() => fake.state.ready.then(() => fake.log.push('ready'))),
      quit: vi.fn(() => fake.log.push('quit')),
      exit: vi.fn((code: number) => fake.log.push(`exit:${code}`)),
      getPath: vi.fn((name: string) => `/users/me/${name}`),
      getVersion: () => '0.1.0',
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn(() => fake.log.push('registerScheme')),
      handle: vi.fn(() => fake.log.push('protocol.handle')),
    },
    session: { defaultSession: { setPermissionRequestHandler: () => fake.log.push('session.permissions'), setPermissionCheckHandler() {}, setDevicePermissionHandler() {}, setDisplayMediaRequestHandler() {}, setSpellCheckerEnabled() {}, webRequest: { onBeforeRequest() {} } } },
    shell: { openExternal: vi.fn() },
    dialog: { showErrorBox: vi.fn((t: string) => fake.log.push(`errorBox:${t}`)), showOpenDialog: vi.fn(), showMessageBox: vi.fn() },
    Menu: { buildFromTemplate: vi.fn((t: unknown) => t), setApplicationMenu: vi.fn(() => fake.log.push('menu')) },
    ipcMain: { handle: vi.fn((ch: string) => fake.log.push(`ipc:${ch}`)), removeHandler: vi.fn() },
    BrowserWindow,
  };
});

const electron = await import('electron');

function fakeHost() {
  return {
    call: vi.fn(async () => ({ jobId: 'j1' })),
    subscribe: vi.fn(() => () => undefined),
    registerPath: vi.fn((p: string) => ({ id: p, name: p, bytes: 0 })),
    close: vi.fn(async () => {
      fake.log.push('host.close');
    }),
  };
}

async function start(factory: ((o: unknown) => unknown) | null) {
  vi.resetModules();
  const { startApp } = await import('../../../main/electron/lifecycle.ts');
  startApp(factory as never);
  await fake.state.ready;
  await new Promise((r) => setImmediate(r));
}

beforeEach(() => {
  fake.log.length = 0;
  fake.appEvents.clear();
  fake.windows.length = 0;
  fake.state.lock = true;
  vi.mocked(electron.app.quit).mockClear();
});

describe('startApp', () => {
  it('a second instance quits without a window or host', async () => {
    fake.state.lock = false;
    const factory = vi.fn(() => fakeHost());
    await start(factory);
    expect(fake.log).toContain('quit');
    expect(fake.windows).toHaveLength(0);
    expect(factory).not.toHaveBeenCalled();
  });

  it('enables the sandbox and registers the scheme before ready, then serves and opens one window', async () => {
    const host = fakeHost();
    await start(() => host);
    const at = (s: string) => fake.log.indexOf(s);
    expect(at('enableSandbox')).toBeGreaterThanOrEqual(0);
    expect(at('enableSandbox')).toBeLessThan(at('ready'));
    expect(at('registerScheme')).toBeLessThan(at('ready'));
    expect(at('protocol.handle')).toBeGreaterThan(at('ready'));
    expect(at('ipc:hopscope:call')).toBeLessThan(at('window'));
    expect(at('session.permissions')).toBeGreaterThanOrEqual(0);
    expect(at('session.permissions')).toBeLessThan(at('window'));
    expect(fake.windows).toHaveLength(1);
    expect(host.subscribe).toHaveBeenCalledTimes(1);
  });

  it('creates the host in electron mode with repo resources and the userData dir', async () => {
    const factory = vi.fn(() => fakeHost());
    await start(factory);
    expect(factory).toHaveBeenCalledTimes(1);
    const repo = resolve(import.meta.dirname, '..', '..', '..');
    expect(factory.mock.calls[0]).toEqual([
      {
        mode: 'electron',
        resourcesDir: join(repo, 'resources'),
        userDataDir: '/users/me/userData',
        preopened: expect.any(Array),
        version: '0.1.0',
        pickFiles: expect.any(Function),
        chooseSavePath: expect.any(Function),
        printToPdf: expect.any(Function),
        // Source layout here; bundled, dist/electron/main.cjs points at dist/host/engine-worker.js the same way.
        workerPath: join(repo, 'main', 'host', 'engine-worker.js'),
      },
    ]);
  });

  it('without a host service shows an error and exits instead of opening a window', async () => {
    await start(null);
    expect(fake.log.some((l) => l.startsWith('errorBox:'))).toBe(true);
    expect(fake.log).toContain('exit:1');
    expect(fake.windows).toHaveLength(0);
  });

  it('a host that fails to start is reported, not thrown', async () => {
    await start(() => {
      throw new Error('no worker');
    });
    expect(fake.log).toContain('exit:1');
    expect(fake.windows).toHaveLength(0);
  });

  it('quits when all windows close, closing the host first', async () => {
    const host = fakeHost();
    await start(() => host);
    fake.appEvents.get('window-all-closed')!();
    expect(fake.log).toContain('quit');
    const ev = { preventDefault: vi.fn() };
    fake.appEvents.get('will-quit')!(ev);
    expect(ev.preventDefault).toHaveBeenCalledTimes(1);
    await new Promise((r) => setImmediate(r));
    expect(host.close).toHaveBeenCalledTimes(1);
    expect(fake.log.lastIndexOf('quit')).toBeGreaterThan(fake.log.indexOf('host.close'));
    const again = { preventDefault: vi.fn() };
    fake.appEvents.get('will-quit')!(again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });

  it("gives the host a pickFiles hook that returns the dialog's choice, or nothing when cancelled", async () => {
    const factory = vi.fn((_o: { pickFiles: () => Promise<string[]> }) => fakeHost());
    await start(factory as never);
    const { pickFiles } = factory.mock.calls[0]![0];
    vi.mocked(electron.dialog.showOpenDialog).mockResolvedValueOnce({ canceled: false, filePaths: ['/cases/a.csv'] });
    await expect(pickFiles()).resolves.toEqual(['/cases/a.csv']);
    vi.mocked(electron.dialog.showOpenDialog).mockResolvedValueOnce({ canceled: true, filePaths: ['/ignored'] });
    await expect(pickFiles()).resolves.toEqual([]);
  });

  it('picks folders with a directory dialog (the host opens each as the log files in it), files with a filtered file dialog', async () => {
    const factory = vi.fn((_o: { pickFiles: (folder?: boolean) => Promise<string[]> }) => fakeHost());
    await start(factory as never);
    const { pickFiles } = factory.mock.calls[0]![0];
    const dialogOpts = () => vi.mocked(electron.dialog.showOpenDialog).mock.calls.at(-1)!.at(-1) as { properties: string[]; filters?: Array<{ extensions: string[] }> };
    vi.mocked(electron.dialog.showOpenDialog).mockResolvedValueOnce({ canceled: false, filePaths: ['/cases/Logs'] });
    await expect(pickFiles(true)).resolves.toEqual(['/cases/Logs']);
    expect(dialogOpts().properties).toEqual(['openDirectory', 'multiSelections']);
    vi.mocked(electron.dialog.showOpenDialog).mockResolvedValueOnce({ canceled: false, filePaths: ['/cases/Security.evtx'] });
    await pickFiles(false);
    expect(dialogOpts().properties).toEqual(['openFile', 'multiSelections']);
    expect(dialogOpts().filters![0]!.extensions).toContain('evtx');
  });

  it('a second launch focuses the window and opens its files as a case', async () => {
    const host = fakeHost();
    await start(() => host);
    fake.appEvents.get('second-instance')!({}, ['/opt/hopscope', '/cases/b.xml'], '/cases');
    await new Promise((r) => setImmediate(r));
    expect(fake.log).toContain('focus');
    expect(host.registerPath).toHaveBeenCalledWith(resolve('/cases/b.xml'), 'cli');
    expect(host.call).toHaveBeenCalledWith('case.open', { handles: [resolve('/cases/b.xml')] });
  });
});
