#!/usr/bin/env node
// UI benchmark in Debian's Chromium against browser mode: time to first (partial) view and to the ready case, and, while
// zooming, panning and scrolling the table, frame intervals (requestAnimationFrame) and per-frame main-thread work (see
// frames()) with long tasks. Prints one JSON object.
// Usage: node test/bench/ui-bench.mjs FILE   (build first: node scripts/build.mjs)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * In the page: performs `steps` actions, one per animation frame, and returns per step
 * - `interval`: time between consecutive requestAnimationFrame timestamps (16.7 ms = 60 Hz vsync; more = dropped frames);
 * - `work`: main-thread work of that frame: from the frame's first event (the table's `scroll` event, which runs
 *   before animation-frame callbacks) or our animation-frame callback (which dispatches the wheel/key input first)
 *   to a message posted from it, which runs after the frame's remaining animation-frame callbacks (the app's draw),
 *   style, layout and paint, and after any task already queued (e.g. a timeline answer arriving);
 * plus the long tasks (> 50 ms, PerformanceObserver 'longtask') and long animation frames ('long-animation-frame',
 * with the scripts that ran longest) seen during the run.
 */
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
      const longTasks = [];
      const loafs = [];
      const observers = [];
      const observe = (type, sink) => {
        try {
          const o = new PerformanceObserver((list) => sink.push(...list.getEntries()));
          o.observe({ type, buffered: false });
          observers.push(o);
        } catch {
          // entry type not supported by this browser
        }
      };
      observe('longtask', longTasks);
      observe('long-animation-frame', loafs);
      // Scroll events of a frame run before its animation-frame callbacks: the frame's work starts there.
      let scrollStart = null;
      const onScroll = () => {
        if (scrollStart === null) scrollStart = performance.now();
      };
      document.addEventListener('scroll', onScroll, { capture: true, passive: true });
      const channel = new MessageChannel();
      const afterFrame = () => new Promise((r) => {
        channel.port1.onmessage = () => r(performance.now());
        channel.port2.postMessage(0);
      });
      const intervals = [];
      const work = [];
      let last = await frame();
      let pending = null;
      for (let i = 0; i < steps; i++) {
        // Our callback runs first in the frame (registered before the app's draw callback).
        const t = await frame();
        const begin = Math.min(performance.now(), scrollStart ?? Infinity);
        scrollStart = null;
        if (pending) work.push(await pending);
        const end = afterFrame();
        pending = end.then((e) => e - begin);
        act(i);
        intervals.push(t - last);
        last = t;
      }
      await frame();
      if (pending) work.push(await pending);
      await new Promise((r) => setTimeout(r, 100));
      for (const o of observers) {
        longTasks.push(...o.takeRecords());
        o.disconnect();
      }
      document.removeEventListener('scroll', onScroll, { capture: true });
      const loafSummary = loafs
        .sort((a, b) => b.duration - a.duration)
        .slice(0, 3)
        .map((f) => ({
          durationMs: Math.round(f.duration),
          blockingMs: Math.round(f.blockingDuration ?? 0),
          renderMs: Math.round(f.renderStart ? f.startTime + f.duration - f.renderStart : 0),
          styleLayoutMs: Math.round(f.styleAndLayoutStart ? f.startTime + f.duration - f.styleAndLayoutStart : 0),
          scripts: (f.scripts ?? []).slice(0, 3).map((s) => `${s.invoker} ${Math.round(s.duration)}ms ${s.sourceFunctionName ?? ''}`),
        }));
      return { intervals, work, longTasks: longTasks.map((e) => e.duration), longFrames: loafs.length, loafSummary };
    },
    { kind, steps },
  );
}

/** The 12 functions with the most self time in a CDP CPU profile, as "ms name (url:line)". */
function topSelf(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} (${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1})`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, ms]) => `${ms.toFixed(1)} ms ${k}`);
}

/** Frame intervals, per-frame work and long tasks of one measured run. */
function frameStats(r) {
  return {
    interval: stats(r.intervals),
    work: stats(r.work),
    framesOver16ms: r.work.filter((w) => w > 16).length,
    longTasks: { n: r.longTasks.length, maxMs: r.longTasks.length ? +Math.max(...r.longTasks).toFixed(1) : 0, totalMs: +r.longTasks.reduce((a, b) => a + b, 0).toFixed(1) },
    longAnimationFrames: r.longFrames,
    worstFrames: r.loafSummary,
  };
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
  // Milestones stamped inside the page by a MutationObserver (performance.now(), i.e. since navigation start): a
  // locator's waitFor polls at growing intervals, which rounded the first view up by up to ~0.5 s.
  await page.addInitScript(() => {
    const marks = {};
    window.__hsMarks = marks;
    const check = () => {
      if (marks.lanes === undefined && document.querySelector('ul[aria-label="Hosts"] > li')) marks.lanes = performance.now();
      if (marks.rows === undefined && /\d{4}-\d\d-\d\dT/.test(document.querySelector('[data-testid="table-viewport"]')?.textContent ?? '')) marks.rows = performance.now();
      if (marks.lanes !== undefined && marks.rows !== undefined) obs.disconnect();
    };
    const obs = new MutationObserver(check);
    obs.observe(document, { childList: true, subtree: true, characterData: true });
  });
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
  const marks = await page.evaluate(() => window.__hsMarks);
  // The in-page stamps are the measurement; the polled times above are kept for comparison.
  result.polledFirstViewMs = result.timeToFirstViewMs;
  result.polledTableRowsMs = result.timeToTableRowsMs;
  result.timeToFirstViewMs = Math.round(marks.lanes);
  result.timeToTableRowsMs = Math.round(marks.rows);
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
  // UI_BENCH_PROFILE=DIR: a CPU profile of the page per run (DIR/<run>.cpuprofile, opens in Chrome DevTools) and
  // the functions with the most self time in the result.
  const profileDir = process.env.UI_BENCH_PROFILE;
  const cdp = profileDir ? await browser.newCDPSession(page) : null;
  if (cdp) {
    mkdirSync(profileDir, { recursive: true });
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  }
  // UI_BENCH_TRACE=1: a Chromium trace per run, summed per event name on the page's main thread (inclusive ms).
  const tracer = process.env.UI_BENCH_TRACE ? await browser.newCDPSession(page) : null;
  const traced = async (fn) => {
    if (!tracer) return { value: await fn(), trace: null };
    const events = [];
    const onData = (d) => events.push(...d.value);
    tracer.on('Tracing.dataCollected', onData);
    await tracer.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'gpu', 'v8'] } });
    const value = await fn();
    const done = new Promise((r) => tracer.once('Tracing.tracingComplete', r));
    await tracer.send('Tracing.end');
    await done;
    tracer.off('Tracing.dataCollected', onData);
    const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
    const sums = new Map();
    for (const e of events) {
      if (e.ph !== 'X' || !main || e.pid !== main.pid || e.tid !== main.tid) continue;
      sums.set(e.name, (sums.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
    }
    return { value, trace: [...sums].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, ms]) => `${ms.toFixed(1)} ms ${k}`) };
  };
  const measure = async (name, kind, steps) => {
    if (cdp) await cdp.send('Profiler.start');
    const t = await traced(() => frames(page, kind, steps));
    const r = frameStats(t.value);
    if (t.trace) r.trace = t.trace;
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
      r.profileTop = topSelf(profile);
    }
    return r;
  };
  result.wheelZoom = await measure('wheel-zoom', 'wheel-zoom', 120);
  result.keyZoom = await measure('key-zoom', 'key-zoom', 60);
  // Panning the whole case only hits the 5 % margin and then stops changing anything: pan a zoomed-in view (1/16 of
  // the case, four '+') so every step moves the range.
  await page.evaluate(async () => {
    const plot = document.querySelector('[aria-roledescription="timeline"]');
    plot.dispatchEvent(new KeyboardEvent('keydown', { key: '0', bubbles: true, cancelable: true }));
    for (let i = 0; i < 4; i++) plot.dispatchEvent(new KeyboardEvent('keydown', { key: '+', bubbles: true, cancelable: true }));
    for (let i = 0; i < 60; i++) await new Promise((r) => requestAnimationFrame(r));
  });
  result.pan = await measure('pan', 'pan', 120);
  result.tableScroll = await measure('table-scroll', 'table-scroll', 120);
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
