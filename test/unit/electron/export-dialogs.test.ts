// Exports in the desktop app: the save dialog's default name and filters per format, and the PDF print window
// (hidden, sandboxed, JavaScript off, no preload, only the report file may load, always destroyed and cleaned up).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const windows: Array<{ options: { webPreferences: Record<string, unknown> } & Record<string, unknown>; loaded: string[]; destroyed: boolean; openHandler?: () => unknown; navHandlers: Array<(e: { preventDefault(): void }) => void> }> = [];
  const state = { filter: null as null | ((d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void), pdfError: null as Error | null, fileSeen: '' };
  return { windows, state };
});

vi.mock('electron', () => {
  class BrowserWindow {
    loaded: string[] = [];
    destroyed = false;
    openHandler?: () => unknown;
    navHandlers: Array<(e: { preventDefault(): void }) => void> = [];
    webContents = {
      setWindowOpenHandler: (fn: () => unknown) => {
        this.openHandler = fn;
      },
      on: (name: string, fn: (e: { preventDefault(): void }) => void) => {
        if (name === 'will-navigate') this.navHandlers.push(fn);
      },
      printToPDF: async () => {
        if (fake.state.pdfError) throw fake.state.pdfError;
        return Buffer.from('%PDF-1.7 fake');
      },
    };
    constructor(public options: { webPreferences: Record<string, unknown> } & Record<string, unknown>) {
      fake.windows.push(this);
    }
    async loadURL(url: string) {
      this.loaded.push(url);
      fake.state.fileSeen = readFileSync(fileURLToPath(url), 'utf8');
    }
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  return {
    app: { getPath: (name: string) => `/users/me/${name}` },
    dialog: { showSaveDialog: vi.fn() },
    session: {
      fromPartition: vi.fn((name: string) => ({
        name,
        webRequest: {
          onBeforeRequest: (fn: typeof fake.state.filter) => {
            fake.state.filter = fn;
          },
        },
      })),
    },
    BrowserWindow,
  };
});

const electron = await import('electron');
const { chooseSavePath, printHtmlToPdf, PDF_WEB_PREFERENCES } = await import('../../../main/electron/export-dialogs.ts');
const { SECURE_WEB_PREFERENCES } = await import('../../../main/electron/window.ts');

beforeEach(() => {
  fake.windows.length = 0;
  fake.state.filter = null;
  fake.state.pdfError = null;
  vi.mocked(electron.dialog.showSaveDialog).mockReset();
});

describe('chooseSavePath', () => {
  it('suggests the report name in Documents with the filter of its format', async () => {
    vi.mocked(electron.dialog.showSaveDialog).mockResolvedValue({ canceled: false, filePath: '/cases/out.csv' });
    await expect(chooseSavePath(null, 'hopscope-report.csv')).resolves.toBe('/cases/out.csv');
    const opts = vi.mocked(electron.dialog.showSaveDialog).mock.calls[0]![0] as unknown as { defaultPath: string; filters: Array<{ extensions: string[] }> };
    expect(opts.defaultPath).toBe('/users/me/documents/hopscope-report.csv');
    expect(opts.filters[0]!.extensions).toEqual(['csv']);
    await chooseSavePath(null, 'hopscope-report.pdf');
    expect((vi.mocked(electron.dialog.showSaveDialog).mock.calls[1]![0] as unknown as { filters: Array<{ extensions: string[] }> }).filters[0]!.extensions).toEqual(['pdf']);
  });

  it('returns null when the dialog is cancelled', async () => {
    vi.mocked(electron.dialog.showSaveDialog).mockResolvedValue({ canceled: true, filePath: '/ignored' });
    await expect(chooseSavePath(null, 'hopscope-report.json')).resolves.toBeNull();
  });
});

describe('printHtmlToPdf', () => {
  it('prints in a hidden sandboxed window with JavaScript off and no preload, loading only the report file', async () => {
    const pdf = await printHtmlToPdf('<!doctype html><p>report</p>');
    expect(new TextDecoder().decode(pdf)).toBe('%PDF-1.7 fake');
    const [w] = fake.windows;
    expect(w!.options.show).toBe(false);
    const prefs = w!.options.webPreferences;
    expect(prefs['javascript']).toBe(false);
    expect(prefs['preload']).toBeUndefined();
    expect(prefs['sandbox']).toBe(true);
    expect(prefs['contextIsolation']).toBe(true);
    expect(prefs['nodeIntegration']).toBe(false);
    expect(prefs['session']).toMatchObject({ name: 'hopscope-pdf' });
    expect(fake.state.fileSeen).toBe('<!doctype html><p>report</p>');
    const url = w!.loaded[0]!;
    expect(url.startsWith('file://')).toBe(true);
    const verdict = (u: string) => {
      let out: { cancel?: boolean } = {};
      fake.state.filter!({ url: u }, (r) => (out = r));
      return out.cancel === true;
    };
    expect(verdict(url)).toBe(false);
    for (const u of ['https://example.com/x.png', 'file:///etc/passwd', 'data:image/png;base64,AA==', 'app://hopscope/index.html']) expect(verdict(u)).toBe(true);
    expect(w!.openHandler!()).toEqual({ action: 'deny' });
    const nav = { preventDefault: vi.fn() };
    w!.navHandlers[0]!(nav);
    expect(nav.preventDefault).toHaveBeenCalled();
    expect(w!.destroyed).toBe(true);
    expect(existsSync(fileURLToPath(url))).toBe(false);
  });

  it('destroys the window and removes the temporary file when printing fails', async () => {
    fake.state.pdfError = new Error('printing failed');
    await expect(printHtmlToPdf('<p>x</p>')).rejects.toThrow('printing failed');
    const [w] = fake.windows;
    expect(w!.destroyed).toBe(true);
    expect(existsSync(fileURLToPath(w!.loaded[0]!))).toBe(false);
  });

  it('keeps every secure flag of the app window except the preload', () => {
    const { preload: _p, ...rest } = SECURE_WEB_PREFERENCES;
    expect(PDF_WEB_PREFERENCES).toMatchObject(rest);
    expect(Object.isFrozen(PDF_WEB_PREFERENCES)).toBe(true);
  });
});
