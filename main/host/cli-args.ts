// Command-line parsing for `hopscope scan`: options in, a plain ScanOptions out, or a usage error (exit 2).
// Invariant: relative paths resolve against where the user typed the command (INIT_CWD), never the package dir.

import { basename, extname } from 'node:path';
import { HopscopeError } from '../../engine/model/errors.ts';
import type { ReportFormat } from '../../engine/rpc/protocol.ts';
import { resolveUserPath } from './paths.ts';

export interface ScanOptions {
  files: string[];
  rulePaths: string[];
  sigmaPaths: string[];
  builtin: boolean;
  binSpanSec: number;
  format?: ReportFormat;
  out?: string;
  /** A case folder whose annotations the report includes (read only, never written by a scan). */
  caseDir?: string;
  /** JSON file with a column mapping for files of no known layout. */
  mapping?: string;
  /** Clock corrections (`--clock FILE=+05:00:00[@FIELD]`): FILE as typed, and resolved as a path. */
  clock: ClockArg[];
  /** The analyst's IP -> host table for movements (`--hosts FILE`: CSV ip,host lines or a JSON object). */
  hosts?: string;
  help: boolean;
}

export interface ClockArg {
  file: string;
  path: string;
  offsetMs: number;
  field?: string;
}

export const USAGE = `usage: hopscope scan [options] FILE...
       npm run scan -- [options] FILE...

Scan process-creation logs offline with the built-in detection rules (and yours), and print a
per-host summary and the findings. Evidence files are only read, never modified.

options:
  --rules PATH     add a rule pack (SPL rule YAML and macros.conf), file or folder; repeatable
  --sigma PATH     add Sigma rules, file or folder (e.g. a SigmaHQ checkout); repeatable
  --no-builtin     do not load the built-in rules
  --span SPAN      finding bin width: 1s (default), 500ms, 5s, 2m, 1h
  --mapping FILE   column mapping for files of no known layout, as JSON:
                   {"time": COL, "host": COL, "fields": {"process": COL, "user": COL, ...}}
  --format FMT     report format: json, csv, ndjson or html (default: summary table)
  --out FILE       write the report to FILE (format from --format, else from the extension); '-' is
                   standard output; a device or FIFO (/dev/null, /dev/stdout) is written in place
  --case DIR       include the annotations of the case in DIR (status, tags, comments) in the report;
                   the case is only read
  --clock FILE=OFFSET[@FIELD]
                   correct FILE's clock (FILE by name or path): OFFSET [+-]HH:MM[:SS[.mmm]] is added to
                   its events' times (only to those whose time came from FIELD, e.g. @TimeCreated);
                   the report carries original and corrected times; repeatable
  --hosts FILE     name the hosts behind source addresses no event resolves, for movements: CSV lines
                   ip,host (header optional, # comments) or a JSON object {"10.0.0.12": "WKS-1002"};
                   IPv4 or IPv6, host names of letters, digits, . _ - (at most 100000 entries)
  --help           show this help

exit status: 0 scan completed (with or without findings), 1 evidence unreadable, 2 usage error`;

const FORMATS: readonly ReportFormat[] = ['json', 'csv', 'ndjson', 'html'];

/** `1s`, `500ms`, `2m`, `1h`, or a bare number of seconds. */
export function parseSpan(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new HopscopeError('E_USAGE', `--span: cannot read '${text}' (use e.g. 1s, 500ms, 5m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const sec = unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n;
  if (!(sec >= 0.001 && sec <= 86_400 * 366)) throw new HopscopeError('E_USAGE', `--span: ${text} is out of range (1ms .. 366 days)`);
  return sec;
}

/** `+05:00:00`, `-04:00`, `+00:00:37.500` -> ms. */
export function parseClockOffset(text: string): number | null {
  const m = /^([+-])(\d{1,3}):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,3}))?)?$/.exec(text.trim());
  if (!m) return null;
  const ms = ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4] ?? 0)) * 1000 + Number((m[5] ?? '').padEnd(3, '0') || 0);
  return m[1] === '-' ? -ms : ms;
}

/** `FILE=+05:00:00` or `FILE=-04:00:00@TimeCreated` (the last `=` ends FILE). */
export function parseClockArg(text: string): ClockArg {
  const eq = text.lastIndexOf('=');
  const usage = `--clock: cannot read '${text}' (use FILE=+05:00:00, or FILE=+04:00:00@TimeCreated for the events timed by one field)`;
  if (eq <= 0) throw new HopscopeError('E_USAGE', usage);
  const file = text.slice(0, eq);
  let spec = text.slice(eq + 1);
  let field: string | undefined;
  const at = spec.indexOf('@');
  if (at >= 0) {
    field = spec.slice(at + 1);
    spec = spec.slice(0, at);
    if (field === '' || field.length > 256) throw new HopscopeError('E_USAGE', usage);
  }
  const offsetMs = parseClockOffset(spec);
  if (offsetMs === null) throw new HopscopeError('E_USAGE', usage);
  if (Math.abs(offsetMs) > 7 * 86_400_000) throw new HopscopeError('E_USAGE', `--clock: ${spec} is out of range (at most 7 days either way)`);
  return { file, path: resolveUserPath(file), offsetMs, ...(field !== undefined ? { field } : {}) };
}

/**
 * The command lines' one tokenizer (`scan`, `events`): evidence paths (resolved where the user typed the command) to
 * `onFile`, options to `onOption` with `take()` for their value (`--opt value` or `--opt=value`); after `--` every
 * argument is a path; `-` (stdin) is refused.
 */
export function walkArgs(args: readonly string[], onFile: (path: string) => void, onOption: (name: string, take: () => string) => void): void {
  let onlyFiles = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (onlyFiles || !a.startsWith('-') || a === '-') {
      if (a === '-') throw new HopscopeError('E_USAGE', 'reading evidence from stdin is not supported; name a file');
      onFile(resolveUserPath(a));
      continue;
    }
    if (a === '--') {
      onlyFiles = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    onOption(name, () => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new HopscopeError('E_USAGE', `${name} needs a value`);
      return v;
    });
  }
}

export function parseScanArgs(argv: readonly string[]): ScanOptions {
  const opts: ScanOptions = { files: [], rulePaths: [], sigmaPaths: [], builtin: true, binSpanSec: 1, clock: [], help: false };
  const args = [...argv];
  if (args[0] === 'scan') args.shift();
  else if (args.length && !args[0]!.startsWith('-')) {
    throw new HopscopeError('E_USAGE', `unknown command '${args[0]}' (the commands are 'scan' and 'events')`);
  }
  walkArgs(args, (path) => opts.files.push(path), (name, take) => {
    switch (name) {
      case '--help':
      case '-h':
        opts.help = true;
        break;
      case '--rules':
        opts.rulePaths.push(resolveUserPath(take()));
        break;
      case '--sigma':
        opts.sigmaPaths.push(resolveUserPath(take()));
        break;
      case '--no-builtin':
        opts.builtin = false;
        break;
      case '--span':
        opts.binSpanSec = parseSpan(take());
        break;
      case '--format': {
        const f = take().toLowerCase();
        if (!FORMATS.includes(f as ReportFormat)) throw new HopscopeError('E_USAGE', `--format must be one of ${FORMATS.join(', ')}`);
        opts.format = f as ReportFormat;
        break;
      }
      case '--out': {
        // `-` is standard output; any other name is a path (devices and FIFOs are written in place).
        const out = take();
        opts.out = out === '-' ? '-' : resolveUserPath(out);
        break;
      }
      case '--case':
        opts.caseDir = resolveUserPath(take());
        break;
      case '--mapping':
        opts.mapping = resolveUserPath(take());
        break;
      case '--clock':
        opts.clock.push(parseClockArg(take()));
        break;
      case '--hosts':
        if (opts.hosts !== undefined) throw new HopscopeError('E_USAGE', '--hosts may be given once (put every address in one file)');
        opts.hosts = resolveUserPath(take());
        break;
      default:
        throw new HopscopeError('E_USAGE', `unknown option ${name}`);
    }
  });
  if (opts.help) return opts;
  if (opts.files.length === 0) throw new HopscopeError('E_USAGE', 'no evidence files given');
  if (opts.out === '-' && !opts.format) opts.format = 'json';
  if (opts.out && !opts.format) {
    const ext = extname(opts.out).slice(1).toLowerCase();
    opts.format = FORMATS.includes(ext as ReportFormat) ? (ext as ReportFormat) : ext === 'htm' ? 'html' : 'json';
  }
  if (opts.out && opts.files.includes(opts.out)) throw new HopscopeError('E_USAGE', '--out must not name an evidence file');
  if (opts.hosts && opts.files.includes(opts.hosts)) throw new HopscopeError('E_USAGE', '--hosts must name a host table, not an evidence file');
  if (opts.caseDir && opts.files.includes(opts.caseDir)) throw new HopscopeError('E_USAGE', '--case must name a case folder, not an evidence file');
  return opts;
}

/** Each `--clock FILE=...` names one evidence file, by path or by name (a name two files share is refused). */
export function resolveClockArgs(args: readonly ClockArg[], files: readonly string[]): Array<{ path: string; offsetMs: number; field?: string }> {
  return args.map((c) => {
    let path = files.find((f) => f === c.path);
    if (path === undefined) {
      const byName = files.filter((f) => basename(f) === c.file || basename(f) === basename(c.file));
      if (byName.length > 1) throw new HopscopeError('E_USAGE', `--clock: '${c.file}' names ${byName.length} evidence files; give its path`);
      path = byName[0];
    }
    if (path === undefined) throw new HopscopeError('E_USAGE', `--clock: '${c.file}' is not one of the evidence files`);
    return { path, offsetMs: c.offsetMs, ...(c.field !== undefined ? { field: c.field } : {}) };
  });
}
