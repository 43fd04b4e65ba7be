// Helpers every format mapper shares: CIM name derivation, hex ids, time -> IngestRecord assembly.
// Invariant: a record leaves here with a parsed UTC time and derived process/parent names, or as a rejection.

import type { CanonicalField, SourceKind } from '../model/fields.ts';
import type { EventKind } from '../model/event-kinds.ts';
import { parseTime } from '../model/time.ts';
import type { TimePick } from './time-fields.ts';
import type { FlatRecord, MapOutcome } from './types.ts';
import type { TimeAlt } from '../model/sink.ts';

export type Fields = Partial<Record<CanonicalField, string>>;

/** Basename of a Windows or POSIX path. */
export function basename(path: string): string {
  let i = path.length - 1;
  while (i >= 0) {
    const c = path.charCodeAt(i);
    if (c === 92 || c === 47) break;
    i--;
  }
  return i < 0 ? path : path.slice(i + 1);
}

/** The CIM rule: the quoted path's basename, else the first token's basename. */
export function nameFromCommandLine(cmd: string): string {
  let s = cmd;
  let a = 0;
  while (a < s.length && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  if (a >= s.length) return '';
  if (s.charCodeAt(a) === 34) {
    const end = s.indexOf('"', a + 1);
    s = s.slice(a + 1, end === -1 ? s.length : end);
  } else {
    let b = a;
    while (b < s.length && s.charCodeAt(b) !== 32 && s.charCodeAt(b) !== 9) b++;
    s = s.slice(a, b);
  }
  return basename(s);
}

/** Sets `field` when `value` is a non-empty string. */
export function put(fields: Fields, field: CanonicalField, value: string | undefined): void {
  if (value !== undefined && value !== '') fields[field] = value;
}

/** Fills process_name / parent_process_name from path first, then command line; dest stays as given. */
export function deriveNames(fields: Fields): void {
  if (!fields.process_name) {
    const n = fields.process_path ? basename(fields.process_path) : fields.process ? nameFromCommandLine(fields.process) : '';
    if (n) fields.process_name = n;
  }
  if (!fields.parent_process_name) {
    const n = fields.parent_process_path
      ? basename(fields.parent_process_path)
      : fields.parent_process
        ? nameFromCommandLine(fields.parent_process)
        : '';
    if (n) fields.parent_process_name = n;
  }
}

/** `0x1f4` -> `500`; decimal text is kept; anything else is returned unchanged. */
export function hexToDecimal(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return v;
  if (v.length > 2 && v.charCodeAt(0) === 48 && (v.charCodeAt(1) === 120 || v.charCodeAt(1) === 88)) {
    const hex = v.slice(2);
    if (/^[0-9a-fA-F]{1,16}$/.test(hex)) {
      const n = parseInt(hex, 16);
      return Number.isSafeInteger(n) ? String(n) : BigInt('0x' + hex).toString();
    }
  }
  return v;
}

/**
 * A Windows logon id in one spelling, so a process's session joins the 4624 that opened it: exporters write the
 * same id as `0x3e7` or `0x00000000000003E7`; both become `0x3e7` (the original field keeps what the log wrote).
 */
export function normLogonId(v: string | undefined): string | undefined {
  if (v === undefined || v === '' || v === '-') return undefined;
  if (/^0x[0-9a-f]{1,16}$/i.test(v)) return '0x' + BigInt(v).toString(16);
  return v;
}

export function joinDomainUser(domain: string | undefined, user: string | undefined): string | undefined {
  if (!user || user === '-') return undefined;
  if (!domain || domain === '-') return user;
  return domain + '\\' + user;
}

/** Builds the outcome for an event (a process creation unless `kind` says otherwise); an unreadable or missing time rejects the record. */
export function eventOutcome(
  rec: FlatRecord,
  time: string | TimePick | undefined,
  source: SourceKind,
  provider: string | undefined,
  fields: Fields,
  raw?: string,
  kind: EventKind = 'process_creation',
): MapOutcome {
  // A TimePick (time-fields.ts) lists the record's time fields in the family's precedence: the first readable one
  // is the event's time, the others travel beside it for the per-file clock comparison.
  let timeMs = 0;
  let assumedUtc = false;
  let timeField: string | undefined;
  let timeAlts: TimeAlt[] | undefined;
  if (typeof time === 'string' || time === undefined) {
    if (time === undefined || time === '') return { kind: 'reject', code: 'bad-time', reason: 'record has no time' };
    const t = parseTime(time);
    if (!t) return { kind: 'reject', code: 'bad-time', reason: `unreadable time "${time.slice(0, 60)}"` };
    timeMs = t.ms;
    assumedUtc = t.assumedUtc;
  } else {
    if (time.length === 0) return { kind: 'reject', code: 'bad-time', reason: 'record has no time' };
    for (let i = 0; i < time.length; i++) {
      const tt = time[i]!;
      const t = parseTime(tt.text);
      if (!t) continue;
      const flagged = t.assumedUtc && !tt.utc;
      if (timeField === undefined) {
        timeField = tt.field;
        timeMs = t.ms;
        assumedUtc = flagged;
      } else (timeAlts ??= []).push({ field: tt.field, ms: t.ms, assumedUtc: flagged });
    }
    if (timeField === undefined) {
      const first = time[0]!;
      return { kind: 'reject', code: 'bad-time', reason: `unreadable time "${first.text.slice(0, 60)}"` };
    }
  }
  deriveNames(fields);
  return {
    kind: 'event',
    rec: {
      timeMs,
      assumedUtc: assumedUtc || undefined,
      ...(timeField !== undefined ? { timeField } : {}),
      ...(timeAlts ? { timeAlts } : {}),
      source,
      kind,
      provider,
      fields,
      originalNames: rec.names,
      originalValues: rec.values,
      raw,
      record: rec.record,
      line: rec.line,
      byteOffset: rec.byteOffset,
    },
  };
}

/** Own-property lookup in a constant table: log text like `constructor` must not reach Object.prototype. */
export function lookup(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Case-insensitive "contains" for short ASCII needles without allocating on the hot path when possible. */
export function containsIgnoreCase(haystack: string | undefined, needleLower: string): boolean {
  if (!haystack) return false;
  return haystack.toLowerCase().includes(needleLower);
}
