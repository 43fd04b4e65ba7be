// Browser-mode server fuzz target, in-process on port 0: raw HTTP (traversal encodings, NUL, overlong UTF-8,
// Host/Origin/token variants), WebSocket frames and uploads. Oracle: no crash, no byte from outside the
// renderer root, only 4xx without valid credentials/Host/Origin, every frame answered or refused.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import WebSocket from 'ws';
import { HopscopeError } from '../../engine/model/errors.ts';
import { validateRequest } from '../../engine/rpc/validate.ts';
import { startWebServer, type WebServer } from '../../main/host/web-server.ts';
import { inputSeed, Rand } from './lib.ts';
import type { Failure, TargetResult } from './readers.ts';

/** Marker inside every file placed outside the renderer root; seeing it in a response is a traversal. */
export const SECRET = 'TOP-SECRET-OUTSIDE-RENDERER-ROOT';
const INDEX = '<!doctype html><title>Hopscope fuzz</title>';
const APP = 'console.log("app")';

export interface WebFixture {
  server: WebServer;
  /** Paths the server registered as uploaded evidence, in order. */
  uploads: string[];
  close(): Promise<void>;
}

export async function startFixture(): Promise<WebFixture> {
  const root = await mkdtemp(join(tmpdir(), 'hopscope-webfuzz-'));
  await mkdir(join(root, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(root, 'renderer', 'index.html'), INDEX);
  await writeFile(join(root, 'renderer', 'assets', 'app.js'), APP);
  for (const f of ['secret.txt', 'package.json', 'secret.js', 'renderer.html']) await writeFile(join(root, f), SECRET);
  await writeFile(join(root, 'renderer', '.env'), SECRET);
  const uploads: string[] = [];
  const server = await startWebServer({
    rendererDir: join(root, 'renderer'),
    maxUploadBytes: 4096,
    maxMessageBytes: 64 * 1024,
    host: {
      async call(channel, req) {
        const v = validateRequest(channel, req);
        if (!v.ok) throw new HopscopeError(v.error.code, v.error.message);
        return { channel };
      },
      subscribe: () => () => {},
      async registerPath(path) {
        uploads.push(path);
        return { id: 'h', name: 'x', bytes: 0 };
      },
    },
  });
  return {
    server,
    uploads,
    async close() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

const TRAVERSAL = [
  '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%2fsecret.txt', '/..%5csecret.txt', '/%c0%ae%c0%ae/secret.txt',
  '/%c0%ae%c0%ae%c0%afsecret.txt', '/%e0%80%ae%e0%80%ae/secret.txt', '/..\\secret.txt', '/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/package.json',
  '/%252e%252e/secret.txt', '/.%2e/secret.txt', '/assets/.%2e/.%2e/secret.js', '//secret.txt', '/\\secret.txt', '/C:/secret.txt', '/c:%5csecret.txt',
  '/.env', '/%2eenv', '/index.html%00.js', '/%00', '/assets%00/app.js', '/assets/app.js%00', '/assets//app.js', '/assets/./app.js', '/%ff%fe', '/%', '/%zz',
  '/../renderer.html', '/%2e%2e/renderer.html', '/assets/app.js?x=../../secret.txt', '/assets/app.js#/../../secret.txt', '/' + 'a/'.repeat(2000) + 'x.js',
  '/' + 'x'.repeat(60_000), '/index.html', '/', '/assets/app.js', '/favicon.ico', '/api', '/upload', '*', 'http://evil.com/index.html', '/%2fetc%2fpasswd',
];

function randomPath(r: Rand): string {
  if (r.chance(0.7)) {
    let p = r.pick(TRAVERSAL);
    if (r.chance(0.3)) p = r.pick(['/assets', '/x', '/assets/..', '']) + p;
    return p;
  }
  // Random percent-encoded bytes, raw high bytes and separators.
  let p = '/';
  for (let i = 0, n = 1 + r.int(30); i < n; i++) {
    const k = r.int(6);
    p += k === 0 ? '%' + r.int(256).toString(16).padStart(2, '0') : k === 1 ? r.pick(['..', '.', '/', '\\', '%2f', '%5c', '%00']) : k === 2 ? String.fromCharCode(0x80 + r.int(0x7f)) : r.pick(['a', 'assets', 'index.html', 'app.js', 'secret.txt']);
  }
  return p;
}

interface RawReply {
  status: number;
  body: Buffer;
}

/** One raw HTTP/1.1 request over a fresh socket; resolves with the status (0 = connection closed without one). */
function rawRequest(port: number, head: Buffer): Promise<RawReply> {
  return new Promise((ok) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const all = Buffer.concat(chunks);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(all.subarray(0, 20).toString('latin1'));
      const sep = all.indexOf('\r\n\r\n');
      ok({ status: m ? Number(m[1]) : 0, body: sep >= 0 ? all.subarray(sep + 4) : Buffer.alloc(0) });
      sock.destroy();
    };
    sock.setTimeout(15_000, finish);
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', finish);
    sock.write(head);
  });
}

export async function fuzzWebHttp(fx: WebFixture, n: number, base: number): Promise<TargetResult> {
  const target = 'web:http';
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  const { port, token } = fx.server;
  const goodHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    const r = new Rand(s);
    const path = randomPath(r);
    const host = r.chance(0.75) ? r.pick(goodHosts) : r.pick(['evil.com', `127.0.0.1:${port}.evil.com`, '127.0.0.1', `[::1]:${port}`, '', `127.0.0.1:${port + 1}`, `LOCALHOST:${port}`]);
    const origin = r.chance(0.7) ? undefined : r.pick([`http://127.0.0.1:${port}`, `http://localhost:${port}`, 'null', 'http://evil.com', `http://127.0.0.1:${port}.evil.com`, `https://127.0.0.1:${port}`, '']);
    const cred = r.int(5);
    const headers: string[] = [`Host: ${host}`];
    if (origin !== undefined) headers.push(`Origin: ${origin}`);
    let url = path;
    if (cred === 0) headers.push(`Cookie: hopscope_token=${token}`);
    else if (cred === 1) headers.push(`X-Hopscope-Token: ${token}`);
    else if (cred === 2) url += (url.includes('?') ? '&' : '?') + 'token=' + token;
    else if (cred === 3) headers.push(`Cookie: hopscope_token=${r.pick(['', 'x', token.slice(1), token + '0', token.toUpperCase()])}`);
    // A second Host header: Node keeps the first, which is what the guard must judge.
    if (r.chance(0.05)) headers.push(`Host: evil.com`);
    const method = r.chance(0.9) ? 'GET' : r.pick(['POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'G\u00c9T']);
    const head = Buffer.concat([Buffer.from(`${method} `, 'latin1'), Buffer.from(url, r.chance(0.5) ? 'latin1' : 'utf8'), Buffer.from(` HTTP/1.1\r\n${headers.join('\r\n')}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, 'latin1')]);
    const authed = cred <= 2;
    const hostOk = goodHosts.includes(host);
    const originOk = origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    res.tried++;
    const reply = await rawRequest(port, head);
    const body = reply.body.toString('latin1');
    const problem = ((): string | null => {
      if (body.includes(SECRET)) return `served a file outside the renderer root (status ${reply.status})`;
      if (reply.status === 0) return 'no HTTP answer';
      if (reply.status >= 500) return `server error ${reply.status}`;
      if (reply.status < 300) {
        if (!(authed && hostOk && originOk)) return `answered ${reply.status} without valid Host/Origin/token`;
        if (reply.status === 200 && method === 'GET' && body !== INDEX && body !== APP) return `200 with an unexpected body ${JSON.stringify(body.slice(0, 80))}`;
      } else res.refused++;
      if (!(authed && hostOk && originOk) && ![400, 401, 403, 404, 405, 413, 414, 431].includes(reply.status)) return `status ${reply.status} for a bad request`;
      return null;
    })();
    if (problem) res.failures.push({ target, seed: s, message: `${problem}: ${method} ${JSON.stringify(url.slice(0, 120))} host=${JSON.stringify(host)} origin=${JSON.stringify(origin)} cred=${cred}` });
  }
  // Still serving after all of that.
  const alive = await rawRequest(port, Buffer.from(`GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: hopscope_token=${token}\r\nConnection: close\r\n\r\n`));
  if (alive.status !== 200) res.failures.push({ target, seed: -1, message: `server no longer serves the index (status ${alive.status})` });
  return res;
}

function openWs(port: number, headers: Record<string, string>): Promise<WebSocket | number> {
  return new Promise((ok) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers, maxPayload: 8 << 20 });
    ws.on('open', () => ok(ws));
    ws.on('unexpected-response', (_q, res) => ok(res.statusCode ?? 0));
    ws.on('error', () => ok(-1));
  });
}

function randomFrame(r: Rand): { data: string | Buffer; binary: boolean; why: string; oversized: boolean } {
  switch (r.int(8)) {
    case 0: return { data: Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256))), binary: true, why: 'binary frame', oversized: false };
    case 1: return { data: r.pick(['', '{', '}', 'null', '[]', '"x"', '1', '{"id":', '\u0000', '\uD800', 'NaN', '{"id":1,"channel":"app.info","req":{}'] ), binary: false, why: 'invalid JSON / not an object', oversized: false };
    case 2: return { data: JSON.stringify({ id: 1, channel: 'app.info', req: {}, pad: 'x'.repeat(70 * 1024) }), binary: false, why: 'oversized message', oversized: true };
    case 3: return { data: `{"id":${r.pick(['1.5', '1e400', '"1"', 'null', '9007199254740993', '[]', '{}'])},"channel":"app.info","req":{}}`, binary: false, why: 'bad id', oversized: false };
    case 4: return { data: `{"id":2,"channel":"app.info","req":{},"${r.pick(['__proto__', 'constructor', 'x'])}":1}`, binary: false, why: 'extra key', oversized: false };
    case 5: return { data: `{"id":3,"channel":${r.pick(['1', 'null', '"nope"', '"__proto__"', '"constructor"', '"toString"', '{}'])},"req":{}}`, binary: false, why: 'bad channel', oversized: false };
    case 6: return { data: `{"id":4,"channel":"query.rows","req":${r.pick(['{"offset":-1,"limit":1}', '{"offset":0,"limit":1e9}', '{"__proto__":{"limit":1},"offset":0}', '[]', '{"offset":0,"limit":1,"sort":{"field":"a","dir":"up"}}'])}}`, binary: false, why: 'bad request', oversized: false };
    default: return { data: '{"id":5,"channel":"app.info","req":{}}', binary: false, why: 'valid', oversized: false };
  }
}

export async function fuzzWebSocket(fx: WebFixture, n: number, base: number): Promise<TargetResult> {
  const target = 'web:websocket';
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  const { port, token } = fx.server;
  const good = { Host: `127.0.0.1:${port}`, Cookie: `hopscope_token=${token}` };
  // Handshake guards first: no token, wrong token, foreign Origin, foreign Host.
  const bad: Array<[Record<string, string>, number[]]> = [
    [{ Host: `127.0.0.1:${port}` }, [401]],
    [{ ...good, Cookie: 'hopscope_token=nope' }, [403]],
    [{ ...good, Origin: 'http://evil.com' }, [403]],
    [{ ...good, Host: 'evil.com' }, [403]],
  ];
  for (const [headers, statuses] of bad) {
    res.tried++;
    const got = await openWs(port, headers);
    if (typeof got !== 'number') {
      got.terminate();
      res.failures.push({ target, seed: -1, message: `WebSocket opened with bad handshake headers ${JSON.stringify(headers)}` });
    } else if (!statuses.includes(got)) res.failures.push({ target, seed: -1, message: `handshake ${JSON.stringify(headers)} answered ${got}` });
    else res.refused++;
  }
  let ws: WebSocket | null = null;
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    const r = new Rand(s);
    if (!ws) {
      const got = await openWs(port, good);
      if (typeof got === 'number') {
        res.failures.push({ target, seed: s, message: `authenticated WebSocket refused (${got})` });
        break;
      }
      ws = got;
    }
    const frame = randomFrame(r);
    res.tried++;
    const sock: WebSocket = ws;
    const outcome = await new Promise<{ reply?: Record<string, unknown>; closed?: number }>((ok) => {
      const onMsg = (d: WebSocket.RawData): void => {
        cleanup();
        try {
          ok({ reply: JSON.parse(String(d)) as Record<string, unknown> });
        } catch {
          ok({ reply: { unparsable: String(d).slice(0, 80) } });
        }
      };
      const onClose = (code: number): void => {
        cleanup();
        ok({ closed: code });
      };
      const timer = setTimeout(() => {
        cleanup();
        ok({});
      }, 15_000);
      const cleanup = (): void => {
        clearTimeout(timer);
        sock.off('message', onMsg);
        sock.off('close', onClose);
      };
      sock.on('message', onMsg);
      sock.on('close', onClose);
      sock.send(frame.data, { binary: frame.binary });
    });
    const problem = ((): string | null => {
      if (frame.oversized) {
        if (outcome.closed === undefined) return 'oversized message did not close the socket';
        return null;
      }
      if (outcome.closed !== undefined) return `socket closed (${outcome.closed}) on a ${frame.why}`;
      const rep = outcome.reply;
      if (!rep) return `no answer to a ${frame.why}`;
      if (rep['ok'] === true) {
        if (frame.why !== 'valid') return `accepted a ${frame.why}: ${String(frame.data).slice(0, 120)}`;
        return null;
      }
      res.refused++;
      const err = rep['error'] as { code?: string } | undefined;
      if (rep['ok'] !== false || !err || err.code !== 'E_PROTOCOL') return `unexpected answer ${JSON.stringify(rep).slice(0, 200)} to a ${frame.why}`;
      if (frame.why === 'valid') return `refused a valid message: ${JSON.stringify(rep).slice(0, 200)}`;
      return null;
    })();
    if (outcome.closed !== undefined) ws = null;
    if (problem) res.failures.push({ target, seed: s, message: problem });
  }
  if (ws) ws.terminate();
  return res;
}

const UPLOAD_NAMES = [
  '../../secret.txt', '..\\..\\secret.txt', '/etc/passwd', 'C:\\Windows\\win.ini', '.bashrc', '..', '.', '', '%2e%2e%2fx', 'a/b/c.csv', 'a\u0000b.csv',
  'con.csv', 'x'.repeat(5000) + '.csv', 'é漢字.csv', 'ok.csv', ' .csv', '\u202Egnp.exe', 'a:b.csv',
];

/** Uploads with hostile names and sizes: stored only inside the upload folder, under a clean single name. */
export async function fuzzWebUpload(fx: WebFixture, n: number, base: number): Promise<TargetResult> {
  const target = 'web:upload';
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  const { port, token } = fx.server;
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    const r = new Rand(s);
    const name = r.pick(UPLOAD_NAMES);
    const size = r.pick([0, 10, 4096, 4097, 100_000]);
    const before = fx.uploads.length;
    const head = `POST /upload?name=${encodeURIComponent(name)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: hopscope_token=${token}\r\nConnection: close\r\nContent-Length: ${size}\r\n\r\n`;
    res.tried++;
    const reply = await rawRequest(port, Buffer.concat([Buffer.from(head, 'latin1'), Buffer.alloc(size, 0x41)]));
    const problem = ((): string | null => {
      if (reply.status === 0 || reply.status >= 500) return `status ${reply.status}`;
      // 400 when the name is refused first; an oversized body is never accepted.
      if (size > 4096 && reply.status !== 413 && reply.status !== 400) return `upload of ${size} bytes over the 4096 limit answered ${reply.status}`;
      if (reply.status !== 200) {
        res.refused++;
        return fx.uploads.length !== before ? 'refused upload was registered anyway' : null;
      }
      const path = fx.uploads[fx.uploads.length - 1];
      if (fx.uploads.length !== before + 1 || !path) return 'accepted upload was not registered';
      const file = basename(path);
      if (!basename(dirname(dirname(path))).startsWith('hopscope-upload-')) return `stored outside the upload folder: ${path}`;
      if (/[\\/\u0000]/.test(file) || file.startsWith('.') || file.length > 200) return `unclean stored name ${JSON.stringify(file)}`;
      return null;
    })();
    if (problem) res.failures.push({ target, seed: s, message: `${problem}; name ${JSON.stringify(name.slice(0, 80))}` });
  }
  return res;
}
