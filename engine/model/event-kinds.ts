// What an event is (its kind), one byte a row in the store, and the Splunk CIM data model each kind belongs to.
// Invariant: the list order is stable (the store keeps the index); new kinds are appended, never inserted.

export const EVENT_KINDS = [
  'process_creation',
  'logon',
  'logon_failed',
  'logoff',
  'explicit_credentials',
  'credential_validation',
  'share_access',
  'service_install',
  'scheduled_task',
  'network_connection',
  'pipe',
  'rdp_session',
  'wmi_activity',
  'winrm',
  'dns_query',
  'file',
  'registry',
  'image_load',
  'driver_load',
  'process_access',
  'remote_thread',
  'powershell',
  'other',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_KIND_INDEX: ReadonlyMap<string, number> = new Map(EVENT_KINDS.map((k, i) => [k, i]));

export function isEventKind(s: string): s is EventKind {
  return EVENT_KIND_INDEX.has(s);
}

/** Kinds shown in the timeline's lanes by default: process creations and the steps of a lateral movement. */
export const DEFAULT_LANE_KINDS: readonly EventKind[] = [
  'process_creation',
  'logon',
  'logon_failed',
  'explicit_credentials',
  'share_access',
  'service_install',
  'scheduled_task',
  'pipe',
  'rdp_session',
  'wmi_activity',
  'winrm',
  'network_connection',
];

/** One line per kind, for the README, the UI and `npm run events -- --help`. */
export const EVENT_KIND_DOC: Readonly<Record<EventKind, string>> = {
  process_creation: 'a process started (Sysmon 1, Security 4688, EDR process events)',
  logon: 'a logon session opened (Security 4624; EDR logon events); LogonType kept in logon_type',
  logon_failed: 'a logon that failed (Security 4625, Kerberos pre-authentication failure 4771)',
  logoff: 'a logon session ended (Security 4634, 4647)',
  explicit_credentials: 'a logon with explicitly given credentials (Security 4648: runas, PsExec -u, pass-the-hash tools)',
  credential_validation: 'a domain controller checked credentials (Kerberos 4768/4769, NTLM 4776)',
  share_access: 'a network share or a file on it was opened (Security 5140, 5145: ADMIN$, IPC$ pipes, C$)',
  service_install: 'a service was installed (System 7045, Security 4697)',
  scheduled_task: 'a scheduled task was created, changed, deleted or run (Security 4698-4702, TaskScheduler)',
  network_connection: 'a network connection (Sysmon 3, Windows Filtering Platform 5156/5157, EDR network events)',
  pipe: 'a named pipe was created or connected (Sysmon 17, 18)',
  rdp_session: 'a Remote Desktop session event (TerminalServices 1149, 21-25, RDPClient 1024, Security 4778/4779)',
  wmi_activity: 'WMI activity (WMI-Activity 5857-5861, Sysmon 19-21)',
  winrm: 'Windows Remote Management (WinRM/Operational: 6, 91, 168 ...)',
  dns_query: 'a DNS query (Sysmon 22, DNS-Client, EDR DNS events)',
  file: 'a file created, deleted or changed (Sysmon 2, 11, 15, 23, 26, 27-29, EDR file events)',
  registry: 'a registry key or value created, set, renamed or deleted (Sysmon 12-14, Security 4657, EDR registry events)',
  image_load: 'a DLL loaded into a process (Sysmon 7)',
  driver_load: 'a driver loaded (Sysmon 6)',
  process_access: 'a process opened another (Sysmon 10)',
  remote_thread: 'a thread started in another process (Sysmon 8)',
  powershell: 'PowerShell engine, module and script-block logging (4103, 4104, 400, 403, 600, 800 ...)',
  other: 'any other event, kept with its fields',
};

/**
 * Splunk CIM data models (as written after `datamodel=`) and the kinds whose events they hold. The node prefix
 * is the part after the dot (`Authentication.user`, `Services.service_name`, `All_Traffic.dest_port`).
 */
export const DATAMODEL_KINDS: ReadonlyArray<{ names: readonly string[]; prefix: string; kinds: readonly EventKind[] }> = [
  { names: ['Endpoint', 'Endpoint.Processes'], prefix: 'Processes', kinds: ['process_creation'] },
  {
    names: ['Authentication', 'Authentication.Authentication'],
    prefix: 'Authentication',
    kinds: ['logon', 'logon_failed', 'explicit_credentials', 'credential_validation'],
  },
  { names: ['Endpoint.Services'], prefix: 'Services', kinds: ['service_install'] },
  { names: ['Network_Traffic', 'Network_Traffic.All_Traffic'], prefix: 'All_Traffic', kinds: ['network_connection'] },
  { names: ['Endpoint.Filesystem'], prefix: 'Filesystem', kinds: ['file'] },
  { names: ['Endpoint.Registry'], prefix: 'Registry', kinds: ['registry'] },
  { names: ['Network_Resolution', 'Network_Resolution.DNS'], prefix: 'DNS', kinds: ['dns_query'] },
];

/** The data model named in `tstats ... from datamodel=NAME`, or undefined when Hopscope has none of that name. */
export function dataModel(name: string): { prefix: string; kinds: readonly EventKind[] } | undefined {
  return DATAMODEL_KINDS.find((d) => d.names.includes(name));
}
