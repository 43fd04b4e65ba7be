// app:// scheme: CSP content, traversal refusals in the pure resolver, headers and MIME from the real handler.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  registerSchemesAsPrivileged: vi.fn(),
  handle: vi.fn(),
}));
vi.mock('electron', () => ({ protocol: fake }));

const { CONTENT_SECURITY_POLICY, createAppHandler, registerAppScheme, resolveAppPath } = await import('../../../main/electron/protocol.ts');

const ROOT = resolve('/srv/hopscope/dist/renderer');

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values] as [string, string[]];
    }),
  );
}

describe('CONTENT_SECURITY_POLICY', () => {
  const d = directives(CONTENT_SECURITY_POLICY);
  it('never allows eval', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toContain('wasm-unsafe-eval');
  });
  it("script-src is exactly 'self' (no inline script, no hosts)", () => {
    expect(d.get('script-src')).toEqual(["'self'"]);
  });
  it('locks down default, objects, base, frames and forms', () => {
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
  });
  it('names no remote origin anywhere', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|wss?:|\*/);
  });
});

describe('resolveAppPath', () => {
  it('serves index.html for the bare origin and files under the root', () => {
    expect(resolveAppPath('app://hopscope/', ROOT)).toEqual({ ok: true, file: join(ROOT, 'index.html'), mime: 'text/html; charset=utf-8' });
    const r = resolveAppPath('app://hopscope/assets/index-B1x_9.js?v=1#x', ROOT);
    expect(r).toEqual({ ok: true, file: join(ROOT, 'assets', 'index-B1x_9.js'), mime: 'text/javascript; charset=utf-8' });
  });

  const refused: Array<[string, string]> = [
    ['dot-dot', 'app://hopscope/../secret.js'],
    ['nested dot-dot', 'app://hopscope/assets/../../secret.js'],
    ['encoded dot-dot', 'app://hopscope/%2e%2e/secret.js'],
    ['mixed-case encoded dot-dot', 'app://hopscope/%2E%2e/secret.js'],
    ['half-encoded dot-dot', 'app://hopscope/.%2e/secret.js'],
    ['encoded slash', 'app://hopscope/assets%2f..%2f..%2fsecret.js'],
    ['encoded slash alone', 'app://hopscope/assets%2Findex.js'],
    ['raw backslash', 'app://hopscope/assets\\..\\secret.js'],
    ['encoded backslash', 'app://hopscope/assets%5c..%5csecret.js'],
    ['raw NUL', 'app://hopscope/index.html\0.js'],
    ['encoded NUL', 'app://hopscope/index.js%00.html'],
    ['absolute path in segment', 'app://hopscope//etc/passwd.js'],
    ['encoded absolute path', 'app://hopscope/%2fetc%2fpasswd.js'],
    ['drive path', 'app://hopscope/C:/Windows/win.ini.txt'],
    ['encoded drive path', 'app://hopscope/C%3a%5cWindows%5cwin.js'],
    ['other host', 'app://evil/index.html'],
    ['host lookalike', 'app://hopscope.evil/index.html'],
    ['userinfo', 'app://x@hopscope/index.html'],
    ['port', 'app://hopscope:80/index.html'],
    ['other scheme', 'file:///srv/hopscope/dist/renderer/index.html'],
    ['http', 'http://hopscope/index.html'],
    ['dotfile', 'app://hopscope/.env.json'],
    ['single dot segment', 'app://hopscope/./index.html'],
    ['not allow-listed type', 'app://hopscope/main.cjs'],
    ['no extension', 'app://hopscope/assets'],
    ['bad percent-encoding', 'app://hopscope/%E0%A4%A.js'],
  ];
  for (const [name, url] of refused) {
    it(`refuses ${name}`, () => {
      const r = resolveAppPath(url, ROOT);
      expect(r.ok).toBe(false);
    });
  }

  it('never resolves outside the root for any accepted URL', () => {
    for (const url of ['app://hopscope/a.js', 'app://hopscope/a/b/c.css', 'app://hopscope/index.html']) {
      const r = resolveAppPath(url, ROOT);
      expect(r.ok && r.file.startsWith(ROOT + sep)).toBe(true);
    }
  });
});

describe('createAppHandler', () => {
  const base = mkdtempSync(join(tmpdir(), 'hopscope-proto-'));
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'export {}');
  writeFileSync(join(base, 'secret.js'), 'secret');
  let symlinked = true;
  try {
    symlinkSync(join(base, 'secret.js'), join(root, 'assets', 'link.js'));
  } catch {
    symlinked = false;
  }
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const handler = createAppHandler(root);

  it('serves files with MIME, CSP and nosniff', async () => {
    const res = await handler(new Request('app://hopscope/assets/app.js'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('export {}');
  });

  it('puts the CSP on refusals too and does not leak the file', async () => {
    const res = await handler(new Request('app://hopscope/%2e%2e/secret.js'));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await res.text()).not.toContain('secret');
  });

  it('refuses a symlink leading outside the root', async () => {
    if (!symlinked) return expect(symlinked).toBe(false);
    const res = await handler(new Request('app://hopscope/assets/link.js'));
    expect(res.status).toBe(403);
    expect(await res.text()).not.toBe('secret');
  });

  it('returns 404 for a missing allow-listed file', async () => {
    const res = await handler(new Request('app://hopscope/missing.js'));
    expect(res.status).toBe(404);
  });

  it('refuses methods other than GET and HEAD', async () => {
    const res = await handler(new Request('app://hopscope/index.html', { method: 'POST', body: 'x' }));
    expect(res.status).toBe(405);
  });
});

describe('registerAppScheme', () => {
  it('registers app as standard + secure + fetch, never bypassing CSP', () => {
    registerAppScheme();
    expect(fake.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1);
    const [schemes] = fake.registerSchemesAsPrivileged.mock.calls[0] as [Array<{ scheme: string; privileges: Record<string, boolean> }>];
    expect(schemes).toHaveLength(1);
    expect(schemes[0]!.scheme).toBe('app');
    expect(schemes[0]!.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true });
    expect(schemes[0]!.privileges['bypassCSP']).not.toBe(true);
    expect(schemes[0]!.privileges['corsEnabled']).not.toBe(true);
  });
});
