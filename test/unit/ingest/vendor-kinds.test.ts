// EDR rows that are not process starts get their kind and CIM fields from engine/formats/vendor-kinds.ts (issue 13,
// slice 2): CrowdStrike by event_simpleName, Defender by ActionType (DeviceEvents' AdditionalFields read), ECS /
// Winlogbeat rows of a Windows channel as that Windows event, Elastic Endpoint rows by event.category. A type no
// table names is still counted as non-process, never guessed.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';
import { additionalFields } from '../../../engine/formats/vendor-kinds.ts';

const nd = (rows: object[]): string => rows.map((o) => JSON.stringify(o)).join('\n');

describe('CrowdStrike non-process events', () => {
  it('maps UserLogon, NetworkConnectIP4 / NetworkAcceptIP4 and DnsRequest to their kinds', () => {
    const rows = [
      { event_simpleName: 'ProcessRollup2', timestamp: '1714550400000', aid: 'a1', ComputerName: 'SRV-SQL-02', UserName: 'svc', CommandLine: 'cmd.exe /c whoami', ImageFileName: '\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe' },
      { event_simpleName: 'UserLogon', timestamp: '1714550401000', aid: 'a1', ComputerName: 'SRV-SQL-02', UserName: 'admin', LogonDomain: 'CORP', LogonType: '3', RemoteAddressIP4: '10.0.0.12', AuthenticationPackage: 'NTLM', UserSid: 'S-1-5-21-1-2-3-500' },
      { event_simpleName: 'UserLogonFailed2', timestamp: '1714550401500', aid: 'a1', ComputerName: 'SRV-SQL-02', UserName: 'admin', LogonDomain: 'CORP', LogonType: '3', RemoteAddressIP4: '10.0.0.13' },
      { event_simpleName: 'NetworkConnectIP4', timestamp: '1714550402000', aid: 'a2', ComputerName: 'WKS-1002', LocalAddressIP4: '10.0.0.12', LocalPort: '50123', RemoteAddressIP4: '10.0.0.20', RemotePort: '445', Protocol: '6' },
      { event_simpleName: 'NetworkAcceptIP4', timestamp: '1714550402100', aid: 'a1', ComputerName: 'SRV-SQL-02', LocalAddressIP4: '10.0.0.20', LocalPort: '445', RemoteAddressIP4: '10.0.0.12', RemotePort: '50123', Protocol: '6' },
      { event_simpleName: 'DnsRequest', timestamp: '1714550403000', aid: 'a2', ComputerName: 'WKS-1002', DomainName: 'srv-sql-02.corp.local' },
      { event_simpleName: 'SensorHeartbeat', timestamp: '1714550404000', aid: 'a2' },
    ];
    const r = ingestText(nd(rows));
    expect(r.detected.format).toBe('crowdstrike');
    expect(r.stats).toMatchObject({ appended: 6, nonProcess: 1 });
    expect(r.events.map((e) => e.kind)).toEqual(['process_creation', 'logon', 'logon_failed', 'network_connection', 'network_connection', 'dns_query']);
    expect(r.events[1]!.fields).toMatchObject({ dest: 'SRV-SQL-02', user: 'CORP\\admin', logon_type: '3', src_ip: '10.0.0.12', authentication_method: 'NTLM', action: 'success', EventCode: 'UserLogon' });
    expect(r.events[2]!.fields).toMatchObject({ action: 'failure', src_ip: '10.0.0.13' });
    expect(r.events[3]!.fields).toMatchObject({ dest: 'WKS-1002', src_ip: '10.0.0.12', dest_ip: '10.0.0.20', dest_port: '445', direction: 'outbound' });
    expect(r.events[4]!.fields).toMatchObject({ dest: 'SRV-SQL-02', direction: 'inbound', dest_ip: '10.0.0.12' });
    expect(r.events[5]!.fields).toMatchObject({ query: 'srv-sql-02.corp.local' });
    expect(r.events[1]!.original['UserSid']).toBe('S-1-5-21-1-2-3-500');
    expect(r.nonProcess[0]!.kind).toBe('crowdstrike:SensorHeartbeat');
  });
});

describe('Defender Advanced Hunting non-process rows', () => {
  const base = { Timestamp: '2024-05-01T10:00:00Z', DeviceId: 'd1', DeviceName: 'srv-sql-02.corp.local', ReportId: '1' };
  it('maps DeviceLogonEvents (LogonType word -> number), DeviceNetworkEvents and DeviceEvents with AdditionalFields', () => {
    const rows = [
      { ...base, ActionType: 'LogonSuccess', AccountDomain: 'corp', AccountName: 'admin', LogonType: 'Network', RemoteIP: '10.0.0.12', RemoteDeviceName: 'wks-1002', Protocol: 'NTLM', LogonId: '999' },
      { ...base, ActionType: 'LogonFailed', AccountDomain: 'corp', AccountName: 'admin', LogonType: 'RemoteInteractive', RemoteIP: '10.0.0.66' },
      { ...base, ActionType: 'InboundConnectionAccepted', LocalIP: '10.0.0.20', LocalPort: '445', RemoteIP: '10.0.0.12', RemotePort: '50123', Protocol: 'Tcp', InitiatingProcessFileName: 'System' },
      { ...base, ActionType: 'ServiceInstalled', AccountDomain: 'corp', AccountName: 'admin', FileName: 'PSEXESVC.exe', FolderPath: 'C:\\Windows\\PSEXESVC.exe', AdditionalFields: '{"ServiceName":"PSEXESVC","ServiceAccount":"LocalSystem","ServiceStartType":3}' },
      { ...base, ActionType: 'NamedPipeEvent', AdditionalFields: '{"PipeName":"\\\\Device\\\\NamedPipe\\\\PSEXESVC-WKS-1002-1234-stdin"}', InitiatingProcessFileName: 'PSEXESVC.exe' },
      { ...base, ActionType: 'AntivirusScanCompleted' },
    ];
    const r = ingestText(nd(rows));
    expect(r.detected.format).toBe('defender');
    expect(r.stats).toMatchObject({ appended: 5, nonProcess: 1 });
    expect(r.events.map((e) => e.kind)).toEqual(['logon', 'logon_failed', 'network_connection', 'service_install', 'pipe']);
    expect(r.events[0]!.fields).toMatchObject({ dest: 'srv-sql-02.corp.local', user: 'corp\\admin', logon_type: '3', src_ip: '10.0.0.12', src: 'wks-1002', logon_id: '999', action: 'success' });
    expect(r.events[1]!.fields).toMatchObject({ logon_type: '10', action: 'failure' });
    expect(r.events[2]!.fields).toMatchObject({ direction: 'inbound', dest_ip: '10.0.0.12', src_port: '445' });
    expect(r.events[3]!.fields).toMatchObject({ service_name: 'PSEXESVC', service_path: 'C:\\Windows\\PSEXESVC.exe', service_account: 'LocalSystem', start_mode: '3', user: 'corp\\admin', action: 'created' });
    expect(r.events[4]!.fields.pipe_name).toBe('\\Device\\NamedPipe\\PSEXESVC-WKS-1002-1234-stdin');
    expect(r.nonProcess[0]!.kind).toBe('defender:AntivirusScanCompleted');
  });

  it('reads AdditionalFields defensively: not JSON, an array, too long, nested values', () => {
    expect(additionalFields('not json')('A')).toBeUndefined();
    expect(additionalFields('[1,2]')('0')).toBeUndefined();
    expect(additionalFields('{"A":' + '"x'.padEnd(70_000, 'x') + '"}')('A')).toBeUndefined();
    const f = additionalFields('{"A":"a","N":3,"O":{"x":1},"__proto__":"p"}');
    expect([f('A'), f('N'), f('O'), f('toString')]).toEqual(['a', '3', undefined, undefined]);
  });
});

describe('ECS / Winlogbeat non-process events', () => {
  it('maps a Winlogbeat 7 Security 4624 (which carries process.*) as the Windows logon it is', () => {
    const row = {
      '@timestamp': '2024-05-01T10:00:01.000Z', ecs: { version: '1.12.0' }, host: { name: 'SRV-SQL-02' },
      event: { code: '4624', provider: 'Microsoft-Windows-Security-Auditing', category: ['authentication'], type: ['start'] },
      process: { executable: '-', pid: 0 },
      winlog: {
        channel: 'Security', event_id: '4624', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: 'SRV-SQL-02.corp.local',
        event_data: { TargetUserName: 'admin', TargetDomainName: 'CORP', LogonType: '3', TargetLogonId: '0x3e7a1', IpAddress: '10.0.0.12', WorkstationName: 'WKS-1002', AuthenticationPackageName: 'NTLM' },
      },
    };
    const r = ingestText(JSON.stringify(row));
    expect(r.detected.format).toBe('ecs');
    expect(r.stats).toMatchObject({ appended: 1, nonProcess: 0 });
    expect(r.events[0]!.kind).toBe('logon');
    expect(r.events[0]!.fields).toMatchObject({ user: 'CORP\\admin', logon_type: '3', src_ip: '10.0.0.12', src: 'WKS-1002', EventCode: '4624' });
  });

  it('maps Elastic Endpoint network rows by event.category; an unnamed category stays non-process', () => {
    const net = {
      '@timestamp': '2024-05-01T10:00:02.000Z', ecs: { version: '8.0.0' }, host: { name: 'wks-1002' },
      event: { category: ['network'], type: ['start'], action: 'connection_attempted' },
      process: { name: 'PsExec.exe', executable: 'C:\\Tools\\PsExec.exe', pid: 4242 },
      source: { ip: '10.0.0.12', port: 50123 }, destination: { ip: '10.0.0.20', port: 445 }, network: { transport: 'tcp', direction: 'egress' },
    };
    const other = { ...net, event: { category: ['configuration'], action: 'x' } };
    const r = ingestText(nd([net, other]));
    expect(r.stats).toMatchObject({ appended: 1, nonProcess: 1 });
    expect(r.events[0]!.kind).toBe('network_connection');
    expect(r.events[0]!.fields).toMatchObject({ dest: 'wks-1002', dest_ip: '10.0.0.20', dest_port: '445', process_name: 'PsExec.exe', direction: 'egress' });
  });
});
