// Real-shaped process-creation records for store and query tests (Sysmon XML, CIM CSV, flattened JSON).
// Invariant: deterministic for a seed, so failures reproduce.

import type { CanonicalEvent, CanonicalField } from '../../../engine/model/fields.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { SegmentBuilder, type SegmentBuilderOptions } from '../../../engine/store/builder.ts';
import { EventStore } from '../../../engine/store/store.ts';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export const HOSTS = ['WS01.corp.local', 'WS02.corp.local', 'DC01.corp.local', 'SRV-FILE.corp.local', 'LAPTOP-ÄÖ.corp.local'];
const USERS = ['CORP\\alice', 'CORP\\bob', 'NT AUTHORITY\\SYSTEM', 'CORP\\svc_backup', 'CORP\\zoë'];
const IMAGES = [
  ['C:\\Windows\\System32\\cmd.exe', 'Cmd.Exe'],
  ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'PowerShell.EXE'],
  ['C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', 'Wmiprvse.exe'],
  ['C:\\Windows\\explorer.exe', 'EXPLORER.EXE'],
  ['C:\\Windows\\System32\\services.exe', 'services.exe'],
  ['C:\\Tools\\PsExec.exe', 'psexec.c'],
] as const;

function guid(r: () => number): string {
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `{${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}}`.toUpperCase();
}

export interface GenOptions {
  count: number;
  seed?: number;
  startMs?: number;
  /** Mean gap between events. */
  stepMs?: number;
  order?: 'sorted' | 'reverse' | 'shuffled';
}

const SYSMON_NAMES = [
  'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'OriginalFileName', 'CommandLine', 'CurrentDirectory',
  'User', 'IntegrityLevel', 'Hashes', 'ParentProcessGuid', 'ParentProcessId', 'ParentImage', 'ParentCommandLine', 'Computer',
];

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Sysmon EID 1 records (flattened original names, XML raw text) forming process trees per host:
 * each event's parent is an earlier event of the same host when there is one.
 */
export function sysmonRecords(opts: GenOptions): IngestRecord[] {
  const r = rng(opts.seed ?? 7);
  const start = opts.startMs ?? Date.UTC(2024, 4, 1, 8, 0, 0);
  const step = opts.stepMs ?? 1000;
  const recs: IngestRecord[] = [];
  const procs: Array<Array<{ guid: string; pid: string; image: string; cmd: string }>> = HOSTS.map(() => []);
  let t = start;
  for (let i = 0; i < opts.count; i++) {
    t += Math.floor(r() * 2 * step);
    const h = Math.floor(r() * HOSTS.length);
    const host = HOSTS[h]!;
    const [image, ofn] = IMAGES[Math.floor(r() * IMAGES.length)]!;
    const user = USERS[Math.floor(r() * USERS.length)]!;
    const g = guid(r);
    const pid = String(100 + Math.floor(r() * 60000));
    const parents = procs[h]!;
    const parent = parents.length > 0 && r() < 0.8 ? parents[Math.floor(r() * parents.length)]! : null;
    const base = image.slice(image.lastIndexOf('\\') + 1);
    const cmd = i % 97 === 5
      ? `"${image}" -enc ${'QQBCAEMA'.repeat(1600)}`
      : i % 41 === 3
        ? `cmd.exe /Q /c echo cd ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > C:\\Windows\\abc.bat & "naïve ☃ 𝄞"`
        : `"${image}" /c dir C:\\Users\\${user.split('\\')[1]}\\Documents ${Math.floor(r() * 1e6)}`;
    const fields: Partial<Record<CanonicalField, string>> = {
      dest: host,
      user,
      process: cmd,
      process_name: base,
      process_path: image,
      process_id: pid,
      process_guid: g,
      original_file_name: ofn,
      process_current_directory: i % 10 === 0 ? '' : 'C:\\Windows\\system32\\',
      process_integrity_level: i % 3 === 0 ? 'High' : 'Medium',
      process_hash: `SHA256=${Math.floor(r() * 1e12).toString(16).padStart(64, '0')}`,
      EventCode: '1',
    };
    if (parent) {
      fields.parent_process = parent.cmd;
      fields.parent_process_name = parent.image.slice(parent.image.lastIndexOf('\\') + 1);
      fields.parent_process_path = parent.image;
      fields.parent_process_id = parent.pid;
      fields.parent_process_guid = parent.guid;
    }
    parents.push({ guid: g, pid, image, cmd });
    const iso = new Date(t).toISOString().replace('T', ' ').replace('Z', '');
    const values: Array<string | undefined> = [
      iso, g, pid, image, ofn, cmd, fields.process_current_directory, user, fields.process_integrity_level,
      fields.process_hash, parent?.guid, parent?.pid, parent?.image, parent?.cmd, host,
    ];
    const raw = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID>1</EventID><Computer>${xmlEscape(host)}</Computer></System><EventData>${SYSMON_NAMES.map((n, k) => (values[k] === undefined ? '' : `<Data Name="${n}">${xmlEscape(values[k]!)}</Data>`)).join('')}</EventData></Event>`;
    recs.push({
      timeMs: t + (i % 7) * 0.25,
      source: 'sysmon',
      provider: 'Microsoft-Windows-Sysmon',
      fields,
      originalNames: SYSMON_NAMES,
      originalValues: values,
      raw,
      record: i + 1,
      line: i + 1,
      byteOffset: i * 1200,
    });
  }
  return reorder(recs, opts.order ?? 'sorted', r);
}

function reorder<T>(recs: T[], order: 'sorted' | 'reverse' | 'shuffled', r: () => number): T[] {
  if (order === 'reverse') return recs.reverse();
  if (order === 'shuffled') {
    for (let i = recs.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [recs[i], recs[j]] = [recs[j]!, recs[i]!];
    }
  }
  return recs;
}

export const CIM_HEADER = ['_time', 'dest', 'user', 'process', 'process_name', 'process_path', 'parent_process', 'parent_process_name', 'process_id', 'parent_process_id', 'process_guid', 'host'];

/** Splunk CIM CSV-like records: original names equal canonical names (aliasing case), no raw text. */
export function cimRecords(opts: GenOptions): IngestRecord[] {
  const r = rng(opts.seed ?? 11);
  const start = opts.startMs ?? Date.UTC(2024, 4, 1, 8, 0, 0);
  const step = opts.stepMs ?? 500;
  const recs: IngestRecord[] = [];
  let t = start;
  for (let i = 0; i < opts.count; i++) {
    t += Math.floor(r() * 2 * step);
    const host = HOSTS[Math.floor(r() * HOSTS.length)]!;
    const [image] = IMAGES[Math.floor(r() * IMAGES.length)]!;
    const name = image.slice(image.lastIndexOf('\\') + 1);
    const cmd = i % 13 === 0 ? '' : `${name} /c "echo, ""quoted"" ${i}"\r\nnext`;
    const values: Array<string | undefined> = [
      new Date(t).toISOString(), host, USERS[i % USERS.length]!, cmd, name, image, 'C:\\Windows\\explorer.exe',
      'explorer.exe', String(4000 + i), '1234', guid(r), i % 5 === 0 ? 'forwarder01' : host,
    ];
    const fields: Partial<Record<CanonicalField, string>> = {};
    CIM_HEADER.forEach((n, k) => {
      if (n !== '_time' && n !== 'host') (fields as Record<string, string>)[n] = values[k]!;
    });
    // A mapper that derived a different value breaks the alias from here on.
    if (i >= opts.count - 3) fields.process_name = name.toUpperCase();
    // A mapper that left a field out: the reference view shows the original column's value there.
    if (i === 7) delete fields.process_name;
    recs.push({ timeMs: t, source: 'cim', fields, originalNames: CIM_HEADER, originalValues: values, record: i + 1, line: i + 2, byteOffset: i * 300 });
  }
  return reorder(recs, opts.order ?? 'sorted', r);
}

/** What createMemoryView expects for a record built with `evidence`. */
export function toCanonical(rec: IngestRecord, evidence: number): CanonicalEvent {
  const original: Record<string, string> = {};
  rec.originalNames.forEach((n, i) => {
    const v = rec.originalValues[i];
    if (v !== undefined) original[n] = v;
  });
  const ev: CanonicalEvent = {
    timeMs: rec.timeMs,
    fields: { ...rec.fields },
    original,
    source: rec.source,
    kind: rec.kind ?? 'process_creation',
    locator: { evidence, record: rec.record, line: rec.line, byteOffset: rec.byteOffset },
  };
  if (rec.raw !== undefined) ev.raw = rec.raw;
  if (rec.provider !== undefined) ev.provider = rec.provider;
  return ev;
}

export function buildStore(
  parts: Array<{ records: IngestRecord[]; opts?: SegmentBuilderOptions }>,
): EventStore {
  const segs = parts.map(({ records, opts }) => {
    const b = new SegmentBuilder(opts);
    for (const rec of records) b.append(rec);
    return b.finish();
  });
  return new EventStore(segs);
}
