// A locked case (issue 16 item 7): `takeOver` is a boolean or absent on every open, and the lock's owner
// (pid, host, since) survives every hop from the case store to the renderer: toInfo, the worker protocol's error
// check, JSON over the browser-mode WebSocket, the Electron IPC reply, the renderer's ApiError (which trusts only a
// well-formed owner).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';

vi.mock('electron', () => ({ ipcMain: { handle: vi.fn(), removeHandler: vi.fn(), on: vi.fn() } }));

import { HopscopeError, toErrorInfo } from '../../../engine/model/errors.ts';
import { parseWorkerMessage } from '../../../engine/rpc/protocol.ts';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import { startWebServer, type WebServer } from '../../../main/host/web-server.ts';
import { ApiError, toErrorInfo as rendererErrorInfo, unwrapEnvelope } from '../../../renderer/api/api-error.ts';

const { handleCall } = await import('../../../main/electron/ipc.ts');

const LOCK = { pid: 4242, host: 'FORENSIC-01', since: '2026-01-01T00:00:00.000Z' };
const locked = (): HopscopeError =>
  HopscopeError.locked('the case is open in another Hopscope process (pid 4242 on FORENSIC-01)', LOCK, { file: '/cases/abc' });

describe('takeOver in requests', () => {
  const opens = [
    ['case.open', { handles: ['h1'] }],
    ['case.openSample', { id: 'demo.csv' }],
    ['case.openRecent', { id: 'r1' }],
    ['case.reopen', { id: 'c1' }],
  ] as const;

  it.each(opens)('%s accepts takeOver true, false or absent', (channel, req) => {
    expect(validateRequest(channel, req).ok).toBe(true);
    expect(validateRequest(channel, { ...req, takeOver: true }).ok).toBe(true);
    expect(validateRequest(channel, { ...req, takeOver: false }).ok).toBe(true);
  });

  it.each(opens)('%s refuses a takeOver that is not a boolean', (channel, req) => {
    for (const bad of ['true', 1, 0, null, {}, [true]]) {
      const v = validateRequest(channel, { ...req, takeOver: bad });
      expect(v.ok, JSON.stringify(bad)).toBe(false);
      if (!v.ok) expect(v.error).toMatchObject({ code: 'E_PROTOCOL', message: expect.stringContaining('takeOver must be a boolean') });
    }
  });

  it('other channels do not grow a takeOver', () => {
    expect(validateRequest('case.cancel', { jobId: 'j', takeOver: true }).ok).toBe(false);
    expect(validateRequest('case.relocate', { sha256: 'a'.repeat(64), handle: 'h', takeOver: true }).ok).toBe(false);
  });
});

describe('the lock owner on every hop', () => {
  it('HopscopeError: toInfo, toErrorInfo and fromInfo keep it; other errors have none', () => {
    const info = toErrorInfo(locked());
    expect(info).toMatchObject({ code: 'E_CASE_LOCKED', lock: LOCK, location: { file: '/cases/abc' } });
    expect(HopscopeError.fromInfo(JSON.parse(JSON.stringify(info)))).toMatchObject({ code: 'E_CASE_LOCKED', lock: LOCK });
    expect(toErrorInfo(new HopscopeError('E_CASE', 'x'))).not.toHaveProperty('lock');
  });

  it('the worker protocol knows the code', () => {
    const parsed = parseWorkerMessage({ type: 'error', seq: 1, error: toErrorInfo(locked()) });
    expect(parsed.ok).toBe(true);
  });

  it('Electron IPC replies with it', async () => {
    const mainFrame = { url: 'app://hopscope/index.html', parent: null, frameTreeNodeId: 1 };
    const host = { call: vi.fn(async () => Promise.reject(locked())), subscribe: () => () => {}, registerPath: vi.fn(), close: vi.fn() };
    const reply = await handleCall({ host: host as never }, { sender: { mainFrame }, senderFrame: mainFrame } as never, { channel: 'case.reopen', req: { id: 'c1' } });
    expect(reply).toMatchObject({ ok: false, error: { code: 'E_CASE_LOCKED', lock: LOCK } });
    // ... and the renderer's bridge adapter turns that reply into an ApiError that still names the owner.
    let thrown: unknown;
    try {
      unwrapEnvelope(reply);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect(rendererErrorInfo(thrown)).toMatchObject({ code: 'E_CASE_LOCKED', lock: LOCK });
  });

  describe('browser mode', () => {
    let root: string;
    let server: WebServer;
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'hopscope-locked-'));
      await mkdir(join(root, 'renderer'), { recursive: true });
      await writeFile(join(root, 'renderer', 'index.html'), '<!doctype html><title>Hopscope</title>');
      server = await startWebServer({
        rendererDir: join(root, 'renderer'),
        host: {
          async call() {
            throw locked();
          },
          subscribe: () => () => {},
          registerPath: async () => ({ id: 'h', name: 'x', bytes: 0 }),
        },
      });
    });
    afterAll(async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    });

    it('the WebSocket reply carries it as JSON', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers: { Host: `127.0.0.1:${server.port}`, 'X-Hopscope-Token': server.token } });
      await new Promise<void>((ok, ko) => {
        ws.once('open', () => ok());
        ws.once('error', ko);
      });
      const reply = new Promise<unknown>((ok) => ws.once('message', (d) => ok(JSON.parse(String(d)))));
      ws.send(JSON.stringify({ id: 1, channel: 'case.open', req: { handles: ['h'] } }));
      const m = await reply;
      ws.close();
      expect(m).toMatchObject({ id: 1, ok: false, error: { code: 'E_CASE_LOCKED', lock: LOCK } });
      expect(() => unwrapEnvelope(m)).toThrow(expect.objectContaining({ lock: LOCK }));
    });
  });

  it('the renderer keeps only a well-formed owner, and only on E_CASE_LOCKED', () => {
    const base = { code: 'E_CASE_LOCKED' as const, message: 'locked' };
    expect(rendererErrorInfo({ ...base, lock: { pid: 7 } })).toEqual({ ...base, lock: { pid: 7 } });
    expect(rendererErrorInfo({ ...base, lock: { pid: '7', host: 'h' } })).toEqual(base);
    expect(rendererErrorInfo({ ...base, lock: { pid: 1.5 } })).toEqual(base);
    expect(rendererErrorInfo({ ...base, lock: 'pid 7' })).toEqual(base);
    expect(rendererErrorInfo({ ...base, lock: { pid: 7, host: 12, since: { at: 1 }, extra: '<b>' } })).toEqual({ ...base, lock: { pid: 7 } });
    expect(rendererErrorInfo({ code: 'E_CASE', message: 'x', lock: { pid: 7 } })).toEqual({ code: 'E_CASE', message: 'x' });
    expect(new ApiError({ ...base, lock: { pid: 7, host: 'h'.repeat(100_000) } } as never).lock?.host?.length).toBeLessThanOrEqual(256);
  });
});
