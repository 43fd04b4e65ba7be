// Report exports in the desktop app: the native save dialog (the host writes the file, never over evidence) and
// "Print report to PDF" in a hidden, sandboxed window with JavaScript off, no preload and every request but the
// report's own refused. Invariant: the PDF window is destroyed and its temporary file removed whatever happens.

import { app, BrowserWindow, dialog, session, type Session, type WebPreferences } from 'electron';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SECURE_WEB_PREFERENCES } from './window.ts';

type FileFilter = { name: string; extensions: string[] };

/** Save-dialog filters per report format (by the suggested name's extension). */
export const EXPORT_FILTERS: Readonly<Record<string, FileFilter[]>> = Object.freeze({
  json: [{ name: 'JSON report', extensions: ['json'] }],
  csv: [{ name: 'CSV (spreadsheet)', extensions: ['csv'] }],
  ndjson: [{ name: 'NDJSON', extensions: ['ndjson', 'jsonl'] }],
  html: [{ name: 'HTML report', extensions: ['html', 'htm'] }],
  pdf: [{ name: 'PDF report', extensions: ['pdf'] }],
});

/** The native save dialog for a report; null when cancelled. Starts in Documents with the suggested name. */
export async function chooseSavePath(owner: BrowserWindow | null, suggestedName: string): Promise<string | null> {
  const ext = extname(suggestedName).slice(1).toLowerCase();
  const opts = {
    title: 'Save report',
    defaultPath: join(app.getPath('documents'), suggestedName),
    filters: [...(EXPORT_FILTERS[ext] ?? []), { name: 'All files', extensions: ['*'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'] as Array<'createDirectory' | 'showOverwriteConfirmation'>,
  };
  const r = owner ? await dialog.showSaveDialog(owner, opts) : await dialog.showSaveDialog(opts);
  return r.canceled || !r.filePath ? null : r.filePath;
}

/** The PDF window's preferences: the app's secure set, without the preload and with JavaScript off. */
export const PDF_WEB_PREFERENCES: Readonly<WebPreferences> = Object.freeze(
  (() => {
    const { preload: _preload, ...rest } = SECURE_WEB_PREFERENCES;
    return { ...rest, javascript: false, images: true, offscreen: false };
  })(),
);

/** An in-memory session of its own (no `persist:`), so nothing of the report outlives the print. */
const PDF_PARTITION = 'hopscope-pdf';

/** Only the report file itself may load: no images, fonts, frames or anything else, local or remote. */
export function allowOnly(ses: Session, url: string): void {
  ses.webRequest.onBeforeRequest((details, callback) => callback(details.url === url ? {} : { cancel: true }));
}

/** Renders the (self-contained, script-free) HTML report and prints it to PDF bytes. */
export async function printHtmlToPdf(html: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'hopscope-pdf-'));
  const file = join(dir, `report-${randomBytes(6).toString('hex')}.html`);
  let win: BrowserWindow | null = null;
  try {
    await writeFile(file, html, { encoding: 'utf8', mode: 0o600 });
    const url = pathToFileURL(file).href;
    const ses = session.fromPartition(PDF_PARTITION, { cache: false });
    allowOnly(ses, url);
    win = new BrowserWindow({ show: false, width: 1000, height: 1400, webPreferences: { ...PDF_WEB_PREFERENCES, session: ses } });
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    win.webContents.on('will-navigate', (event) => event.preventDefault());
    await win.loadURL(url);
    const pdf = await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
    return new Uint8Array(pdf);
  } finally {
    if (win && !win.isDestroyed()) win.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
