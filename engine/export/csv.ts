// Findings as CSV (RFC 4180) that is safe to open in a spreadsheet.
// Invariant: no cell can start a formula — a cell beginning with = + - @ (ASCII, fullwidth or small forms, after any
// leading spaces, line breaks, controls or invisible characters), TAB, CR or LF gets a leading `'`.

import type { Annotation } from '../case/annotations.ts';
import { findingAnnotation, type Report } from './report.ts';

/**
 * Characters that make Excel, LibreOffice or Sheets evaluate a cell as a formula or DDE call
 * (OWASP "CSV injection"). The `'` prefix is the spreadsheet convention for "this is text"; the
 * value stays readable and the change is visible. A legitimate leading `-` (a `-` user in 4688
 * logs, a negative number) is prefixed too: safety over fidelity in a file meant for spreadsheets.
 */
const FORMULA_START =
  /^[\s\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0]*[=+\-@\u2212\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20]|^[\t\r\n]/;

/** Whether a spreadsheet could read the cell as a formula (exported for the fuzz checks). */
export function startsFormula(s: string): boolean {
  return FORMULA_START.test(s);
}

/** One cell: formula-neutralised, then quoted when it holds a quote, comma, CR or LF. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function csvRow(cells: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return cells.map(csvCell).join(',');
}

export interface CsvOptions {
  /** Prepend a UTF-8 byte-order mark so Excel reads non-ASCII text correctly (default false). */
  bom?: boolean;
}

export const FINDING_CSV_COLUMNS = [
  'id', 'rule_id', 'rule_title', 'host', 'bin_start', 'bin_end', 'event_count', 'risk_score', 'message', 'techniques', 'events', 'evidence_sha256', 'event_record_ids', 'what_ran',
] as const;

/** One line of `what_ran`: host, user, parent -> process, the whole command line (what-ran.ts's fields, `?` when absent). */
function whatRanLine(e: Report['findings'][number]['events'][number]): string {
  if (e.host === undefined && e.user === undefined && e.process_name === undefined && e.command_line === undefined) return '';
  return `${e.host ?? '?'} | ${e.user ?? '?'} | ${e.parent_process_name ?? '?'} -> ${e.process_name ?? '?'} | ${e.command_line ?? ''}`;
}
export const ANNOTATION_CSV_COLUMNS = ['status', 'starred', 'tags', 'comments'] as const;
export const MOVEMENT_CSV_COLUMNS = ['movement', 'movement_method', 'source_host', 'source_ip', 'source_resolved_by', 'source_account'] as const;

function commentsCell(a: Annotation | undefined): string {
  return (a?.comments ?? []).map((c) => `${c.atIso} ${c.author}: ${c.text}`).join('\n');
}

/**
 * Findings of a report, one row per finding, CRLF line ends. Annotation columns are added when
 * the report carries annotations. `rule_title` is the rule's title from the report's rules (a Sigma `rule_id` is a UUID).
 * `techniques` are joined with `;`, events as `path#record` with `; `, and
 * `evidence_sha256` holds the SHA-256 of each evidence file those events come from (`;`), so a row stands alone;
 * `event_record_ids` the Windows EventRecordID of each event in the order of `events` (`; `, empty where the export has
 * none; the cell is empty when no event has one); `what_ran` one line per event in that order: `host | user | parent -> process |
 * command line` (whole, never cut; empty when no event has those fields).
 */
export function findingsToCsv(report: Pick<Report, 'findings' | 'annotations'> & Partial<Pick<Report, 'evidence' | 'rules' | 'movements' | 'links'>>, opts: CsvOptions = {}): string {
  const withAnn = report.annotations !== undefined;
  // With movements (issue 14): the movement each finding is a step of, and where it came from (`movement`, its method,
  // source host, source address, how the source was found, account; empty when no movement holds the finding).
  const withMoves = report.movements !== undefined;
  // With lateral links: the links one of whose ends is an event of the finding, one `FROM -> TO (kind; target side)` line each.
  const withLinks = report.links !== undefined;
  const linksOf = new Map<string, string[]>();
  for (const l of report.links ?? []) {
    for (const id of l.finding_ids) {
      const line = `${l.from_host} -> ${l.to_host} (${l.kind}${l.target_side ? `; ${l.target_side}` : ''})`;
      (linksOf.get(id) ?? linksOf.set(id, []).get(id)!).push(line);
    }
  }
  const moveOf = new Map<string, NonNullable<Report['movements']>[number]>();
  for (const m of report.movements ?? []) for (const id of m.finding_ids) if (!moveOf.has(id)) moveOf.set(id, m);
  const titleOf = new Map((report.rules ?? []).map((r) => [r.id, r.title]));
  const shaOf = new Map((report.evidence ?? []).map((e) => [e.path, e.sha256]));
  // With clock corrections set, the events' times as read (`event_original_times`, in the order of `events`) and the
  // corrections of their files (`clock`) follow; `bin_start`/`bin_end` are corrected times.
  const withClock = (report.evidence ?? []).some((e) => e.clock?.length);
  const clockOf = new Map((report.evidence ?? []).map((e) => [e.path, (e.clock ?? []).map((c) => `${c.offset}${c.field ? '@' + c.field : ''}`).join(' ')]));
  const header: string[] = [...FINDING_CSV_COLUMNS, ...(withClock ? ['event_original_times', 'clock'] : []), ...(withMoves ? MOVEMENT_CSV_COLUMNS : []), ...(withLinks ? ['lateral_links'] : []), ...(withAnn ? ANNOTATION_CSV_COLUMNS : [])];
  const lines = [csvRow(header)];
  for (const f of report.findings) {
    const cells: Array<string | number | boolean> = [
      f.id,
      f.rule_id,
      titleOf.get(f.rule_id) ?? '',
      f.host,
      f.bin_start,
      f.bin_end,
      f.event_count,
      f.risk_score,
      f.message,
      f.techniques.join(';'),
      f.events.map((e) => `${e.evidence}#${e.record}`).join('; '),
      [...new Set(f.events.map((e) => shaOf.get(e.evidence) ?? ''))].filter((s) => s !== '').join(';'),
      f.events.some((e) => e.eventRecordId !== undefined) ? f.events.map((e) => (e.eventRecordId === undefined ? '' : String(e.eventRecordId))).join('; ') : '',
      f.events.some((e) => whatRanLine(e) !== '') ? f.events.map(whatRanLine).join('\n') : '',
    ];
    if (withClock) {
      cells.push(
        f.events.map((e) => e.original_time ?? e.time).join('; '),
        [...new Set(f.events.map((e) => (clockOf.get(e.evidence) ? `${e.evidence}: ${clockOf.get(e.evidence)}` : '')))].filter((s) => s !== '').join('; '),
      );
    }
    if (withMoves) {
      const m = moveOf.get(f.id);
      cells.push(m?.id ?? '', m?.method ?? '', m?.source ?? '', m?.source_ip ?? '', m?.source_resolved_by ?? '', m?.account ?? '');
    }
    if (withLinks) cells.push((linksOf.get(f.id) ?? []).join('\n'));
    if (withAnn) {
      const a = findingAnnotation(report, f.id);
      cells.push(a?.status ?? 'new', a?.star ?? false, (a?.tags ?? []).join(';'), commentsCell(a));
    }
    lines.push(csvRow(cells));
  }
  return (opts.bom ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n';
}
