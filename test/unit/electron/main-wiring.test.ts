// main.ts with the real host service behind a faked Electron: IPC reaches the host, picks and drops register files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
  appEvents: new Map<string, (...a: unknown[]) => void>(),
  userData: '',
  quit: 0,
  onQuit: (): void => undefined,
}));

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  class BrowserWindow extends EventEmitter {
    webContents = Object.assign(new EventEmitter(), { isDestroyed: () => false, getURL: () => 'app://hopscope/index.html', send: () => undefined });
    loadURL() {
      return Promise.resolve();
    }
    show() {}
    static getFocusedWindow() {
      return null;
    }
  }
  const noop = () => undefined;
  return {
    app: {
      isPackaged: false,
      requestSingleInstanceLock: () => true,
      enableSandbox: noop,
      on: (name: string, fn: (...a: unknown[]) => void) => fake.appEvents.set(name, fn),
      whenReady: () => Promise.resolve(),
      quit: () => {
        fake.quit++;
        fake.onQuit();
      },
      exit: noop,
      getPath: () => fake.userData,
      getVersion: () => '9.9.9',
    },
    protocol: { registerSchemesAsPrivileged: noop, handle: noop },
    session: { defaultSession: { setPermissionRequestHandler: noop, setPermissionCheckHandler: noop, setDevicePermissionHandler: noop, setDisplayMediaRequestHandler: noop, setSpellCheckerEnabled: noop, webRequest: { onBeforeRequest: noop } } },
    shell: { openExternal: vi.fn() },
    dialog: { showErrorBox: vi.fn(), showOpenDialog: vi.fn(), showMessageBox: vi.fn() },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: noop },
    ipcMain: {
      handle: (ch: string, fn: (event: unknown, ...args: unknown[]) => Promise<unknown>) => fake.handlers.set(ch, fn),
      removeHandler: noop,
    },
    BrowserWindow,
  };
});

const dir = mkdtempSync(join(tmpdir(), 'hopscope-wiring-'));
fake.userData = join(dir, 'userData');
const evidence = join(dir, 'log.csv');
writeFileSync(evidence, '_time,host,process\n2024-01-01T00:00:00Z,H1,cmd.exe\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const argv = process.argv;
process.argv = ['/opt/hopscope/hopscope'];
await import('../../../main/electron/main.ts');
await new Promise((r) => setImmediate(r));
process.argv = argv;
const electron = await import('electron');

const frame = { url: 'app://hopscope/index.html', parent: null, frameTreeNodeId: 1 };
const appEvent = { sender: { mainFrame: frame }, senderFrame: frame };
type Reply = { ok: boolean; res?: any; error?: { code: string } };
const call = (channel: string, req: unknown) => fake.handlers.get('hopscope:call')!(appEvent, { channel, req }) as Promise<Reply>;

describe('main.ts wiring with the real host service', () => {
  it('answers app.info in electron mode with the bundled samples', async () => {
    const r = await call('app.info', {});
    expect(r.ok).toBe(true);
    expect(r.res).toMatchObject({ name: 'Hopscope', version: '9.9.9', mode: 'electron' });
    expect(r.res.samples.length).toBeGreaterThan(0);
  });

  it('files.pick shows the dialog and returns handles for the chosen files', async () => {
    vi.mocked(electron.dialog.showOpenDialog).mockResolvedValueOnce({ canceled: false, filePaths: [evidence] });
    const r = await call('files.pick', {});
    expect(r.ok).toBe(true);
    expect(r.res).toEqual([expect.objectContaining({ name: 'log.csv', bytes: expect.any(Number) })]);
  });

  it('a dropped file is registered through the host', async () => {
    const r = (await fake.handlers.get('hopscope:registerDropped')!(appEvent, evidence)) as Reply;
    expect(r).toMatchObject({ ok: true, res: { name: 'log.csv' } });
  });

  it('a host-side refusal comes back as an error envelope', async () => {
    const r = await call('case.open', { handles: ['not-a-handle'] });
    expect(r.ok).toBe(false);
    expect(typeof r.error?.code).toBe('string');
  });

  it('quitting closes the host service, then quits', async () => {
    const quitted = new Promise<void>((r) => {
      fake.onQuit = r;
    });
    const ev = { preventDefault: vi.fn() };
    fake.appEvents.get('will-quit')!(ev);
    expect(ev.preventDefault).toHaveBeenCalledTimes(1);
    expect(fake.quit).toBe(0);
    await quitted;
    expect(fake.quit).toBe(1);
  });
});
