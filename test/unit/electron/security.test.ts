// Navigation, new windows, webviews, external links, permissions and network: each guard refuses.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const appHandlers = new Map<string, (...args: unknown[]) => void>();
  return {
    appHandlers,
    app: {
      on: vi.fn((name: string, fn: (...args: unknown[]) => void) => appHandlers.set(name, fn)),
      whenReady: vi.fn(() => new Promise<void>(() => undefined)),
    },
    shell: { openExternal: vi.fn(() => Promise.resolve()) },
    session: { defaultSession: {} },
  };
});
vi.mock('electron', () => ({ app: fake.app, shell: fake.shell, session: fake.session }));

const sec = await import('../../../main/electron/security.ts');

type NavEvent = { url: string; defaultPrevented: boolean; preventDefault(): void };
const navEvent = (url: string): NavEvent => ({
  url,
  defaultPrevented: false,
  preventDefault() {
    this.defaultPrevented = true;
  },
});

class FakeContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

function hardened(): FakeContents {
  const c = new FakeContents();
  sec.hardenWebContents(c as never);
  return c;
}

beforeEach(() => {
  fake.shell.openExternal.mockClear();
});

describe('navigation (checklist #13)', () => {
  for (const ev of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
    for (const url of ['https://evil.example/', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'app://evil/index.html', 'app://hopscope.evil/', 'javascript:alert(1)', 'data:text/html,x']) {
      it(`${ev} to ${url} is prevented`, () => {
        const c = hardened();
        const e = navEvent(url);
        c.emit(ev, e);
        expect(e.defaultPrevented).toBe(true);
      });
    }
    it(`${ev} within app://hopscope is allowed`, () => {
      const c = hardened();
      const e = navEvent('app://hopscope/index.html#/case');
      c.emit(ev, e);
      expect(e.defaultPrevented).toBe(false);
    });
  }

  it('an allow-listed link clicked in the page opens once in the browser, not in the window', () => {
    const c = hardened();
    const url = 'https://attack.mitre.org/techniques/T1021/';
    const e1 = navEvent(url);
    const e2 = navEvent(url);
    c.emit('will-frame-navigate', e1);
    c.emit('will-navigate', e2);
    expect(e1.defaultPrevented && e2.defaultPrevented).toBe(true);
    expect(fake.shell.openExternal.mock.calls).toEqual([[url]]);
  });

  it('a redirect to an allow-listed site is refused and never opened', () => {
    const c = hardened();
    const e = navEvent('https://attack.mitre.org/');
    c.emit('will-redirect', e);
    expect(e.defaultPrevented).toBe(true);
    expect(fake.shell.openExternal).not.toHaveBeenCalled();
  });
});

describe('new windows (checklist #14)', () => {
  it('denies window.open for any URL, app origin included', () => {
    const c = hardened();
    for (const url of ['https://evil.example/', 'app://hopscope/index.html', 'about:blank', 'https://attack.mitre.org/']) {
      expect(c.openHandler!({ url })).toEqual({ action: 'deny' });
    }
  });

  it('routes only allow-listed links to openExternal', async () => {
    await new Promise((r) => setImmediate(r));
    fake.shell.openExternal.mockClear();
    const c = hardened();
    c.openHandler!({ url: 'https://evil.example/' });
    c.openHandler!({ url: 'https://github.com/SigmaHQ/sigma' });
    await new Promise((r) => setImmediate(r));
    expect(fake.shell.openExternal.mock.calls).toEqual([['https://github.com/SigmaHQ/sigma']]);
  });
});

describe('webview (checklist #12)', () => {
  it('prevents will-attach-webview', () => {
    const c = hardened();
    const e = navEvent('https://evil.example/');
    c.emit('will-attach-webview', e, {}, { src: 'https://evil.example/' });
    expect(e.defaultPrevented).toBe(true);
  });
});

describe('openExternal allow-list (checklist #15)', () => {
  it('accepts the exact allow-listed https origins', () => {
    expect(sec.isAllowedExternalUrl('https://attack.mitre.org/techniques/T1021/002/')).toBe(true);
    expect(sec.isAllowedExternalUrl('https://github.com/SigmaHQ/sigma/blob/master/rules/x.yml')).toBe(true);
  });
  const refused = [
    'http://attack.mitre.org/',
    'https://attack.mitre.org.evil.example/',
    'https://evil.example/?https://attack.mitre.org/',
    'https://user:pw@attack.mitre.org/',
    'https://attack.mitre.org:8443/',
    'https://github.com/evil/repo',
    'https://github.com/SigmaHQevil/repo',
    'https://gist.github.com/SigmaHQ/x',
    'file:///C:/Windows/System32/calc.exe',
    'smb://attacker/share',
    'javascript:alert(1)',
    'ms-msdt:/id PCWDiagnostic',
    'not a url',
  ];
  for (const url of refused) {
    it(`refuses ${url}`, () => {
      expect(sec.isAllowedExternalUrl(url)).toBe(false);
      expect(sec.openExternalSafely(url)).toBe(false);
      expect(fake.shell.openExternal).not.toHaveBeenCalled();
    });
  }
});

function fakeSession() {
  return {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    setDisplayMediaRequestHandler: vi.fn(),
    setSpellCheckerEnabled: vi.fn(),
    webRequest: { onBeforeRequest: vi.fn() },
  };
}

describe('session (checklist #5, never phone home)', () => {
  const ses = fakeSession();
  sec.hardenSession(ses as never);

  it('denies every permission request', () => {
    const handler = ses.setPermissionRequestHandler.mock.calls[0]![0] as (c: unknown, p: string, cb: (ok: boolean) => void) => void;
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const cb = vi.fn();
      handler({}, p, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
  });

  it('answers every permission check with false', () => {
    const handler = ses.setPermissionCheckHandler.mock.calls[0]![0] as (c: unknown, p: string, origin: string) => boolean;
    for (const p of ['media', 'clipboard-sanitized-write', 'hid']) expect(handler({}, p, 'app://hopscope')).toBe(false);
    const device = ses.setDevicePermissionHandler.mock.calls[0]![0] as (d: unknown) => boolean;
    expect(device({})).toBe(false);
  });

  it('turns the spell checker (remote dictionaries) off', () => {
    expect(ses.setSpellCheckerEnabled).toHaveBeenCalledWith(false);
  });

  const listener = () => ses.webRequest.onBeforeRequest.mock.calls[0]![0] as (d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void;
  for (const url of ['https://example.com/', 'http://127.0.0.1/', 'wss://example.com/', 'ftp://example.com/', 'file:///etc/passwd', 'app://evil/x.js', 'blob:https://evil.example/1']) {
    it(`cancels the request to ${url}`, () => {
      const cb = vi.fn();
      listener()({ url }, cb);
      expect(cb).toHaveBeenCalledWith({ cancel: true });
    });
  }
  for (const url of ['app://hopscope/assets/app.js', 'devtools://devtools/bundled/inspector.html', 'blob:app://hopscope/5b3d']) {
    it(`lets ${url} through`, () => {
      const cb = vi.fn();
      listener()({ url }, cb);
      expect(cb).toHaveBeenCalledWith({});
    });
  }
});

describe('installSecurity', () => {
  it('hardens every webContents and session the app creates', () => {
    sec.installSecurity();
    const c = new FakeContents();
    fake.appHandlers.get('web-contents-created')!({}, c);
    const e = navEvent('https://evil.example/');
    c.emit('will-navigate', e);
    expect(e.defaultPrevented).toBe(true);
    expect(c.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });

    const ses = fakeSession();
    fake.appHandlers.get('session-created')!(ses);
    expect(ses.setPermissionRequestHandler).toHaveBeenCalledTimes(1);
    expect(ses.webRequest.onBeforeRequest).toHaveBeenCalledTimes(1);
  });
});
