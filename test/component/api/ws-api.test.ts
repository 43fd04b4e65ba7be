// WsApi: the browser-mode transport. Frames match the server's contract, requests wait for the socket,
// errors keep code and location, pushes reach subscribers, drops reject in-flight calls and reconnect.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WsApi } from '../../../renderer/api/ws-api.ts';
import { ApiError } from '../../../renderer/api/api-error.ts';

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.(new Event('close') as CloseEvent);
  }
  reply(msg: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(msg) }));
  }
  frames(): Array<{ id: number; channel: string; req: unknown }> {
    return this.sent.map((s) => JSON.parse(s));
  }
}

afterEach(() => {
  FakeSocket.all = [];
  vi.useRealTimers();
});

function make(): WsApi {
  return new WsApi({ host: '127.0.0.1:4321', token: 'tok en', WebSocketImpl: FakeSocket, minDelayMs: 100, maxDelayMs: 400 });
}

describe('WsApi', () => {
  it('connects to /api with the page token and queues requests until open', async () => {
    const api = make();
    const sock = FakeSocket.all[0]!;
    expect(sock.url).toBe('ws://127.0.0.1:4321/api?token=tok%20en');
    const p = api.call('case.openSample', { id: 'demo' });
    expect(sock.sent).toHaveLength(0);
    sock.open();
    expect(sock.frames()).toEqual([{ id: 1, channel: 'case.openSample', req: { id: 'demo' } }]);
    sock.reply({ id: 1, ok: true, res: { jobId: 'j1' } });
    await expect(p).resolves.toEqual({ jobId: 'j1' });
  });

  it('rejects with the host error, keeping code and location', async () => {
    const api = make();
    const sock = FakeSocket.all[0]!;
    sock.open();
    const p = api.call('query.rows', { offset: 0, limit: 10 });
    sock.reply({ id: 1, ok: false, error: { code: 'E_USAGE', message: 'bad filter', location: { column: 4 } } });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'E_USAGE', message: 'bad filter', location: { column: 4 } });
  });

  it('delivers pushes to subscribers until they unsubscribe', () => {
    const api = make();
    const sock = FakeSocket.all[0]!;
    sock.open();
    const seen: unknown[] = [];
    const off = api.subscribe((p) => seen.push(p));
    const push = { type: 'progress', progress: { jobId: 'j', phase: 'parsing', bytesDone: 1, bytesTotal: 2, records: 0, rejected: 0, rate: 0 } };
    sock.reply({ push });
    off();
    sock.reply({ push });
    expect(seen).toEqual([push]);
  });

  it('rejects in-flight calls when the socket drops, reconnects with backoff and sends queued calls', async () => {
    vi.useFakeTimers();
    const api = make();
    const first = FakeSocket.all[0]!;
    first.open();
    const inflight = api.call('case.summary', {});
    first.drop();
    await expect(inflight).rejects.toMatchObject({ code: 'E_IO' });
    const queued = api.call('app.info', {});
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(FakeSocket.all).toHaveLength(2);
    const second = FakeSocket.all[1]!;
    second.drop();
    vi.advanceTimersByTime(199);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    const third = FakeSocket.all[2]!;
    third.open();
    expect(third.frames()).toEqual([{ id: 2, channel: 'app.info', req: {} }]);
    third.reply({ id: 2, ok: true, res: { name: 'Hopscope' } });
    await expect(queued).resolves.toEqual({ name: 'Hopscope' });
  });

  it('uploads with the token header and returns the handle', async () => {
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify({ id: 'h1', name: 'a b.csv', bytes: 3 }), { status: 200 }));
    const api = new WsApi({ host: '127.0.0.1:1', token: 'T', WebSocketImpl: FakeSocket, fetchImpl: fetchImpl as unknown as typeof fetch });
    const file = new File(['abc'], 'a b.csv');
    await expect(api.upload(file)).resolves.toEqual({ id: 'h1', name: 'a b.csv', bytes: 3 });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/upload?name=a%20b.csv');
    expect(init.method).toBe('POST');
    expect(init.body).toBe(file);
    expect(init.headers).toEqual({ 'X-Hopscope-Token': 'T' });
  });

  it('turns an upload refusal into an error with the server code', async () => {
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify({ code: 'E_USAGE', message: 'upload larger than 1 bytes' }), { status: 413 }));
    const api = new WsApi({ host: '127.0.0.1:1', token: 'T', WebSocketImpl: FakeSocket, fetchImpl: fetchImpl as unknown as typeof fetch });
    await expect(api.upload(new File(['abc'], 'x.csv'))).rejects.toMatchObject({ code: 'E_USAGE', message: 'upload larger than 1 bytes' });
  });

  it('relies on the cookie when the page has no token (never sends an empty one)', () => {
    new WsApi({ host: '127.0.0.1:4321', token: '', WebSocketImpl: FakeSocket });
    expect(FakeSocket.all[0]!.url).toBe('ws://127.0.0.1:4321/api');
  });
});
