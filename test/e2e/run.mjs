#!/usr/bin/env node
// End-to-end: the built renderer in Debian's Chromium against the real browser-mode server (dist/host/web.js).
// Named test cases run in order on one page (a user's session); any console error or CSP violation fails the
// case. Prints `e2e: N passed, N failed` last; exit 1 on failure. No Chromium: SKIPPED (exit 0), except under CI.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'test-results', 'e2e');
const STEP_TIMEOUT_MS = 60_000;

function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, process.env.HOPSCOPE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

const executablePath = findChromium();
if (!executablePath) {
  console.log('e2e: SKIPPED (no Chromium found; set CHROMIUM_PATH)');
  process.exit(process.env.CI ? 1 : 0);
}

const { chromium } = await import('playwright-core');

// ---------------------------------------------------------------------------------------------------------
// Server

function ensureBuilt() {
  if (existsSync(join(root, 'dist', 'host', 'web.js')) && existsSync(join(root, 'dist', 'renderer', 'index.html'))) return;
  console.log('e2e: dist/ incomplete, building first');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--quiet'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

/** Starts `node dist/host/web.js` with a private user-data folder and resolves with the printed URL. */
function startServer(userData, files = [], env = {}) {
  const child = spawn(process.execPath, [join(root, 'dist', 'host', 'web.js'), ...files], {
    cwd: root,
    env: { ...process.env, HOPSCOPE_USER_DATA: userData, INIT_CWD: root, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`server printed no URL within ${STEP_TIMEOUT_MS} ms\n${out}\n${err}`)), STEP_TIMEOUT_MS);
    const fail = (e) => {
      clearTimeout(timer);
      child.kill();
      reject(e);
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, logs: () => out + err });
      }
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => fail(new Error(`server exited (${code}) before printing its URL\n${out}\n${err}`)));
    child.on('error', fail);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Test cases: each gets { page, url } and throws on failure.

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Waits for `locator`, failing at once with the banner text if the app shows an error instead. */
async function waitOrAlert(page, locator, timeout = STEP_TIMEOUT_MS) {
  const alert = page.locator('[role="alert"]').first();
  const winner = await Promise.race([
    locator.waitFor({ timeout }).then(() => 'ok'),
    alert.waitFor({ timeout }).then(() => 'alert'),
  ]);
  if (winner === 'alert') throw new Error(`app reported: ${(await alert.textContent())?.trim()}`);
}

/** axe-core over the page in a colour scheme; fails with the violations it lists. */
async function axeCheck(page, scheme) {
  const { readFileSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.emulateMedia({ colorScheme: scheme });
  // Injected through the debugging protocol: the page's CSP (rightly) refuses any script of its own.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // The event table's grid is keyboard-driven through aria-activedescendant (arrows, Page Up/Down, Home/End);
    // axe asks the scrolling viewport inside it to be focusable as well, which would add a second tab stop.
    const res = await window.axe.run(document, { resultTypes: ['violations'], rules: { 'scrollable-region-focusable': { enabled: false } } });
    return res.violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
  });
  assert(violations.length === 0, `${scheme}: ${violations.join(' | ')}`);
}

const lanes = (page) => page.locator('ul[aria-label="Hosts"] > li[role="listitem"]');
const dataRows = (page) => page.locator('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])');

const tests = [
  {
    name: 'start screen lists the bundled samples, with no accessibility violations (axe-core)',
    async run({ page, url }) {
      await page.goto(url);
      await page.getByRole('heading', { name: 'Hopscope' }).waitFor();
      const samples = page.getByRole('button', { name: /Open bundled sample/ });
      await samples.first().waitFor();
      assert((await samples.count()) >= 1, 'no bundled sample buttons');
      try {
        await axeCheck(page, 'light');
        await axeCheck(page, 'dark');
      } finally {
        await page.emulateMedia({ colorScheme: null });
      }
    },
  },
  {
    name: 'opening a bundled sample shows host lanes and event rows',
    async run({ page }) {
      await page.getByRole('button', { name: /Open bundled sample/ }).first().click();
      await waitOrAlert(page, lanes(page).nth(2));
      const hosts = await lanes(page).allTextContents();
      assert(hosts.length >= 3, `expected lanes for several hosts, got ${hosts.length}`);
      await page.waitForFunction(
        () => {
          const rows = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])')];
          return rows.some((r) => /\d{4}-\d\d-\d\dT/.test(r.textContent ?? ''));
        },
        null,
        { timeout: STEP_TIMEOUT_MS },
      );
      const count = await dataRows(page).count();
      assert(count > 0, 'no table rows');
      const total = Number(await page.getByRole('grid', { name: 'Events' }).getAttribute('aria-rowcount')) - 1;
      assert(count <= total && count < 200, `table renders ${count} rows for ${total} events: not virtualised`);
      const canvas = await page.getByTestId('timeline-canvas').boundingBox();
      assert(canvas && canvas.width > 100 && canvas.height > 50, 'timeline canvas not drawn at a usable size');
      await page.screenshot({ path: join(outDir, 'case-overview.png') });
    },
  },
  {
    name: 'the command-line column takes the free width, and "Wrap long values" shows a long command line whole',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const grid = page.getByRole('grid', { name: 'Events' });
      // The command line's cells, and whether the longest one on screen is cut (wider or taller than its box).
      const measure = () =>
        page.evaluate(() => {
          const g = document.querySelector('[role="grid"][aria-label="Events"]');
          const heads = [...(g?.querySelectorAll('[role="columnheader"]') ?? [])];
          const at = heads.findIndex((h) => /Command line/.test(h.textContent ?? ''));
          const row = g?.querySelector('.head [role="row"]');
          const cells = [...(g?.querySelectorAll(`.block [role="row"] [role="gridcell"]:nth-child(${at + 1})`) ?? [])];
          const longest = cells.sort((a, b) => (b.textContent ?? '').length - (a.textContent ?? '').length)[0];
          const used = heads.reduce((s, h) => s + h.getBoundingClientRect().width, 0);
          return {
            at,
            free: (row?.getBoundingClientRect().width ?? 0) - used,
            cut: longest ? longest.scrollWidth > longest.clientWidth + 1 || longest.scrollHeight > longest.clientHeight + 1 : true,
            lines: longest ? Math.round(longest.scrollHeight / parseFloat(getComputedStyle(longest).lineHeight || '1')) : 0,
            text: `${longest?.textContent ?? ''} (${longest?.scrollWidth}x${longest?.scrollHeight} in ${longest?.clientWidth}x${longest?.clientHeight})`,
          };
        });
      await page.waitForFunction(() => document.querySelectorAll('[role="grid"][aria-label="Events"] .block [role="gridcell"]').length > 10);
      const one = await measure();
      assert(one.at > 0, 'no Command line column');
      // No free width left beside the columns: the command line took it.
      assert(one.free < 24, `${one.free}px of the table left unused beside the command line`);
      await page.getByRole('checkbox', { name: 'Wrap long values' }).check();
      await page.waitForFunction(() => document.querySelector('[role="grid"][aria-label="Events"]')?.classList.contains('wrap'));
      const wrapped = await measure();
      // Cut on one line, whole over a few (a row holds five lines; the details pane holds any length).
      assert(one.cut, `the longest command line on screen fits one line anyway: ${one.text}`);
      assert(!wrapped.cut && wrapped.lines > 1, `the longest command line on screen is still cut when wrapped: ${wrapped.text}`);
      await page.screenshot({ path: join(outDir, 'table-wrapped.png') });
      await page.getByRole('checkbox', { name: 'Wrap long values' }).uncheck();
      await grid.waitFor();
    },
  },
  {
    name: 'findings panel lists lateral-movement findings',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const list = page.getByRole('list', { name: 'Findings by risk' });
      await list.getByRole('button').first().waitFor({ timeout: STEP_TIMEOUT_MS });
      const n = await list.getByRole('button').count();
      assert(n >= 1, 'no findings');
    },
  },
  {
    name: 'a lateral-movement link lists both hosts around it',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page }) {
      const link = page.getByRole('list', { name: 'Lateral movement between hosts' }).getByRole('button').first();
      await link.waitFor();
      const [from, to] = ((await link.locator('.mono').allTextContents()) ?? []).map((s) => s.trim());
      await link.click();
      await page.locator('.chip', { hasText: 'Hosts:' }).waitFor();
      await page.waitForFunction(
        ([a, b]) => {
          const hosts = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(2)')].map((c) => c.textContent ?? '');
          return hosts.length > 0 && hosts.every((h) => h === a || h === b);
        },
        [from, to],
      );
      await page.getByRole('button', { name: 'Show all events' }).click();
    },
  },
  {
    name: 'choosing a finding filters the table to its events',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page }) {
      const first = page.getByRole('list', { name: 'Findings by risk' }).getByRole('button').first();
      await first.click();
      await page.getByText(/^Finding: /).waitFor({ timeout: STEP_TIMEOUT_MS });
      await page.waitForFunction(
        () => {
          const g = document.querySelector('[role="grid"][aria-label="Events"]');
          const n = Number(g?.getAttribute('aria-rowcount') ?? '0') - 1;
          const rows = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])')];
          return n >= 1 && rows.some((r) => /\d{4}-\d\d-\d\dT/.test(r.textContent ?? ''));
        },
        null,
        { timeout: STEP_TIMEOUT_MS },
      );
      assert((await first.getAttribute('aria-pressed')) === 'true', 'finding not marked as selected');
    },
  },
  {
    name: 'the chosen finding explains why it matched',
    needs: ['choosing a finding filters the table to its events'],
    async run({ page }) {
      const sidebar = page.locator('section.findings');
      const sidebarBefore = await sidebar.evaluate((el) => el.scrollHeight);
      await page.getByRole('button', { name: 'Why did this match?' }).click();
      const dialog = page.getByRole('dialog', { name: /^Why .* matched/ });
      await waitOrAlert(page, dialog.locator('.explain li').first());
      const verdicts = await dialog.locator('.explain .verdict').allTextContents();
      assert(verdicts.length >= 1 && verdicts.every((v) => v === 'matched'), `verdicts: ${verdicts.join(', ')}`);
      // It has room: a dialog wider than the sidebar, inside the window, and the sidebar did not grow under it.
      const box = await dialog.boundingBox();
      const side = await sidebar.boundingBox();
      assert(box && side && box.width > side.width * 1.5 && box.width >= 600, `explanation ${box?.width} px wide beside a ${side?.width} px sidebar`);
      assert(box.y >= 0 && box.y + box.height <= 800, `explanation runs off the window: ${JSON.stringify(box)}`);
      assert((await sidebar.evaluate((el) => el.scrollHeight)) === sidebarBefore, 'the explanation still lengthens the sidebar');
      await page.screenshot({ path: join(outDir, 'finding-explained.png') });
      // Escape closes it, as does Close and a click outside it.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Why did this match?' }).click();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Why did this match?' }).click();
      await dialog.waitFor();
      await page.mouse.click(5, 795);
      await dialog.waitFor({ state: 'detached' });
    },
  },
  {
    name: 'notes on a finding are saved by the host and survive a reload',
    needs: ['choosing a finding filters the table to its events'],
    async run({ page }) {
      const notes = page.getByRole('group', { name: 'Notes on this finding' });
      await notes.getByRole('combobox', { name: 'Status of this finding' }).selectOption('investigating');
      await notes.getByRole('textbox', { name: 'New comment' }).fill('e2e: check this <b>host</b>');
      await notes.getByRole('button', { name: 'Add comment' }).click();
      await notes.getByText('e2e: check this <b>host</b>').waitFor();
      await page.reload();
      const list = page.getByRole('list', { name: 'Findings by risk' });
      await waitOrAlert(page, list.locator('.status', { hasText: 'Investigating' }).first());
      await list.getByRole('button').first().click();
    },
  },
  {
    name: 'selecting a row opens the event details',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      await dataRows(page).first().click();
      const details = page.getByRole('complementary', { name: 'Event details' });
      await details.getByRole('heading', { name: 'Canonical fields' }).waitFor({ timeout: STEP_TIMEOUT_MS });
      assert((await details.locator('dt').count()) > 3, 'details show too few fields');
      await page.screenshot({ path: join(outDir, 'finding-details.png') });
    },
  },
  {
    name: 'a field in the details pivots the table filter',
    needs: ['selecting a row opens the event details'],
    async run({ page }) {
      const details = page.getByRole('complementary', { name: 'Event details' });
      const value = ((await details.locator('dt', { hasText: /^\s*process_name/ }).first().locator('xpath=following-sibling::dd[1]').textContent()) ?? '').trim();
      await details.getByRole('button', { name: 'Filter the table on process_name' }).click();
      const input = page.getByRole('searchbox', { name: 'Filter' });
      assert((await input.inputValue()).includes(`process_name:"${value}"`), `filter box shows ${await input.inputValue()}`);
      await page.waitForFunction((v) => {
        const cells = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(5)')].map((c) => c.textContent ?? '');
        return cells.length > 0 && cells.every((c) => c.toLowerCase() === v.toLowerCase());
      }, value);
      await input.fill('');
      await page.getByRole('button', { name: 'Apply' }).click();
    },
  },
  {
    name: 'keyboard zoom on the timeline narrows the visible range',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const plot = page.getByRole('application', { name: /Timeline plot/ });
      const before = await page.locator('.timeline .range').textContent();
      await plot.focus();
      await page.keyboard.press('0');
      const all = await page.locator('.timeline .range').textContent();
      await page.keyboard.press('+');
      await page.waitForFunction((prev) => document.querySelector('.timeline .range')?.textContent !== prev, all, { timeout: STEP_TIMEOUT_MS });
      const after = await page.locator('.timeline .range').textContent();
      assert(after !== all, `zoom did not change the range (${before} / ${after})`);
    },
  },
  {
    name: 'keyboard zoom goes below one second (down to 1 ms buckets) and the overview brush follows',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const plot = page.getByRole('application', { name: /Timeline plot/ });
      await plot.focus();
      await page.keyboard.press('0');
      const range = page.locator('.timeline .range');
      for (let i = 0; i < 50 && !/· 100 ms ·/.test((await range.textContent()) ?? ''); i++) await page.keyboard.press('+');
      const text = (await range.textContent()) ?? '';
      assert(/· 100 ms ·/.test(text), `visible span did not reach 100 ms: ${text}`);
      // The answer for the deepest view arrives after the last key: 1 ms buckets, times with milliseconds.
      await page.waitForFunction(() => /\.\d{3} – .* · 100 ms · 1 ms buckets/.test(document.querySelector('.timeline .range')?.textContent ?? ''));
      const shown = await page.getByTestId('overview').getAttribute('aria-valuetext');
      assert(/^0(\.\d)?% of the case visible$/.test(shown ?? ''), `overview brush: ${shown}`);
      await page.screenshot({ path: join(outDir, 'timeline-one-second.png') });
      await page.keyboard.press('0');
    },
  },
  {
    name: 'dragging on the overview strip chooses the visible range; dragging the brush pans it',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const strip = page.getByTestId('overview');
      const box = await strip.boundingBox();
      assert(box && box.width > 200, 'overview strip not laid out');
      const y = box.y + box.height / 2;
      await page.mouse.move(box.x + box.width * 0.3, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.4, y, { steps: 5 });
      await page.mouse.up();
      const pct = async () => Number(/^([\d.]+)%/.exec((await strip.getAttribute('aria-valuetext')) ?? '')?.[1] ?? NaN);
      const shown = await pct();
      assert(shown > 5 && shown < 15, `expected about 10% of the case visible, got ${shown}%`);
      const before = Number(await strip.getAttribute('aria-valuenow'));
      await page.mouse.move(box.x + box.width * 0.35, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.55, y, { steps: 5 });
      await page.mouse.up();
      const after = Number(await strip.getAttribute('aria-valuenow'));
      assert(after > before, `brush did not pan later (${before} -> ${after})`);
      assert(Math.abs((await pct()) - shown) < 0.2, 'panning changed the visible span');
      await page.screenshot({ path: join(outDir, 'overview-brush.png') });
      await page.getByRole('application', { name: /Timeline plot/ }).focus();
      await page.keyboard.press('0');
    },
  },
  {
    name: 'findings sit on their host lanes (psexec, smbexec, wmiexec)',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page }) {
      const expected = [
        ['psexec-accepteula', 'WKS-NYC-1002.corp.example'],
        ['impacket-smbexec-commandline', 'DC01.corp.example'],
        ['impacket-lateral-movement-sysmon', 'SRV-SQL-02.corp.example'],
      ];
      const list = page.getByRole('list', { name: 'Findings by risk' });
      for (const [rule, host] of expected) {
        const button = list.getByRole('button').filter({ has: page.locator('.rule', { hasText: rule }) }).filter({ has: page.locator('.meta', { hasText: host }) }).first();
        await button.click();
        await page.locator('.chip', { hasText: /^Finding: / }).waitFor();
        // The timeline now shows the finding's second in the middle; hover that spot in the host's lane.
        const lane = lanes(page).filter({ has: page.locator('.host', { hasText: host }) });
        await lane.scrollIntoViewIfNeeded();
        const tip = page.getByRole('tooltip');
        const deadline = Date.now() + STEP_TIMEOUT_MS;
        let seen = '';
        while (Date.now() < deadline) {
          const box = await lane.boundingBox();
          const canvas = await page.getByTestId('timeline-canvas').boundingBox();
          assert(box && canvas, 'lane or canvas not laid out');
          await page.mouse.move(canvas.x + canvas.width / 2 - 1, box.y + box.height / 2);
          await page.mouse.move(canvas.x + canvas.width / 2, box.y + box.height / 2);
          seen = (await tip.isVisible()) ? ((await tip.textContent()) ?? '') : '';
          if (seen.includes(host) && /finding\(s\), risk \d+/.test(seen)) break;
          await page.waitForTimeout(100);
        }
        assert(seen.includes(host) && /finding\(s\)/.test(seen), `no ${rule} finding on the ${host} lane: tooltip "${seen}"`);
        await page.screenshot({ path: join(outDir, `finding-on-lane-${rule}.png`) });
      }
      await page.mouse.move(0, 0);
      await page.getByRole('button', { name: 'Show all events' }).click();
    },
  },
  {
    name: 'a selected finding filters the table and its command line shows in details',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page }) {
      const list = page.getByRole('list', { name: 'Findings by risk' });
      await list.getByRole('button').filter({ has: page.locator('.rule', { hasText: 'psexec-accepteula' }) }).first().click();
      await page.locator('.chip', { hasText: /^Finding: Detect PsExec With accepteula Flag · WKS-NYC-1002\.corp\.example · 2024-05-01 ?T?08:14:05.* · 1 event$/ }).waitFor();
      await page.waitForFunction(() => {
        const g = document.querySelector('[role="grid"][aria-label="Events"]');
        const cells = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(2)')];
        return g?.getAttribute('aria-rowcount') === '2' && cells.length === 1 && cells[0].textContent === 'WKS-NYC-1002.corp.example';
      });
      await dataRows(page).first().click();
      const details = page.getByRole('complementary', { name: 'Event details' });
      await details.getByRole('heading', { name: 'Canonical fields' }).waitFor();
      await details.getByText(/PsExec64\.exe.*-accepteula/i).first().waitFor();
      await page.screenshot({ path: join(outDir, 'finding-details-command-line.png') });
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Show all events' }).click();
    },
  },
  {
    name: 'a note lands on the event in view: the details close on every scope change (finding, host, link, show all, filter, n)',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page }) {
      const list = page.getByRole('list', { name: 'Findings by risk' });
      const details = page.getByRole('complementary', { name: 'Event details' });
      const input = page.getByRole('searchbox', { name: 'Filter' });
      const finding = (rule) => list.getByRole('button').filter({ has: page.locator('.rule', { hasText: rule }) }).first();
      const applyFilter = async (text) => {
        await input.fill(text);
        await page.locator('#table-filter').press('Enter');
      };
      const rowsIn = () =>
        page.waitForFunction(() => {
          const rows = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])')];
          return !document.querySelector('.count')?.textContent?.includes('loading') && rows.length > 0 && rows.every((r) => /\d{4}-\d\d-\d\dT/.test(r.textContent ?? ''));
        });
      const cellsOf = (row) => row.locator('[role="gridcell"]').allTextContents();
      /** The first row's details open, a tag written in their notes editor; returns the row's cells. */
      const tagFirstRow = async (tag) => {
        await rowsIn();
        const cells = await cellsOf(dataRows(page).first());
        await dataRows(page).first().click();
        await details.getByRole('heading', { name: 'Canonical fields' }).waitFor();
        const notes = details.getByRole('group', { name: 'Notes on this event' });
        await notes.getByRole('combobox', { name: 'New tag' }).fill(tag);
        await notes.getByRole('combobox', { name: 'New tag' }).press('Enter');
        await notes.getByRole('list', { name: 'Tags' }).getByText(tag, { exact: true }).waitFor();
        return cells;
      };
      /** Exactly one event carries the tag, and it is the row that was clicked. */
      const carrierIs = async (tag, cells) => {
        const keep = await input.inputValue();
        await applyFilter(`${keep} tag:${tag}`.trim());
        await page.waitForFunction(() => document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount') === '2');
        await rowsIn();
        const got = await cellsOf(dataRows(page).first());
        assert(JSON.stringify(got) === JSON.stringify(cells), `tag ${tag} is on ${got.join(' | ')}, not on the row in view ${cells.join(' | ')}`);
        await applyFilter(keep);
      };
      const closed = async (what) => {
        await details.waitFor({ state: 'detached' });
        assert((await page.locator('[role="row"][aria-selected="true"]').count()) === 0, `${what}: a row is still selected`);
      };

      // The issue's steps: the psexec finding's event in the details, then the smbexec finding chosen.
      await finding('psexec-accepteula').click();
      await page.locator('.chip', { hasText: /^Finding: Detect PsExec With accepteula Flag · WKS-NYC-1002\.corp\.example · 2024-05-01 ?T?08:14:05.* · 1 event$/ }).waitFor();
      await rowsIn();
      await dataRows(page).first().click();
      await details.getByText(/PsExec64\.exe/i).first().waitFor();
      // DC01's smbexec command is one episode of four rules (issue 14): the seed's card leads it.
      await finding('impacket-smbexec-commandline').click();
      await page.locator('.chip', { hasText: /^Finding: Impacket Lateral Movement smbexec CommandLine Parameters · DC01\.corp\.example · .* · \d+ events?$/ }).waitFor();
      await closed('another finding');
      let cells = await tagFirstRow('e2e-scope-finding');
      assert(cells.some((c) => /^DC01/.test(c)), `the smbexec finding's row: ${cells.join(' | ')}`);
      await carrierIs('e2e-scope-finding', cells);

      // A host of the risk table.
      await dataRows(page).first().click();
      await details.waitFor();
      await page.getByRole('table', { name: 'Host risk' }).getByRole('button', { name: /^Events of SRV-SQL-02\.corp\.example/ }).click();
      await page.locator('.chip', { hasText: 'Hosts: SRV-SQL-02.corp.example' }).waitFor();
      await closed('a host');
      cells = await tagFirstRow('e2e-scope-host');
      await carrierIs('e2e-scope-host', cells);

      // A lateral-movement link.
      await dataRows(page).first().click();
      await details.waitFor();
      const link = page.getByRole('list', { name: 'Lateral movement between hosts' }).getByRole('button').first();
      const from = ((await link.locator('.mono').first().textContent()) ?? '').trim();
      await link.click();
      await page.locator('.chip', { hasText: `Hosts: ${from}` }).waitFor();
      await closed('a link');
      cells = await tagFirstRow('e2e-scope-link');
      await carrierIs('e2e-scope-link', cells);

      // Show all events.
      await dataRows(page).first().click();
      await details.waitFor();
      await page.getByRole('button', { name: 'Show all events' }).click();
      await closed('show all');
      cells = await tagFirstRow('e2e-scope-all');
      await carrierIs('e2e-scope-all', cells);

      // A filter.
      await dataRows(page).first().click();
      await details.waitFor();
      await applyFilter('process_name:whoami.exe');
      await closed('a filter');
      cells = await tagFirstRow('e2e-scope-filter');
      assert(cells.some((c) => /^whoami\.exe$/i.test(c)), `filtered row: ${cells.join(' | ')}`);
      await carrierIs('e2e-scope-filter', cells);
      await applyFilter('');

      // n: the next finding, chosen from the keyboard.
      await dataRows(page).first().click();
      await details.waitFor();
      await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
      await page.keyboard.press('n');
      await page.locator('.chip', { hasText: /^Finding: / }).waitFor();
      await closed('n');
      cells = await tagFirstRow('e2e-scope-next');
      await carrierIs('e2e-scope-next', cells);
      await page.getByRole('button', { name: 'Show all events' }).click();
    },
  },
  {
    name: 'a host in the host risk table lists its events; the column chooser adds a field',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page }) {
      const host = 'SRV-SQL-02.corp.example';
      const risk = page.getByRole('table', { name: 'Host risk' });
      await risk.getByRole('button', { name: new RegExp(`^Events of ${host.replace(/\./g, '\\.')}, risk \\d+`) }).click();
      await page.locator('.chip', { hasText: `Hosts: ${host}` }).waitFor();
      await page.waitForFunction((h) => {
        const cells = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(2)')];
        return cells.length > 0 && cells.every((c) => c.textContent === h);
      }, host);
      await page.getByRole('button', { name: 'Columns' }).click();
      const chooser = page.getByRole('group', { name: 'Table columns' });
      const pid = chooser.getByRole('group', { name: 'Canonical fields' }).getByRole('checkbox', { name: 'process_id', exact: true });
      await pid.check();
      await page.getByRole('columnheader', { name: /process_id/ }).waitFor();
      await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])')];
        return rows.length > 0 && rows.every((r) => /^\d+$/.test(r.querySelector('[role="gridcell"]:last-child')?.textContent ?? ''));
      });
      await page.screenshot({ path: join(outDir, 'column-chooser.png') });
      await pid.uncheck();
      await page.getByRole('columnheader', { name: /process_id/ }).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Columns' }).click();
      await page.getByRole('button', { name: 'Show all events' }).click();
      // Leave the whole case in view with its density drawn, as the next cases expect.
      await page.getByRole('application', { name: /Timeline plot/ }).focus();
      await page.keyboard.press('0');
      await page.waitForFunction(() => /· 60 min · 9 s buckets/.test(document.querySelector('.timeline .range')?.textContent ?? ''));
    },
  },
  {
    name: 'clicking a bucket in a lane lists that bucket of that host',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const plot = page.getByRole('application', { name: /Timeline plot/ });
      await plot.focus();
      await page.keyboard.press('0');
      // Start from the whole table so the click is what scopes it.
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      // The first lane, wherever earlier cases left the lanes list scrolled: its row on the canvas is taken from its
      // label's box, never assumed to be the canvas's top 28 px.
      const lane = lanes(page).first();
      await lane.scrollIntoViewIfNeeded();
      const host = ((await lane.locator('.host').textContent()) ?? '').trim();
      // A drawn density bar in that lane (pixels in the density colour, 4 px above the lane's bottom), then the same
      // point hovered until the app's tooltip names that host and at least one event: the tooltip runs the same hit
      // test on the same data as the click, so a redraw between reading pixels and clicking (a late timeline
      // answer, a resize, a scroll) cannot send the click to another lane or an empty bucket.
      const findBar = () =>
        page.evaluate((laneIndex) => {
          const c = document.querySelector('[data-testid="timeline-canvas"]');
          const ctx = c?.getContext('2d');
          const label = document.querySelectorAll('ul[aria-label="Hosts"] > li[role="listitem"]')[laneIndex];
          if (!c || !ctx || !label) return null;
          const hex = getComputedStyle(c).getPropertyValue('--density').trim();
          const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
          if (!m) return null;
          const want = m.slice(1).map((h) => parseInt(h, 16));
          const rect = c.getBoundingClientRect();
          const lr = label.getBoundingClientRect();
          const cssY = lr.bottom - 4 - rect.top;
          if (cssY < 0 || cssY >= rect.height) return null;
          const dpr = c.width / rect.width;
          const row = ctx.getImageData(0, Math.floor(cssY * dpr), c.width, 1).data;
          for (let x = 0; x < c.width; x++) {
            if (want.every((v, k) => Math.abs(row[x * 4 + k] - v) <= 6) && row[x * 4 + 3] === 255) {
              return { x: rect.left + (x + 0.5) / dpr, y: rect.top + cssY };
            }
          }
          return null;
        }, 0);
      const tip = page.getByRole('tooltip');
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      let point = null;
      let seen = '';
      let count = 0;
      while (Date.now() < deadline) {
        point = await findBar();
        if (point) {
          await page.mouse.move(point.x, point.y);
          seen = (await tip.isVisible()) ? ((await tip.textContent()) ?? '') : '';
          count = Number(/([\d,]+) events/.exec(seen)?.[1]?.replace(/,/g, '') ?? 0);
          if (seen.includes(host) && count >= 1) break;
        }
        await page.waitForTimeout(50);
      }
      assert(point && seen.includes(host) && count >= 1, `no bucket with events found under the ${host} lane (tooltip "${seen}")`);
      await page.mouse.click(point.x, point.y);
      await page.locator('.chip', { hasText: `Hosts: ${host}` }).waitFor();
      // The table lists exactly the events the tooltip counted, all of that host.
      await page.waitForFunction(
        ({ h, n }) => {
          const g = document.querySelector('[role="grid"][aria-label="Events"]');
          const total = Number(g?.getAttribute('aria-rowcount') ?? '0') - 1;
          const hosts = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(2)')].map((c) => c.textContent ?? '');
          return total === n && hosts.length === total && hosts.every((v) => v === h);
        },
        { h: host, n: count },
      );
      await page.mouse.move(0, 0);
      await page.getByRole('button', { name: 'Show all events' }).click();
    },
  },
  {
    name: 'sorting by a column orders the rows',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      const header = page.getByRole('columnheader', { name: /^Process/ });
      await header.getByRole('button').click();
      await page.waitForFunction(() => document.querySelector('[role="columnheader"][aria-sort="ascending"]')?.textContent?.includes('Process'));
      await page.waitForFunction(() => {
        const cells = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(5)')].map((c) => (c.textContent ?? '').toLowerCase());
        return cells.length > 5 && cells.every((v, i) => i === 0 || cells[i - 1] <= v);
      });
      await page.getByRole('columnheader', { name: /^Time/ }).getByRole('button').click();
      await page.waitForFunction(() => document.querySelector('[role="columnheader"][aria-sort="ascending"]')?.textContent?.includes('Time'));
    },
  },
  {
    name: 'a table filter narrows the rows; a bad filter is explained',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      const grid = page.getByRole('grid', { name: 'Events' });
      const totalOf = async () => Number(await grid.getAttribute('aria-rowcount')) - 1;
      await page.waitForFunction(() => !document.querySelector('.chip'));
      const all = await totalOf();
      const input = page.getByRole('searchbox', { name: 'Filter' });
      await input.fill('dest:DC01*');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForFunction(
        (n) => {
          const g = document.querySelector('[role="grid"][aria-label="Events"]');
          const total = Number(g?.getAttribute('aria-rowcount') ?? '0') - 1;
          const hosts = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(2)')].map((c) => c.textContent ?? '');
          return total > 0 && total < n && hosts.length > 0 && hosts.every((h) => /^DC01/i.test(h));
        },
        all,
      );
      await input.fill('dest:DC01 ((');
      await page.getByRole('button', { name: 'Apply' }).click();
      const alert = page.locator('#table-filter-error');
      await alert.waitFor();
      assert(/E_USAGE/.test((await alert.textContent()) ?? ''), 'filter error has no code');
      await input.fill('');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForFunction((n) => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 === n, all);
    },
  },
  {
    name: 'a column filter narrows the table with the filter (AND), hostile text is only text, its chip clears it',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      const grid = page.getByRole('grid', { name: 'Events' });
      const totalOf = async () => Number(await grid.getAttribute('aria-rowcount')) - 1;
      await page.waitForFunction(() => !document.querySelector('.chip'));
      const all = await totalOf();
      const box = page.getByRole('searchbox', { name: 'Column Process contains' });
      await box.fill('PSEXEC');
      await page.waitForFunction(
        (n) => {
          const total = Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount') ?? '0') - 1;
          const procs = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(5)')].map((c) => c.textContent ?? '');
          return total > 0 && total < n && procs.length > 0 && procs.every((p) => p.toLowerCase().includes('psexec'));
        },
        all,
        { timeout: STEP_TIMEOUT_MS },
      );
      const narrowed = await totalOf();
      await page.getByText('Process contains “PSEXEC”').waitFor();
      // With the filter by AND: the filter keeps what the column filter drops, so nothing is left.
      const input = page.getByRole('searchbox', { name: 'Filter' });
      await input.fill('NOT process_name:*psexec*');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForFunction(() => document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount') === '1');
      await input.fill('');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForFunction((n) => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 === n, narrowed);
      // Quotes, backslashes, globs and filter syntax are characters to find: no error, and nothing matches them.
      for (const hostile of ['"\\*', 'psexec" OR x', '*', 'x'.repeat(5000)]) {
        await box.fill(hostile);
        await page.waitForFunction(() => document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount') === '1', undefined, { timeout: STEP_TIMEOUT_MS });
        assert(!(await page.locator('#table-filter-error').isVisible()), `hostile column text ${hostile.slice(0, 20)} raised a filter error`);
        assert(!(await page.locator('[role="alert"]').first().isVisible()), 'hostile column text raised an error');
      }
      await box.fill('psexec');
      await page.waitForFunction((n) => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 === n, narrowed);
      await page.getByRole('button', { name: 'Clear the Process column filter' }).click();
      await page.waitForFunction((n) => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 === n, all);
      assert((await box.inputValue()) === '', 'the cleared column box still holds text');
      await page.waitForFunction(() => !document.querySelector('.chip'));
    },
  },
  {
    name: 'the table follows the timeline when asked: zooming lists the zoomed span, the chip says it, Show all events clears it',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      const grid = page.getByRole('grid', { name: 'Events' });
      const totalOf = async () => Number(await grid.getAttribute('aria-rowcount')) - 1;
      const plot = page.getByRole('application', { name: /Timeline plot/ });
      await plot.focus();
      await page.keyboard.press('0');
      await page.waitForFunction(() => !document.querySelector('.chip'));
      const all = await totalOf();
      const toggle = page.getByRole('checkbox', { name: 'Table follows the timeline' });
      assert(!(await toggle.isChecked()), 'the table follows the timeline by default');
      // Off: a zoom leaves the table listing every event.
      await plot.focus();
      await page.keyboard.press('+');
      await page.waitForTimeout(500);
      assert((await totalOf()) === all, 'the table followed a zoom while the toggle was off');
      await page.keyboard.press('0');
      await toggle.check();
      await plot.focus();
      let total = all;
      for (let i = 0; i < 20 && total >= all; i++) {
        await page.keyboard.press('+');
        await page.waitForTimeout(300);
        total = await totalOf();
      }
      assert(total < all, `zooming in did not narrow the table (${total} of ${all})`);
      const chip = page.getByTestId('range-chip');
      await chip.waitFor();
      assert(/^Timeline: /.test((await chip.textContent()) ?? ''), `range chip: ${await chip.textContent()}`);
      // The zoomed span's rows are listed.
      const shown = await dataRows(page).count();
      assert(total === 0 || shown > 0, 'no rows shown for the zoomed span');
      await page.screenshot({ path: join(outDir, 'table-follows-timeline.png') });
      await showAll.click();
      await page.waitForFunction((n) => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 === n, all);
      assert(!(await toggle.isChecked()), 'Show all events left the table following the timeline');
      await plot.focus();
      await page.keyboard.press('0');
      await page.waitForFunction(() => !document.querySelector('.chip'));
    },
  },
  {
    name: 'filter: a word with a slash is text (cmd.exe /Q), a pipe is refused with a reason',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      const input = page.getByRole('searchbox', { name: 'Filter' });
      const apply = async (text) => {
        await input.fill(text);
        await page.locator('#table-filter').press('Enter');
      };
      // Impacket's shells run `cmd.exe /Q /c ...`: the switch is searched as written, no /regex/ is started.
      await apply('cmd.exe /Q');
      await page.waitForFunction(() => {
        const n = Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1;
        const rows = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])')];
        // (A child of such a shell matches by its parent's command line, which the table does not show.)
        return n > 0 && rows.length > 0 && rows.some((r) => /cmd\.exe"? \/Q/i.test(r.textContent ?? ''));
      });
      assert((await page.locator('#table-filter-error').count()) === 0, 'cmd.exe /Q reported an error');
      // A whole /regex/ still is one.
      await apply('process:/\\/q\\s\\/c/i');
      await page.waitForFunction(() => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 > 0);
      // SPL habits: a pipeline is refused with a reason, not answered with 0 events.
      await apply('EventCode:1 | stats count');
      const alert = page.locator('#table-filter-error');
      await alert.waitFor();
      const msg = (await alert.textContent()) ?? '';
      assert(/pipes \('\|'\) are not supported/.test(msg), `pipe error: ${msg}`);
      await page.screenshot({ path: join(outDir, 'filter-pipe-refused.png') });
      await apply('');
      await alert.waitFor({ state: 'detached' });
    },
  },
  {
    name: 'filter: the placeholder example answers, the syntax help opens, a bad filter keeps the last good view with one message, an unknown field is named',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      const input = page.getByRole('searchbox', { name: 'Filter' });
      const total = () => page.evaluate(() => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1);
      const apply = async (text) => {
        await input.fill(text);
        await page.locator('#table-filter').press('Enter');
      };
      // The example in the empty box returns rows on the bundled sample, applied from the help popover too.
      const example = (await input.getAttribute('placeholder')) ?? '';
      assert(example.length > 0, 'no placeholder');
      await page.getByRole('button', { name: 'Filter syntax' }).click();
      const help = page.getByRole('region', { name: 'Filter syntax' });
      await help.waitFor();
      assert(/cmd\.exe \/Q is text/.test((await help.textContent()) ?? ''), 'help does not state the slash rule');
      await page.screenshot({ path: join(outDir, 'filter-help.png') });
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Filter syntax' }).click();
      await help.getByRole('button', { name: example }).click();
      await help.waitFor({ state: 'detached' });
      await page.waitForFunction(() => {
        const n = Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1;
        const rows = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])')];
        return n > 0 && rows.length === n && rows.every((r) => /psexec/i.test(r.textContent ?? ''));
      });
      const good = await total();
      assert((await input.inputValue()) === example, 'the example did not land in the box');
      // A bad filter: one message naming the column once, the text kept in the box, the rows of the last good filter.
      await apply(`${example} ((`);
      const alert = page.locator('#table-filter-error');
      await alert.waitFor();
      const msg = ((await alert.textContent()) ?? '').trim();
      assert((msg.match(/\(column \d+\)/g) ?? []).length === 1, `column named ${msg.match(/\(column \d+\)/g)?.length} times: ${msg}`);
      assert(msg.includes(`showing the last good filter, ${example}`), `message: ${msg}`);
      assert((await input.inputValue()) === `${example} ((`, 'the bad text left the box');
      await page.waitForFunction((n) => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 === n && document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])').length === n, good);
      await page.screenshot({ path: join(outDir, 'filter-bad-keeps-view.png') });
      // A field no event has is named, with the nearest known one, instead of matching nothing.
      await apply('procces_name:cmd.exe');
      await page.waitForFunction(() => /unknown field 'procces_name'.*did you mean 'process_name'/.test(document.querySelector('#table-filter-error')?.textContent ?? ''));
      assert((await total()) === good, 'the unknown field emptied the table');
      await apply('');
      await alert.waitFor({ state: 'detached' });
    },
  },
  {
    name: 'popups (Columns, Annotate view, filter help) close on Escape and on an outside click',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const popups = [
        [page.getByRole('button', { name: 'Columns' }), page.getByRole('group', { name: 'Table columns' })],
        [page.getByRole('button', { name: 'Annotate view…' }), page.locator('.bulk-events .pop')],
        [page.getByRole('button', { name: 'Filter syntax' }), page.getByRole('region', { name: 'Filter syntax' })],
      ];
      for (const [button, pop] of popups) {
        await button.click();
        await pop.waitFor();
        await page.keyboard.press('Escape');
        await pop.waitFor({ state: 'detached' });
        assert((await button.getAttribute('aria-expanded')) === 'false', 'the button still says expanded');
        await button.click();
        await pop.waitFor();
        const box = await page.getByTestId('timeline-canvas').boundingBox();
        await page.mouse.click(box.x + 5, box.y + box.height - 5);
        await pop.waitFor({ state: 'detached' });
      }
    },
  },
  {
    name: 'the table shows a Rules column, colours detected rows, and filters by rule: and finding:',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page }) {
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      const input = page.getByRole('searchbox', { name: 'Filter' });
      const apply = async (text) => {
        await input.fill(text);
        await page.locator('#table-filter').press('Enter');
      };
      await page.getByRole('columnheader', { name: /^Rules/ }).waitFor();
      const rulesCol = await page.getByRole('grid', { name: 'Events' }).getByRole('columnheader').evaluateAll((hs) => hs.findIndex((h) => /^Rules/.test(h.textContent ?? '')) + 1);
      // The psexec finding's one event: in the Rules column, coloured.
      await apply('rule:psexec-accepteula');
      await page.waitForFunction((col) => {
        const rows = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])')];
        return document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount') === '2' && rows.length === 1 && rows[0].classList.contains('detected') && /psexec-accepteula/.test(rows[0].querySelector(`[role="gridcell"]:nth-child(${col})`)?.textContent ?? '');
      }, rulesCol);
      await page.screenshot({ path: join(outDir, 'rules-column.png') });
      // Every event some finding holds, all coloured; the rest are not.
      await apply('finding:*');
      await page.waitForFunction(() => {
        const n = Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1;
        const rows = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])')];
        return n >= 5 && n < 100 && rows.length === n && rows.every((r) => r.classList.contains('detected') && /\d{4}-\d\d-\d\dT/.test(r.textContent ?? ''));
      });
      await apply('NOT finding:*');
      await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"])')];
        return rows.length > 10 && rows.every((r) => !r.classList.contains('detected') && /\d{4}-\d\d-\d\dT/.test(r.textContent ?? ''));
      });
      await apply('');
    },
  },
  {
    name: 'table columns: drag a header to move it, drag its edge to resize it',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const grid = page.getByRole('grid', { name: 'Events' });
      const names = () => grid.getByRole('columnheader').evaluateAll((hs) => hs.map((h) => (h.textContent ?? '').replace(/[▲▼]/g, '').trim()));
      const before = await names();
      assert(before[1] === 'Host' && before[2] === 'User', `headers: ${before.join(', ')}`);
      // Drag "User" onto "Host": it moves in front of it, and the cells follow.
      await grid.getByRole('columnheader', { name: /^User/ }).dragTo(grid.getByRole('columnheader', { name: /^Host/ }));
      await page.waitForFunction(() => {
        const hs = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="columnheader"]')].map((h) => (h.textContent ?? '').trim());
        const cells = [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(2)')];
        return /^User/.test(hs[1] ?? '') && /^Host/.test(hs[2] ?? '') && cells.length > 0 && cells.every((c) => /\\|AUTHORITY/.test(c.textContent ?? ''));
      });
      // Drag the edge of "Host" 120 px to the right: the column and its cells widen.
      const host = grid.getByRole('columnheader', { name: /^Host/ });
      const w0 = (await host.boundingBox()).width;
      const edge = grid.getByRole('separator', { name: 'Resize column Host' });
      const e = await edge.boundingBox();
      await page.mouse.move(e.x + e.width / 2, e.y + e.height / 2);
      await page.mouse.down();
      await page.mouse.move(e.x + e.width / 2 + 60, e.y + e.height / 2, { steps: 4 });
      await page.mouse.move(e.x + e.width / 2 + 120, e.y + e.height / 2, { steps: 4 });
      await page.mouse.up();
      const w1 = (await host.boundingBox()).width;
      assert(Math.abs(w1 - (w0 + 120)) <= 3, `Host was ${w0} px, now ${w1} px`);
      const cellW = await page.evaluate(() => document.querySelector('[role="grid"][aria-label="Events"] [role="row"]:not([aria-rowindex="1"]) [role="gridcell"]:nth-child(3)')?.getBoundingClientRect().width ?? 0);
      assert(Math.abs(cellW - w1) <= 2, `cells ${cellW} px under a ${w1} px header`);
      await page.screenshot({ path: join(outDir, 'columns-moved-resized.png') });
      // Back to the default order and width for the cases after this one.
      await page.evaluate(() => {
        sessionStorage.removeItem('hopscope.tableWidths');
      });
      await grid.getByRole('columnheader', { name: /^Host/ }).getByRole('button').focus();
      await page.keyboard.press('Alt+ArrowLeft');
      await page.waitForFunction(() => /^Host/.test(document.querySelectorAll('[role="grid"][aria-label="Events"] [role="columnheader"]')[1]?.textContent ?? ''));
      await edge.focus();
      for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowLeft');
    },
  },
  {
    name: 'the table\'s events download as CSV with their evidence locators',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page, tmp }) {
      const input = page.getByRole('searchbox', { name: 'Filter' });
      await input.fill('process_name:psexec*');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForFunction(() => {
        const n = Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1;
        return n > 0 && n < 20;
      });
      const shown = Number(await page.getByRole('grid', { name: 'Events' }).getAttribute('aria-rowcount')) - 1;
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      const file = join(tmp, 'events.csv');
      await download.saveAs(file);
      const { readFileSync } = await import('node:fs');
      const text = readFileSync(file, 'utf8');
      assert(download.suggestedFilename() === 'hopscope-events.csv', `file name ${download.suggestedFilename()}`);
      assert(text.charCodeAt(0) === 0xfeff, 'no UTF-8 byte-order mark for spreadsheets');
      const lines = text.slice(1).trim().split('\r\n');
      assert(lines[0] === 'time_utc,dest,user,parent_process_name,process_name,process,evidence_file,evidence_sha256,record,line', `header: ${lines[0]}`);
      assert(lines.length - 1 === shown, `${lines.length - 1} rows for ${shown} shown`);
      assert(lines.slice(1).every((l) => /,corp-lateral-movement\.[a-z.]+,[0-9a-f]{64},\d+,\d+$/.test(l) && /psexec/i.test(l)), `rows: ${lines.slice(1, 3).join(' | ')}`);
      await input.fill('');
      await page.getByRole('button', { name: 'Apply' }).click();
    },
  },
  {
    name: 'the case report downloads as HTML',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page, tmp }) {
      await page.getByRole('combobox', { name: 'Report format' }).selectOption('html');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report' }).click()]);
      const file = join(tmp, 'report.html');
      await download.saveAs(file);
      const { readFileSync } = await import('node:fs');
      const html = readFileSync(file, 'utf8');
      assert(/\.html$/.test(download.suggestedFilename()), `file name ${download.suggestedFilename()}`);
      assert(/<html/i.test(html) && html.length > 1000, 'report is not an HTML document');
      // The report is read by people outside the tool too: no accessibility violations in it either.
      const reportPage = await page.context().newPage();
      try {
        await reportPage.goto(pathToFileURL(file).href);
        await axeCheck(reportPage, 'light');
      } finally {
        await reportPage.close();
      }
    },
  },
  {
    name: 'annotations survive a reload, filter the table and go into the CSV and JSON exports',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page, tmp }) {
      const { readFileSync } = await import('node:fs');
      const TAG = 'e2e-lateral';
      const FORMULA_TAG = '=e2e';
      const COMMENT = '=HYPERLINK("http://evil.example","click") e2e note';
      const firstFinding = () => page.getByRole('list', { name: 'Findings by risk' }).locator('button.finding').first();
      await firstFinding().click();
      const eventCount = Number(/×(\d+)/.exec((await firstFinding().locator('.count').textContent()) ?? '')?.[1]);
      assert(eventCount > 0, 'finding has no event count');
      let notes = page.getByRole('group', { name: 'Notes on this finding' });
      await notes.getByRole('combobox', { name: 'Status of this finding' }).selectOption('confirmed-malicious');
      await firstFinding().locator('.status', { hasText: 'Confirmed malicious' }).waitFor();
      await notes.getByRole('combobox', { name: 'New tag' }).fill(TAG);
      await notes.getByRole('combobox', { name: 'New tag' }).press('Enter');
      await notes.getByRole('list', { name: 'Tags' }).getByText(TAG, { exact: true }).waitFor();
      await notes.getByRole('combobox', { name: 'New tag' }).fill(FORMULA_TAG);
      await notes.getByRole('combobox', { name: 'New tag' }).press('Enter');
      await notes.getByRole('list', { name: 'Tags' }).getByText(FORMULA_TAG, { exact: true }).waitFor();
      await notes.getByRole('textbox', { name: 'New comment' }).fill(COMMENT);
      await notes.getByRole('button', { name: 'Add comment' }).click();
      await notes.getByText(COMMENT, { exact: true }).waitFor();

      // The table filter answers from the notes: the events of the confirmed finding.
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      const input = page.getByRole('searchbox', { name: 'Filter' });
      await input.fill('status:confirmed-malicious');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForFunction((n) => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 === n, eventCount);
      await input.fill('');
      await page.getByRole('button', { name: 'Apply' }).click();

      await page.reload();
      await waitOrAlert(page, lanes(page).nth(2));
      await firstFinding().click();
      notes = page.getByRole('group', { name: 'Notes on this finding' });
      await notes.getByText(COMMENT, { exact: true }).waitFor();
      await notes.getByRole('list', { name: 'Tags' }).getByText(TAG, { exact: true }).waitFor();
      const status = await notes.getByRole('combobox', { name: 'Status of this finding' }).inputValue();
      assert(status === 'confirmed-malicious', `status after reload: ${status}`);

      const title = (await page.locator('.topbar .evidence').getAttribute('title')) ?? '';
      const sha = /sha256 ([0-9a-f]{64})/.exec(title)?.[1];
      assert(sha, `no evidence SHA-256 in ${title}`);
      const download = async (format) => {
        await page.getByRole('combobox', { name: 'Report format' }).selectOption(format);
        const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report' }).click()]);
        const file = join(tmp, `annotated.${format}`);
        await d.saveAs(file);
        return readFileSync(file, 'utf8');
      };
      const csv = await download('csv');
      // Tags start their cell (a leading = gets a '); comments follow their time and author in theirs.
      for (const want of ['confirmed-malicious', `'${FORMULA_TAG};${TAG}`, sha, `: =HYPERLINK(""http://evil.example"",""click"") e2e note`]) {
        assert(csv.includes(want), `CSV lacks ${want}`);
      }
      assert(!/(^|,)"?=/m.test(csv), 'a CSV cell starts with = (formula not neutralised)');
      const json = JSON.parse(await download('json'));
      assert(json.evidence.some((e) => e.sha256 === sha), 'JSON lacks the evidence SHA-256');
      const notesOut = Object.values(json.annotations?.findings ?? {});
      assert(
        notesOut.some((a) => a.status === 'confirmed-malicious' && a.tags.includes(TAG) && a.comments.some((c) => c.text === COMMENT)),
        `JSON annotations: ${JSON.stringify(json.annotations)}`,
      );
    },
  },
  {
    name: 'Annotate view tags every event of the filtered table in one step',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const showAll = page.getByRole('button', { name: 'Show all events' });
      if (await showAll.isVisible()) await showAll.click();
      const grid = page.getByRole('grid', { name: 'Events' });
      const input = page.getByRole('searchbox', { name: 'Filter' });
      const applyFilter = async (text) => {
        await input.fill(text);
        await page.locator('#table-filter').press('Enter');
      };
      await page.waitForFunction(() => !document.querySelector('.chip'));
      // The whole table first: its row count arrives after the query that cleared the scope or filter, so reading it
      // at once could take the previous (filtered) count and then wait for a narrower one that never comes.
      const all = Number(/([\d,]+) events/.exec((await page.locator('.topbar .stats').textContent()) ?? '')?.[1]?.replace(/,/g, ''));
      await page.waitForFunction((a) => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 === a, all);
      await applyFilter('process_name:cmd.exe');
      await page.waitForFunction((a) => {
        const t = Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1;
        return t > 0 && t < a;
      }, all);
      const n = Number(await grid.getAttribute('aria-rowcount')) - 1;
      await page.getByRole('button', { name: 'Annotate view…' }).click();
      const form = page.getByRole('form', { name: `Annotate ${n.toLocaleString('en-US')} events of this view` });
      await form.getByRole('combobox', { name: 'Tag for all' }).fill('bulk-e2e');
      await form.getByRole('button', { name: 'Apply' }).click();
      await waitOrAlert(page, form.getByText(/^Saved on/));
      await form.getByRole('button', { name: 'Close' }).click();
      await applyFilter('tag:bulk-e2e');
      await page.waitForFunction((want) => Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1 === want, n);
      await applyFilter('');
    },
  },
  {
    name: 'a wider finding bin re-runs detection',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page }) {
      const stats = page.locator('.topbar .stats');
      const countOf = async () => Number(/(\d[\d,]*) findings/.exec((await stats.textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? NaN);
      const before = await countOf();
      const rescan = async (label) => {
        await page.getByRole('button', { name: 'Settings' }).click();
        const dialog = page.getByRole('dialog', { name: 'Case settings' });
        await dialog.getByRole('combobox', { name: 'Finding bin' }).selectOption({ label });
        await dialog.getByRole('button', { name: 'Apply and re-run detection' }).click();
        await dialog.waitFor({ state: 'detached' });
      };
      await rescan('5 min');
      await page.waitForFunction((b) => {
        const m = /(\d[\d,]*) findings/.exec(document.querySelector('.topbar .stats')?.textContent ?? '');
        const n = m ? Number(m[1].replace(/,/g, '')) : NaN;
        return n > 0 && n < b;
      }, before);
      await rescan('1 s');
      await page.waitForFunction((b) => (document.querySelector('.topbar .stats')?.textContent ?? '').includes(`${b} findings`), before);
    },
  },
  {
    name: 'evidence hashes verify as unchanged',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      await page.getByRole('button', { name: 'Settings' }).click();
      const dialog = page.getByRole('dialog', { name: 'Case settings' });
      await dialog.getByRole('button', { name: 'Verify SHA-256 of evidence files' }).click();
      const region = dialog.getByRole('region', { name: 'Evidence integrity' });
      await waitOrAlert(page, region.locator('li').first());
      const statuses = await region.locator('li strong').allTextContents();
      assert(statuses.length >= 1 && statuses.every((s) => s === 'unchanged'), `statuses: ${statuses.join(', ')}`);
      await dialog.getByRole('button', { name: 'Close settings' }).click();
    },
  },
  {
    name: 'a Sigma rule file added in Settings runs on the open case, and can be switched off again',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page, tmp }) {
      const { writeFileSync } = await import('node:fs');
      const file = join(tmp, 'e2e-ping.yml');
      writeFileSync(
        file,
        [
          'title: E2E ping of the file server',
          'id: 7e2e0000-1111-4222-8333-944444444444',
          'status: test',
          'logsource:',
          '    category: process_creation',
          '    product: windows',
          'detection:',
          '    selection:',
          "        CommandLine|contains: 'ping -n 1 10.0.10.5'",
          '    condition: selection',
          'level: low',
          '',
        ].join('\n'),
      );
      const findingsNow = () => page.evaluate(() => Number(/(\d[\d,]*) findings/.exec(document.querySelector('.topbar .stats')?.textContent ?? '')?.[1]?.replace(/,/g, '') ?? NaN));
      const before = await findingsNow();
      assert(before > 0, `no findings count before: ${before}`);
      await page.getByRole('button', { name: 'Settings' }).click();
      const dialog = page.getByRole('dialog', { name: 'Case settings' });
      await dialog.getByLabel('Rule files to add').setInputFiles(file);
      await waitOrAlert(page, dialog.getByRole('status').filter({ hasText: 'Added 1 Sigma file(s); 1 new rule(s) ran.' }));
      // The sample pings 10.0.10.5 twelve times, each in its own second: twelve new findings.
      await page.waitForFunction((b) => (document.querySelector('.topbar .stats')?.textContent ?? '').includes(`${b + 12} findings`), before);
      const rule = dialog.getByRole('checkbox', { name: /E2E ping of the file server/ });
      assert(await rule.isChecked(), 'the added rule is not shown as enabled');
      await rule.uncheck();
      await dialog.getByRole('button', { name: 'Apply and re-run detection' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.waitForFunction((b) => (document.querySelector('.topbar .stats')?.textContent ?? '').includes(`${b} findings`), before);
    },
  },
  {
    name: 'axe-core finds no accessibility violations in the case view, light and dark',
    needs: ['findings panel lists lateral-movement findings'],
    async run({ page }) {
      const both = async () => {
        try {
          await axeCheck(page, 'light');
          await axeCheck(page, 'dark');
        } finally {
          await page.emulateMedia({ colorScheme: null });
        }
      };
      await both();
      // A chosen finding with its explanation and an event's details open: selected cards, verdicts, the tree.
      await page.getByRole('list', { name: 'Findings by risk' }).locator('button.finding').first().click();
      await page.getByRole('button', { name: 'Why did this match?' }).click();
      await page.getByRole('dialog', { name: /^Why .* matched/ }).locator('.explain li').first().waitFor();
      await both();
      await page.getByRole('dialog', { name: /^Why .* matched/ }).getByRole('button', { name: 'Close' }).click();
      await dataRows(page).first().click();
      await page.getByRole('complementary', { name: 'Event details' }).getByRole('heading', { name: 'Canonical fields' }).waitFor();
      await both();
      await page.getByRole('button', { name: 'Close event details' }).click();
      await page.getByRole('button', { name: 'Show all events' }).click();
      // The settings dialog.
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('dialog', { name: 'Case settings' }).waitFor();
      await both();
      await page.getByRole('button', { name: 'Close settings' }).click();
      await page.emulateMedia({ colorScheme: null });
    },
  },
  {
    name: 'dark theme applies through the toggle',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page }) {
      const bgBefore = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const toggle = page.getByRole('button', { name: /^Theme:/ });
      for (let i = 0; i < 3 && (await page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark'; i++) await toggle.click();
      assert((await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark', 'theme toggle never reached dark');
      const bgAfter = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert(bgAfter !== bgBefore, `background did not change (${bgBefore})`);
      await page.screenshot({ path: join(outDir, 'case-dark.png') });
      while ((await page.evaluate(() => document.documentElement.dataset.theme)) !== undefined) await toggle.click();
    },
  },
  {
    name: 'uploaded evidence full of markup is shown as text, never run',
    async run({ page, tmp }) {
      const csv = join(tmp, 'hostile <img src=x>.csv');
      const header = '_time,dest,user,parent_process_name,process_name,process,process_id,parent_process_id,EventCode';
      const lines = [header];
      for (let i = 0; i < 20; i++) {
        const t = new Date(Date.UTC(2024, 4, 1, 9, 0, i)).toISOString();
        lines.push(
          `${t},<b>EVIL-HOST</b>,"<script>window.__pwned=2</script>",explorer.exe,cmd.exe,"cmd.exe /c <img src=x onerror=""window.__pwned=1"">",${100 + i},99,1`,
        );
      }
      writeFileSync(csv, lines.join('\n') + '\n');
      let dialogs = 0;
      page.on('dialog', (d) => {
        dialogs++;
        void d.dismiss();
      });
      const openOther = page.getByRole('button', { name: 'Open…' });
      if (await openOther.isVisible()) await openOther.click();
      await page.locator('input[type=file]').setInputFiles(csv);
      await waitOrAlert(page, lanes(page).filter({ hasText: '<b>EVIL-HOST</b>' }).first());
      await page.getByRole('gridcell', { name: /<img src=x onerror=/ }).first().waitFor();
      const injected = await page.evaluate(() => ({
        pwned: window.__pwned ?? null,
        imgs: document.querySelectorAll('img').length,
        bolds: document.querySelectorAll('#app b').length,
      }));
      assert(injected.pwned === null && dialogs === 0, 'log content ran as script');
      assert(injected.imgs === 0 && injected.bolds === 0, `log content became elements: ${JSON.stringify(injected)}`);
      await page.screenshot({ path: join(outDir, 'hostile-upload.png') });
    },
  },
  {
    name: 'a binary .evtx opens beside a CSV: its hosts get lanes, its findings appear, nothing is refused',
    async run({ page, tmp }) {
      const evtx = join(tmp, 'Sysmon.evtx');
      writeFileSync(evtx, readFileSync(join(root, 'resources', 'samples', 'corp-lateral-movement.evtx')));
      const csv = join(tmp, 'beside-evtx.csv');
      writeFileSync(csv, '_time,dest,process_name,process\n2024-05-03T10:00:00Z,EVTX-NEIGHBOUR,cmd.exe,cmd.exe /c ver\n');
      const openOther = page.getByRole('button', { name: 'Open…' });
      if (await openOther.isVisible()) await openOther.click();
      await page.locator('input[type=file]').setInputFiles([evtx, csv]);
      await waitOrAlert(page, lanes(page).filter({ hasText: 'EVTX-NEIGHBOUR' }).first());
      await waitOrAlert(page, lanes(page).filter({ hasText: 'DC01' }).first());
      await page.getByText(/lateral movement using smbexec/).first().waitFor({ timeout: STEP_TIMEOUT_MS });
      const alerts = await page.getByRole('alert').filter({ hasText: /evtx/i }).count();
      assert(alerts === 0, 'the .evtx was refused');
    },
  },
  {
    name: 'a new case opens unfiltered: the last case\'s filter does not carry over',
    needs: ['opening a bundled sample shows host lanes and event rows'],
    async run({ page, tmp }) {
      const input = page.getByRole('searchbox', { name: 'Filter' });
      await input.fill('process_name:whoami.exe');
      await page.locator('#table-filter').press('Enter');
      await page.waitForFunction(() => {
        const n = Number(document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount')) - 1;
        return n > 0 && n < 50;
      });
      const csv = join(tmp, 'next-case.csv');
      const lines = ['_time,dest,user,parent_process_name,process_name,process,process_id,parent_process_id,EventCode'];
      for (let i = 0; i < 9; i++) lines.push(`${new Date(Date.UTC(2024, 4, 5, 9, 0, i)).toISOString()},NEXT-HOST,CORP\\amy,explorer.exe,notepad.exe,notepad.exe n${i}.txt,${200 + i},99,1`);
      writeFileSync(csv, lines.join('\n') + '\n');
      await page.getByRole('button', { name: 'Open…' }).click();
      await page.locator('input[type=file]').setInputFiles(csv);
      await waitOrAlert(page, lanes(page).filter({ hasText: 'NEXT-HOST' }).first());
      await page.locator('[role="grid"][aria-label="Events"][aria-rowcount="10"]').waitFor();
      assert((await input.inputValue()) === '', `the new case's filter box shows ${await input.inputValue()}`);
      assert((await dataRows(page).count()) === 9, 'the new case does not list all of its events');
    },
  },
  {
    name: 'an empty file opens no 1970-01-01 case: it says the file is empty',
    async run({ page, tmp }) {
      const empty = join(tmp, 'empty.csv');
      writeFileSync(empty, '');
      const openOther = page.getByRole('button', { name: 'Open…' });
      if (await openOther.isVisible()) await openOther.click();
      await page.locator('input[type=file]').setInputFiles(empty);
      const main = page.getByRole('main', { name: 'No events to show' });
      await main.waitFor();
      const text = (await main.textContent()) ?? '';
      assert(/empty\.csv:\s*the file is empty/.test(text), `says: ${text}`);
      const body = (await page.locator('body').textContent()) ?? '';
      assert(!body.includes('1970'), 'a 1970 date is on screen');
      assert((await page.getByTestId('timeline-canvas').count()) === 0, 'a timeline is drawn for no events');
      await page.screenshot({ path: join(outDir, 'empty-file.png') });
      // The banner may also carry the file's read warning; dismiss it for the next cases.
      const dismiss = page.getByRole('button', { name: /^Dismiss error/ });
      while ((await dismiss.count()) > 0) await dismiss.first().click();
    },
  },
  {
    name: 'a file of unknown layout is opened after mapping its columns',
    async run({ page, tmp }) {
      const csv = join(tmp, 'odd-layout.csv');
      const lines = ['When,Box,Cmd,Exe,Who'];
      for (let i = 0; i < 12; i++) {
        lines.push(`${new Date(Date.UTC(2024, 4, 2, 10, 0, i * 5)).toISOString()},MAPPED-HOST-${i % 3},cmd.exe /c echo ${i},cmd.exe,CORP\\eve`);
      }
      writeFileSync(csv, lines.join('\n') + '\n');
      const openOther = page.getByRole('button', { name: 'Open…' });
      if (await openOther.isVisible()) await openOther.click();
      await page.locator('input[type=file]').setInputFiles(csv);
      const dialog = page.getByRole('dialog', { name: 'Which columns are which?' });
      await dialog.waitFor();
      await dialog.getByRole('combobox', { name: 'Time (required)' }).selectOption('When');
      await dialog.getByRole('combobox', { name: 'Host', exact: true }).selectOption('Box');
      await dialog.getByRole('combobox', { name: 'Command line', exact: true }).selectOption('Cmd');
      await dialog.getByRole('combobox', { name: 'Process name', exact: true }).selectOption('Exe');
      await dialog.getByRole('combobox', { name: 'User', exact: true }).selectOption('Who');
      await dialog.getByRole('button', { name: 'Save and open' }).click();
      await lanes(page).filter({ hasText: 'MAPPED-HOST-2' }).first().waitFor();
      assert((await lanes(page).count()) === 3, `expected 3 lanes, got ${await lanes(page).count()}`);
      // The failed first attempt reported its error; dismiss it so later checks see a clean page.
      // (One at a time from the first: a dismissed line takes its button with it.)
      const dismiss = page.getByRole('button', { name: /^Dismiss error/ });
      while ((await dismiss.count()) > 0) await dismiss.first().click();
    },
  },
  {
    name: 'the page has no inline scripts and the CSP refuses injected ones',
    async run({ page }) {
      const inline = await page.evaluate(() => [...document.querySelectorAll('script')].filter((s) => !s.src).length);
      assert(inline === 0, `${inline} inline script(s) in the page`);
      const ran = await page.evaluate(async () => {
        const s = document.createElement('script');
        s.textContent = 'window.__inlineRan = true';
        document.body.append(s);
        s.remove();
        await new Promise((r) => setTimeout(r, 0));
        return window.__inlineRan === true;
      });
      assert(!ran, 'an injected inline script ran: script-src is not strict');
    },
    // The refused script must be reported (proves the violation listener works); nothing else may be.
    expectProblems: [/CSP violation: script-src/],
  },
  {
    name: 'many hosts and events: lanes and table stay virtual and fill in as they scroll',
    async run({ page, tmp }) {
      const csv = join(tmp, 'many-hosts.csv');
      const hosts = Array.from({ length: 120 }, (_, i) => `WKS-${String(i).padStart(4, '0')}`);
      const t0 = Date.UTC(2024, 4, 3, 0, 0, 0);
      const lines = ['_time,dest,user,parent_process_name,process_name,process,process_id,parent_process_id,EventCode'];
      for (let i = 0; i < 60_000; i++) {
        lines.push(`${new Date(t0 + i * 500).toISOString()},${hosts[i % hosts.length]},CORP\\u${i % 40},explorer.exe,cmd.exe,cmd.exe /c echo ${i},${1000 + i},900,1`);
      }
      writeFileSync(csv, lines.join('\n') + '\n');
      const openOther = page.getByRole('button', { name: 'Open…' });
      if (await openOther.isVisible()) await openOther.click();
      await page.locator('input[type=file]').setInputFiles(csv);
      await waitOrAlert(page, lanes(page).filter({ hasText: 'WKS-0119' }).first());
      assert((await lanes(page).count()) === 120, 'every host has a labelled lane');
      await page.waitForFunction(() => document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount') === '60001');
      // All rows can be in while the rules still run (partial banner): the scrolling below is about the ready case.
      await page.getByTestId('partial-banner').waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.querySelector('[role="grid"][aria-label="Events"]')?.getAttribute('aria-rowcount') === '60001');
      assert((await dataRows(page).count()) < 100, 'table rows are virtual');
      // Scroll the lanes to the bottom: the last hosts' density must be fetched and drawn.
      await page.evaluate(() => {
        const s = document.querySelector('ul[aria-label="Hosts"]').parentElement;
        s.scrollTop = s.scrollHeight;
        s.dispatchEvent(new Event('scroll'));
      });
      await page.waitForFunction(() => {
        const c = document.querySelector('[data-testid="timeline-canvas"]');
        const ctx = c?.getContext('2d');
        if (!c || !ctx) return false;
        const hex = getComputedStyle(c).getPropertyValue('--density').trim();
        const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < px.length; i += 4) if (want.every((v, k) => Math.abs(px[i + k] - v) <= 6)) return true;
        return false;
      });
      // Jump to the middle of the table: rows from there arrive.
      await page.evaluate(() => {
        const v = document.querySelector('[data-testid="table-viewport"]');
        v.scrollTop = v.scrollHeight / 2;
        v.dispatchEvent(new Event('scroll'));
      });
      await page.waitForFunction(() =>
        [...document.querySelectorAll('[role="grid"][aria-label="Events"] [role="row"]')].some(
          (r) => Number(r.getAttribute('aria-rowindex')) > 20_000 && /echo \d+/.test(r.textContent ?? ''),
        ),
      );
      await page.screenshot({ path: join(outDir, 'many-hosts.png') });
    },
  },
  {
    name: 'thousands of lateral links read as ranked groups (source, target, method) with counts and how many are hidden',
    async run({ page, tmp }) {
      const csv = join(tmp, 'many-links.csv');
      const t0 = Date.UTC(2024, 4, 6, 0, 0, 0);
      const lines = ['_time,dest,user,parent_process_name,process_name,process,parent_process,process_id,parent_process_id,EventCode'];
      const N = 1500;
      for (let i = 0; i < N; i++) {
        const src = `WKS-${String(i % 30).padStart(2, '0')}`;
        const dst = `SRV-FILE-${i % 3}`;
        lines.push(`${new Date(t0 + i * 4000).toISOString()},${src},CORP\\adm,explorer.exe,cmd.exe,cmd.exe /c dir \\\\${dst}\\ADMIN$,explorer.exe,${3000 + i},900,1`);
        lines.push(`${new Date(t0 + i * 4000 + 1000).toISOString()},${dst},NT AUTHORITY\\SYSTEM,services.exe,svc${i}.exe,svc${i}.exe,services.exe,${9000 + i},600,1`);
      }
      writeFileSync(csv, lines.join('\n') + '\n');
      const openOther = page.getByRole('button', { name: 'Open…' });
      if (await openOther.isVisible()) await openOther.click();
      await page.locator('input[type=file]').setInputFiles(csv);
      await waitOrAlert(page, lanes(page).filter({ hasText: 'SRV-FILE-2' }).first());
      const heading = page.getByRole('heading', { name: /^Lateral movement/ });
      await heading.waitFor();
      const text = ((await heading.textContent()) ?? '').replace(/\s+/g, ' ');
      const m = /Lateral movement ([\d,]+) in (\d+) groups/.exec(text);
      assert(m, `heading: ${text}`);
      const total = Number(m[1].replace(/,/g, ''));
      const groups = Number(m[2]);
      assert(total >= N && groups === 30, `expected ${N}+ links in 30 groups: ${text}`);
      const items = page.getByRole('list', { name: 'Lateral movement between hosts' }).getByRole('button');
      assert((await items.count()) === 20, `${await items.count()} groups listed`);
      const first = ((await items.first().textContent()) ?? '').replace(/\s+/g, ' ');
      assert(/WKS-\d\d → SRV-FILE-\d ?×\d+ admin-share/.test(first), `first group: ${first}`);
      const hidden = page.getByTestId('links-hidden');
      assert(/^10 more groups \([\d,]+ links\) not listed/.test(((await hidden.textContent()) ?? '').trim()), `hidden: ${await hidden.textContent()}`);
      await page.screenshot({ path: join(outDir, 'link-groups.png') });
      // A group scopes the table to both hosts over its whole span.
      await items.first().click();
      await page.locator('.chip', { hasText: /Hosts: WKS-\d\d, SRV-FILE-\d/ }).waitFor();
      await hidden.getByRole('button', { name: 'Show more' }).click();
      await page.waitForFunction(() => document.querySelectorAll('ul[aria-label="Lateral movement between hosts"] button').length === 30);
    },
  },
  {
    name: 'a lateral link lands on the event its evidence implies, not on the next event of the target host',
    async run({ page, tmp }) {
      // psexec \\SRV-B: the next event on SRV-B is a BITS svchost (a services.exe child), PSEXESVC starts 2 s later;
      // psexec \\SRV-C: only a BITS svchost follows, so that link ends on the lane without an event.
      const csv = join(tmp, 'link-target.csv');
      const t0 = Date.UTC(2024, 4, 6, 9, 0, 0);
      const at = (s) => new Date(t0 + s * 1000).toISOString();
      const rows = [
        [at(0), 'WKS-A', 'CORP\\adm', 'cmd.exe', 'PsExec.exe', 'PsExec.exe \\\\SRV-B -s ipconfig', 'cmd.exe', 4100, 900],
        [at(1), 'SRV-B', 'NT AUTHORITY\\SYSTEM', 'services.exe', 'svchost.exe', 'C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s BITS', 'C:\\Windows\\system32\\services.exe', 5100, 600],
        [at(3), 'SRV-B', 'NT AUTHORITY\\SYSTEM', 'services.exe', 'PSEXESVC.exe', 'C:\\Windows\\PSEXESVC.exe', 'C:\\Windows\\system32\\services.exe', 5200, 600],
        [at(3.5), 'SRV-B', 'NT AUTHORITY\\SYSTEM', 'PSEXESVC.exe', 'ipconfig.exe', 'ipconfig', 'C:\\Windows\\PSEXESVC.exe', 5300, 5200],
        [at(600), 'WKS-A', 'CORP\\adm', 'cmd.exe', 'PsExec.exe', 'PsExec.exe \\\\SRV-C -s whoami', 'cmd.exe', 4200, 900],
        [at(601), 'SRV-C', 'NT AUTHORITY\\SYSTEM', 'services.exe', 'svchost.exe', 'C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s BITS', 'C:\\Windows\\system32\\services.exe', 6100, 600],
      ];
      const lines = ['_time,dest,user,parent_process_name,process_name,process,parent_process,process_id,parent_process_id,EventCode', ...rows.map((r) => [...r, 1].join(','))];
      writeFileSync(csv, lines.join('\n') + '\n');
      const openOther = page.getByRole('button', { name: 'Open…' });
      if (await openOther.isVisible()) await openOther.click();
      await page.locator('input[type=file]').setInputFiles(csv);
      await waitOrAlert(page, lanes(page).filter({ hasText: 'SRV-C' }).first());
      const items = page.getByRole('list', { name: 'Lateral movement between hosts' }).getByRole('button');
      await items.nth(1).waitFor();
      const toB = items.filter({ hasText: 'SRV-B' });
      const toC = items.filter({ hasText: 'SRV-C' });
      const targetB = ((await toB.getByTestId('link-target').textContent()) ?? '').trim();
      assert(/^target: PSEXESVC start .*09:00:03/.test(targetB), `WKS-A → SRV-B lands on: ${targetB}`);
      const targetC = ((await toC.getByTestId('link-target').textContent()) ?? '').trim();
      assert(targetC === 'target: no target-side event found', `WKS-A → SRV-C lands on: ${targetC}`);
      await page.screenshot({ path: join(outDir, 'link-target.png') });
      // The HTML report says the same.
      await page.getByRole('combobox', { name: 'Report format' }).selectOption('html');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report' }).click()]);
      const file = join(tmp, 'link-target.html');
      await download.saveAs(file);
      const html = readFileSync(file, 'utf8');
      assert(/<td>WKS-A<\/td><td>SRV-B<\/td>.*?<td>PSEXESVC start<\/td><\/tr>/.test(html), 'report: WKS-A → SRV-B is not on PSEXESVC');
      assert(/<td>WKS-A<\/td><td>SRV-C<\/td>.*?<td>no target-side event found<\/td><\/tr>/.test(html), 'report: WKS-A → SRV-C has a target');
    },
  },
  {
    name: 'the HTML report of an upload names the file opened (size, SHA-256, origin), never its temporary path, and says what ran',
    async run({ page, tmp }) {
      const { createHash } = await import('node:crypto');
      const name = 'corp-lateral-movement.sysmon.xml';
      const dir = join(tmp, 'analyst-copy');
      mkdirSync(dir, { recursive: true });
      const bytes = readFileSync(join(root, 'resources', 'samples', name));
      writeFileSync(join(dir, name), bytes);
      const sha = createHash('sha256').update(bytes).digest('hex');
      const openOther = page.getByRole('button', { name: 'Open…' });
      if (await openOther.isVisible()) await openOther.click();
      await page.locator('input[type=file]').setInputFiles(join(dir, name));
      await waitOrAlert(page, lanes(page).filter({ hasText: 'SRV-FILE-01' }).first());
      await page.getByRole('list', { name: 'Findings by risk' }).locator('button.finding').first().waitFor();
      await page.getByRole('combobox', { name: 'Report format' }).selectOption('html');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report' }).click()]);
      const file = join(tmp, 'upload-report.html');
      await download.saveAs(file);
      const html = readFileSync(file, 'utf8');
      // The upload folder and the analyst's own copy must not appear (the checkout itself may sit under the temp dir).
      assert(!html.includes('hopscope-upload-') && !html.includes(dir), 'the report names a temporary or local path');
      const reportPage = await page.context().newPage();
      try {
        await reportPage.goto(pathToFileURL(file).href);
        const row = reportPage.locator('table').first().locator('tbody tr').first();
        const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
        assert(cells[0] === `${name}uploaded in browser mode: original path unknown`, `evidence file cell: ${cells[0]}`);
        assert(cells[2] === sha && cells[3] === String(bytes.length), `evidence SHA-256 / bytes: ${cells[2]} ${cells[3]}`);
        // What ran, beside the locator and the EventRecordID: the PsExec finding's event, its whole command line.
        const psexec = reportPage.locator('section.finding', { hasText: 'Detect PsExec With accepteula Flag' });
        const ev = psexec.locator('ol.events > li').first();
        const text = ((await ev.textContent()) ?? '').replace(/\s+/g, ' ');
        assert(/record \d+ · EventRecordID \d+/.test(text), `locator: ${text}`);
        assert(text.includes('host WKS-NYC-1002.corp.example · user CORP\\john.smith · cmd.exe → PsExec64.exe'), `what ran: ${text}`);
        const cmd = ev.locator('code.cmd');
        const want = 'PsExec64.exe \\\\SRV-FILE-01 -accepteula -s -d cmd.exe /c "net group \\"Domain Admins\\" /domain > C:\\Windows\\Temp\\da.txt"';
        assert((await cmd.textContent()) === want, `command line: ${await cmd.textContent()}`);
        // Wrapped, not cut: no ellipsis, nothing hidden past its box, at a phone's width too.
        await reportPage.setViewportSize({ width: 420, height: 800 });
        const box = await cmd.evaluate((el) => ({ ws: getComputedStyle(el).whiteSpace, sw: el.scrollWidth, cw: el.clientWidth, lines: Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight || '16')) }));
        assert(box.ws === 'pre-wrap' && box.sw <= box.cw + 1 && box.lines >= 2, `command line box: ${JSON.stringify(box)}`);
        // Lateral links, grouped, with their target side: the sample's SRV-APP-03 psexec is followed on SRV-SQL-02
        // only by unrelated services.exe children.
        const linkRows = (await reportPage.locator('h2:has-text("Lateral movement") + table tbody tr').allTextContents()).map((t) => t.replace(/\s+/g, ' '));
        assert(linkRows.some((r) => /WKS-NYC-1002\.corp\.example\s*SRV-FILE-01\.corp\.example\s*psexec.*PSEXESVC start$/.test(r)), `links: ${linkRows.join(' | ')}`);
        assert(linkRows.some((r) => /SRV-APP-03\.corp\.example\s*SRV-SQL-02\.corp\.example\s*psexec.*no target-side event found$/.test(r)), `links: ${linkRows.join(' | ')}`);
        await reportPage.setViewportSize({ width: 1280, height: 800 });
        await reportPage.screenshot({ path: join(outDir, 'report-what-ran.png'), fullPage: false });
        await axeCheck(reportPage, 'light');
      } finally {
        await reportPage.close();
      }
    },
  },
  {
    name: 'a file named on the command line opens by itself',
    async run({ page, tmp }) {
      const sample = join(root, 'resources', 'samples', 'corp-lateral-movement.sysmon.xml');
      const data = join(tmp, 'cli-server');
      mkdirSync(data, { recursive: true });
      const other = await startServer(data, [sample]);
      const second = await page.context().newPage();
      const seen = [];
      second.on('console', (m) => {
        if (m.type() === 'error') seen.push(m.text());
      });
      try {
        await second.goto(other.url);
        await waitOrAlert(second, lanes(second).nth(2));
        const name = await second.locator('.topbar .evidence').textContent();
        assert((name ?? '').includes('corp-lateral-movement.sysmon.xml'), `opened ${name}`);
        await second.screenshot({ path: join(outDir, 'cli-file.png') });
        assert(seen.length === 0, seen.join('\n'));
      } finally {
        await second.close();
        other.child.kill();
      }
    },
  },
  {
    name: 'a large file shows lanes and rows while it is still being read, under a progress banner with Cancel',
    async run({ page, tmp }) {
      const data = join(tmp, 'partial-server');
      mkdirSync(data, { recursive: true });
      const csv = join(tmp, 'partial-big.csv');
      const t0 = Date.UTC(2024, 4, 4, 0, 0, 0);
      const lines = ['_time,dest,user,parent_process_name,process_name,process,process_id,parent_process_id,EventCode'];
      for (let i = 0; i < 400_000; i++) {
        lines.push(`${new Date(t0 + i * 100).toISOString()},PART-${i % 7},CORP\\u${i % 40},explorer.exe,cmd.exe,cmd.exe /c echo ${i},${1000 + i},900,1`);
      }
      writeFileSync(csv, lines.join('\n') + '\n');
      // Tiny forced cuts: the first part of the file joins the case after 2000 rows.
      const other = await startServer(data, [csv], { HOPSCOPE_PARTIAL_CUT_RECORDS: '2000' });
      const second = await page.context().newPage();
      const seen = [];
      second.on('console', (m) => {
        if (m.type() === 'error') seen.push(m.text());
      });
      try {
        await second.goto(other.url);
        const banner = second.getByTestId('partial-banner');
        // Lanes and the banner on screen together: the partial view, before the rules ran.
        await second.waitForFunction(
          () => document.querySelector('[data-testid="partial-banner"]') && document.querySelectorAll('ul[aria-label="Hosts"] > li[role="listitem"]').length > 0,
          null,
          { timeout: STEP_TIMEOUT_MS },
        );
        assert(/events so far; findings after the rules run/.test((await banner.textContent()) ?? ''), 'banner text');
        await banner.getByRole('button', { name: 'Cancel' }).waitFor();
        await second.getByTestId('findings-pending').waitFor();
        await second.screenshot({ path: join(outDir, 'partial-view.png') });
        // The banner goes when the case is ready; then all 400,000 events are counted.
        await banner.waitFor({ state: 'detached', timeout: 120_000 });
        await waitOrAlert(second, second.locator('.topbar .stats', { hasText: '400,000 events' }));
        // The table refetched for the ready case too.
        await second.locator('[role="grid"][aria-rowcount="400001"]').waitFor();
        assert((await lanes(second).count()) === 7, `expected 7 lanes, got ${await lanes(second).count()}`);
        assert(seen.length === 0, seen.join('\n'));
      } finally {
        await second.close();
        other.child.kill();
      }
    },
  },
];

// ---------------------------------------------------------------------------------------------------------
// Runner

mkdirSync(outDir, { recursive: true });
const userData = mkdtempSync(join(tmpdir(), 'hopscope-e2e-data-'));
const profile = mkdtempSync(join(tmpdir(), 'hopscope-e2e-chromium-'));
/** Console errors, page errors and CSP violations seen during the current test. */
let problems = [];
let server = null;
let browser = null;
let passed = 0;
let failed = 0;

/**
 * `--grep RE` runs only the cases whose name matches RE, after the cases they need (transitively), in suite
 * order; `--repeat N` runs each matching case N times (to chase a flaky case). No arguments: every case once.
 */
function selectTests(all, argv) {
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const grep = arg('--grep');
  const repeat = Math.max(1, Number(arg('--repeat') ?? 1) || 1);
  if (!grep) return all;
  const re = new RegExp(grep, 'i');
  const byName = new Map(all.map((t) => [t.name, t]));
  const keep = new Set();
  const add = (t) => {
    if (keep.has(t.name)) return;
    keep.add(t.name);
    for (const n of t.needs ?? []) if (byName.has(n)) add(byName.get(n));
  };
  add(all[0]); // the first case opens the page
  for (const t of all) if (re.test(t.name)) add(t);
  const out = [];
  for (const t of all) {
    if (!keep.has(t.name)) continue;
    const n = re.test(t.name) ? repeat : 1;
    for (let i = 0; i < n; i++) out.push(t);
  }
  if (out.length === 0) throw new Error(`--grep ${grep} matches no case`);
  return out;
}

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

try {
  ensureBuilt();
  server = await startServer(userData);
  // A fresh profile per run: Playwright takes it as the persistent-context directory (--user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    // A 13-inch laptop screen.
    viewport: { width: 1280, height: 800 },
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  // E2E_CPU_THROTTLE=4 runs the page's main thread 4x slower (as on a loaded machine), to shake out timing bugs.
  if (Number(process.env.E2E_CPU_THROTTLE) > 1) {
    const cdp = await browser.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: Number(process.env.E2E_CPU_THROTTLE) });
  }
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });

  const failedNames = new Set();
  for (const t of selectTests(tests, process.argv.slice(2))) {
    problems = [];
    const missing = (t.needs ?? []).filter((n) => failedNames.has(n));
    if (missing.length) {
      failed++;
      failedNames.add(t.name);
      console.log(`FAIL  ${t.name}\n      not run: needs ${missing.join(', ')}`);
      continue;
    }
    try {
      await t.run({ page, url: server.url, tmp: userData });
      // Let pending console messages of this step arrive before judging it.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
      for (const re of t.expectProblems ?? []) {
        await page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
        const deadline = Date.now() + 10_000;
        while (!problems.some((p) => re.test(p)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (!problems.some((p) => re.test(p))) throw new Error(`expected a report matching ${re}, saw: ${problems.join(' | ') || 'nothing'}`);
      }
      // Chrome's own "Refused to execute inline script" log line accompanies an expected violation.
      const allowed = [...(t.expectProblems ?? []), ...(t.expectProblems ? [/inline script violates the following Content Security Policy/] : [])];
      const unexpected = problems.filter((p) => !allowed.some((re) => re.test(p)));
      if (unexpected.length) throw new Error(unexpected.join('\n'));
      passed++;
      console.log(`ok    ${t.name}`);
    } catch (err) {
      failed++;
      failedNames.add(t.name);
      console.log(`FAIL  ${t.name}\n      ${String(err instanceof Error ? err.message : err).split('\n').join('\n      ')}`);
    }
    await page.screenshot({ path: join(outDir, `${slug(t.name)}.png`) }).catch(() => {});
  }
} catch (err) {
  failed++;
  console.log(`FAIL  e2e setup: ${err instanceof Error ? err.message : err}`);
  if (server) console.log(server.logs());
} finally {
  await browser?.close().catch(() => {});
  server?.child.kill();
  rmSync(profile, { recursive: true, force: true });
  rmSync(userData, { recursive: true, force: true });
}

console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
