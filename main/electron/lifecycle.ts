// App lifecycle: single instance, one locked-down window, IPC wiring to the host service, menu, quit.
// Invariant: the sandbox, the app scheme and every security guard are installed before the first window exists.

import { app, BrowserWindow, dialog, Menu } from 'electron';
import { join, resolve } from 'node:path';
import { argvCwd, filesFromArgv } from './cli-args.ts';
import type { HostServiceLike } from './host-like.ts';
import { attachPushes, registerIpc } from './ipc.ts';
import { chooseSavePath, printHtmlToPdf } from './export-dialogs.ts';
import { buildMenuTemplate } from './menu.ts';
import { registerAppScheme, serveAppScheme } from './protocol.ts';
import { installSecurity } from './security.ts';
import { createMainWindow } from './window.ts';
import { verifyWorkerFiles, WORKER_HASHES_FILE } from './worker-integrity.ts';

export interface HostFactoryOptions {
  mode: 'electron';
  resourcesDir: string;
  userDataDir: string;
  preopened?: string[];
  version?: string;
  /** The native open dialog; the host registers what it returns as 'picked' (files.pick). */
  pickFiles?: (folder?: boolean) => Promise<string[]>;
  /** The native save dialog for an export; the host writes the file (never over evidence). */
  chooseSavePath?: (suggestedName: string) => Promise<string | null>;
  /** "Print report to PDF": the HTML report rendered in a hidden, script-less, offline window. */
  printToPdf?: (html: string) => Promise<Uint8Array>;
  workerPath?: string;
}
export type HostFactory = (opts: HostFactoryOptions) => HostServiceLike;

/** `dist/electron` -> repository (development) or `app.asar` (packaged). */
const APP_ROOT = resolve(__dirname, '..', '..');
const RENDERER_ROOT = resolve(__dirname, '..', 'renderer');
const ICON_PATH = join(APP_ROOT, 'resources', 'icons', 'icon-512.png');

const EVIDENCE_FILTERS = [
  { name: 'Event logs and exports', extensions: ['evtx', 'csv', 'tsv', 'json', 'jsonl', 'ndjson', 'xml', 'log', 'txt'] },
  { name: 'All files', extensions: ['*'] },
];

function resourcesDir(): string {
  return app.isPackaged ? join(process.resourcesPath, 'resources') : join(APP_ROOT, 'resources');
}

/**
 * The engine worker runs outside the asar (extraResources, renamed .mjs so it loads as ESM without a
 * package.json beside it); in development it is the build output in dist/host.
 */
function workerPath(): string {
  return app.isPackaged ? join(process.resourcesPath, 'engine', 'engine-worker.mjs') : resolve(__dirname, '..', 'host', 'engine-worker.js');
}

async function pickFiles(owner: BrowserWindow | null, folder = false): Promise<string[]> {
  // A folder (a KAPE winevt/Logs) opens as the log files in it: the host expands it (evidence-folder.ts).
  const opts = folder
    ? { title: 'Open a folder of evidence', properties: ['openDirectory', 'multiSelections'] as Array<'openDirectory' | 'multiSelections'> }
    : { title: 'Open evidence', properties: ['openFile', 'multiSelections'] as Array<'openFile' | 'multiSelections'>, filters: EVIDENCE_FILTERS };
  const r = owner ? await dialog.showOpenDialog(owner, opts) : await dialog.showOpenDialog(opts);
  return r.canceled ? [] : r.filePaths;
}

function fatal(title: string, err: unknown): void {
  dialog.showErrorBox(title, err instanceof Error ? err.message : String(err));
  app.exit(1);
}

/** Starts the app with the given host factory; `null` means this build has no host and shows why. */
export function startApp(createHost: HostFactory | null): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  registerAppScheme();
  installSecurity();

  let host: HostServiceLike | null = null;
  let win: BrowserWindow | null = null;
  let closing = false;

  const openWindow = (): void => {
    if (!host) return;
    win = createMainWindow({ icon: ICON_PATH });
    attachPushes(host, win.webContents);
    win.on('closed', () => {
      win = null;
    });
  };

  /** Registers files and opens them as a case; progress and errors reach the renderer as pushes. */
  const openPaths = async (paths: string[], how: 'picked' | 'cli'): Promise<void> => {
    if (!host || paths.length === 0) return;
    try {
      const handles = [];
      if (host.registerPaths) handles.push(...(await host.registerPaths(paths, how)));
      else for (const p of paths) handles.push(await host.registerPath(p, how));
      await host.call('case.open', { handles: handles.map((h) => h.id) });
    } catch (err) {
      dialog.showErrorBox('Cannot open evidence', err instanceof Error ? err.message : String(err));
    }
  };

  app.on('second-instance', (_event, argv, cwd) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    void openPaths(filesFromArgv(argv, { defaultApp: Boolean(process.defaultApp), cwd }), 'cli');
  });

  app.on('window-all-closed', () => app.quit());

  app.on('will-quit', (event) => {
    if (!host || closing) return;
    closing = true;
    event.preventDefault();
    const h = host;
    host = null;
    void h.close().catch(() => undefined).finally(() => app.quit());
  });

  void app.whenReady().then(() => {
    serveAppScheme(RENDERER_ROOT);
    if (!createHost) {
      fatal('Hopscope cannot start', new Error('This build does not include the host service (main/host/host-service.ts).'));
      return;
    }
    if (app.isPackaged) {
      // The workers run outside the asar: check them against the hashes the build put inside it before any starts.
      const bad = verifyWorkerFiles(join(process.resourcesPath, 'engine'), join(__dirname, WORKER_HASHES_FILE));
      if (bad) {
        fatal('Hopscope cannot start', new Error(`integrity check failed: ${bad}`));
        return;
      }
    }
    try {
      host = createHost({
        mode: 'electron',
        resourcesDir: resourcesDir(),
        userDataDir: app.getPath('userData'),
        preopened: filesFromArgv(process.argv, { defaultApp: Boolean(process.defaultApp), cwd: argvCwd(process.env, process.cwd()) }),
        version: app.getVersion(),
        pickFiles: (folder?: boolean) => pickFiles(BrowserWindow.getFocusedWindow() ?? win, folder === true),
        chooseSavePath: (name) => chooseSavePath(BrowserWindow.getFocusedWindow() ?? win, name),
        printToPdf: printHtmlToPdf,
        workerPath: workerPath(),
      });
    } catch (err) {
      fatal('Hopscope cannot start', err);
      return;
    }
    registerIpc({ host });
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        buildMenuTemplate({
          isPackaged: app.isPackaged,
          isMac: process.platform === 'darwin',
          open: () => {
            void pickFiles(win).then((paths) => openPaths(paths, 'picked'));
          },
          about: () => {
            void dialog.showMessageBox({
              type: 'info',
              title: 'About Hopscope',
              message: `Hopscope ${app.getVersion()}`,
              detail: 'Offline forensic timeline viewer for process-creation logs.\nIt never connects to the network and never writes to evidence files.',
            });
          },
        }),
      ),
    );
    openWindow();
  });
}
