// Issue 16, item 14: a repeated Host header is refused, a saved view nested thousands deep is refused before it can
// grow case.json, and YAML nested 100,000 deep is a located rule issue instead of a stack overflow.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HopscopeError } from '../../../engine/model/errors.ts';
import { loadRulePack } from '../../../engine/rules/pack.ts';
import { loadSigmaRules } from '../../../engine/rules/sigma/index.ts';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import { startWebServer, type WebServer } from '../../../main/host/web-server.ts';

let root: string;
let server: WebServer;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hopscope-limits-'));
  await mkdir(join(root, 'renderer'), { recursive: true });
  await writeFile(join(root, 'renderer', 'index.html'), '<!doctype html><title>Hopscope</title>');
  server = await startWebServer({
    rendererDir: join(root, 'renderer'),
    maxUploadBytes: 1024,
    host: {
      async call(channel, req) {
        const v = validateRequest(channel, req);
        if (!v.ok) throw new HopscopeError(v.error.code, v.error.message);
        return null;
      },
      subscribe: () => () => undefined,
      registerPath: async () => ({ id: 'h', name: 'x', bytes: 0 }),
    },
  });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

/** One raw HTTP/1.1 request (headers exactly as given, repeats included); resolves with the status code. */
function raw(headers: string[]): Promise<number> {
  return new Promise((ok, fail) => {
    const s = connect(server.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => {
      got += String(d);
      const m = /^HTTP\/1\.1 (\d+)/.exec(got);
      if (m) {
        ok(Number(m[1]));
        s.destroy();
      }
    });
    s.on('error', fail);
    s.write(`GET /?token=${server.token} HTTP/1.1\r\n${headers.join('\r\n')}\r\nConnection: close\r\n\r\n`);
  });
}

describe('minor limits', () => {
  it('refuses a repeated Host header even when the first one is valid (was: accepted)', async () => {
    expect(await raw([`Host: 127.0.0.1:${server.port}`])).toBe(200);
    expect(await raw([`Host: 127.0.0.1:${server.port}`, 'Host: evil.example'])).toBe(403);
    expect(await raw([`Host: 127.0.0.1:${server.port}`, `Origin: http://127.0.0.1:${server.port}`, 'Origin: http://evil.example'])).toBe(403);
  });

  it('refuses a saved view nested deeper than 32 levels (4,100 deep became a 16.9 MB case.json)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 4100; i++) deep = { a: deep };
    expect(validateRequest('case.saveView', { view: deep })).toMatchObject({ ok: false });
    let ok: unknown = 1;
    for (let i = 0; i < 20; i++) ok = [ok];
    expect(validateRequest('case.saveView', { view: { table: ok } })).toMatchObject({ ok: true });
  });

  it('YAML nested 100,000 deep is a located E_RULE_PARSE issue, SPL and Sigma alike (was: a stack overflow, no location)', () => {
    for (const body of ['[', '{a: ', '\n  - ']) {
      const line = body.startsWith('\n') ? 7 : 6;
      const bomb = `id: deep\ntitle: t\nlanguage: spl\nrisk_score: 1\nsearch: process=*\nreferences: ${body.startsWith('\n') ? body + '- '.repeat(100_000) : body.repeat(100_000)}`;
      const set = loadRulePack([{ path: 'u/deep.yml', text: bomb }, { path: 'u/ok.yml', text: 'id: ok\ntitle: t\nlanguage: spl\nrisk_score: 1\nsearch: process=*\n' }], []);
      expect(set.rules.map((r) => r.meta.id)).toEqual(['ok']);
      expect(set.issues[0]).toMatchObject({ code: 'E_RULE_PARSE', message: expect.stringMatching(/nested deeper than 64/), location: { file: 'u/deep.yml', line } });
      const sel = body.startsWith('\n') ? '\n    ' + '- '.repeat(100_000) : body.repeat(100_000);
      const sig = loadSigmaRules([{ path: 's/deep.yml', text: `title: t\nid: x\nlogsource:\n  category: process_creation\ndetection:\n  sel: ${sel}\n` }]);
      expect(sig.issues[0]).toMatchObject({ message: expect.stringMatching(/nested deeper than 64/), location: { line: line } });
    }
  });
});
