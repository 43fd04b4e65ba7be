// Browser-mode server: static renderer + WebSocket API + uploads, on 127.0.0.1 only, behind a per-launch token.
// Invariant: nothing is served or executed unless Host, Origin and token all check out; the renderer
// never names a path on disk, and no request can reach outside the renderer root.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, realpath, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { toErrorInfo, type ErrorInfo } from '../../engine/model/errors.ts';
import type { EvidenceHandle, HostPush } from '../../engine/rpc/api.ts';

/** What the server needs from the host service (kept narrow so tests can stub it). */
export interface WebHost {
  call(channel: string, req: unknown): Promise<unknown>;
  subscribe(listener: (push: HostPush) => void): () => void;
  registerPath(path: string, how: 'upload'): Promise<EvidenceHandle>;
}

export interface WebServerOptions {
  host: WebHost;
  /** Built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 (default) picks a random free port. */
  port?: number;
  /** For tests only; production always uses a fresh random token. */
  token?: string;
  maxUploadBytes?: number;
  maxMessageBytes?: number;
}

export interface WebServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const COOKIE = 'hopscope_token';
const TOKEN_HEADER = 'x-hopscope-token';
const DEFAULT_MAX_UPLOAD = 16 * 1024 ** 3;
const DEFAULT_MAX_MESSAGE = 1024 * 1024;

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time comparison; hashing first equalises lengths so timingSafeEqual never throws. */
export function tokenMatches(candidate: string | undefined, token: string): boolean {
  if (typeof candidate !== 'string' || candidate.length === 0) return false;
  return timingSafeEqual(digest(candidate), digest(token));
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function queryOf(rawUrl: string): URLSearchParams {
  const q = rawUrl.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
}

function rawPathOf(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const h = rawUrl.indexOf('#');
  let end = rawUrl.length;
  if (q >= 0) end = q;
  if (h >= 0 && h < end) end = h;
  return rawUrl.slice(0, end);
}

type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const maxUpload = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  const maxMessage = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
  const rendererRoot = resolve(opts.rendererDir);
  let port = 0;
  let uploadDir: string | null = null;

  const securityHeaders = (): Record<string, string> => ({
    'Content-Security-Policy':
      `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; ` +
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });

  /** DNS-rebinding and cross-site guard, then the token. */
  function check(req: IncomingMessage): Verdict {
    // Node keeps only the first of repeated Host/Origin headers: a request that repeats one is refused outright
    // (a proxy or a browser quirk could act on the other copy).
    if (repeatedHeader(req.rawHeaders, ['host', 'origin', 'sec-fetch-site', TOKEN_HEADER])) return { ok: false, status: 403, reason: 'repeated Host, Origin or token header' };
    const host = req.headers.host;
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return { ok: false, status: 403, reason: 'bad Host header' };
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
      return { ok: false, status: 403, reason: 'foreign Origin' };
    }
    // Defence in depth behind Origin: browsers label every request; anything cross-site is refused outright.
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return { ok: false, status: 403, reason: 'cross-site request' };
    const rawUrl = req.url ?? '/';
    const fromQuery = queryOf(rawUrl).get('token') ?? undefined;
    const header = req.headers[TOKEN_HEADER];
    const fromHeader = typeof header === 'string' ? header : undefined;
    const fromCookie = parseCookies(req.headers.cookie).get(COOKIE);
    // The most explicit credential decides: cookies are shared by every port of 127.0.0.1, so a stale one
    // from an earlier launch must not lock out a request that carries this launch's token.
    const presented = fromQuery ?? fromHeader ?? fromCookie;
    if (presented === undefined) return { ok: false, status: 401, reason: 'missing token' };
    if (!tokenMatches(presented, token)) return { ok: false, status: 403, reason: 'bad token' };
    return { ok: true, viaQuery: fromQuery !== undefined };
  }

  function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...securityHeaders(), 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
    res.end(body);
  }

  /** Map a raw request path to a file under the renderer root, or null (refused). */
  async function resolveStatic(rawPath: string): Promise<string | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return null;
    }
    if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
    const segments = decoded.split('/').slice(1);
    if (segments.some((s) => s === '..' || s === '.' || /^[a-zA-Z]:/.test(s))) return null;
    if (decoded === '/') segments.splice(0, segments.length, 'index.html');
    if (segments.some((s) => s === '')) return null;
    if (segments.some((s) => s.startsWith('.'))) return null;
    const file = join(rendererRoot, ...segments);
    if (!file.startsWith(rendererRoot + sep)) return null;
    if (!(extname(file).toLowerCase() in MIME)) return null;
    try {
      const real = await realpath(file);
      const realRoot = await realpath(rendererRoot);
      if (!real.startsWith(realRoot + sep)) return null;
      return real;
    } catch {
      return null;
    }
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, viaQuery: boolean): Promise<void> {
    const rawPath = rawPathOf(req.url ?? '/');
    const file = await resolveStatic(rawPath);
    // Browsers ask for a favicon unprompted; answering 204 keeps the console free of a noisy 404.
    if (!file && rawPath === '/favicon.ico') return send(res, 204, '');
    if (!file) return send(res, 404, 'not found');
    let body: Buffer;
    try {
      const fh = await open(file, 'r');
      try {
        body = await fh.readFile();
      } finally {
        await fh.close();
      }
    } catch {
      return send(res, 404, 'not found');
    }
    const extra: Record<string, string> = {};
    const isIndex = rawPath === '/' || rawPath === '/index.html';
    if (isIndex && viaQuery) extra['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    send(res, 200, body, MIME[extname(file).toLowerCase()] ?? 'application/octet-stream', extra);
  }

  async function ensureUploadDir(): Promise<string> {
    if (!uploadDir) uploadDir = await mkdtemp(join(tmpdir(), 'hopscope-upload-'));
    return uploadDir;
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const name = sanitizeUploadName(queryOf(req.url ?? '').get('name') ?? '');
    if (!name) return send(res, 400, JSON.stringify({ code: 'E_USAGE', message: 'upload needs ?name=' }), 'application/json');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxUpload) {
      req.resume();
      return send(res, 413, JSON.stringify({ code: 'E_USAGE', message: `upload larger than ${maxUpload} bytes` }), 'application/json', { Connection: 'close' });
    }
    const dir = join(await ensureUploadDir(), randomBytes(8).toString('hex'));
    await mkdir(dir, { mode: 0o700 });
    const file = join(dir, name);
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    let received = 0;
    let tooLarge = false;
    await new Promise<void>((done) => {
      const finish = (): void => done();
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxUpload && !tooLarge) {
          tooLarge = true;
          req.unpipe(out);
          out.destroy();
          req.resume();
        }
      });
      req.on('error', finish);
      req.on('aborted', finish);
      out.on('error', finish);
      out.on('close', finish);
      req.pipe(out);
    });
    if (tooLarge || !req.complete) {
      await rm(dir, { recursive: true, force: true });
      if (tooLarge) send(res, 413, JSON.stringify({ code: 'E_USAGE', message: `upload larger than ${maxUpload} bytes` }), 'application/json', { Connection: 'close' });
      else res.destroy();
      return;
    }
    try {
      const handle = await opts.host.registerPath(file, 'upload');
      send(res, 200, JSON.stringify(handle), 'application/json; charset=utf-8');
    } catch (err) {
      send(res, 500, JSON.stringify(toErrorInfo(err)), 'application/json; charset=utf-8');
    }
  }

  const server: Server = createServer((req, res) => {
    const verdict = check(req);
    if (!verdict.ok) return send(res, verdict.status, verdict.status === 401 ? 'token required' : 'forbidden');
    const path = rawPathOf(req.url ?? '/');
    const run = async (): Promise<void> => {
      if (path === '/upload') {
        if (req.method !== 'POST') return send(res, 405, 'method not allowed', undefined, { Allow: 'POST' });
        return handleUpload(req, res);
      }
      if (path === '/api') return send(res, 426, 'websocket required');
      if (req.method !== 'GET') return send(res, 405, 'method not allowed', undefined, { Allow: 'GET' });
      return serveStatic(req, res, verdict.viaQuery);
    };
    run().catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessage });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = check(req);
    if (!verdict.ok || rawPathOf(req.url ?? '/') !== '/api') {
      const status = verdict.ok ? '404 Not Found' : verdict.status === 401 ? '401 Unauthorized' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const reply = (msg: unknown): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const unsubscribe = opts.host.subscribe((push) => reply({ push }));
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      const fail = (id: number | null, error: ErrorInfo): void => reply({ id, ok: false, error });
      if (isBinary) return fail(null, { code: 'E_PROTOCOL', message: 'binary messages are not accepted' });
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return fail(null, { code: 'E_PROTOCOL', message: 'malformed JSON' });
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return fail(null, { code: 'E_PROTOCOL', message: 'message must be an object' });
      const m = msg as Record<string, unknown>;
      const id = typeof m['id'] === 'number' && Number.isSafeInteger(m['id']) ? m['id'] : null;
      if (id === null) return fail(null, { code: 'E_PROTOCOL', message: 'message.id must be an integer' });
      for (const k of Object.keys(m)) if (k !== 'id' && k !== 'channel' && k !== 'req') return fail(id, { code: 'E_PROTOCOL', message: `message.${k} is not allowed` });
      if (typeof m['channel'] !== 'string') return fail(id, { code: 'E_PROTOCOL', message: 'message.channel must be a string' });
      // The host validates channel and payload against the contract before anything else.
      opts.host.call(m['channel'], m['req']).then(
        (res) => reply({ id, ok: true, res }),
        (err: unknown) => fail(id, toErrorInfo(err)),
      );
    });
  }

  await new Promise<void>((ok, ko) => {
    server.once('error', ko);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', ko);
      ok();
    });
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('server has no TCP address');
  port = addr.port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close(): Promise<void> {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      if (uploadDir) await rm(uploadDir, { recursive: true, force: true });
    },
  };
}

/** A safe single path component for an uploaded file: no separators, no leading dots, bounded length. */
export function sanitizeUploadName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  let clean = base.replace(/[^A-Za-z0-9._()+ -]/g, '_').replace(/^[.\s]+/, '').trim();
  if (clean.length > 200) {
    const ext = extname(clean).slice(0, 16);
    clean = clean.slice(0, 200 - ext.length) + ext;
  }
  return clean;
}

/** Whether any of `names` (lower case) appears more than once in raw request headers. */
export function repeatedHeader(raw: readonly string[], names: readonly string[]): boolean {
  const seen = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!.toLowerCase();
    if (!names.includes(n)) continue;
    if (seen.has(n)) return true;
    seen.add(n);
  }
  return false;
}
