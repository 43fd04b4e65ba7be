// HopscopeApi over the browser-mode WebSocket (`ws://<host>/api?token=`) plus HTTP upload (`POST /upload`).
// Invariant: requests made before the socket opens are queued; requests in flight when it drops are rejected
// (never silently re-sent: `case.open` must not run twice); the socket reconnects with capped backoff.
import type { Channel, EvidenceHandle, FileLike, HopscopeApi, HostPush, Req, Res } from '../../engine/rpc/api.ts';
import type { ErrorCode } from '../../engine/model/errors.ts';
import { ApiError, unwrapEnvelope } from './api-error.ts';

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
}

export interface WsApiOptions {
  /** Page origin host (`127.0.0.1:PORT`). */
  host: string;
  token: string;
  WebSocketImpl?: new (url: string) => SocketLike;
  fetchImpl?: typeof fetch;
  /** Backoff bounds in ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

const OPEN = 1;

export class WsApi implements HopscopeApi {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private queue: string[] = [];
  private readonly listeners = new Set<(push: HostPush) => void>();
  private delayMs: number;
  private closed = false;
  private readonly opts: Required<Omit<WsApiOptions, 'WebSocketImpl' | 'fetchImpl'>> & Pick<WsApiOptions, 'WebSocketImpl' | 'fetchImpl'>;

  constructor(opts: WsApiOptions) {
    this.opts = { minDelayMs: 250, maxDelayMs: 5000, ...opts };
    this.delayMs = this.opts.minDelayMs;
    this.connect();
  }

  /** Without a page token (a reload after the URL lost it) the HttpOnly cookie authenticates; an empty token would be refused. */
  get url(): string {
    return `ws://${this.opts.host}/api${this.opts.token ? `?token=${encodeURIComponent(this.opts.token)}` : ''}`;
  }

  call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>> {
    if (this.closed) return Promise.reject(new ApiError({ code: 'E_IO', message: 'connection to Hopscope closed' }));
    const id = this.nextId++;
    const frame = JSON.stringify({ id, channel, req });
    return new Promise<Res<C>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.socket && this.socket.readyState === OPEN) this.socket.send(frame);
      else this.queue.push(frame);
    });
  }

  subscribe(listener: (push: HostPush) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async upload(file: FileLike): Promise<EvidenceHandle> {
    const doFetch = this.opts.fetchImpl ?? fetch;
    const res = await doFetch('/upload?name=' + encodeURIComponent(file.name), {
      method: 'POST',
      body: file as unknown as Blob,
      headers: this.opts.token ? { 'X-Hopscope-Token': this.opts.token } : {},
    });
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (!res.ok) {
      // The server answers failures with an ErrorInfo, bare or as `{error}`.
      const b = body as { error?: unknown; code?: unknown; message?: unknown } | null;
      const err = (b && typeof b.error === 'object' ? b.error : b) as { code?: unknown; message?: unknown } | null;
      throw new ApiError(
        err && typeof err.code === 'string' && typeof err.message === 'string'
          ? { code: err.code as ErrorCode, message: err.message }
          : { code: 'E_IO', message: `upload of ${file.name} failed (HTTP ${res.status})` },
      );
    }
    // Accept both a bare EvidenceHandle and an `{ok,res}` envelope.
    return typeof body === 'object' && body !== null && 'ok' in body ? unwrapEnvelope<EvidenceHandle>(body) : (body as EvidenceHandle);
  }

  /** Stops reconnecting and rejects everything outstanding. */
  close(): void {
    this.closed = true;
    this.socket?.close();
    this.failAll('connection to Hopscope closed');
  }

  private connect(): void {
    const Impl = this.opts.WebSocketImpl ?? (WebSocket as unknown as new (url: string) => SocketLike);
    const socket = new Impl(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.delayMs = this.opts.minDelayMs;
      const queued = this.queue;
      this.queue = [];
      for (const frame of queued) socket.send(frame);
    };
    socket.onmessage = (ev) => this.onMessage(ev.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      // Frames still queued were never sent: keep them for the next socket; in-flight ones are lost.
      const queuedIds = new Set(this.queue.map((f) => (JSON.parse(f) as { id: number }).id));
      for (const [id, p] of this.pending) {
        if (queuedIds.has(id)) continue;
        this.pending.delete(id);
        p.reject(new ApiError({ code: 'E_IO', message: 'connection to Hopscope lost; please retry' }));
      }
      if (this.closed) return;
      const delay = this.delayMs;
      this.delayMs = Math.min(this.opts.maxDelayMs, this.delayMs * 2);
      setTimeout(() => {
        if (!this.closed) this.connect();
      }, delay);
    };
    socket.onerror = () => {
      // onclose follows and schedules the reconnect.
    };
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    if ('push' in msg) {
      const push = (msg as { push: HostPush }).push;
      for (const l of [...this.listeners]) l(push);
      return;
    }
    const id = (msg as { id?: unknown }).id;
    if (typeof id !== 'number') return;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    try {
      p.resolve(unwrapEnvelope(msg));
    } catch (e) {
      p.reject(e);
    }
  }

  private failAll(message: string): void {
    this.queue = [];
    for (const [, p] of this.pending) p.reject(new ApiError({ code: 'E_IO', message }));
    this.pending.clear();
  }
}
