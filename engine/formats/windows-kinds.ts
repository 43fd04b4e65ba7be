// Windows events other than process creations: which kind each (channel, event id) is, and its CIM fields.
// Invariant: every Windows event gets a kind (unknown ids are `other`) and keeps all its original fields; values are
// copied as the log wrote them ('-' and empty mean absent), never corrected.

import type { EventKind } from '../model/event-kinds.ts';
import type { SourceKind } from '../model/fields.ts';
import { basename, hexToDecimal, joinDomainUser, normLogonId, put, type Fields } from './common.ts';

/** The part of a Windows event a kind mapper reads (a subset of windows.ts WinView). */
export interface WinData {
  data(name: string): string | undefined;
}

export type WinFamily = 'sysmon' | 'security' | 'system' | 'taskscheduler' | 'terminalservices' | 'wmi' | 'winrm' | 'powershell' | 'dns-client' | 'other';

/** The log family from channel and provider names (lower case). */
export function winFamily(ch: string, pv: string): WinFamily {
  const both = ch + '|' + pv;
  if (both.includes('sysmon')) return 'sysmon';
  if (ch === 'security' || pv.includes('security-auditing')) return 'security';
  if (both.includes('taskscheduler')) return 'taskscheduler';
  if (both.includes('terminalservices') || both.includes('remotedesktopservices')) return 'terminalservices';
  if (both.includes('wmi-activity')) return 'wmi';
  if (both.includes('winrm')) return 'winrm';
  if (both.includes('powershell')) return 'powershell';
  if (both.includes('dns-client')) return 'dns-client';
  if (ch === 'system' || pv === 'service control manager') return 'system';
  return 'other';
}

/** A value as the log wrote it, with Windows' placeholders for "none" ('-', '', `%%` unresolved kept) absent. */
function val(v: WinData, name: string): string | undefined {
  const s = v.data(name);
  if (s === undefined || s === '' || s === '-') return undefined;
  return s;
}

function firstVal(v: WinData, names: readonly string[]): string | undefined {
  for (const n of names) {
    const s = val(v, n);
    if (s !== undefined) return s;
  }
  return undefined;
}

function account(v: WinData, domain: string, user: string): string | undefined {
  return joinDomainUser(val(v, domain), val(v, user));
}

/** A SID-less "nobody" account written by 4624 for anonymous logons stays as written; only '-' is absent. */
function subject(v: WinData, f: Fields, into: 'user' | 'src_user'): void {
  put(f, into, account(v, 'SubjectDomainName', 'SubjectUserName'));
}

/** Sysmon's acting process (Image, ProcessId, ProcessGuid, User): CIM Endpoint.* carry it beside the object. */
function sysmonProcess(v: WinData, f: Fields, image = 'Image', pid = 'ProcessId', guid = 'ProcessGuid'): void {
  put(f, 'process_path', val(v, image));
  put(f, 'process_id', val(v, pid));
  put(f, 'process_guid', val(v, guid));
  put(f, 'user', val(v, 'User'));
}

function file(f: Fields, path: string | undefined): void {
  put(f, 'file_path', path);
  if (path) put(f, 'file_name', basename(path));
}

const SYSMON_KIND: Readonly<Record<string, EventKind>> = {
  '2': 'file', '3': 'network_connection', '6': 'driver_load', '7': 'image_load', '8': 'remote_thread',
  '10': 'process_access', '11': 'file', '12': 'registry', '13': 'registry', '14': 'registry', '15': 'file',
  '17': 'pipe', '18': 'pipe', '19': 'wmi_activity', '20': 'wmi_activity', '21': 'wmi_activity', '22': 'dns_query',
  '23': 'file', '26': 'file', '27': 'file', '28': 'file', '29': 'file',
};

const SECURITY_KIND: Readonly<Record<string, EventKind>> = {
  '4624': 'logon', '4625': 'logon_failed', '4771': 'logon_failed', '4634': 'logoff', '4647': 'logoff',
  '4648': 'explicit_credentials', '4768': 'credential_validation', '4769': 'credential_validation',
  '4770': 'credential_validation', '4776': 'credential_validation', '5140': 'share_access', '5145': 'share_access',
  '4697': 'service_install', '4698': 'scheduled_task', '4699': 'scheduled_task', '4700': 'scheduled_task',
  '4701': 'scheduled_task', '4702': 'scheduled_task', '4778': 'rdp_session', '4779': 'rdp_session',
  '5156': 'network_connection', '5157': 'network_connection', '4657': 'registry',
};

const TS_KIND_IDS = new Set(['1149', '1148', '261', '21', '22', '23', '24', '25', '39', '40', '1024', '1026', '1102', '1105']);
const WMI_KIND_IDS = new Set(['5857', '5858', '5859', '5860', '5861']);
const DNS_CLIENT_IDS = new Set(['3006', '3008', '3020']);

/** The kind of a Windows event that is not a process creation. */
export function windowsKind(family: WinFamily, id: string): EventKind {
  switch (family) {
    case 'sysmon':
      return Object.hasOwn(SYSMON_KIND, id) ? SYSMON_KIND[id]! : 'other';
    case 'security':
      return Object.hasOwn(SECURITY_KIND, id) ? SECURITY_KIND[id]! : 'other';
    case 'system':
      return id === '7045' ? 'service_install' : 'other';
    case 'taskscheduler':
      return 'scheduled_task';
    case 'terminalservices':
      return TS_KIND_IDS.has(id) ? 'rdp_session' : 'other';
    case 'wmi':
      return WMI_KIND_IDS.has(id) ? 'wmi_activity' : 'other';
    case 'winrm':
      return 'winrm';
    case 'powershell':
      return 'powershell';
    case 'dns-client':
      return DNS_CLIENT_IDS.has(id) ? 'dns_query' : 'other';
    default:
      return 'other';
  }
}

export function sourceOf(family: WinFamily): SourceKind {
  return family === 'sysmon' ? 'sysmon' : family === 'security' ? 'security' : 'windows';
}

const TASK_ACTION: Readonly<Record<string, string>> = {
  '4698': 'created', '4699': 'deleted', '4700': 'enabled', '4701': 'disabled', '4702': 'updated',
  '106': 'created', '140': 'updated', '141': 'deleted', '200': 'started', '201': 'completed', '129': 'started', '100': 'started', '102': 'completed',
};

const IP_PROTOCOL: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmp' };

/** Canonical fields of a non-process Windows event (dest and EventCode are set by the caller). */
export function windowsKindFields(family: WinFamily, kind: EventKind, id: string, v: WinData, f: Fields): void {
  if (family === 'sysmon') return sysmonFields(kind, id, v, f);
  switch (kind) {
    case 'logon':
    case 'logon_failed':
      if (id === '4771') {
        put(f, 'user', val(v, 'TargetUserName'));
        put(f, 'src_ip', val(v, 'IpAddress'));
        put(f, 'src_port', val(v, 'IpPort'));
        put(f, 'service_name', val(v, 'ServiceName'));
        f.action = 'failure';
        return;
      }
      put(f, 'user', account(v, 'TargetDomainName', 'TargetUserName'));
      subject(v, f, 'src_user');
      put(f, 'logon_type', val(v, 'LogonType'));
      put(f, 'logon_id', normLogonId(val(v, 'TargetLogonId')));
      put(f, 'src', val(v, 'WorkstationName'));
      put(f, 'src_ip', val(v, 'IpAddress'));
      put(f, 'src_port', val(v, 'IpPort'));
      put(f, 'authentication_method', firstVal(v, ['AuthenticationPackageName', 'LogonProcessName']));
      // The logon's process, when it names one (network logons write ProcessName '-' and ProcessId 0x0).
      if (val(v, 'ProcessName') !== undefined) {
        put(f, 'process_path', val(v, 'ProcessName'));
        put(f, 'process_id', hexToDecimal(val(v, 'ProcessId')));
      }
      f.action = kind === 'logon' ? 'success' : 'failure';
      return;
    case 'logoff':
      put(f, 'user', account(v, 'TargetDomainName', 'TargetUserName'));
      put(f, 'logon_id', normLogonId(val(v, 'TargetLogonId')));
      put(f, 'logon_type', val(v, 'LogonType'));
      return;
    case 'explicit_credentials':
      put(f, 'user', account(v, 'TargetDomainName', 'TargetUserName'));
      subject(v, f, 'src_user');
      put(f, 'logon_id', normLogonId(val(v, 'SubjectLogonId')));
      put(f, 'dest_host', val(v, 'TargetServerName'));
      put(f, 'src_ip', val(v, 'IpAddress'));
      put(f, 'src_port', val(v, 'IpPort'));
      // The logon's process, when it names one (network logons write ProcessName '-' and ProcessId 0x0).
      if (val(v, 'ProcessName') !== undefined) {
        put(f, 'process_path', val(v, 'ProcessName'));
        put(f, 'process_id', hexToDecimal(val(v, 'ProcessId')));
      }
      return;
    case 'credential_validation': {
      if (id === '4776') {
        put(f, 'user', val(v, 'TargetUserName'));
        put(f, 'src', val(v, 'Workstation'));
        put(f, 'authentication_method', val(v, 'PackageName'));
      } else {
        put(f, 'user', account(v, 'TargetDomainName', 'TargetUserName'));
        put(f, 'src_ip', val(v, 'IpAddress'));
        put(f, 'src_port', val(v, 'IpPort'));
        put(f, 'service_name', val(v, 'ServiceName'));
      }
      const st = val(v, 'Status');
      if (st !== undefined) f.action = /^0x0+$/i.test(st) || st === '0' ? 'success' : 'failure';
      return;
    }
    case 'share_access':
      subject(v, f, 'user');
      put(f, 'logon_id', normLogonId(val(v, 'SubjectLogonId')));
      put(f, 'src_ip', val(v, 'IpAddress'));
      put(f, 'src_port', val(v, 'IpPort'));
      put(f, 'share_name', val(v, 'ShareName'));
      put(f, 'share_path', val(v, 'ShareLocalPath'));
      put(f, 'share_target', val(v, 'RelativeTargetName'));
      return;
    case 'service_install':
      if (id === '4697') {
        subject(v, f, 'user');
        put(f, 'logon_id', normLogonId(val(v, 'SubjectLogonId')));
        put(f, 'service_name', val(v, 'ServiceName'));
        put(f, 'service_path', val(v, 'ServiceFileName'));
        put(f, 'service_type', val(v, 'ServiceType'));
        put(f, 'start_mode', val(v, 'ServiceStartType'));
        put(f, 'service_account', val(v, 'ServiceAccount'));
      } else {
        put(f, 'service_name', val(v, 'ServiceName'));
        put(f, 'service_path', val(v, 'ImagePath'));
        put(f, 'service_type', val(v, 'ServiceType'));
        put(f, 'start_mode', val(v, 'StartType'));
        put(f, 'service_account', val(v, 'AccountName'));
        put(f, 'user', val(v, 'Security_UserID'));
      }
      f.action = 'created';
      return;
    case 'scheduled_task':
      if (family === 'security') {
        subject(v, f, 'user');
        put(f, 'logon_id', normLogonId(val(v, 'SubjectLogonId')));
      } else {
        put(f, 'user', firstVal(v, ['UserContext', 'UserName', 'Security_UserID']));
        put(f, 'process_path', val(v, 'ActionName'));
        put(f, 'process_id', val(v, 'ProcessID'));
      }
      put(f, 'task_name', val(v, 'TaskName'));
      if (Object.hasOwn(TASK_ACTION, id)) f.action = TASK_ACTION[id]!;
      return;
    case 'rdp_session':
      if (family === 'security') {
        put(f, 'user', account(v, 'AccountDomain', 'AccountName'));
        put(f, 'logon_id', normLogonId(val(v, 'LogonID')));
        put(f, 'src', val(v, 'ClientName'));
        put(f, 'src_ip', val(v, 'ClientAddress'));
        f.action = id === '4778' ? 'reconnected' : 'disconnected';
      } else if (id === '1149') {
        // RemoteConnectionManager 1149: UserData Param1 user, Param2 domain, Param3 source address.
        put(f, 'user', joinDomainUser(val(v, 'Param2'), val(v, 'Param1')));
        put(f, 'src_ip', val(v, 'Param3'));
        f.action = 'authenticated';
      } else if (id === '1024' || id === '1102') {
        put(f, 'dest_host', val(v, 'Value'));
        put(f, 'user', val(v, 'Security_UserID'));
        f.direction = 'outbound';
      } else {
        put(f, 'user', val(v, 'User'));
        put(f, 'src_ip', val(v, 'Address'));
      }
      return;
    case 'network_connection':
      // Windows Filtering Platform 5156/5157: addresses from the logging host's view, direction as %%14592/%%14593.
      put(f, 'process_path', val(v, 'Application'));
      put(f, 'process_id', val(v, 'ProcessID'));
      put(f, 'src_ip', val(v, 'SourceAddress'));
      put(f, 'src_port', val(v, 'SourcePort'));
      put(f, 'dest_ip', val(v, 'DestAddress'));
      put(f, 'dest_port', val(v, 'DestPort'));
      {
        const p = val(v, 'Protocol');
        if (p !== undefined) put(f, 'transport', Object.hasOwn(IP_PROTOCOL, p) ? IP_PROTOCOL[p] : p);
        const d = val(v, 'Direction');
        if (d === '%%14592') f.direction = 'inbound';
        else if (d === '%%14593') f.direction = 'outbound';
      }
      f.action = id === '5157' ? 'blocked' : 'allowed';
      return;
    case 'registry':
      subject(v, f, 'user');
      put(f, 'registry_path', firstVal(v, ['ObjectName']));
      put(f, 'registry_value_data', val(v, 'NewValue'));
      put(f, 'process_path', val(v, 'ProcessName'));
      return;
    case 'wmi_activity':
      put(f, 'user', firstVal(v, ['User', 'Security_UserID']));
      put(f, 'process_id', firstVal(v, ['ClientProcessId', 'processid']));
      return;
    case 'winrm':
    case 'powershell':
      put(f, 'user', val(v, 'Security_UserID'));
      return;
    case 'dns_query':
      put(f, 'query', val(v, 'QueryName'));
      put(f, 'answer', val(v, 'QueryResults'));
      return;
    default:
      otherFields(family, v, f);
  }
}

/** `other`: the acting account where the event names one in the usual places. */
function otherFields(family: WinFamily, v: WinData, f: Fields): void {
  if (family === 'security') {
    subject(v, f, 'user');
    put(f, 'logon_id', normLogonId(val(v, 'SubjectLogonId')));
  } else {
    put(f, 'user', firstVal(v, ['User', 'Security_UserID']));
  }
}

const REGISTRY_ACTION: Readonly<Record<string, string>> = { '12': 'created', '13': 'modified', '14': 'renamed' };

function sysmonFields(kind: EventKind, id: string, v: WinData, f: Fields): void {
  switch (kind) {
    case 'network_connection': {
      sysmonProcess(v, f);
      put(f, 'src_ip', val(v, 'SourceIp'));
      put(f, 'src_port', val(v, 'SourcePort'));
      put(f, 'src', val(v, 'SourceHostname'));
      put(f, 'dest_ip', val(v, 'DestinationIp'));
      put(f, 'dest_port', val(v, 'DestinationPort'));
      put(f, 'dest_host', val(v, 'DestinationHostname'));
      put(f, 'transport', val(v, 'Protocol'));
      const init = val(v, 'Initiated');
      if (init !== undefined) f.direction = init.toLowerCase() === 'true' ? 'outbound' : 'inbound';
      return;
    }
    case 'pipe':
      sysmonProcess(v, f);
      put(f, 'pipe_name', val(v, 'PipeName'));
      f.action = id === '17' ? 'created' : 'connected';
      return;
    case 'dns_query':
      sysmonProcess(v, f);
      put(f, 'query', val(v, 'QueryName'));
      put(f, 'answer', val(v, 'QueryResults'));
      return;
    case 'file':
      sysmonProcess(v, f);
      file(f, val(v, 'TargetFilename'));
      f.action = id === '23' || id === '26' ? 'deleted' : id === '2' ? 'modified' : 'created';
      return;
    case 'registry':
      sysmonProcess(v, f);
      put(f, 'registry_path', val(v, 'TargetObject'));
      put(f, 'registry_value_data', val(v, 'Details'));
      {
        const t = val(v, 'EventType');
        if (t === 'DeleteKey' || t === 'DeleteValue') f.action = 'deleted';
        else if (Object.hasOwn(REGISTRY_ACTION, id)) f.action = REGISTRY_ACTION[id]!;
      }
      return;
    case 'image_load':
    case 'driver_load':
      sysmonProcess(v, f);
      file(f, val(v, 'ImageLoaded'));
      return;
    case 'process_access':
    case 'remote_thread':
      sysmonProcess(v, f, 'SourceImage', 'SourceProcessId', 'SourceProcessGuid');
      if (kind === 'process_access') put(f, 'process_guid', val(v, 'SourceProcessGUID'));
      put(f, 'user', val(v, 'SourceUser'));
      return;
    case 'wmi_activity':
      put(f, 'user', val(v, 'User'));
      return;
    default:
      sysmonProcess(v, f);
  }
}
