#!/usr/bin/env node
// UI benchmark in Debian's Chromium against browser mode: time to first (partial) view and to the ready case, and frame times
// (requestAnimationFrame intervals) while zooming, panning and scrolling the table. Prints one JSON object.
// Usage: node test/bench/ui-bench.mjs FILE   (build first: node scripts/build.mjs)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = process.argv[2];
if (!file) {
  console.error('usage: node test/bench/ui-bench.mjs FILE');
  process.exit(2);
}
const userData = mkdtempSync(join(tmpdir(), 'hopscope-uibench-'));
const profile = mkdtempSync(join(tmpdir(), 'hopscope-uibench-profile-'));

function startServer() {
  const child = spawn(process.execPath, [join(root, 'dist', 'host', 'web.js'), file], {
    cwd: root,
    env: { ...process.env, HOPSCOPE_USER_DATA: userData, INIT_CWD: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.stderr.resume();
    child.on('exit', (code) => reject(new Error(`server exited (${code})\n${out}`)));
  });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, medianMs: +q(0.5).toFixed(1), p95Ms: +q(0.95).toFixed(1), maxMs: +s[s.length - 1].toFixed(1) };
};

/** In the page: performs `steps` actions, one per animation frame, and returns the frame intervals. */
async function frames(page, kind, steps) {
  return page.evaluate(
    async ({ kind, steps }) => {
      const plot = document.querySelector('[aria-roledescription="timeline"]');
      const table = document.querySelector('[data-testid="table-viewport"]');
      const rect = plot.getBoundingClientRect();
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const act = (i) => {
        const clientX = rect.left + rect.width * 0.5;
        const clientY = rect.top + 20;
        if (kind === 'wheel-zoom') plot.dispatchEvent(new WheelEvent('wheel', { deltaY: i < steps / 2 ? -120 : 120, clientX, clientY, bubbles: true, cancelable: true }));
        else if (kind === 'key-zoom') plot.dispatchEvent(new KeyboardEvent('keydown', { key: i % 2 ? '-' : '+', bubbles: true, cancelable: true }));
        else if (kind === 'pan') plot.dispatchEvent(new KeyboardEvent('keydown', { key: Math.floor(i / 20) % 2 ? 'ArrowLeft' : 'ArrowRight', bubbles: true, cancelable: true }));
        else if (kind === 'table-scroll') table.scrollTop += 400;
      };
      const deltas = [];
      let last = await frame();
      for (let i = 0; i < steps; i++) {
        act(i);
        const t = await frame();
        deltas.push(t - last);
        last = t;
      }
      return deltas;
    },
    { kind, steps },
  );
}

const { url, child } = await startServer();
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  viewport: { width: 1280, height: 800 },
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const result = { machine: `${cpus().length} x ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`, date: new Date().toISOString().slice(0, 10), file, bytes: statSync(file).size };
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30 * 60_000);
  const t0 = Date.now();
  await page.goto(url);
  // Anything of the case on screen: the progress view (while ingest runs) or the lanes (case ready).
  await page.locator('progress, ul[aria-label="Hosts"] > li').first().waitFor();
  result.firstPaintMs = Date.now() - t0;
  await page.locator('ul[aria-label="Hosts"] > li').first().waitFor();
  result.timeToFirstViewMs = Date.now() - t0;
  // Lanes under the "Reading…" banner: a partial view of the events so far while the ingest goes on.
  result.firstViewPartial = (await page.getByTestId('partial-banner').count()) > 0;
  await page.waitForFunction(() => /\d{4}-\d\d-\d\dT/.test(document.querySelector('[data-testid="table-viewport"]')?.textContent ?? ''));
  result.timeToTableRowsMs = Date.now() - t0;
  // The whole case (rules run, banner gone): the frame measurements below run on it.
  await page.getByTestId('partial-banner').waitFor({ state: 'detached' });
  await page.locator('ul[aria-label="Hosts"] > li').first().waitFor();
  result.timeToCaseReadyMs = Date.now() - t0;
  // The table refetches for the ready case: wait until it counts what the top bar says.
  const total = Number(/([\d,]+) events/.exec((await page.locator('.topbar .stats').textContent()) ?? '')?.[1]?.replace(/,/g, ''));
  await page.locator(`[role="grid"][aria-rowcount="${total + 1}"]`).waitFor();
  result.events = Number(await page.getByRole('grid', { name: 'Events' }).getAttribute('aria-rowcount')) - 1;
  result.hosts = await page.locator('ul[aria-label="Hosts"] > li').count();
  await frames(page, 'pan', 10); // warm-up
  result.wheelZoom = stats(await frames(page, 'wheel-zoom', 120));
  result.keyZoom = stats(await frames(page, 'key-zoom', 60));
  result.pan = stats(await frames(page, 'pan', 120));
  result.tableScroll = stats(await frames(page, 'table-scroll', 120));
  // Data latency: from a zoom key to the frame after the new timeline answer is drawn (the bucket label changes).
  result.zoomDataLatency = stats(
    await page.evaluate(async () => {
      const plot = document.querySelector('[aria-roledescription="timeline"]');
      const range = document.querySelector('.timeline .range');
      const label = () => /· ([^·]+) buckets/.exec(range?.textContent ?? '')?.[1];
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      plot.dispatchEvent(new KeyboardEvent('keydown', { key: '0', bubbles: true, cancelable: true }));
      for (let i = 0; i < 120; i++) await frame();
      const out = [];
      // Stops once buckets are one second: finer zoom keeps the label, so no answer would be seen.
      for (let i = 0; i < 8 && label() !== '1 s'; i++) {
        const before = label();
        const t0 = performance.now();
        plot.dispatchEvent(new KeyboardEvent('keydown', { key: '+', bubbles: true, cancelable: true }));
        while (label() === before && performance.now() - t0 < 20_000) await frame();
        if (label() !== before) out.push((await frame()) - t0);
      }
      return out;
    }),
  );
  await page.screenshot({ path: join(root, 'test-results', 'ui-bench.png') });
} finally {
  await browser.close().catch(() => {});
  child.kill();
  rmSync(profile, { recursive: true, force: true });
  rmSync(userData, { recursive: true, force: true });
}
console.log(JSON.stringify(result, null, 2));
