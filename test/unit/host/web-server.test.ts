// Browser-mode server security: every guard (Host, Origin, token, traversal, cookie) has a negative test.
// The server runs in-process on port 0 over a temp renderer root with a secret file just outside it.

import { mkdtemp, mkdir, writeFile, rm, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HopscopeError } from '../../../engine/model/errors.ts';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import type { EvidenceHandle, HostPush } from '../../../engine/rpc/api.ts';
import { sanitizeUploadName, startWebServer, tokenMatches, type WebServer } from '../../../main/host/web-server.ts';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

let root: string;
let server: WebServer;
const uploads: Array<{ path: string; bytes: Buffer }> = [];
const listeners = new Set<(p: HostPush) => void>();

function get(path: string, headers: Record<string, string> = {}, method = 'GET', body?: Buffer): Promise<Reply> {
  return new Promise((ok, ko) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', ko);
    req.end(body);
  });
}

function openWs(headers: Record<string, string>, path = '/api'): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((ok) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers });
    ws.on('open', () => ok({ ws }));
    ws.on('unexpected-response', (_req, res) => ok({ status: res.statusCode ?? 0 }));
    ws.on('error', () => ok({ status: -1 }));
  });
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((ok) => ws.once('message', (d) => ok(JSON.parse(String(d)) as Record<string, unknown>)));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hopscope-web-test-'));
  await mkdir(join(root, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(root, 'renderer', 'index.html'), '<!doctype html><title>Hopscope</title>');
  await writeFile(join(root, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'package.json'), '{"secret":"outside-root"}');
  server = await startWebServer({
    rendererDir: join(root, 'renderer'),
    maxUploadBytes: 1024,
    host: {
      async call(channel, req) {
        const v = validateRequest(channel, req);
        if (!v.ok) throw new HopscopeError(v.error.code, v.error.message);
        if (channel === 'app.info') return { name: 'Hopscope', version: 'test', mode: 'browser', samples: [] };
        return null;
      },
      subscribe(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      async registerPath(path): Promise<EvidenceHandle> {
        const bytes = await readFile(path);
        uploads.push({ path, bytes });
        return { id: 'h1', name: path.split('/').pop() ?? '', bytes: bytes.length };
      },
    },
  });
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('web server binding and token', () => {
  it('listens on 127.0.0.1 with a random port and a 64-hex token in the URL', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
  });

  it('refuses requests without a token (401) and with a wrong one (403)', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=' + 'a'.repeat(64))).status).toBe(403);
    expect((await get('/', { 'X-Hopscope-Token': 'nope' })).status).toBe(403);
    expect((await get('/', { Cookie: 'hopscope_token=nope' })).status).toBe(403);
  });

  it('serves the index with a valid query token and sets the cookie only then', async () => {
    const ok = await get('/?token=' + server.token);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('Hopscope');
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toContain(`hopscope_token=${server.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    const viaHeader = await get('/', { 'X-Hopscope-Token': server.token });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers['set-cookie']).toBeUndefined();
    const bad = await get('/?token=bad');
    expect(bad.headers['set-cookie']).toBeUndefined();
  });

  it('lets this launch\'s query token win over a stale cookie from an earlier launch, and renews the cookie', async () => {
    const r = await get('/?token=' + server.token, { Cookie: 'hopscope_token=' + 'f'.repeat(64) });
    expect(r.status).toBe(200);
    expect(String(r.headers['set-cookie'])).toContain(`hopscope_token=${server.token}`);
    expect((await get('/', { Cookie: 'hopscope_token=' + 'f'.repeat(64) })).status).toBe(403);
  });

  it('accepts the cookie and the header for assets, with security headers', async () => {
    const r = await get('/assets/app.js', { Cookie: `hopscope_token=${server.token}` });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/javascript');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['cache-control']).toBe('no-store');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port} ws://localhost:${server.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('refuses a wrong Host header (DNS rebinding) even with a valid token', async () => {
    expect((await get('/?token=' + server.token, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get('/?token=' + server.token, { Host: `127.0.0.1:1` })).status).toBe(403);
    expect((await get('/?token=' + server.token, { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses requests a browser labels cross-site or same-site, even with a valid token', async () => {
    expect((await get('/?token=' + server.token, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await get('/?token=' + server.token, { 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await get('/?token=' + server.token, { 'Sec-Fetch-Site': 'none' })).status).toBe(200);
    expect((await get('/assets/app.js', { 'X-Hopscope-Token': server.token, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    expect(await openWs({ 'X-Hopscope-Token': server.token, 'Sec-Fetch-Site': 'cross-site' })).toEqual({ status: 403 });
  });

  it('refuses a foreign Origin even with a valid token', async () => {
    expect((await get('/?token=' + server.token, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/?token=' + server.token, { Origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });
});

describe('static files', () => {
  const auth = (): Record<string, string> => ({ 'X-Hopscope-Token': server.token });
  it.each(['/../package.json', '/%2e%2e/package.json', '/assets/%2e%2e/%2e%2e/package.json', '/index.html%00.js', '/%00', '/..%2fpackage.json', '/assets/..%5c..%5cpackage.json', '//etc/passwd', '/.hidden'])(
    'refuses %s',
    async (p) => {
      const r = await get(p, auth());
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.body).not.toContain('outside-root');
    },
  );
  it('falls back to index.html only for /', async () => {
    expect((await get('/', auth())).status).toBe(200);
    expect((await get('/some/route', auth())).status).toBe(404);
  });
  it('serves GET only', async () => {
    expect((await get('/index.html', auth(), 'DELETE')).status).toBe(405);
  });
});

describe('uploads', () => {
  it('streams the body to a private temp file under a sanitised name and registers it', async () => {
    const r = await get('/upload?name=' + encodeURIComponent('../../evil name.csv'), { 'X-Hopscope-Token': server.token, 'Content-Type': 'application/octet-stream' }, 'POST', Buffer.from('a,b\n1,2\n'));
    expect(r.status).toBe(200);
    const handle = JSON.parse(r.body) as EvidenceHandle;
    expect(handle.bytes).toBe(8);
    const last = uploads.at(-1)!;
    expect(last.bytes.toString()).toBe('a,b\n1,2\n');
    expect(last.path.endsWith('/evil name.csv')).toBe(true);
    expect(last.path).not.toContain('..');
  });
  it('refuses uploads over the size limit and without a token', async () => {
    const before = uploads.length;
    expect((await get('/upload?name=x.csv', { 'X-Hopscope-Token': server.token }, 'POST', Buffer.alloc(2048))).status).toBe(413);
    expect((await get('/upload?name=x.csv', {}, 'POST', Buffer.from('x'))).status).toBe(401);
    expect(uploads.length).toBe(before);
  });
  it('sanitises names', () => {
    expect(sanitizeUploadName('..\\..\\x.csv')).toBe('x.csv');
    expect(sanitizeUploadName('.bashrc')).toBe('bashrc');
    expect(sanitizeUploadName('a/b/c\0.csv')).toBe('c_.csv');
    expect(sanitizeUploadName('')).toBe('');
  });
});

describe('websocket api', () => {
  it('round-trips app.info with the token header', async () => {
    const r = await openWs({ 'X-Hopscope-Token': server.token });
    if (!('ws' in r)) throw new Error(`upgrade refused: ${r.status}`);
    r.ws.send(JSON.stringify({ id: 1, channel: 'app.info', req: {} }));
    const m = await nextMessage(r.ws);
    expect(m).toMatchObject({ id: 1, ok: true, res: { name: 'Hopscope' } });
    r.ws.close();
  });

  it('answers bad channels, bad payloads and malformed JSON with E_PROTOCOL without dropping the socket', async () => {
    const r = await openWs({ Cookie: `hopscope_token=${server.token}` });
    if (!('ws' in r)) throw new Error(`upgrade refused: ${r.status}`);
    r.ws.send(JSON.stringify({ id: 2, channel: 'fs.readFile', req: {} }));
    expect(await nextMessage(r.ws)).toMatchObject({ id: 2, ok: false, error: { code: 'E_PROTOCOL' } });
    r.ws.send(JSON.stringify({ id: 3, channel: 'query.rows', req: { offset: -1, limit: 10 } }));
    expect(await nextMessage(r.ws)).toMatchObject({ id: 3, ok: false, error: { code: 'E_PROTOCOL' } });
    r.ws.send('{not json');
    expect(await nextMessage(r.ws)).toMatchObject({ id: null, ok: false, error: { code: 'E_PROTOCOL' } });
    r.ws.send(JSON.stringify({ id: 4, channel: 'app.info', req: {}, extra: 1 }));
    expect(await nextMessage(r.ws)).toMatchObject({ id: 4, ok: false, error: { code: 'E_PROTOCOL' } });
    r.ws.send(JSON.stringify({ id: 5, channel: 'app.info', req: {} }));
    expect(await nextMessage(r.ws)).toMatchObject({ id: 5, ok: true });
    r.ws.close();
  });

  it('forwards host pushes to connected clients', async () => {
    const r = await openWs({ 'X-Hopscope-Token': server.token });
    if (!('ws' in r)) throw new Error(`upgrade refused: ${r.status}`);
    const got = nextMessage(r.ws);
    for (const l of listeners) l({ type: 'error', error: { code: 'E_IO', message: 'x' } });
    expect(await got).toEqual({ push: { type: 'error', error: { code: 'E_IO', message: 'x' } } });
    r.ws.close();
  });

  it('rejects the upgrade without a token, with a foreign Origin, or a wrong Host', async () => {
    expect(await openWs({})).toEqual({ status: 401 });
    expect(await openWs({ 'X-Hopscope-Token': 'wrong' })).toEqual({ status: 403 });
    expect(await openWs({ 'X-Hopscope-Token': server.token, Origin: 'http://evil.example' })).toEqual({ status: 403 });
    expect(await openWs({ 'X-Hopscope-Token': server.token, Host: 'evil.example' })).toEqual({ status: 403 });
    expect(await openWs({ 'X-Hopscope-Token': server.token }, '/other')).toEqual({ status: 404 });
  });

  it('compares tokens in constant time without throwing on length mismatch', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });
});

describe('websocket api over the real host service', () => {
  it('round-trips app.info in browser mode and refuses bad payloads before the engine sees them', async () => {
    const { createHostService } = await import('../../../main/host/host-service.ts');
    const engineCalls: string[] = [];
    const host = createHostService({
      mode: 'browser',
      resourcesDir: join(root, 'res'),
      userDataDir: join(root, 'user'),
      engine: {
        call(method) {
          engineCalls.push(method);
          return { promise: Promise.resolve(null as never), cancel() {} };
        },
        onCrash: () => () => {},
        async close() {},
      },
    });
    const real = await startWebServer({ host, rendererDir: join(root, 'renderer') });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${real.port}/api`, { headers: { 'X-Hopscope-Token': real.token } });
      await new Promise((ok, ko) => {
        ws.once('open', ok);
        ws.once('error', ko);
      });
      ws.send(JSON.stringify({ id: 1, channel: 'app.info', req: {} }));
      expect(await nextMessage(ws)).toMatchObject({ id: 1, ok: true, res: { name: 'Hopscope', mode: 'browser', samples: [] } });
      ws.send(JSON.stringify({ id: 2, channel: 'query.event', req: { row: 'x' } }));
      expect(await nextMessage(ws)).toMatchObject({ id: 2, ok: false, error: { code: 'E_PROTOCOL' } });
      ws.send(JSON.stringify({ id: 3, channel: 'case.open', req: { handles: ['not-issued'] } }));
      expect(await nextMessage(ws)).toMatchObject({ id: 3, ok: false, error: { code: 'E_SECURITY' } });
      expect(engineCalls).toEqual([]);
      ws.close();
    } finally {
      await real.close();
      await host.close();
    }
  });
});
