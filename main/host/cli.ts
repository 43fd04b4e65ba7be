// Headless `hopscope scan`: the same pipeline as the app (engine worker: ingest -> store -> rules -> detect -> report).
// Invariant: exit 0 when the scan completed (findings or not), 1 when evidence cannot be read, 2 on usage errors;
// stdout carries only the summary or the report, progress goes to stderr and only on a terminal.

import { EVENTS_USAGE, parseEventsArgs, runEvents, type EventsOptions } from './cli-events.ts';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { HopscopeError, toErrorInfo } from '../../engine/model/errors.ts';
import type { GenericMapping } from '../../engine/formats/types.ts';
import type { EventDetails } from '../../engine/rpc/api.ts';
import { validateRequest } from '../../engine/rpc/validate.ts';
import { runCaseJob } from './case-job.ts';
import { readCase } from './case-store.ts';
import type { CaseDoc } from './case/case-doc.ts';
import { parseScanArgs, resolveClockArgs, USAGE, type ScanOptions } from './cli-args.ts';
import { createEngineClient } from './engine-client.ts';
import { appRoot } from './paths.ts';
import { collectRuleFiles } from './rule-files.ts';
import { firstEventRows, formatSummary, humanBytes, mappingHint, safeText, terminalColumns } from './scan-text.ts';

/** Text for the terminal that may hold log or rule text (file names, messages, column names): controls escaped per line. */
function say(s: string): void {
  process.stderr.write(s.split('\n').map(safeText).join('\n'));
}
import { writeOutputFile } from './atomic-write.ts';
import { expandEvidencePaths } from './evidence-folder.ts';
import { readHostTableFile } from './host-table-file.ts';

/** Rule issues other than errors listed one by one before the count. */
const MAX_LISTED_RULE_ISSUES = 20;

function write(stream: NodeJS.WriteStream, text: string | Uint8Array): Promise<void> {
  return new Promise((ok) => {
    if (stream.write(text)) ok();
    else stream.once('drain', ok);
  });
}

/** The annotations of `--case DIR`, read without writing (a torn journal tail is skipped, not repaired). */
async function readCaseForScan(dir: string): Promise<CaseDoc> {
  const read = await readCase(dir);
  if (read.report.created) throw new HopscopeError('E_USAGE', `--case: no case in '${dir}'`, { file: dir });
  if (read.report.droppedLines > 0) {
    say(`warning: case '${dir}': ${read.report.droppedLines} unreadable journal line(s) skipped (open the case in the app to repair it)\n`);
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
  // The host table too: a bad line is a usage error before the evidence is read.
  const hostTable = opts.hosts !== undefined ? await readHostTableFile(opts.hosts) : undefined;
  const rules = await collectRuleFiles({
    builtinDir: opts.builtin ? join(root, 'resources', 'rules') : undefined,
    rulePaths: opts.rulePaths,
    sigmaPaths: opts.sigmaPaths,
  });
  const mappings = opts.mapping ? { '*': await readMapping(opts.mapping) } : undefined;
  // A folder (a KAPE winevt/Logs, a collection) is the log files below it; what it passes over is said.
  const expanded = await expandEvidencePaths(opts.files);
  for (const k of expanded.skipped.slice(0, MAX_LISTED_RULE_ISSUES)) say(`passed over: ${k.path}: ${k.reason}\n`);
  if (expanded.skipped.length > MAX_LISTED_RULE_ISSUES) say(`passed over: ${expanded.skipped.length - MAX_LISTED_RULE_ISSUES} more\n`);
  const files = expanded.files;
  const clock = resolveClockArgs(opts.clock, files);
  const engine = createEngineClient();
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  try {
    const job = runCaseJob(engine, {
      evidence: files.map((p) => ({ path: p, name: basename(p) })),
      rules,
      binSpanSec: opts.binSpanSec,
      ...(mappings ? { mappings } : {}),
      ...(clock.length ? { clock } : {}),
      ...(hostTable?.length ? { hostTable } : {}),
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
      if (issue.severity === 'error' && !issue.source.startsWith('builtin:')) say(issueLine(issue));
    }
    const unsupported = result.rules.issues.filter((i) => i.severity !== 'error');
    if (unsupported.length) {
      // Name the reason for a few (a rule file of one's own); a whole SigmaHQ folder gets the count.
      for (const issue of unsupported.slice(0, MAX_LISTED_RULE_ISSUES)) say(issueLine(issue));
      say(`${unsupported.length} rule(s) skipped as unsupported or with warnings${unsupported.length > MAX_LISTED_RULE_ISSUES ? ` (the first ${MAX_LISTED_RULE_ISSUES} listed above)` : ''}\n`);
    }
    // The summary's warnings: the file's read warnings plus the case's (the same file twice, the same events in two files).
    for (const e of result.summary?.evidence ?? []) for (const w of e.warnings ?? []) say(`warning: ${e.name}: ${w}\n`);
    if (caseDoc && caseDoc.evidence.length > 0 && !caseDoc.evidence.some((c) => result.evidence.some((e) => e.sha256 === c.sha256))) {
      // Finding ids may still match (same rule, host and time), but event notes are keyed by evidence content.
      say(`warning: the case in '${opts.caseDir}' was made for other evidence (none of its files' SHA-256s match)\n`);
    }

    const wantReport = opts.format !== undefined || opts.out !== undefined;
    if (wantReport) {
      const report = await engine.call('report', { format: opts.format ?? 'json', generator: 'hopscope scan', ...(annotations ? { annotations } : {}) }).promise;
      const bytes = new Uint8Array(report.bytes);
      if (opts.out && opts.out !== '-') await writeOutputFile(opts.out, bytes, { protect: files, code: 'E_USAGE' });
      else await write(process.stdout, bytes);
    }
    // The summary goes to stdout unless the report itself does (`--format X` alone, or `--out -`).
    if (!wantReport || (opts.out && opts.out !== '-')) {
      const found = await engine.call('findings', { sort: 'time' }).promise;
      // What ran: the first event of each listed finding (host, user, parent -> process, command line).
      const firstEvents = new Map<string, EventDetails>();
      await Promise.all(firstEventRows(found).map(async ({ findingId, row }) => firstEvents.set(findingId, await engine.call('event', { row }).promise)));
      await write(process.stdout, formatSummary(result, found, { columns: terminalColumns(process.stdout), firstEvents }));
    }
    return 0;
  } finally {
    await engine.close();
  }
}

/** `hopscope events`: the export, with the scan's error handling (usage errors exit 2, unreadable evidence 1). */
async function events(argv: string[]): Promise<number> {
  let opts: EventsOptions;
  try {
    opts = parseEventsArgs(argv);
  } catch (err) {
    say(`hopscope: ${err instanceof Error ? err.message : String(err)}\n\n${EVENTS_USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    await write(process.stdout, EVENTS_USAGE + '\n');
    return 0;
  }
  try {
    const n = await runEvents(opts, say, readMapping);
    if (opts.out !== '-') say(`${n} event(s) written to ${opts.out}\n`);
    return 0;
  } catch (err) {
    const info = toErrorInfo(err);
    say(`hopscope: ${info.message}\n`);
    const columns = (err as { needsMapping?: { columns?: string[] } }).needsMapping?.columns;
    if (columns) say(`${mappingHint(columns)}\n`);
    return info.code === 'E_USAGE' || info.code === 'E_SECURITY' ? 2 : 1;
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'events') return events(argv);
  let opts: ScanOptions;
  try {
    opts = parseScanArgs(argv);
  } catch (err) {
    say(`hopscope: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
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
    say(`hopscope: ${info.message}\n`);
    // A file of no known layout: name --mapping and show the JSON it takes, for this file's columns.
    const columns = (err as { needsMapping?: { columns?: string[] } }).needsMapping?.columns;
    if (columns) say(`${mappingHint(columns)}\n`);
    if (info.code === 'E_USAGE') {
      say(`\n${USAGE}\n`);
      return 2;
    }
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`hopscope: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
