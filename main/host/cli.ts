// Headless `hopscope scan`: the same pipeline as the app (engine worker: ingest -> store -> rules -> detect -> report).
// Invariant: exit 0 when the scan completed (findings or not), 1 when evidence cannot be read, 2 on usage errors;
// stdout carries only the summary or the report, progress goes to stderr and only on a terminal.

import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { HopscopeError, toErrorInfo } from '../../engine/model/errors.ts';
import type { GenericMapping } from '../../engine/ingest/types.ts';
import type { FindingsResponse } from '../../engine/rpc/api.ts';
import { validateRequest } from '../../engine/rpc/validate.ts';
import { runCaseJob, type CaseJobResult } from './case-job.ts';
import { readCase } from './case-store.ts';
import type { CaseDoc } from './case/case-doc.ts';
import { parseScanArgs, USAGE, type ScanOptions } from './cli-args.ts';
import { createEngineClient } from './engine-client.ts';
import { appRoot } from './paths.ts';
import { collectRuleFiles } from './rule-files.ts';
import { writeOutputFile } from './atomic-write.ts';

/** Rule issues other than errors listed one by one before the count. */
const MAX_LISTED_RULE_ISSUES = 20;

function write(stream: NodeJS.WriteStream, text: string | Uint8Array): Promise<void> {
  return new Promise((ok) => {
    if (stream.write(text)) ok();
    else stream.once('drain', ok);
  });
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : '-';
}

function pad(s: string, n: number, right = false): string {
  const t = s.length > n ? s.slice(0, n - 1) + '…' : s;
  return right ? t.padStart(n) : t.padEnd(n);
}

const MAX_LISTED_FINDINGS = 500;

export function formatSummary(result: CaseJobResult, found: FindingsResponse): string {
  const lines: string[] = [];
  const s = result.summary;
  const ruleCount = result.rules.rules.length;
  const issues = result.rules.issues.length;
  lines.push(
    `Hopscope scan: ${result.evidence.length} file(s), ${s?.events ?? 0} events, ${found.hosts.length} host(s), ` +
      `${ruleCount} rule(s)${issues ? ` (${issues} rule issue(s))` : ''}, ${found.findings.length} finding(s)` +
      (s ? `, bins of ${s.binSpanSec}s` : ''),
  );
  lines.push('');
  lines.push('evidence:');
  for (const e of result.evidence) {
    const st = e.ingest.stats;
    lines.push(
      `  ${e.input.name}  ${humanBytes(e.bytes)}  sha256 ${e.sha256}  format ${e.ingest.format}  ` +
        `${st.appended} events, ${st.nonProcess} non-process, ${st.rejected} rejected`,
    );
    for (const w of e.warnings) lines.push(`    warning: ${w}`);
  }
  lines.push('');
  const hw = Math.max(4, ...found.hosts.map((h) => h.host.length));
  lines.push(`${pad('HOST', hw)}  ${pad('EVENTS', 8, true)}  ${pad('FINDINGS', 8, true)}  ${pad('RISK', 6, true)}  TOP RULES`);
  for (const h of found.hosts) {
    const top = h.topRules.map((r) => `${r.ruleId} (${r.findings})`).join(', ') || '-';
    lines.push(`${pad(h.host, hw)}  ${pad(String(h.events), 8, true)}  ${pad(String(h.findings), 8, true)}  ${pad(String(h.riskScore), 6, true)}  ${top}`);
  }
  lines.push('');
  if (found.findings.length === 0) {
    lines.push('no findings');
  } else {
    lines.push(`findings (${found.findings.length}):`);
    for (const f of found.findings.slice(0, MAX_LISTED_FINDINGS)) {
      lines.push(`  ${iso(f.binStartMs)}  ${f.host}  ${f.ruleId}  risk ${f.riskScore}  ${f.eventCount} event(s)  ${f.message}`);
    }
    if (found.findings.length > MAX_LISTED_FINDINGS) {
      lines.push(`  ... ${found.findings.length - MAX_LISTED_FINDINGS} more (use --format json|csv|ndjson|html for all)`);
    }
  }
  if (found.links.length) {
    lines.push('');
    lines.push(`lateral links (${found.links.length}):`);
    for (const l of found.links.slice(0, MAX_LISTED_FINDINGS)) lines.push(`  ${iso(l.fromTimeMs)}  ${l.fromHost} -> ${l.toHost}  ${l.kind}`);
  }
  return lines.join('\n') + '\n';
}


/** The annotations of `--case DIR`, read without writing (a torn journal tail is skipped, not repaired). */
async function readCaseForScan(dir: string): Promise<CaseDoc> {
  const read = await readCase(dir);
  if (read.report.created) throw new HopscopeError('E_USAGE', `--case: no case in '${dir}'`, { file: dir });
  if (read.report.droppedLines > 0) {
    process.stderr.write(`warning: case '${dir}': ${read.report.droppedLines} unreadable journal line(s) skipped (open the case in the app to repair it)\n`);
  }
  return read.doc;
}

async function readMapping(path: string): Promise<GenericMapping> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new HopscopeError('E_USAGE', `--mapping: cannot read '${path}': ${err instanceof Error ? err.message : String(err)}`);
  }
  const v = validateRequest('files.setMapping', { signature: '*', mapping: parsed });
  if (!v.ok) throw new HopscopeError('E_USAGE', `--mapping: ${v.error.message.replace('files.setMapping: request.', '')}`);
  return parsed as GenericMapping;
}

async function scan(opts: ScanOptions): Promise<number> {
  const root = appRoot();
  // Read the case first: a wrong folder is a usage error before minutes of parsing.
  const caseDoc = opts.caseDir ? await readCaseForScan(opts.caseDir) : undefined;
  const annotations = caseDoc?.annotations;
  const rules = await collectRuleFiles({
    builtinDir: opts.builtin ? join(root, 'resources', 'rules') : undefined,
    rulePaths: opts.rulePaths,
    sigmaPaths: opts.sigmaPaths,
  });
  const mappings = opts.mapping ? { '*': await readMapping(opts.mapping) } : undefined;
  const engine = createEngineClient();
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  try {
    const job = runCaseJob(engine, {
      evidence: opts.files.map((p) => ({ path: p, name: basename(p) })),
      rules,
      binSpanSec: opts.binSpanSec,
      ...(mappings ? { mappings } : {}),
      onProgress: tty
        ? (p) => {
            const now = performance.now();
            if (now - lastLine < 100 && p.phase === 'parsing') return;
            lastLine = now;
            const pct = p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100;
            process.stderr.write(`\r${p.phase} ${pct}%  ${p.records} records  ${p.rejected} rejected  ${humanBytes(Math.round(p.rate))}/s   `);
          }
        : undefined,
    });
    const onSignal = (): void => job.cancel();
    process.once('SIGINT', onSignal);
    const result = await job.promise.finally(() => process.off('SIGINT', onSignal));
    if (tty) process.stderr.write('\r\x1b[K');
    const issueLine = (i: (typeof result.rules.issues)[number]): string => `rule ${i.severity}: ${i.source}${i.ruleId ? ` (${i.ruleId})` : ''}: ${i.message}\n`;
    for (const issue of result.rules.issues) {
      if (issue.severity === 'error' && !issue.source.startsWith('builtin:')) process.stderr.write(issueLine(issue));
    }
    const unsupported = result.rules.issues.filter((i) => i.severity !== 'error');
    if (unsupported.length) {
      // Name the reason for a few (a rule file of one's own); a whole SigmaHQ folder gets the count.
      for (const issue of unsupported.slice(0, MAX_LISTED_RULE_ISSUES)) process.stderr.write(issueLine(issue));
      process.stderr.write(`${unsupported.length} rule(s) skipped as unsupported or with warnings${unsupported.length > MAX_LISTED_RULE_ISSUES ? ` (the first ${MAX_LISTED_RULE_ISSUES} listed above)` : ''}\n`);
    }
    for (const e of result.evidence) for (const w of e.warnings) process.stderr.write(`warning: ${e.input.name}: ${w}\n`);
    if (caseDoc && caseDoc.evidence.length > 0 && !caseDoc.evidence.some((c) => result.evidence.some((e) => e.sha256 === c.sha256))) {
      // Finding ids may still match (same rule, host and time), but event notes are keyed by evidence content.
      process.stderr.write(`warning: the case in '${opts.caseDir}' was made for other evidence (none of its files' SHA-256s match)\n`);
    }

    const wantReport = opts.format !== undefined || opts.out !== undefined;
    if (wantReport) {
      const report = await engine.call('report', { format: opts.format ?? 'json', generator: 'hopscope scan', ...(annotations ? { annotations } : {}) }).promise;
      const bytes = new Uint8Array(report.bytes);
      if (opts.out && opts.out !== '-') await writeOutputFile(opts.out, bytes, { protect: opts.files, code: 'E_USAGE' });
      else await write(process.stdout, bytes);
    }
    // The summary goes to stdout unless the report itself does (`--format X` alone, or `--out -`).
    if (!wantReport || (opts.out && opts.out !== '-')) {
      const found = await engine.call('findings', { sort: 'time' }).promise;
      await write(process.stdout, formatSummary(result, found));
    }
    return 0;
  } finally {
    await engine.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let opts: ScanOptions;
  try {
    opts = parseScanArgs(argv);
  } catch (err) {
    process.stderr.write(`hopscope: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    await write(process.stdout, USAGE + '\n');
    return 0;
  }
  try {
    return await scan(opts);
  } catch (err) {
    const info = toErrorInfo(err);
    process.stderr.write(`hopscope: ${info.message}\n`);
    if (info.code === 'E_USAGE') {
      process.stderr.write(`\n${USAGE}\n`);
      return 2;
    }
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`hopscope: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
