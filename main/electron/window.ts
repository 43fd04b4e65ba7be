// The one window factory and its one frozen, secure `webPreferences`.
// Invariant: every BrowserWindow is created here, sandboxed and isolated, and loads only `app://hopscope/index.html`.

import { BrowserWindow, type WebPreferences } from 'electron';
import { join } from 'node:path';
import { APP_INDEX_URL } from './origin.ts';

/** The bundled preload, next to the bundled main (`dist/electron/preload.cjs`). */
export const PRELOAD_PATH = join(__dirname, 'preload.cjs');

/** Frozen so no caller can weaken a flag; each flag cites the Electron security checklist item it implements. */
export const SECURE_WEB_PREFERENCES: Readonly<WebPreferences> = Object.freeze({
  preload: PRELOAD_PATH,
  contextIsolation: true, // #3
  sandbox: true, // #4
  nodeIntegration: false, // #2
  nodeIntegrationInWorker: false, // #2
  nodeIntegrationInSubFrames: false, // #2
  webSecurity: true, // #6
  allowRunningInsecureContent: false, // #8
  experimentalFeatures: false, // #9
  webviewTag: false, // #11, #12
  spellcheck: false, // dictionaries would be downloaded: never phone home
  navigateOnDragDrop: false, // #13: a dropped file must not replace the app page
  safeDialogs: true,
});

export interface WindowOptions {
  /** Dark background shown before the first paint, matching the renderer theme. */
  backgroundColor?: string;
  /** Window icon (Linux/Windows taskbar); packaged macOS builds use the bundle icon. */
  icon?: string;
}

export function createMainWindow(opts: WindowOptions = {}): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Hopscope',
    backgroundColor: opts.backgroundColor ?? '#111418',
    ...(opts.icon ? { icon: opts.icon } : {}),
    // A copy: Electron may annotate the object it is given, the frozen original stays the reference.
    webPreferences: { ...SECURE_WEB_PREFERENCES },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}
