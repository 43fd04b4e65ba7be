// Guards applied to every webContents and session: no navigation, no new windows, no webviews, no permissions,
// no network. Invariant: the renderer can only load `app://hopscope`; anything else is refused, never phoned home.

import { app, session, shell, type Session, type WebContents } from 'electron';
import { isAppUrl } from './origin.ts';

/**
 * Checklist #15: the only URLs `shell.openExternal` may receive. Exact origin match (https, default
 * port, no credentials) plus an optional path prefix, so `https://attack.mitre.org.evil` never passes.
 */
export const EXTERNAL_ALLOW_LIST: ReadonlyArray<Readonly<{ origin: string; pathPrefix: string }>> = Object.freeze([
  Object.freeze({ origin: 'https://attack.mitre.org', pathPrefix: '/' }),
  Object.freeze({ origin: 'https://github.com', pathPrefix: '/SigmaHQ/' }),
]);

export function isAllowedExternalUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username !== '' || u.password !== '' || u.port !== '') return false;
  return EXTERNAL_ALLOW_LIST.some((e) => u.origin === e.origin && u.pathname.startsWith(e.pathPrefix));
}

/** Opens an allow-listed https link in the user's browser; refuses (returns false) everything else. */
export function openExternalSafely(url: string): boolean {
  if (!isAllowedExternalUrl(url)) return false;
  void shell.openExternal(url).catch(() => undefined);
  return true;
}

/**
 * Checklist #1 and "never phone home": requests may only target the app's own scheme, DevTools, or
 * in-memory `data:`/`blob:` URLs minted by the app origin. http(s), ws(s), file and every other scheme are cancelled.
 */
export function isAllowedRequestUrl(url: string): boolean {
  if (isAppUrl(url)) return true;
  if (url.startsWith('devtools://')) return true;
  if (url.startsWith('data:')) return true;
  if (url.startsWith('blob:')) return isAppUrl(url.slice('blob:'.length));
  return false;
}

type Cancellable = { url: string; preventDefault(): void };

/** Checklist #13: in-app navigation only. */
function denyForeign(event: Cancellable): boolean {
  if (isAppUrl(event.url)) return false;
  event.preventDefault();
  return true;
}

export function hardenWebContents(contents: WebContents): void {
  // A clicked allow-listed link opens in the browser instead of the window (once: will-navigate fires for the
  // main frame only; will-frame-navigate, which also fires for it, just refuses).
  contents.on('will-navigate', (event) => {
    if (denyForeign(event)) openExternalSafely(event.url);
  });
  contents.on('will-frame-navigate', (event) => void denyForeign(event));
  contents.on('will-redirect', (event) => void denyForeign(event));
  // Checklist #11 and #12: no <webview> at all (webviewTag is off too; this is the second lock).
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Checklist #14: never a new window; allow-listed links go to the browser (#15).
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) setImmediate(() => openExternalSafely(url));
    return { action: 'deny' };
  });
}

const hardenedSessions = new WeakSet<Session>();

export function hardenSession(ses: Session): void {
  if (hardenedSessions.has(ses)) return;
  hardenedSessions.add(ses);
  // Checklist #5: deny every permission request and check (camera, notifications, clipboard-read, ...).
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // The spell checker downloads dictionaries from a CDN: off, so the app never phones home.
  ses.setSpellCheckerEnabled(false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback(isAllowedRequestUrl(details.url) ? {} : { cancel: true });
  });
}

/** Applies the guards to every webContents and session the app will ever create. Call before `ready`. */
export function installSecurity(): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('session-created', (ses) => hardenSession(ses));
  void app.whenReady().then(() => hardenSession(session.defaultSession));
}
