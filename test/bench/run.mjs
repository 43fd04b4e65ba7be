#!/usr/bin/env node
// `npm run bench`: ingest speed and memory on generated CIM logs (test/bench/gen-process-log.cjs, a copy of
// ../shared/tools/gen-process-log.cjs so the bench runs in a clone without ../shared),
// through the same path as the app (the CLI drives the engine worker), against a bare papaparse parse of
// the same file in the same run. Prints a Markdown table and writes test/bench/results/latest.json.
// Options: --quick (100 MB files only), --sizes 100,1000, --evtx-mb 1024 (0: no EVTX), --logons 1000000 (a Security
// log of that many logons, gen-logons.mjs, for the memory target of every-kind events; 0: none), --keep (keep generated data).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const gen = join(root, 'test/bench/gen-process-log.cjs');
const dataDir = join(root, 'test/bench/data');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const sizesArg = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] : null;
const sizes = sizesArg ? sizesArg.split(',').map(Number).filter((n) => n > 0) : quick ? [100] : [100, 1000];
const evtxArg = args.includes('--evtx-mb') ? args[args.indexOf('--evtx-mb') + 1] : null;
/** Size of the generated .evtx in MiB (0: no EVTX measurements). */
const evtxMb = evtxArg !== null ? Number(evtxArg) : quick ? 100 : 1024;
const logonsArg = args.includes('--logons') ? args[args.indexOf('--logons') + 1] : null;
/** Logon events in the generated Security log (0: none). */
const logonCount = logonsArg !== null ? Number(logonsArg) : quick ? 100_000 : 1_000_000;

if (!existsSync(gen)) {
  console.error(`bench: generator not found at ${gen}; nothing measured`);
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });

function generate(mb, format) {
  const file = join(dataDir, `cim-${mb}mb.${format}`);
  if (!existsSync(file)) {
    const r = spawnSync(process.execPath, [gen, '--out', file, '--mb', String(mb), '--format', format, '--seed', '1'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`generator failed: ${r.stderr}`);
  }
  return file;
}

/** Runs a command, sampling the child's peak RSS (VmHWM) from /proc until it exits (`discard`: stdout to /dev/null, opened by spawn). */
function measure(cmd, argv, { discard = false } = {}) {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { stdio: ['ignore', discard ? 'ignore' : 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let hwmKb = 0;
    child.stdout?.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
      } catch { /* exited */ }
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else resolveRun({ ms, peakRssBytes: hwmKb * 1024, out, err });
    });
  });
}

const results = [];
for (const mb of sizes) {
  for (const format of ['csv', 'ndjson']) {
    if (format === 'ndjson' && mb > 100 && quick) continue;
    const file = generate(mb, format);
    const bytes = statSync(file).size;
    let base = null;
    if (format === 'csv') {
      const b = await measure(process.execPath, [join(root, 'test/bench/papaparse-baseline.mjs'), file]);
      base = { ...JSON.parse(b.out), wallMs: b.ms };
    }
    // Ingest only (store built, ready for rules): no rules loaded. The report goes to a file of its own, never
    // /dev/null: the bench once renamed a temp file over /dev/null as root (the writer now writes devices in place).
    const ingest = await measure(process.execPath, [join(root, 'dist/host/cli.js'), 'scan', '--no-builtin', '--format', 'json', '--out', join(dataDir, `ingest-${mb}-${format}.json`), file]);
    // Full scan with the built-in rule pack.
    const full = await measure(process.execPath, [join(root, 'dist/host/cli.js'), 'scan', '--format', 'json', '--out', join(dataDir, `report-${mb}-${format}.json`), file]);
    // Every event out again (`hopscope events`, CSV): ingest plus the export, streamed to a file.
    const exported = await measure(process.execPath, [join(root, 'dist/host/cli.js'), 'events', '--out', join(dataDir, `events-${mb}-${format}.csv`), file]);
    const exportBytes = statSync(join(dataDir, `events-${mb}-${format}.csv`)).size;
    rmSync(join(dataDir, `events-${mb}-${format}.csv`), { force: true });
    const report = JSON.parse(readFileSync(join(dataDir, `report-${mb}-${format}.json`), 'utf8'));
    const rows = report.evidence.reduce((n, e) => n + e.events + e.rejected, 0);
    const r = {
      file: `${mb} MB ${format.toUpperCase()}`, bytes, rows,
      ingestMs: Math.round(ingest.ms), ingestMBps: +(bytes / 1e6 / (ingest.ms / 1000)).toFixed(1), ingestRowsPerSec: Math.round(rows / (ingest.ms / 1000)),
      ingestPeakRssRatio: +(ingest.peakRssBytes / bytes).toFixed(2), ingestPeakRssMB: Math.round(ingest.peakRssBytes / 1e6),
      scanMs: Math.round(full.ms), scanPeakRssMB: Math.round(full.peakRssBytes / 1e6), findings: report.findings.length,
      papaparseMs: base ? Math.round(base.wallMs) : null, papaparseMBps: base ? +(bytes / 1e6 / (base.wallMs / 1000)).toFixed(1) : null,
      ratioToPapaparse: base ? +(ingest.ms / base.wallMs).toFixed(2) : null,
      eventsMs: Math.round(exported.ms), eventsPeakRssMB: Math.round(exported.peakRssBytes / 1e6), eventsOutMB: Math.round(exportBytes / 1e6),
    };
    results.push(r);
    console.error(`bench: ${r.file}: ingest ${r.ingestMs} ms (${r.ingestMBps} MB/s, peak RSS ${r.ingestPeakRssRatio} x file), scan ${r.scanMs} ms, papaparse ${r.papaparseMs ?? '-'} ms`);
  }
}

// EVTX: a file of real, CRC-valid chunks (gen-evtx.mjs); the reader alone on one core (chunks -> rendered records,
// then also parsed and mapped), the whole scan (store, rules, findings) and evtxexport on the same file.
const evtx = [];
if (evtxMb > 0) {
  const file = join(dataDir, `evtx-${evtxMb}mb.evtx`);
  if (!existsSync(file)) {
    const g = spawnSync(process.execPath, [join(root, 'test/bench/gen-evtx.mjs'), '--out', file, '--mb', String(evtxMb)], { encoding: 'utf8' });
    if (g.status !== 0) throw new Error(`gen-evtx failed: ${g.stderr}`);
  }
  const bytes = statSync(file).size;
  const readerJs = join(dataDir, 'evtx-reader.mjs');
  await esbuild({ entryPoints: [join(root, 'test/bench/evtx-reader.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: readerJs, logLevel: 'error' });
  const reader = JSON.parse((await measure(process.execPath, [readerJs, file, 'reader'])).out);
  const records = JSON.parse((await measure(process.execPath, [readerJs, file, 'records'])).out);
  const scanOut = join(dataDir, 'report-evtx.json');
  const full = await measure(process.execPath, [join(root, 'dist/host/cli.js'), 'scan', '--format', 'json', '--out', scanOut, file]);
  const report = JSON.parse(readFileSync(scanOut, 'utf8'));
  let evtxexportMs = null;
  if (spawnSync('evtxexport', ['-h']).status !== null) {
    evtxexportMs = Math.round((await measure('evtxexport', ['-f', 'xml', file], { discard: true })).ms);
  }
  const MB = bytes / 1e6;
  const r = {
    file: `${Math.round(MB)} MB EVTX`, bytes, records: reader.records,
    readerMBps: +(MB / (reader.ms / 1000)).toFixed(1), readerRecordsPerSec: Math.round(reader.records / (reader.ms / 1000)),
    mappedMBps: +(MB / (records.ms / 1000)).toFixed(1),
    scanMs: Math.round(full.ms), scanMBps: +(MB / (full.ms / 1000)).toFixed(1), scanPeakRssMB: Math.round(full.peakRssBytes / 1e6),
    scanPeakRssRatio: +(full.peakRssBytes / bytes).toFixed(2), findings: report.findings.length, events: report.evidence[0]?.events ?? null,
    evtxexportMs, scanVsEvtxexport: evtxexportMs ? +(evtxexportMs / full.ms).toFixed(1) : null,
  };
  evtx.push(r);
  console.error(`bench: ${r.file}: reader ${r.readerMBps} MB/s (${r.readerRecordsPerSec} records/s), with mapping ${r.mappedMBps} MB/s, scan ${r.scanMs} ms (peak RSS ${r.scanPeakRssRatio} x file), evtxexport ${evtxexportMs ?? '-'} ms`);
}

// Every kind is an event now: a Security log of logons alone (a DC's), ingested into the store, against the 0.8 x file
// memory target of the process store.
const logons = [];
if (logonCount > 0) {
  const file = join(dataDir, `security-${logonCount}-logons.xml`);
  if (!existsSync(file)) {
    const g = spawnSync(process.execPath, [join(root, 'test/bench/gen-logons.mjs'), '--out', file, '--count', String(logonCount)], { encoding: 'utf8' });
    if (g.status !== 0) throw new Error(`gen-logons failed: ${g.stderr}`);
  }
  const bytes = statSync(file).size;
  const out = join(dataDir, 'ingest-logons.json');
  const ingest = await measure(process.execPath, [join(root, 'dist/host/cli.js'), 'scan', '--no-builtin', '--format', 'json', '--out', out, file]);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const r = {
    file: `Security log, ${logonCount} logons (${Math.round(bytes / 1e6)} MB XML)`, bytes, events: report.evidence[0]?.events ?? 0,
    byKind: report.evidence[0]?.events_by_kind ?? {}, ingestMs: Math.round(ingest.ms),
    ingestPeakRssMB: Math.round(ingest.peakRssBytes / 1e6), ingestPeakRssRatio: +(ingest.peakRssBytes / bytes).toFixed(2),
  };
  logons.push(r);
  console.error(`bench: ${r.file}: ${r.events} events ${JSON.stringify(r.byKind)}, ingest ${r.ingestMs} ms, peak RSS ${r.ingestPeakRssMB} MB (${r.ingestPeakRssRatio} x file; target 0.8)`);
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const lines = [
  `Machine: ${machine}. Date: ${date}. Wall-clock times of whole processes (startup included).`,
  '',
  '| file | rows | ingest (ms) | MB/s | rows/s | peak RSS (x file) | full scan (ms) | findings | bare papaparse (ms) | ingest / papaparse |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.file} | ${r.rows} | ${r.ingestMs} | ${r.ingestMBps} | ${r.ingestRowsPerSec} | ${r.ingestPeakRssMB} MB (${r.ingestPeakRssRatio}) | ${r.scanMs} | ${r.findings} | ${r.papaparseMs ?? '-'} | ${r.ratioToPapaparse ?? '-'} |`),
  '',
  '| file | `hopscope events` to CSV (ms, ingest included) | export alone (ms, minus ingest) | CSV written (MB) | peak RSS |',
  '|---|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.file} | ${r.eventsMs} | ${r.eventsMs - r.ingestMs} | ${r.eventsOutMB} | ${r.eventsPeakRssMB} MB |`),
];
if (evtx.length) {
  lines.push(
    '',
    '| EVTX file | records | reader, 1 core (MB/s) | records/s | reader + mapping, 1 core (MB/s) | whole scan (ms) | scan MB/s | peak RSS (x file) | findings | evtxexport -f xml (ms) | scan speed / evtxexport |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...evtx.map((r) => `| ${r.file} | ${r.records} | ${r.readerMBps} | ${r.readerRecordsPerSec} | ${r.mappedMBps} | ${r.scanMs} | ${r.scanMBps} | ${r.scanPeakRssMB} MB (${r.scanPeakRssRatio}) | ${r.findings} | ${r.evtxexportMs ?? '-'} | ${r.scanVsEvtxexport ?? '-'} |`),
  );
}
if (logons.length) {
  lines.push(
    '',
    '| logon log | events | by kind | ingest (ms) | peak RSS (x file; target 0.8) |',
    '|---|---:|---|---:|---:|',
    ...logons.map((r) => `| ${r.file} | ${r.events} | ${Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(', ')} | ${r.ingestMs} | ${r.ingestPeakRssMB} MB (${r.ingestPeakRssRatio}) |`),
  );
}
console.log(lines.join('\n'));
mkdirSync(join(root, 'test/bench/results'), { recursive: true });
writeFileSync(join(root, 'test/bench/results/latest.json'), JSON.stringify({ machine, date, results, evtx, logons }, null, 2) + '\n');
if (!args.includes('--keep')) rmSync(dataDir, { recursive: true, force: true });
// The machine the bench ran on must be left as it was: /dev/null is still a character device.
if (process.platform !== 'win32' && !lstatSync('/dev/null').isCharacterDevice()) {
  console.error('bench: /dev/null is no longer a character device: something wrote over it');
  process.exit(1);
}
