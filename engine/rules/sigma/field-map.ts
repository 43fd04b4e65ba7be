// Sigma field names to store columns: a declarative table compiled into a per-view resolver that
// records which mapping supplied a value. Invariant: canonical column first (ORIGINAL_FIRST names:
// after their original), then the original field of the same name, then flattened `.<name>` originals.

import type { CanonicalField } from '../../model/fields.ts';
import type { EventView, StringColumn } from '../../store/view.ts';

/** Sigma (Sysmon and Security 4688) field names with a canonical equivalent. */
export const SIGMA_FIELD_MAP: Readonly<Record<string, CanonicalField>> = {
  // Sysmon Event ID 1 / Sigma process_creation taxonomy
  Image: 'process_path',
  CommandLine: 'process',
  ParentImage: 'parent_process_path',
  ParentCommandLine: 'parent_process',
  OriginalFileName: 'original_file_name',
  User: 'user',
  Computer: 'dest',
  ProcessId: 'process_id',
  ParentProcessId: 'parent_process_id',
  ProcessGuid: 'process_guid',
  ParentProcessGuid: 'parent_process_guid',
  CurrentDirectory: 'process_current_directory',
  IntegrityLevel: 'process_integrity_level',
  Hashes: 'process_hash',
  EventID: 'EventCode',
  // Security 4688 names
  NewProcessName: 'process_path',
  ParentProcessName: 'parent_process_path',
  NewProcessId: 'process_id',
  SubjectUserName: 'user',
  MandatoryLabel: 'process_integrity_level',
};

/**
 * Names whose canonical field holds a normalised form (user = `DOMAIN\name`, integrity = `High`
 * rather than the label SID), so the event's own spelling is asked first and canonical is the fallback.
 */
export const ORIGINAL_FIRST: ReadonlySet<string> = new Set(['SubjectUserName', 'MandatoryLabel']);

/** Own-property lookup: rule text names fields, and `constructor` must not reach Object.prototype. */
export function canonicalFor(sigmaField: string): CanonicalField | undefined {
  return Object.hasOwn(SIGMA_FIELD_MAP, sigmaField) ? SIGMA_FIELD_MAP[sigmaField] : undefined;
}

export interface FieldSource {
  /** Column name in the view. */
  column: string;
  /** Which rule of the mapping chose it. */
  via: 'canonical' | 'original' | 'flattened' | 'derived';
}

/** A Sigma field resolved against one view: its columns in priority order (possibly none). */
export interface BoundField {
  sigmaField: string;
  sources: FieldSource[];
  columns: StringColumn[];
  /** First non-null value across the sources, and the index of the source that gave it (-1: none). */
  get(row: number): { value: string | null; source: number };
}

/** The mapping as text for explanations: `Image→process_path`. */
export function describeMapping(sigmaField: string): string {
  const canon = canonicalFor(sigmaField);
  return canon ? `${sigmaField}→${canon}` : sigmaField;
}

export function bindField(view: EventView, sigmaField: string): BoundField {
  const sources: FieldSource[] = [];
  const columns: StringColumn[] = [];
  const add = (column: string, via: FieldSource['via']): void => {
    if (sources.some((s) => s.column === column)) return;
    const col = view.column(column);
    if (!col) return;
    sources.push({ column, via });
    columns.push(col);
  };
  const canon = canonicalFor(sigmaField);
  if (ORIGINAL_FIRST.has(sigmaField)) add(sigmaField, 'original');
  if (canon) add(canon, 'canonical');
  add(sigmaField, 'original');
  // Flattened exports name originals by path (`Event.EventData.Image`): later fallbacks, EventData first.
  const suffix = '.' + sigmaField;
  const hits = view.fieldNames().filter((n) => n.endsWith(suffix));
  hits.sort((a, b) => Number(!a.includes('EventData')) - Number(!b.includes('EventData')) || (a < b ? -1 : a > b ? 1 : 0));
  for (const hit of hits) add(hit, 'flattened');
  // Sigma's split hash fields (md5, sha1, sha256, Imphash) read from Sysmon's `Hashes` list when the
  // source has no field of that name: `MD5=…,SHA256=…,IMPHASH=…`, or a bare digest of the right length.
  const algo = sigmaField.toLowerCase();
  if (Object.hasOwn(HASH_HEX_LENGTH, algo)) {
    for (const name of ['process_hash', 'Hashes']) {
      const base = view.column(name);
      if (!base || sources.some((x) => x.column === name)) continue;
      sources.push({ column: `${name}[${algo.toUpperCase()}]`, via: 'derived' });
      columns.push(hashColumn(base, algo));
    }
  }
  const get = (row: number): { value: string | null; source: number } => {
    for (let i = 0; i < columns.length; i++) {
      const v = columns[i]!.get(row);
      if (v !== null) return { value: v, source: i };
    }
    return { value: null, source: -1 };
  };
  return { sigmaField, sources, columns, get };
}

const HASH_HEX_LENGTH: Readonly<Record<string, number>> = { md5: 32, sha1: 40, sha256: 64, imphash: 32 };

/** The digest named `algo` in a Sysmon `Hashes` value; a bare digest counts only when it is not an imphash. */
export function extractHash(value: string | null, algo: string): string | null {
  if (value === null) return null;
  const prefix = algo.toUpperCase() + '=';
  for (const part of value.split(',')) {
    const p = part.trim();
    if (p.length > prefix.length && p.slice(0, prefix.length).toUpperCase() === prefix) return p.slice(prefix.length);
  }
  const bare = value.trim();
  if (algo !== 'imphash' && !bare.includes('=') && bare.length === HASH_HEX_LENGTH[algo] && /^[0-9a-f]+$/i.test(bare)) return bare;
  return null;
}

function hashColumn(base: StringColumn, algo: string): StringColumn {
  const get = (row: number): string | null => extractHash(base.get(row), algo);
  if (!base.dict) return { get };
  const values = base.dict.values.map((v) => extractHash(v, algo));
  const ids = base.dict.ids;
  return { dict: { ids, values }, get: (row) => values[ids[row]!] ?? null };
}
