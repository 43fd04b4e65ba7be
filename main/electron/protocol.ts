// The `app://hopscope/` scheme that serves the renderer bundle (security checklist #18: custom protocol, not file://).
// Invariant: only allow-listed file types under the renderer root are served, every response carries the CSP (#7) and nosniff.

import { protocol } from 'electron';
import { readFile, realpathSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { APP_HOST, APP_SCHEME } from './origin.ts';

/** Checklist #7: no 'unsafe-eval', no inline script; inline styles only (Svelte transitions set style attributes). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Headers on every response, errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
});

/** The root allow-list: the only file types the renderer bundle may contain, with their MIME types. */
export const MIME_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
});

export type Resolved = { ok: true; file: string; mime: string } | { ok: false; status: 400 | 403 | 404; reason: string };

const refuse = (status: 400 | 403 | 404, reason: string): Resolved => ({ ok: false, status, reason });

/** Only these characters may appear in a decoded path segment (names a bundler emits). */
const SAFE_SEGMENT = /^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*$/;

/**
 * Maps a request URL to a file under `rootDir`, or refuses. Pure (no I/O) so every traversal
 * variant is unit-tested: `..`, `%2e%2e`, encoded separators, backslashes, NUL, absolute and drive
 * paths, other hosts, and file types outside the allow-list.
 */
export function resolveAppPath(rawUrl: string, rootDir: string): Resolved {
  if (typeof rawUrl !== 'string' || rawUrl.length > 2048) return refuse(400, 'bad url');
  if (rawUrl.includes('\\') || rawUrl.includes('\0')) return refuse(400, 'backslash or NUL in url');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(rawUrl);
  if (!m) return refuse(400, 'not an absolute url');
  const [, scheme = '', authority = '', rawPath = ''] = m;
  if (scheme.toLowerCase() !== APP_SCHEME) return refuse(400, 'wrong scheme');
  if (authority.toLowerCase() !== APP_HOST) return refuse(403, 'wrong host');
  const path = rawPath === '' || rawPath === '/' ? '/index.html' : rawPath;
  if (!path.startsWith('/')) return refuse(400, 'relative path');
  const segments: string[] = [];
  for (const raw of path.slice(1).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return refuse(400, 'bad percent-encoding');
    }
    // `SAFE_SEGMENT` refuses '', '.', '..', encoded '/' or '\', NUL, ':' (drive letters, NTFS streams) and dotfiles.
    if (!SAFE_SEGMENT.test(seg) || seg === '..' || seg.includes('..')) return refuse(400, `refused path segment ${JSON.stringify(raw).slice(0, 64)}`);
    segments.push(seg);
  }
  const last = segments[segments.length - 1] ?? '';
  const mime = MIME_TYPES[extname(last).toLowerCase()];
  if (!mime) return refuse(404, 'file type not served');
  const root = resolve(rootDir);
  const file = resolve(root, ...segments);
  if (!file.startsWith(root + sep)) return refuse(403, 'outside renderer root');
  return { ok: true, file, mime };
}

/**
 * Must run before `app` is ready (Electron requirement). No `bypassCSP`: our own CSP always applies. No
 * `corsEnabled`: same-origin loads (module scripts, fetch) need none, and without it no other origin can read app://.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export interface ProtocolIo {
  readFile(file: string): Promise<Uint8Array>;
  realpath(file: string): string;
}

const defaultIo: ProtocolIo = {
  // The callback forms are the ones Electron's asar layer patches, so packaged files read the same way.
  readFile: promisify(readFile),
  realpath: (file) => realpathSync(file),
};

function textResponse(status: number, body: string): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** The request handler, separate from `protocol.handle` so tests drive it with real Requests. */
export function createAppHandler(rootDir: string, io: ProtocolIo = defaultIo): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'method not allowed');
    const r = resolveAppPath(request.url, rootDir);
    if (!r.ok) return textResponse(r.status, r.reason);
    try {
      // Symlinks inside the bundle must not lead outside it.
      const realRoot = io.realpath(resolve(rootDir));
      const realFile = io.realpath(r.file);
      if (!realFile.startsWith(realRoot + sep)) return textResponse(403, 'outside renderer root');
      const body = await io.readFile(realFile);
      // A fresh ArrayBuffer-backed copy: Response takes no view onto a shared/pooled buffer.
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
        status: 200,
        headers: { ...SECURITY_HEADERS, 'Content-Type': r.mime },
      });
    } catch {
      return textResponse(404, 'not found');
    }
  };
}

export function serveAppScheme(rootDir: string): void {
  protocol.handle(APP_SCHEME, createAppHandler(rootDir));
}
