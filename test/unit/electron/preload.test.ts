// The preload façade: exactly three functions, no ipcRenderer, no IPC event, channel allow-list.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const onHandlers = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  return {
    exposed,
    onHandlers,
    contextBridge: { exposeInMainWorld: vi.fn((key: string, api: unknown) => exposed.set(key, api)) },
    ipcRenderer: {
      invoke: vi.fn(async (..._args: unknown[]): Promise<unknown> => ({ ok: true, res: 'result' })),
      on: vi.fn((ch: string, fn: (event: unknown, ...args: unknown[]) => void) => onHandlers.set(ch, fn)),
      send: vi.fn(),
      sendSync: vi.fn(),
    },
    webUtils: { getPathForFile: vi.fn((_f: unknown) => '/evidence/dropped.csv') },
  };
});
vi.mock('electron', () => ({ contextBridge: fake.contextBridge, ipcRenderer: fake.ipcRenderer, webUtils: fake.webUtils }));

await import('../../../main/electron/preload.ts');

type Api = {
  call(channel: unknown, req: unknown): Promise<unknown>;
  subscribe(listener: unknown): () => void;
  registerDropped(file: unknown): Promise<unknown>;
};
const api = () => fake.exposed.get('hopscope') as Api;

beforeEach(() => {
  fake.ipcRenderer.invoke.mockClear();
});

describe('preload', () => {
  it('exposes only window.hopscope with exactly call, subscribe, registerDropped', () => {
    expect(fake.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect([...fake.exposed.keys()]).toEqual(['hopscope']);
    const a = api();
    expect(Object.keys(a).sort()).toEqual(['call', 'registerDropped', 'subscribe']);
    for (const v of Object.values(a)) expect(typeof v).toBe('function');
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.values(a)).not.toContain(fake.ipcRenderer);
  });

  it('sends a contract channel as one invoke of hopscope:call and passes the envelope through', async () => {
    await expect(api().call('app.info', {})).resolves.toEqual({ ok: true, res: 'result' });
    expect(fake.ipcRenderer.invoke).toHaveBeenCalledWith('hopscope:call', { channel: 'app.info', req: {} });
  });

  it('refuses channels outside the API contract without touching IPC', async () => {
    for (const ch of ['hopscope:registerDropped', 'fs.readFile', '__proto__', 'toString', 42]) {
      await expect(api().call(ch, {})).resolves.toMatchObject({ ok: false, error: { code: 'E_PROTOCOL' } });
    }
    expect(fake.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('passes the host error envelope through as data', async () => {
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: { code: 'E_IO', message: 'gone' } });
    await expect(api().call('app.info', {})).resolves.toEqual({ ok: false, error: { code: 'E_IO', message: 'gone' } });
  });

  it('turns a malformed reply or a failed invoke into an error envelope, never a raw rejection', async () => {
    fake.ipcRenderer.invoke.mockResolvedValueOnce('not an envelope');
    await expect(api().call('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'E_PROTOCOL' } });
    fake.ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'hopscope:call'"));
    await expect(api().call('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'E_INTERNAL' } });
  });

  it('delivers pushes without the IpcRendererEvent and stops after unsubscribe', () => {
    const got: unknown[][] = [];
    const un = api().subscribe((...args: unknown[]) => got.push(args));
    const ipcEvent = { sender: fake.ipcRenderer, ports: [] };
    const push = { type: 'error', error: { code: 'E_IO', message: 'x' } };
    fake.onHandlers.get('hopscope:push')!(ipcEvent, push);
    expect(got).toEqual([[push]]);
    un();
    fake.onHandlers.get('hopscope:push')!(ipcEvent, push);
    expect(got).toHaveLength(1);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const seen: unknown[] = [];
    const un1 = api().subscribe(() => {
      throw new Error('bad listener');
    });
    const un2 = api().subscribe((p: unknown) => seen.push(p));
    fake.onHandlers.get('hopscope:push')!({}, { type: 'progress' });
    expect(seen).toEqual([{ type: 'progress' }]);
    un1();
    un2();
  });

  it('refuses a non-function listener', () => {
    expect(() => api().subscribe('alert(1)')).toThrow(TypeError);
  });

  it('registers a dropped File by the path webUtils resolves', async () => {
    const file = { name: 'dropped.csv', size: 3 };
    await api().registerDropped(file);
    expect(fake.webUtils.getPathForFile).toHaveBeenCalledWith(file);
    expect(fake.ipcRenderer.invoke).toHaveBeenCalledWith('hopscope:registerDropped', '/evidence/dropped.csv');
  });

  it('refuses a File that has no path on disk (constructed by page script)', async () => {
    fake.webUtils.getPathForFile.mockReturnValueOnce('');
    await expect(api().registerDropped({ name: '/etc/passwd', size: 0 })).resolves.toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    fake.webUtils.getPathForFile.mockImplementationOnce(() => {
      throw new TypeError('not a File');
    });
    await expect(api().registerDropped('/etc/passwd')).resolves.toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
    expect(fake.ipcRenderer.invoke).not.toHaveBeenCalled();
  });
});
