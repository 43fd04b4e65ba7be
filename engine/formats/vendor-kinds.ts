// Non-process events of the EDR families (issue 13, slice 2) as data: for each vendor event type, its kind and which
// of the row's own fields fill which canonical (CIM) field, first present name wins — chainsaw's mappings as data,
// so adding a type is a table row, not code. The Windows channels have their own table (windows-kinds.ts); ECS /
// Winlogbeat rows of a Windows channel go there, the rest (Elastic Endpoint, Auditbeat) come here by event.category.
// Invariant: a row of a type no table names stays `nonProcess` (counted per type), never guessed into a kind.

import type { EventKind } from '../model/event-kinds.ts';
import type { CanonicalField } from '../model/fields.ts';
import type { FlatRecord } from './types.ts';
import { getFirst } from './types.ts';
import { joinDomainUser, put, type Fields } from './common.ts';

/** How one vendor event type becomes a canonical event. */
export interface VendorKindMap {
  kind: EventKind;
  /** Canonical field -> the row's field names, first non-empty wins. */
  fields: Partial<Record<CanonicalField, readonly string[]>>;
  /** Constant canonical values (direction of a connect vs accept, action of a failed logon). */
  set?: Partial<Record<CanonicalField, string>>;
  /** user = DOMAIN\NAME from these two fields when both are present (before `fields.user`). */
  domainUser?: readonly [string, string];
}

// CrowdStrike Falcon (FDR / Event Search), keyed by event_simpleName.
const CS_LOGON: VendorKindMap['fields'] = {
  user: ['UserName', 'UserPrincipal'],
  logon_type: ['LogonType'],
  src_ip: ['RemoteAddressIP4', 'RemoteAddressIP6'],
  src: ['ClientComputerName', 'RemoteComputerName'],
  authentication_method: ['AuthenticationPackage', 'LogonProcess'],
  logon_id: ['UserLogonId', 'LogonId'],
};
const CS_NET: VendorKindMap['fields'] = {
  src_ip: ['LocalAddressIP4', 'LocalAddressIP6'],
  src_port: ['LocalPort'],
  dest_ip: ['RemoteAddressIP4', 'RemoteAddressIP6'],
  dest_port: ['RemotePort'],
  transport: ['Protocol'],
  process_id: ['ContextProcessId'],
};
export const CROWDSTRIKE_KINDS: Readonly<Record<string, VendorKindMap>> = {
  UserLogon: { kind: 'logon', fields: CS_LOGON, domainUser: ['LogonDomain', 'UserName'], set: { action: 'success' } },
  UserLogonFailed: { kind: 'logon_failed', fields: CS_LOGON, domainUser: ['LogonDomain', 'UserName'], set: { action: 'failure' } },
  UserLogonFailed2: { kind: 'logon_failed', fields: CS_LOGON, domainUser: ['LogonDomain', 'UserName'], set: { action: 'failure' } },
  UserLogoff: { kind: 'logoff', fields: { user: ['UserName'], logon_type: ['LogonType'], logon_id: ['UserLogonId', 'LogonId'] } },
  NetworkConnectIP4: { kind: 'network_connection', fields: CS_NET, set: { direction: 'outbound' } },
  NetworkConnectIP6: { kind: 'network_connection', fields: CS_NET, set: { direction: 'outbound' } },
  NetworkAcceptIP4: { kind: 'network_connection', fields: CS_NET, set: { direction: 'inbound' } },
  NetworkAcceptIP6: { kind: 'network_connection', fields: CS_NET, set: { direction: 'inbound' } },
  DnsRequest: { kind: 'dns_query', fields: { query: ['DomainName'], answer: ['IP4Records', 'IP6Records'], process_id: ['ContextProcessId'] } },
  ScheduledTaskRegistered: { kind: 'scheduled_task', fields: { task_name: ['TaskName'], process: ['TaskExecCommand'], user: ['TaskAuthor', 'UserName'] }, set: { action: 'created' } },
  NewScheduledTaskRegistered: { kind: 'scheduled_task', fields: { task_name: ['TaskName'], process: ['TaskExecCommand'], user: ['TaskAuthor', 'UserName'] }, set: { action: 'created' } },
  ScheduledTaskDeleted: { kind: 'scheduled_task', fields: { task_name: ['TaskName'], user: ['UserName'] }, set: { action: 'deleted' } },
  SmbServerShareOpenedEtw: { kind: 'share_access', fields: { share_name: ['ShareName', 'SmbShareName'], src_ip: ['RemoteAddressIP4', 'ClientAddressIP4'], user: ['UserName'] } },
  NewExecutableWritten: { kind: 'file', fields: { file_path: ['TargetFileName'], file_name: ['FileName'] }, set: { action: 'created' } },
  PeFileWritten: { kind: 'file', fields: { file_path: ['TargetFileName'], file_name: ['FileName'] }, set: { action: 'created' } },
  NewScriptWritten: { kind: 'file', fields: { file_path: ['TargetFileName'], file_name: ['FileName'] }, set: { action: 'created' } },
  ExecutableDeleted: { kind: 'file', fields: { file_path: ['TargetFileName'], file_name: ['FileName'] }, set: { action: 'deleted' } },
  AsepValueUpdate: { kind: 'registry', fields: { registry_path: ['RegObjectName'], registry_value_data: ['RegStringValue', 'RegNumericValue'] }, set: { action: 'modified' } },
  RegGenericValueUpdate: { kind: 'registry', fields: { registry_path: ['RegObjectName'], registry_value_data: ['RegStringValue', 'RegNumericValue'] }, set: { action: 'modified' } },
};

// Microsoft Defender Advanced Hunting, keyed by ActionType (the table is implied by its columns).
const MDE_LOGON: VendorKindMap['fields'] = {
  logon_type: ['LogonType'],
  src_ip: ['RemoteIP'],
  src_port: ['RemotePort'],
  src: ['RemoteDeviceName'],
  logon_id: ['LogonId'],
  authentication_method: ['Protocol'],
  process_path: ['InitiatingProcessFolderPath'],
  process_name: ['InitiatingProcessFileName'],
};
const MDE_NET: VendorKindMap['fields'] = {
  src_ip: ['LocalIP'],
  src_port: ['LocalPort'],
  dest_ip: ['RemoteIP'],
  dest_port: ['RemotePort'],
  dest_host: ['RemoteUrl'],
  transport: ['Protocol'],
  process: ['InitiatingProcessCommandLine'],
  process_name: ['InitiatingProcessFileName'],
  process_path: ['InitiatingProcessFolderPath'],
  process_id: ['InitiatingProcessId'],
};
const MDE_FILE: VendorKindMap['fields'] = { file_path: ['FolderPath'], file_name: ['FileName'], process_name: ['InitiatingProcessFileName'], process: ['InitiatingProcessCommandLine'] };
const MDE_REG: VendorKindMap['fields'] = { registry_path: ['RegistryKey'], registry_value_data: ['RegistryValueData'], process_name: ['InitiatingProcessFileName'] };
const acct = ['AccountDomain', 'AccountName'] as const;
export const DEFENDER_KINDS: Readonly<Record<string, VendorKindMap>> = {
  LogonSuccess: { kind: 'logon', fields: MDE_LOGON, domainUser: acct, set: { action: 'success' } },
  LogonFailed: { kind: 'logon_failed', fields: MDE_LOGON, domainUser: acct, set: { action: 'failure' } },
  LogonAttempted: { kind: 'logon', fields: MDE_LOGON, domainUser: acct, set: { action: 'attempted' } },
  ConnectionSuccess: { kind: 'network_connection', fields: MDE_NET, set: { direction: 'outbound', action: 'success' } },
  ConnectionFailed: { kind: 'network_connection', fields: MDE_NET, set: { direction: 'outbound', action: 'failure' } },
  ConnectionAttempt: { kind: 'network_connection', fields: MDE_NET, set: { direction: 'outbound' } },
  ConnectionRequest: { kind: 'network_connection', fields: MDE_NET, set: { direction: 'outbound' } },
  InboundConnectionAccepted: { kind: 'network_connection', fields: MDE_NET, set: { direction: 'inbound', action: 'success' } },
  FileCreated: { kind: 'file', fields: MDE_FILE, set: { action: 'created' } },
  FileModified: { kind: 'file', fields: MDE_FILE, set: { action: 'modified' } },
  FileDeleted: { kind: 'file', fields: MDE_FILE, set: { action: 'deleted' } },
  FileRenamed: { kind: 'file', fields: MDE_FILE, set: { action: 'renamed' } },
  RegistryValueSet: { kind: 'registry', fields: MDE_REG, set: { action: 'modified' } },
  RegistryKeyCreated: { kind: 'registry', fields: MDE_REG, set: { action: 'created' } },
  RegistryKeyDeleted: { kind: 'registry', fields: MDE_REG, set: { action: 'deleted' } },
  RegistryValueDeleted: { kind: 'registry', fields: MDE_REG, set: { action: 'deleted' } },
  ImageLoaded: { kind: 'image_load', fields: { file_path: ['FolderPath'], file_name: ['FileName'], process_name: ['InitiatingProcessFileName'] } },
  // DeviceEvents: the event's own details are in AdditionalFields (JSON), read by name through `additional`.
  ServiceInstalled: { kind: 'service_install', fields: { service_name: ['ServiceName'], service_path: ['ServiceFileName', 'FolderPath'], service_account: ['ServiceAccount'], start_mode: ['ServiceStartType'] }, domainUser: acct, set: { action: 'created' } },
  ScheduledTaskCreated: { kind: 'scheduled_task', fields: { task_name: ['TaskName'] }, domainUser: acct, set: { action: 'created' } },
  ScheduledTaskUpdated: { kind: 'scheduled_task', fields: { task_name: ['TaskName'] }, domainUser: acct, set: { action: 'updated' } },
  ScheduledTaskDeleted: { kind: 'scheduled_task', fields: { task_name: ['TaskName'] }, domainUser: acct, set: { action: 'deleted' } },
  NamedPipeEvent: { kind: 'pipe', fields: { pipe_name: ['PipeName'], process_name: ['InitiatingProcessFileName'] } },
  DnsQueryResponse: { kind: 'dns_query', fields: { query: ['DnsQueryString', 'QueryName'], process_name: ['InitiatingProcessFileName'] } },
};

// Elastic Endpoint / Auditbeat rows that are not a Windows channel, keyed by event.category.
export const ECS_CATEGORY_KINDS: Readonly<Record<string, VendorKindMap>> = {
  authentication: {
    kind: 'logon',
    fields: { user: ['user.name'], src_ip: ['source.ip'], src_port: ['source.port'], src: ['source.domain', 'source.address'], logon_type: ['winlog.logon.type'], logon_id: ['winlog.logon.id'], action: ['event.outcome'] },
    domainUser: ['user.domain', 'user.name'],
  },
  network: {
    kind: 'network_connection',
    fields: { src_ip: ['source.ip'], src_port: ['source.port'], dest_ip: ['destination.ip'], dest_port: ['destination.port'], dest_host: ['destination.domain'], transport: ['network.transport'], direction: ['network.direction'], process_name: ['process.name'], process_path: ['process.executable'], process_id: ['process.pid'] },
  },
  file: { kind: 'file', fields: { file_path: ['file.path'], file_name: ['file.name'], action: ['event.action'], process_name: ['process.name'], process_path: ['process.executable'] } },
  registry: { kind: 'registry', fields: { registry_path: ['registry.path'], registry_value_data: ['registry.data.strings'], action: ['event.action'], process_name: ['process.name'] } },
  library: { kind: 'image_load', fields: { file_path: ['dll.path', 'file.path'], file_name: ['dll.name', 'file.name'], process_name: ['process.name'] } },
};

/** Longest AdditionalFields text parsed (a hostile row cannot make the mapper parse megabytes of JSON per row). */
const ADDITIONAL_MAX_CHARS = 64 * 1024;

/** Defender's AdditionalFields JSON as a name -> string lookup (empty when absent, too long or not an object). */
export function additionalFields(text: string | undefined): (name: string) => string | undefined {
  if (!text || text.length > ADDITIONAL_MAX_CHARS || text[0] !== '{') return () => undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return () => undefined;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return () => undefined;
  const o = obj as Record<string, unknown>;
  return (name) => {
    if (!Object.hasOwn(o, name)) return undefined;
    const v = o[name];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  };
}

/** Defender's LogonType is a word; CIM and the Windows mapper write the number Windows logs. */
const MDE_LOGON_TYPE: Readonly<Record<string, string>> = {
  Interactive: '2', Network: '3', Batch: '4', Service: '5', Unlock: '7', NetworkCleartext: '8', NewCredentials: '9',
  RemoteInteractive: '10', CachedInteractive: '11', CachedRemoteInteractive: '12', CachedUnlock: '13',
};

/**
 * The canonical fields of a mapped vendor row (dest and EventCode are the caller's). `extra` looks a name up
 * beyond the row's own fields (Defender's AdditionalFields).
 */
export function vendorKindFields(m: VendorKindMap, rec: FlatRecord, f: Fields, extra?: (name: string) => string | undefined): void {
  const read = (names: readonly string[]): string | undefined => {
    const v = getFirst(rec, names);
    if (v !== undefined && v !== '') return v;
    if (!extra) return undefined;
    for (const n of names) {
      const x = extra(n);
      if (x !== undefined && x !== '') return x;
    }
    return undefined;
  };
  if (m.domainUser) put(f, 'user', joinDomainUser(read([m.domainUser[0]]), read([m.domainUser[1]])));
  for (const [field, names] of Object.entries(m.fields) as Array<[CanonicalField, readonly string[]]>) {
    if (f[field] !== undefined) continue;
    put(f, field, read(names));
  }
  if (m.set) for (const [field, v] of Object.entries(m.set) as Array<[CanonicalField, string]>) if (f[field] === undefined) f[field] = v;
  const lt = f.logon_type;
  if (lt !== undefined && Object.hasOwn(MDE_LOGON_TYPE, lt)) f.logon_type = MDE_LOGON_TYPE[lt]!;
}
