// Canonical process event schema (Splunk CIM Endpoint.Processes names) shared by every layer.
// Invariant: the list order is stable; reports and the store use these exact names.

export const CANONICAL_FIELDS = [
  'dest',
  'user',
  'process',
  'process_name',
  'process_path',
  'parent_process',
  'parent_process_name',
  'parent_process_path',
  'process_id',
  'parent_process_id',
  'process_guid',
  'parent_process_guid',
  'original_file_name',
  'process_current_directory',
  'process_integrity_level',
  'process_hash',
  'EventCode',
] as const;

export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

const CANONICAL_SET: ReadonlySet<string> = new Set(CANONICAL_FIELDS);
export function isCanonicalField(name: string): name is CanonicalField {
  return CANONICAL_SET.has(name);
}

/** Fields that repeat heavily across events and are stored dictionary-encoded. */
export const DICTIONARY_FIELDS: ReadonlySet<CanonicalField> = new Set<CanonicalField>([
  'dest', 'user', 'process_name', 'process_path', 'parent_process_name', 'parent_process_path',
  'original_file_name', 'process_current_directory', 'process_integrity_level', 'EventCode',
]);

/** Where an event came from: evidence index in the case, 1-based record number, 1-based line, byte offset. */
export interface EventLocator {
  evidence: number;
  record: number;
  line: number;
  byteOffset: number;
}

/** Source family of the record, used by rules such as `get_endpoint_data_sysmon`. */
export type SourceKind = 'sysmon' | 'security-4688' | 'cim' | 'crowdstrike' | 'defender' | 'ecs' | 'generic';

/** A fully materialised event, for tests, details panes and exports (never for bulk storage). */
export interface CanonicalEvent {
  /** UTC epoch milliseconds, fractional part keeps sub-millisecond precision. */
  timeMs: number;
  fields: Partial<Record<CanonicalField, string>>;
  /** Every original field of the record, by its original (flattened, dotted) name. */
  original: Record<string, string>;
  /** The record's original text (CSV line, JSON object, XML element) when known. */
  raw?: string;
  source: SourceKind;
  /** Sysmon / Windows provider or vendor source name when the record states one. */
  provider?: string;
  locator: EventLocator;
}
