// Worker integrity in the packaged app (issue 16, item 15): the engine and parse workers ship outside the asar, so the
// app checks their SHA-256 against the manifest the build puts inside it, before any worker starts; Electron is mocked.
import { join, resolve } from 'node:path';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256File, verifyWorkerFiles, WORKER_FILES } from '../../../main/electron/worker-integrity.ts';

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
      isPackaged: true,
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

const tmp = mkdtempSync(join(tmpdir(), 'hopscope-workers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function shipped(name: string, tamper?: string): { engine: string; manifest: string } {
  const engine = join(tmp, name, 'engine');
  mkdirSync(engine, { recursive: true });
  const hashes: Record<string, string> = {};
  for (const f of WORKER_FILES) {
    writeFileSync(join(engine, f), `export const worker = ${JSON.stringify(f)};\n`);
    hashes[f] = sha256File(join(engine, f));
  }
  const manifest = join(tmp, name, 'worker-hashes.json');
  writeFileSync(manifest, JSON.stringify(hashes));
  if (tamper) writeFileSync(join(engine, tamper), 'process.exit(0) // replaced\n');
  return { engine, manifest };
}

beforeEach(() => {
  fake.log.length = 0;
  fake.appEvents.clear();
  fake.windows.length = 0;
  fake.state.lock = true;
});

describe('worker integrity', () => {
  it('accepts the workers the build hashed', () => {
    const { engine, manifest } = shipped('ok');
    expect(verifyWorkerFiles(engine, manifest)).toBeNull();
  });

  it('names a replaced, missing or unlisted worker', () => {
    const a = shipped('tampered', 'parse-worker.mjs');
    expect(verifyWorkerFiles(a.engine, a.manifest)).toMatch(/parse-worker\.mjs is not the file this Hopscope was built with/);
    const b = shipped('missing');
    rmSync(join(b.engine, 'engine-worker.mjs'));
    expect(verifyWorkerFiles(b.engine, b.manifest)).toMatch(/engine-worker\.mjs cannot be read/);
    const c = shipped('unlisted');
    writeFileSync(c.manifest, JSON.stringify({ 'engine-worker.mjs': 'x' }));
    expect(verifyWorkerFiles(c.engine, c.manifest)).toMatch(/no SHA-256 for engine-worker\.mjs/);
    expect(verifyWorkerFiles(c.engine, join(tmp, 'none.json'))).toMatch(/cannot be read/);
  });

  it('the packaged app does not start the host when the workers cannot be verified', async () => {
    const { engine } = shipped('packaged', 'engine-worker.mjs');
    Object.defineProperty(process, 'resourcesPath', { value: join(engine, '..'), configurable: true });
    const factory = vi.fn(() => fakeHost());
    await start(factory);
    expect(factory).not.toHaveBeenCalled();
    expect(fake.log).toContain('errorBox:Hopscope cannot start');
    expect(fake.log).toContain('exit:1');
    expect(fake.windows).toHaveLength(0);
  });
});
