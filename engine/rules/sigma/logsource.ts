// Sigma logsources on Windows: which events a rule sees, as pySigma's Windows pipelines define it (a service is a
// channel; a category is an event kind, and for Sysmon categories the Sysmon event ids). Invariant: a logsource
// Hopscope has no definition for is refused with its name, never widened to "every event".

import type { EventKind } from '../../model/event-kinds.ts';
import type { EventView, StringColumn } from '../../store/view.ts';

export interface LogsourceSpec {
  /** Text for explanations: `category process_creation`, `service security`. */
  text: string;
  /** Allowed event kinds (none: any kind). */
  kinds?: readonly EventKind[];
  /** Allowed event ids (EventCode), for Sysmon categories that share a kind (registry_set = 13). */
  eventIds?: readonly string[];
  /** Allowed channels, lower case (a service). */
  channels?: readonly string[];
}

/** pySigma's windows service -> channel table (sigma/pipelines/windows/windows.py). */
const SERVICE_CHANNELS: Readonly<Record<string, readonly string[]>> = {
  security: ['Security'],
  system: ['System'],
  application: ['Application'],
  sysmon: ['Microsoft-Windows-Sysmon/Operational'],
  powershell: ['Microsoft-Windows-PowerShell/Operational'],
  'powershell-classic': ['Windows PowerShell'],
  taskscheduler: ['Microsoft-Windows-TaskScheduler/Operational'],
  wmi: ['Microsoft-Windows-WMI-Activity/Operational'],
  'dns-server': ['DNS Server'],
  'dns-client': ['Microsoft-Windows-DNS Client Events/Operational', 'Microsoft-Windows-DNS-Client/Operational'],
  'driver-framework': ['Microsoft-Windows-DriverFrameworks-UserMode/Operational'],
  ntlm: ['Microsoft-Windows-NTLM/Operational'],
  windefend: ['Microsoft-Windows-Windows Defender/Operational'],
  'firewall-as': ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'],
  'bits-client': ['Microsoft-Windows-Bits-Client/Operational'],
  applocker: [
    'Microsoft-Windows-AppLocker/MSI and Script', 'Microsoft-Windows-AppLocker/EXE and DLL',
    'Microsoft-Windows-AppLocker/Packaged app-Deployment', 'Microsoft-Windows-AppLocker/Packaged app-Execution',
  ],
  'msexchange-management': ['MSExchange Management'],
  'codeintegrity-operational': ['Microsoft-Windows-CodeIntegrity/Operational'],
  'security-mitigations': ['Microsoft-Windows-Security-Mitigations/Kernel Mode', 'Microsoft-Windows-Security-Mitigations/User Mode'],
  'terminalservices-localsessionmanager': ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'],
  'smbclient-security': ['Microsoft-Windows-SmbClient/Security'],
  'smbclient-connectivity': ['Microsoft-Windows-SmbClient/Connectivity'],
  'smbserver-connectivity': ['Microsoft-Windows-SMBServer/Connectivity'],
  'appxdeployment-server': ['Microsoft-Windows-AppXDeploymentServer/Operational'],
  'appxpackaging-om': ['Microsoft-Windows-AppxPackaging/Operational'],
  'appmodel-runtime': ['Microsoft-Windows-AppModel-Runtime/Admin'],
  'lsa-server': ['Microsoft-Windows-LSA/Operational'],
  ldap: ['Microsoft-Windows-LDAP-Client/Debug'],
  'shell-core': ['Microsoft-Windows-Shell-Core/Operational'],
  openssh: ['OpenSSH/Operational'],
  capi2: ['Microsoft-Windows-CAPI2/Operational'],
  'certificateservicesclient-lifecycle-system': ['Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational'],
  'diagnosis-scripted': ['Microsoft-Windows-Diagnosis-Scripted/Operational'],
  'iis-configuration': ['Microsoft-IIS-Configuration/Operational'],
  'microsoft-servicebus-client': ['Microsoft-ServiceBus-Client'],
  'kernel-shimengine': ['Microsoft-Windows-Kernel-ShimEngine/Operational'],
  'vhdmp': ['Microsoft-Windows-VHDMP/Operational'],
  'printservice-admin': ['Microsoft-Windows-PrintService/Admin'],
  'printservice-operational': ['Microsoft-Windows-PrintService/Operational'],
  'terminalservices-remoteconnectionmanager': ['Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational'],
  winrm: ['Microsoft-Windows-WinRM/Operational'],
};

/** Sigma categories: the kind they read, and for Sysmon-only categories the Sysmon event ids. */
const CATEGORIES: Readonly<Record<string, { kinds: readonly EventKind[]; eventIds?: readonly string[]; channels?: readonly string[] }>> = {
  process_creation: { kinds: ['process_creation'] },
  network_connection: { kinds: ['network_connection'] },
  dns_query: { kinds: ['dns_query'] },
  pipe_created: { kinds: ['pipe'] },
  image_load: { kinds: ['image_load'] },
  driver_load: { kinds: ['driver_load'] },
  process_access: { kinds: ['process_access'] },
  create_remote_thread: { kinds: ['remote_thread'] },
  wmi_event: { kinds: ['wmi_activity'], eventIds: ['19', '20', '21'] },
  file_event: { kinds: ['file'], eventIds: ['11'] },
  file_delete: { kinds: ['file'], eventIds: ['23', '26'] },
  file_change: { kinds: ['file'], eventIds: ['2'] },
  create_stream_hash: { kinds: ['file'], eventIds: ['15'] },
  file_block_executable: { kinds: ['file'], eventIds: ['27'] },
  file_block_shredding: { kinds: ['file'], eventIds: ['28'] },
  file_executable_detected: { kinds: ['file'], eventIds: ['29'] },
  registry_event: { kinds: ['registry'], eventIds: ['12', '13', '14'] },
  registry_add: { kinds: ['registry'], eventIds: ['12'] },
  registry_delete: { kinds: ['registry'], eventIds: ['12'] },
  registry_set: { kinds: ['registry'], eventIds: ['13'] },
  registry_rename: { kinds: ['registry'], eventIds: ['14'] },
  ps_module: { kinds: ['powershell'], eventIds: ['4103'] },
  ps_script: { kinds: ['powershell'], eventIds: ['4104'] },
  ps_classic_start: { kinds: ['powershell'], eventIds: ['400'] },
  ps_classic_provider_start: { kinds: ['powershell'], eventIds: ['600'] },
  ps_classic_script: { kinds: ['powershell'], eventIds: ['800'] },
  process_termination: { kinds: ['other'], eventIds: ['5'], channels: ['microsoft-windows-sysmon/operational'] },
  raw_access_thread: { kinds: ['other'], eventIds: ['9'], channels: ['microsoft-windows-sysmon/operational'] },
  process_tampering: { kinds: ['other'], eventIds: ['25'], channels: ['microsoft-windows-sysmon/operational'] },
  clipboard_change: { kinds: ['other'], eventIds: ['24'], channels: ['microsoft-windows-sysmon/operational'] },
  sysmon_status: { kinds: ['other'], eventIds: ['4', '16'], channels: ['microsoft-windows-sysmon/operational'] },
  sysmon_error: { kinds: ['other'], eventIds: ['255'], channels: ['microsoft-windows-sysmon/operational'] },
};

/** The events a logsource selects, or an error message naming what Hopscope does not know. */
export function logsourceSpec(category: string | undefined, product: string | undefined, service: string | undefined): LogsourceSpec | string {
  const cat = category?.toLowerCase();
  const prod = product?.toLowerCase();
  const svc = service?.toLowerCase();
  if (prod !== undefined && prod !== 'windows') return `logsource product ${product} is not supported: only Windows logs`;
  const spec: { text: string; kinds?: readonly EventKind[]; eventIds?: readonly string[]; channels?: readonly string[] } = {
    text: [cat && `category ${cat}`, svc && `service ${svc}`].filter(Boolean).join(', ') || 'product windows',
  };
  if (cat !== undefined) {
    const c = Object.hasOwn(CATEGORIES, cat) ? CATEGORIES[cat]! : undefined;
    if (!c) return `logsource category ${category} is not supported (Hopscope has no event kind for it)`;
    spec.kinds = c.kinds;
    if (c.eventIds) spec.eventIds = c.eventIds;
    if (c.channels) spec.channels = c.channels;
  }
  if (svc !== undefined) {
    const ch = Object.hasOwn(SERVICE_CHANNELS, svc) ? SERVICE_CHANNELS[svc]! : undefined;
    if (!ch) return `logsource service ${service} is not supported (no Windows channel known for it)`;
    spec.channels = ch.map((x) => x.toLowerCase());
  }
  if (cat === undefined && svc === undefined) return 'logsource names neither a category nor a service: a rule over every Windows event is not supported';
  return spec;
}

const CHANNEL_FIELDS = ['Channel', 'Event.System.Channel', 'winlog.channel', 'log_name', 'LogName'];

/** One test per distinct value of a dictionary column, else per row. */
function memo(col: StringColumn, test: (v: string | null) => boolean): (row: number) => boolean {
  if (col.dict) {
    const { ids, values } = col.dict;
    const ok = Uint8Array.from(values, (v) => (test(v) ? 1 : 0));
    return (row) => ok[ids[row]!] === 1;
  }
  return (row) => test(col.get(row));
}

/**
 * The row filter of a logsource over one view: null when it admits every row, false when it admits none.
 * A service needs the event's channel; an event with no channel field is not taken for that channel.
 */
export function bindLogsource(spec: LogsourceSpec, view: EventView): ((row: number) => boolean) | null | false {
  const tests: Array<(row: number) => boolean> = [];
  if (spec.kinds) {
    const col = view.column('event_kind');
    if (!col) return false;
    const allowed = new Set<string>(spec.kinds);
    tests.push(memo(col, (v) => v !== null && allowed.has(v)));
  }
  if (spec.eventIds) {
    const col = view.column('EventCode');
    if (!col) return false;
    const allowed = new Set(spec.eventIds);
    tests.push(memo(col, (v) => v !== null && allowed.has(v.trim())));
  }
  if (spec.channels) {
    const allowed = new Set(spec.channels);
    const cols = CHANNEL_FIELDS.map((n) => view.column(n)).filter((c): c is StringColumn => c !== undefined);
    if (cols.length === 0) return false;
    const per = cols.map((c) => memo(c, (v) => v !== null && allowed.has(v.toLowerCase())));
    tests.push(per.length === 1 ? per[0]! : (row) => per.some((t) => t(row)));
  }
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0]!;
  return (row) => tests.every((t) => t(row));
}
