// The IPC wrapper: sender checks (checklist #17), payload validation before the host, data-only replies.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  return {
    handlers,
    ipcMain: {
      handle: vi.fn((ch: string, fn: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(ch, fn)),
      removeHandler: vi.fn((ch: string) => handlers.delete(ch)),
      on: vi.fn(),
    },
  };
});
vi.mock('electron', () => ({ ipcMain: fake.ipcMain }));

const { registerIpc, attachPushes, senderProblem } = await import('../../../main/electron/ipc.ts');
import type { HostServiceLike } from '../../../main/electron/host-like.ts';

function fakeHost() {
  const listeners = new Set<(p: unknown) => void>();
  const host = {
    call: vi.fn(async (channel: string, req: unknown) => ({ echoed: channel, req })),
    subscribe: vi.fn((l: (p: unknown) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    }),
    registerPath: vi.fn((path: string, how: string) => ({ id: `h:${how}:${path}`, name: path, bytes: 1 })),
    close: vi.fn(async () => undefined),
    push: (p: unknown) => listeners.forEach((l) => l(p)),
    listeners,
  };
  return host;
}

interface Frame {
  url: string;
  parent: Frame | null;
  frameTreeNodeId: number;
}
function mainFrameEvent(url = 'app://hopscope/index.html') {
  const mainFrame: Frame = { url, parent: null, frameTreeNodeId: 1 };
  return { sender: { mainFrame }, senderFrame: mainFrame as Frame | null };
}

function setup() {
  fake.handlers.clear();
  const host = fakeHost();
  registerIpc({ host: host as unknown as HostServiceLike });
  const call = (event: unknown, payload: unknown) => fake.handlers.get('hopscope:call')!(event, payload) as Promise<{ ok: boolean; res?: unknown; error?: { code: string } }>;
  const dropped = (event: unknown, path: unknown) => fake.handlers.get('hopscope:registerDropped')!(event, path) as Promise<{ ok: boolean; res?: unknown; error?: { code: string } }>;
  return { host, call, dropped };
}

const VALID = { channel: 'query.rows', req: { offset: 0, limit: 50 } };

describe('hopscope:call', () => {
  it('registers exactly the two invoke channels', () => {
    setup();
    expect([...fake.handlers.keys()].sort()).toEqual(['hopscope:call', 'hopscope:registerDropped']);
  });

  it('accepts a valid call from the app main frame and calls the host once with the validated request', async () => {
    const { host, call } = setup();
    const r = await call(mainFrameEvent(), VALID);
    expect(r).toEqual({ ok: true, res: { echoed: 'query.rows', req: { offset: 0, limit: 50 } } });
    expect(host.call).toHaveBeenCalledTimes(1);
    expect(host.call).toHaveBeenCalledWith('query.rows', { offset: 0, limit: 50 });
  });

  it('refuses a sub-frame sender', async () => {
    const { host, call } = setup();
    const ev = mainFrameEvent();
    ev.senderFrame = { url: 'app://hopscope/index.html', parent: ev.sender.mainFrame, frameTreeNodeId: 2 };
    const r = await call(ev, VALID);
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('E_SECURITY');
    expect(host.call).not.toHaveBeenCalled();
  });

  it('refuses a sub-frame even when it carries the main frame id', async () => {
    const { host, call } = setup();
    const ev = mainFrameEvent();
    ev.senderFrame = { url: 'app://hopscope/index.html', parent: ev.sender.mainFrame, frameTreeNodeId: 1 };
    expect((await call(ev, VALID)).ok).toBe(false);
    expect(host.call).not.toHaveBeenCalled();
  });

  it('refuses a top-level frame that is not the main frame of its contents', async () => {
    const { host, call } = setup();
    const ev = mainFrameEvent();
    ev.senderFrame = { url: 'app://hopscope/index.html', parent: null, frameTreeNodeId: 7 };
    expect((await call(ev, VALID)).ok).toBe(false);
    expect(host.call).not.toHaveBeenCalled();
  });

  it('refuses a destroyed sender frame', async () => {
    const { host, call } = setup();
    const ev = mainFrameEvent();
    ev.senderFrame = null;
    expect((await call(ev, VALID)).ok).toBe(false);
    expect(host.call).not.toHaveBeenCalled();
  });

  for (const url of ['https://evil.example/', 'app://evil/index.html', 'app://hopscope.evil/index.html', 'file:///index.html', 'http://127.0.0.1:5173/', 'about:blank']) {
    it(`refuses a foreign-origin sender ${url}`, async () => {
      const { host, call } = setup();
      const r = await call(mainFrameEvent(url), VALID);
      expect(r).toMatchObject({ ok: false, error: { code: 'E_SECURITY' } });
      expect(host.call).not.toHaveBeenCalled();
    });
  }

  it('refuses an unknown channel', async () => {
    const { host, call } = setup();
    for (const channel of ['fs.readFile', '__proto__', 'constructor', 'toString', '']) {
      const r = await call(mainFrameEvent(), { channel, req: {} });
      expect(r).toMatchObject({ ok: false, error: { code: 'E_PROTOCOL' } });
    }
    expect(host.call).not.toHaveBeenCalled();
  });

  const malformed: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'query.rows'],
    ['an array', ['query.rows', {}]],
    ['an extra key', { ...VALID, extra: 1 }],
    ['a missing req', { channel: 'query.rows' }],
    ['a wrong-typed field', { channel: 'query.rows', req: { offset: '0', limit: 50 } }],
    ['an out-of-range number', { channel: 'query.rows', req: { offset: 0, limit: 1e9 } }],
    ['an extra request key', { channel: 'app.info', req: { x: 1 } }],
  ];
  for (const [name, payload] of malformed) {
    it(`refuses a malformed payload: ${name}`, async () => {
      const { host, call } = setup();
      const r = await call(mainFrameEvent(), payload);
      expect(r).toMatchObject({ ok: false, error: { code: 'E_PROTOCOL' } });
      expect(host.call).not.toHaveBeenCalled();
    });
  }

  it('turns a host failure into an error reply instead of throwing', async () => {
    const { host, call } = setup();
    host.call.mockRejectedValueOnce(new Error('boom'));
    await expect(call(mainFrameEvent(), VALID)).resolves.toEqual({ ok: false, error: { code: 'E_INTERNAL', message: 'boom' } });
  });

  it('leaves files.pick to the host (its dialog hook) after the same checks', async () => {
    const { host, call } = setup();
    await call(mainFrameEvent(), { channel: 'files.pick', req: {} });
    expect(host.call).toHaveBeenCalledWith('files.pick', {});
    await call(mainFrameEvent('https://evil.example/'), { channel: 'files.pick', req: {} });
    expect(host.call).toHaveBeenCalledTimes(1);
  });
});

describe('hopscope:registerDropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-drop-'));
  const file = join(dir, 'log.csv');
  writeFileSync(file, 'a,b\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers a dropped folder through the host, which opens it as the log files below it', async () => {
    fake.handlers.clear();
    const host = { ...fakeHost(), registerPaths: vi.fn(async (paths: readonly string[], how: string) => paths.map((p) => ({ id: `h:${how}:${p}`, name: p, bytes: 1 }))) };
    registerIpc({ host: host as unknown as HostServiceLike });
    const r = await (fake.handlers.get('hopscope:registerDropped')!(mainFrameEvent(), dir) as Promise<{ ok: boolean; res?: unknown }>);
    expect(r).toEqual({ ok: true, res: [{ id: `h:dropped:${dir}`, name: dir, bytes: 1 }] });
    expect(host.registerPaths).toHaveBeenCalledWith([dir], 'dropped');
    expect(host.registerPath).not.toHaveBeenCalled();
  });

  it('registers an existing regular file as dropped', async () => {
    const { host, dropped } = setup();
    const r = await dropped(mainFrameEvent(), file);
    expect(r.ok).toBe(true);
    expect(host.registerPath).toHaveBeenCalledTimes(1);
    expect(host.registerPath).toHaveBeenCalledWith(file, 'dropped');
  });

  const bad: Array<[string, unknown]> = [
    ['a relative path', 'log.csv'],
    ['a directory, to a host that cannot open folders', dir],
    ['a missing file', join(dir, 'missing.csv')],
    ['a NUL byte', `${file}\0.txt`],
    ['a UNC share', '\\\\attacker\\share\\x.csv'],
    ['a double-slash path', '//attacker/share/x.csv'],
    ['an empty string', ''],
    ['a non-string', { path: file }],
  ];
  for (const [name, p] of bad) {
    it(`refuses ${name}`, async () => {
      const { host, dropped } = setup();
      const r = await dropped(mainFrameEvent(), p);
      expect(r.ok).toBe(false);
      expect(host.registerPath).not.toHaveBeenCalled();
    });
  }

  it('refuses a foreign sender even with a valid path', async () => {
    const { host, dropped } = setup();
    const r = await dropped(mainFrameEvent('https://evil.example/'), file);
    expect(r).toMatchObject({ ok: false, error: { code: 'E_SECURITY' } });
    expect(host.registerPath).not.toHaveBeenCalled();
  });
});

describe('senderProblem', () => {
  it('is null only for the app main frame', () => {
    expect(senderProblem(mainFrameEvent() as never)).toBeNull();
    expect(senderProblem(mainFrameEvent('app://hopscope:1/') as never)).not.toBeNull();
  });
});

describe('attachPushes', () => {
  class Contents extends EventEmitter {
    url = 'app://hopscope/index.html';
    destroyed = false;
    sent: unknown[][] = [];
    isDestroyed() {
      return this.destroyed;
    }
    getURL() {
      return this.url;
    }
    send(...args: unknown[]) {
      this.sent.push(args);
    }
  }

  it('forwards pushes on hopscope:push and stops when the contents is destroyed', () => {
    const host = fakeHost();
    const c = new Contents();
    attachPushes(host as unknown as HostServiceLike, c as never);
    host.push({ type: 'error', error: { code: 'E_IO', message: 'x' } });
    expect(c.sent).toEqual([['hopscope:push', { type: 'error', error: { code: 'E_IO', message: 'x' } }]]);
    c.emit('destroyed');
    expect(host.listeners.size).toBe(0);
  });

  it('never sends to a contents showing another origin', () => {
    const host = fakeHost();
    const c = new Contents();
    c.url = 'https://evil.example/';
    attachPushes(host as unknown as HostServiceLike, c as never);
    host.push({ type: 'error', error: { code: 'E_IO', message: 'x' } });
    expect(c.sent).toEqual([]);
  });
});
