// `hopscope events` (`npm run events`, issue 13): every event of the files as CSV or NDJSON, in time order, with the
// table's filter language and kinds; what EvtxECmd does for .evtx, for every format Hopscope reads. Streamed: the
// engine formats pages of rows, the host writes them as they come (never the whole export in memory).
// Invariant: evidence is only read; the output never replaces an evidence file (atomic-write.ts).

import { basename, extname } from 'node:path';
import { EVENT_KINDS } from '../../engine/model/event-kinds.ts';
import { HopscopeError, toErrorInfo } from '../../engine/model/errors.ts';
import type { GenericMapping } from '../../engine/formats/types.ts';
import { openOutputStream, type OutputStream } from './atomic-write.ts';
import { parseClockArg, resolveClockArgs, walkArgs, type ClockArg } from './cli-args.ts';
import { runCaseJob } from './case-job.ts';
import { createEngineClient } from './engine-client.ts';
import { expandEvidencePaths } from './evidence-folder.ts';
import { resolveUserPath } from './paths.ts';

export type EventsFormat = 'csv' | 'ndjson';

export interface EventsOptions {
  files: string[];
  filter?: string;
  kinds: string[];
  format: EventsFormat;
  /** Output path, or '-' for standard output. */
  out: string;
  mapping?: string;
  clock: ClockArg[];
  help: boolean;
}

export const EVENTS_USAGE = `usage: hopscope events [options] FILE...
       npm run events -- [options] FILE...

Write every event of the files (a folder is its log files) as CSV or NDJSON, in time order: UTC time and the field
it came from, kind, evidence file, SHA-256, record, line or byte offset, the canonical fields and the original
fields. Evidence files are only read, never modified.

options:
  --filter EXPR    only events matching EXPR (the table's filter language: process_name:cmd.exe, kind:logon, ...)
  --kind KIND      only events of KIND (logon, process_creation, service_install, ...); repeatable
  --format FMT     csv (default; formula-safe cells, UTF-8 BOM) or ndjson (one JSON object per line)
  --out FILE       write to FILE (replaced only when complete; format from the extension when --format is
                   not given); '-' or no --out is standard output; /dev/null and FIFOs are written in place
  --mapping FILE   column mapping for files of no known layout (as for scan)
  --clock FILE=OFFSET[@FIELD]
                   correct FILE's clock (as for scan); time_original_utc keeps the time as read
  --help           show this help`;

export function parseEventsArgs(argv: readonly string[]): EventsOptions {
  const args = [...argv];
  if (args[0] === 'events') args.shift();
  const opts: EventsOptions = { files: [], kinds: [], format: 'csv', out: '-', clock: [], help: false };
  let format: EventsFormat | undefined;
  walkArgs(args, (path) => opts.files.push(path), (name, take) => {
    switch (name) {
      case '--help':
      case '-h':
        opts.help = true;
        break;
      case '--filter':
        if (opts.filter !== undefined) throw new HopscopeError('E_USAGE', '--filter may be given once (combine with AND / OR)');
        opts.filter = take();
        break;
      case '--kind': {
        for (const k of take().split(',').map((s) => s.trim()).filter(Boolean)) {
          if (!(EVENT_KINDS as readonly string[]).includes(k)) throw new HopscopeError('E_USAGE', `unknown kind '${k}' (kinds: ${EVENT_KINDS.join(', ')})`);
          if (!opts.kinds.includes(k)) opts.kinds.push(k);
        }
        break;
      }
      case '--format': {
        const f = take().toLowerCase();
        if (f !== 'csv' && f !== 'ndjson') throw new HopscopeError('E_USAGE', '--format must be csv or ndjson');
        format = f;
        break;
      }
      case '--out': {
        const out = take();
        opts.out = out === '-' ? '-' : resolveUserPath(out);
        break;
      }
      case '--mapping':
        opts.mapping = resolveUserPath(take());
        break;
      case '--clock':
        opts.clock.push(parseClockArg(take()));
        break;
      default:
        throw new HopscopeError('E_USAGE', `unknown option ${name}`);
    }
  });
  if (opts.help) return opts;
  if (opts.files.length === 0) throw new HopscopeError('E_USAGE', 'no evidence files given');
  if (opts.out !== '-' && opts.files.includes(opts.out)) throw new HopscopeError('E_USAGE', '--out must not name an evidence file');
  const ext = opts.out === '-' ? '' : extname(opts.out).slice(1).toLowerCase();
  opts.format = format ?? (ext === 'ndjson' || ext === 'jsonl' || ext === 'json' ? 'ndjson' : 'csv');
  return opts;
}

/** Standard output as an OutputStream, waiting for it to drain (a pipe to `head` or `less` applies back-pressure). */
function stdoutStream(): OutputStream {
  const write = (chunk: Uint8Array | string): Promise<void> =>
    new Promise((resolve, reject) => {
      process.stdout.write(chunk, (err) => (err ? reject(new HopscopeError('E_IO', `cannot write standard output: ${err.message}`)) : resolve()));
    });
  return { write, commit: async () => 'in-place', abort: async () => undefined };
}

/** Rows the engine formats per call: bounded memory on both sides, few round trips. */
const PAGE = 20_000;

/** Writes the export; returns the number of events written. `say` gets warnings (stderr). */
export async function runEvents(opts: EventsOptions, say: (s: string) => void, readMapping: (path: string) => Promise<GenericMapping>): Promise<number> {
  const mappings = opts.mapping ? { '*': await readMapping(opts.mapping) } : undefined;
  const expanded = await expandEvidencePaths(opts.files);
  for (const k of expanded.skipped) say(`passed over: ${k.path}: ${k.reason}\n`);
  const files = expanded.files;
  const clock = resolveClockArgs(opts.clock, files);
  const engine = createEngineClient();
  let out: OutputStream | null = null;
  try {
    const job = runCaseJob(engine, {
      evidence: files.map((p) => ({ path: p, name: basename(p) })),
      // No rules: an export of events, not a scan.
      rules: { files: [], macros: [], sigmaFiles: [] },
      binSpanSec: 1,
      ...(mappings ? { mappings } : {}),
      ...(clock.length ? { clock } : {}),
    });
    const onSignal = (): void => job.cancel();
    process.once('SIGINT', onSignal);
    const result = await job.promise.finally(() => process.off('SIGINT', onSignal));
    for (const e of result.summary?.evidence ?? []) {
      for (const w of e.warnings ?? []) say(`warning: ${e.name}: ${w}\n`);
      if (e.rejected > 0) say(`warning: ${e.name}: ${e.rejected} record(s) rejected (not in the export; \`npm run scan\` lists them with their location)\n`);
    }
    const scope = { ...(opts.filter !== undefined ? { filter: opts.filter } : {}), ...(opts.kinds.length ? { kinds: opts.kinds } : {}) };
    // The output is opened once the evidence is read and the filter checked (a bad filter writes nothing).
    const first = await engine.call('eventsChunk', { scope, format: opts.format, offset: 0, limit: PAGE, header: true }).promise.catch((err: unknown) => {
      const info = toErrorInfo(err);
      throw info.code === 'E_USAGE' ? new HopscopeError('E_USAGE', `--filter ${JSON.stringify(opts.filter ?? '')}: ${info.message}`) : err;
    });
    out = opts.out === '-' ? stdoutStream() : await openOutputStream(opts.out, { protect: files, code: 'E_USAGE' });
    await out.write(first.text);
    let written = first.count;
    for (let offset = first.count; offset < first.total; ) {
      const page = await engine.call('eventsChunk', { scope, format: opts.format, offset, limit: PAGE, header: false }).promise;
      if (page.count === 0) throw new HopscopeError('E_INTERNAL', `the export stopped at ${offset} of ${first.total} events`);
      await out.write(page.text);
      offset += page.count;
      written += page.count;
    }
    await out.commit();
    out = null;
    return written;
  } finally {
    if (out) await out.abort();
    await engine.close();
  }
}
