#!/usr/bin/env node
// README screenshots: the built app in browser mode (dist/host/web.js) in Debian's Chromium at 1440x900, on the
// bundled sample (uploaded, as an analyst would): the case view with a lateral-movement link chosen (its arc and both hosts' events), and the HTML
// report of the same case. Writes docs/screenshots/case-link.png and docs/screenshots/report.png (each kept under
// 300 KB). Build first: `node scripts/build.mjs`; then `node scripts/screenshots.mjs`.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs', 'screenshots');
const MAX_BYTES = 300 * 1024;
const { chromium } = await import('playwright-core');

const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => p && existsSync(p));
if (!executablePath) throw new Error('no Chromium found; set CHROMIUM_PATH');
if (!existsSync(join(root, 'dist', 'host', 'web.js'))) throw new Error('dist/ missing: run node scripts/build.mjs first');

const tmp = mkdtempSync(join(tmpdir(), 'hopscope-shots-'));
const server = spawn(process.execPath, [join(root, 'dist', 'host', 'web.js')], {
  cwd: root,
  env: { ...process.env, HOPSCOPE_USER_DATA: join(tmp, 'data'), INIT_CWD: root },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.setEncoding('utf8');
  server.stdout.on('data', (d) => {
    out += d;
    const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`server exited (${code})\n${out}`)));
});

const browser = await chromium.launch({ executablePath, headless: true, args: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme: 'light', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(url);
  // The bundled sample, opened as an analyst's upload: the report then names the file, not this checkout's path.
  const upload = join(tmp, 'upload');
  mkdirSync(upload, { recursive: true });
  copyFileSync(join(root, 'resources', 'samples', 'corp-lateral-movement.evtx'), join(upload, 'corp-lateral-movement.evtx'));
  await page.getByRole('button', { name: /Open bundled sample/ }).first().waitFor();
  await page.locator('input[type=file]').first().setInputFiles(join(upload, 'corp-lateral-movement.evtx'));
  await page.locator('ul[aria-label="Hosts"] > li[role="listitem"]').nth(2).waitFor();
  // The case view with a link chosen: the PsExec from WKS-NYC-1002 to SRV-FILE-01, its chain on the lanes.
  const links = page.getByRole('list', { name: 'Lateral movement between hosts' }).getByRole('button');
  await links.first().waitFor();
  await links.filter({ hasText: 'SRV-FILE-01' }).first().click();
  await page.locator('.chip', { hasText: 'Hosts:' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[role="grid"][aria-label="Events"] .block [role="gridcell"]').length > 10);
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  const caseShot = join(outDir, 'case-link.png');
  await page.screenshot({ path: caseShot });

  // The HTML report of the same case, opened as the analyst would open the saved file.
  await page.getByRole('combobox', { name: 'Report format' }).selectOption('html');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report' }).click()]);
  const file = join(tmp, 'report.html');
  await download.saveAs(file);
  const report = await context.newPage();
  await report.goto(pathToFileURL(file).href);
  await report.locator('section.finding').first().waitFor();
  // Scrolled to the findings: what ran (host, user, parent -> process, the command line wrapped), the locator and
  // the EventRecordID of each event.
  await report.evaluate(() => {
    const first = document.querySelector('section.finding');
    const head = [...document.querySelectorAll('h2')].find((h) => /^Findings/.test(h.textContent ?? '') && first && h.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
    (head ?? first)?.scrollIntoView({ block: 'start' });
  });
  const reportShot = join(outDir, 'report.png');
  await report.screenshot({ path: reportShot });

  for (const f of [caseShot, reportShot]) {
    const n = statSync(f).size;
    console.log(`${f.slice(root.length + 1)}: ${Math.round(n / 1024)} KB`);
    if (n > MAX_BYTES) throw new Error(`${f} is ${n} bytes, over ${MAX_BYTES}`);
  }
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
