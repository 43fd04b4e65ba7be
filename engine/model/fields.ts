// Canonical event schema (Splunk CIM names: Endpoint.Processes, then the fields of the other kinds'
// data models) shared by every layer. Invariant: the list order is stable (new names are appended);
// reports and the store use these exact names. `dest` is always the host that logged the event.
import type { EventKind } from './event-kinds.ts';

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
  // Authentication (4624/4625/4634/4648/4768/4776, EDR logons); logon_id also on process creations (issue 14)
  'action',
  'logon_type',
  'logon_id',
  'authentication_method',
  'src',
  'src_ip',
  'src_port',
  'src_user',
  // Network_Traffic (Sysmon 3, WFP 5156): the connection's far end (dest stays the logging host)
  'dest_ip',
  'dest_port',
  'dest_host',
  'transport',
  'direction',
  // Shares (5140/5145), Endpoint.Services (7045/4697), scheduled tasks, pipes
  'share_name',
  'share_path',
  'share_target',
  'service_name',
  'service_path',
  'service_type',
  'start_mode',
  'service_account',
  'task_name',
  'pipe_name',
  // Endpoint.Filesystem / Registry, Network_Resolution
  'file_path',
  'file_name',
  'registry_path',
  'registry_value_data',
  'query',
  'answer',
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
  'action', 'logon_type', 'authentication_method', 'src', 'src_ip', 'src_user', 'dest_ip', 'dest_port', 'dest_host',
  'transport', 'direction', 'share_name', 'share_path', 'service_name', 'service_path', 'service_type', 'start_mode',
  'service_account', 'task_name', 'pipe_name', 'query',
]);

/** Where an event came from: evidence index in the case, 1-based record number, 1-based line, byte offset. */
export interface EventLocator {
  evidence: number;
  record: number;
  line: number;
  byteOffset: number;
}

/** Source family of the record, used by rules such as `get_endpoint_data_sysmon`. */
export type SourceKind =
  | 'sysmon'
  | 'security-4688'
  /** Security channel events other than 4688 (logons, shares, services, tasks ...). */
  | 'security'
  /** Any other Windows channel (System, TaskScheduler, TerminalServices, WMI-Activity, WinRM, PowerShell ...). */
  | 'windows'
  | 'cim'
  | 'crowdstrike'
  | 'defender'
  | 'ecs'
  | 'generic';

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
  /** What the event is (model/event-kinds.ts); absent only in hand-made test events, read as process_creation. */
  kind?: EventKind;
  /** Sysmon / Windows provider or vendor source name when the record states one. */
  provider?: string;
  locator: EventLocator;
}
