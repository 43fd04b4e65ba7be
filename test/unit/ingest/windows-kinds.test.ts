// Every Windows event becomes an event of its kind with its CIM fields: real records from the public captures in
// ../shared/data (mdecrevoisier EVTX-to-MITRE-Attack, CC0), inlined so the suite runs without them, and records
// written in the shape Windows writes for the ids the captures lack.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';
import { EVENT_KINDS } from '../../../engine/model/event-kinds.ts';

const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';
const SEC_4624_NET = `<Event xmlns="${NS}"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>4624</EventID><Version>2</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2021-04-21T09:40:32.342397200Z"/><EventRecordID>349321</EventRecordID><Correlation ActivityID="{42422748-35ED-0000-6027-4242ED35D701}"/><Execution ProcessID="584" ThreadID="5600"/><Channel>Security</Channel><Computer>srvdefender01.offsec.lan</Computer><Security/></System><EventData><Data Name="SubjectUserSid">S-1-0-0</Data><Data Name="SubjectUserName">-</Data><Data Name="SubjectDomainName">-</Data><Data Name="SubjectLogonId">0x0000000000000000</Data><Data Name="TargetUserSid">S-1-5-21-4230534742-2542757381-3142984815-1111</Data><Data Name="TargetUserName">admmig</Data><Data Name="TargetDomainName">OFFSEC.LAN</Data><Data Name="TargetLogonId">0x0000000001375fbd</Data><Data Name="LogonType">3</Data><Data Name="LogonProcessName">Kerberos</Data><Data Name="AuthenticationPackageName">Kerberos</Data><Data Name="WorkstationName">-</Data><Data Name="LogonGuid">{B8C3A477-69DB-D96F-F0C0-889CCECB69EE}</Data><Data Name="TransmittedServices">-</Data><Data Name="LmPackageName">-</Data><Data Name="KeyLength">0</Data><Data Name="ProcessId">0x0000000000000000</Data><Data Name="ProcessName">-</Data><Data Name="IpAddress">10.23.42.22</Data><Data Name="IpPort">56661</Data><Data Name="ImpersonationLevel">%%1833</Data><Data Name="RestrictedAdminMode">-</Data><Data Name="TargetOutboundUserName">-</Data><Data Name="TargetOutboundDomainName">-</Data><Data Name="VirtualAccount">%%1843</Data><Data Name="TargetLinkedLogonId">0x0000000000000000</Data><Data Name="ElevatedToken">%%1842</Data></EventData></Event>`;
const SEC_5145_IPC = `<Event xmlns="${NS}"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>5145</EventID><Version>0</Version><Level>0</Level><Task>12811</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2021-04-21T09:40:32.501669100Z"/><EventRecordID>349347</EventRecordID><Correlation/><Execution ProcessID="4" ThreadID="5328"/><Channel>Security</Channel><Computer>srvdefender01.offsec.lan</Computer><Security/></System><EventData><Data Name="SubjectUserSid">S-1-5-21-4230534742-2542757381-3142984815-1111</Data><Data Name="SubjectUserName">admmig</Data><Data Name="SubjectDomainName">OFFSEC</Data><Data Name="SubjectLogonId">0x0000000001375fbd</Data><Data Name="ObjectType">File</Data><Data Name="IpAddress">10.23.42.22</Data><Data Name="IpPort">56661</Data><Data Name="ShareName">\\\\*\\IPC$</Data><Data Name="ShareLocalPath"/><Data Name="RelativeTargetName">PSEXESVC</Data><Data Name="AccessMask">0x0012019f</Data><Data Name="AccessList">%%1538%%1541%%4416%%4417%%4418%%4419%%4420%%4423%%4424</Data><Data Name="AccessReason">-</Data></EventData></Event>`;
const SEC_5140_ADMIN = `<Event xmlns="${NS}"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>5140</EventID><Version>1</Version><Level>0</Level><Task>12808</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2021-04-21T09:40:32.343037400Z"/><EventRecordID>349323</EventRecordID><Correlation/><Execution ProcessID="4" ThreadID="5328"/><Channel>Security</Channel><Computer>srvdefender01.offsec.lan</Computer><Security/></System><EventData><Data Name="SubjectUserSid">S-1-5-21-4230534742-2542757381-3142984815-1111</Data><Data Name="SubjectUserName">admmig</Data><Data Name="SubjectDomainName">OFFSEC</Data><Data Name="SubjectLogonId">0x0000000001375fbd</Data><Data Name="ObjectType">File</Data><Data Name="IpAddress">10.23.42.22</Data><Data Name="IpPort">56661</Data><Data Name="ShareName">\\\\*\\ADMIN$</Data><Data Name="ShareLocalPath">\\??\\C:\\Windows</Data><Data Name="AccessMask">0x00000001</Data><Data Name="AccessList">%%4416</Data></EventData></Event>`;
const SEC_4697 = `<Event xmlns="${NS}"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>4697</EventID><Version>0</Version><Level>0</Level><Task>12289</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2021-04-21T09:40:32.363393900Z"/><EventRecordID>349343</EventRecordID><Correlation ActivityID="{42422748-35ED-0000-6027-4242ED35D701}"/><Execution ProcessID="584" ThreadID="716"/><Channel>Security</Channel><Computer>srvdefender01.offsec.lan</Computer><Security/></System><EventData><Data Name="SubjectUserSid">S-1-5-21-4230534742-2542757381-3142984815-1111</Data><Data Name="SubjectUserName">admmig</Data><Data Name="SubjectDomainName">OFFSEC</Data><Data Name="SubjectLogonId">0x0000000001376020</Data><Data Name="ServiceName">PSEXESVC</Data><Data Name="ServiceFileName">%SystemRoot%\\PSEXESVC.exe</Data><Data Name="ServiceType">0x00000010</Data><Data Name="ServiceStartType">3</Data><Data Name="ServiceAccount">LocalSystem</Data></EventData></Event>`;
// TaskContent shortened (the capture's is the whole task XML).
const SEC_4698 = `<Event xmlns="${NS}"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>4698</EventID><Version>0</Version><Level>0</Level><Task>12804</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2021-06-10T21:21:26.383726300Z"/><EventRecordID>2004852</EventRecordID><Correlation ActivityID="{38068009-512D-0000-1D80-06382D51D701}"/><Execution ProcessID="556" ThreadID="5604"/><Channel>Security</Channel><Computer>fs01.offsec.lan</Computer><Security/></System><EventData><Data Name="SubjectUserSid">S-1-5-21-4230534742-2542757381-3142984815-1111</Data><Data Name="SubjectUserName">admmig</Data><Data Name="SubjectDomainName">OFFSEC</Data><Data Name="SubjectLogonId">0x0000000005a419bc</Data><Data Name="TaskName">\\bouWFQYO</Data><Data Name="TaskContent">&lt;Actions Context="LocalSystem"&gt;&lt;Exec&gt;&lt;Command&gt;cmd.exe&lt;/Command&gt;&lt;Arguments&gt;/C whoami &amp;gt; %windir%\\Temp\\bouWFQYO.tmp 2&amp;gt;&amp;amp;1&lt;/Arguments&gt;&lt;/Exec&gt;&lt;/Actions&gt;</Data></EventData></Event>`;
const SYSMON_17 = `<Event xmlns="${NS}"><System><Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"/><EventID>17</EventID><Version>1</Version><Level>4</Level><Task>17</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2021-12-04T21:19:16.804487200Z"/><EventRecordID>48598</EventRecordID><Correlation/><Execution ProcessID="1048" ThreadID="1684"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>fs03vuln.offsec.lan</Computer><Security UserID="S-1-5-18"/></System><EventData><Data Name="RuleName">technique_id=T1077,technique_name=Windows Admin Shares</Data><Data Name="EventType">CreatePipe</Data><Data Name="UtcTime">2021-12-04 21:19:16.788</Data><Data Name="ProcessGuid">{A57649D1-DB54-61AB-2B62-DC0100000000}</Data><Data Name="ProcessId">4752</Data><Data Name="PipeName">\\PSEXESVC</Data><Data Name="Image">C:\\Windows\\PSEXESVC.exe</Data></EventData></Event>`;
const SYSMON_22 = `<Event xmlns="${NS}"><System><Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"/><EventID>22</EventID><Version>5</Version><Level>4</Level><Task>22</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2021-12-04T21:19:17.757697800Z"/><EventRecordID>48607</EventRecordID><Correlation/><Execution ProcessID="1048" ThreadID="1700"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>fs03vuln.offsec.lan</Computer><Security UserID="S-1-5-18"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2021-12-04 21:19:10.604</Data><Data Name="ProcessGuid">{A57649D1-DB54-61AB-775C-DC0100000000}</Data><Data Name="ProcessId">2124</Data><Data Name="QueryName">fs03vuln</Data><Data Name="QueryStatus">0</Data><Data Name="QueryResults">10.23.42.38;</Data><Data Name="Image">C:\\TOOLS\\PsExec64.exe</Data></EventData></Event>`;

/** A record in the shape Windows writes it (System header, EventData or UserData). */
function ev(channel: string, provider: string, id: number, data: Record<string, string>, userData?: string): string {
  const body = userData ?? `<EventData>${Object.entries(data).map(([k, v]) => `<Data Name="${k}">${v}</Data>`).join('')}</EventData>`;
  return `<Event xmlns="${NS}"><System><Provider Name="${provider}"/><EventID>${id}</EventID><TimeCreated SystemTime="2024-05-01T08:00:0${id % 10}.000Z"/><EventRecordID>${id}</EventRecordID><Channel>${channel}</Channel><Computer>SRV-FILE-01.corp.example</Computer><Security UserID="S-1-5-18"/></System>${body}</Event>`;
}
const SEC = ['Security', 'Microsoft-Windows-Security-Auditing'] as const;

function one(xml: string) {
  const r = ingestText(`<Events>${xml}</Events>`);
  expect(r.stats).toMatchObject({ records: 1, appended: 1, rejected: 0, nonProcess: 0 });
  return r.events[0]!;
}

describe('Windows event kinds and their CIM fields', () => {
  it('4624 network logon: kind logon, LogonType kept, source IP, logon id in one spelling, Subject "-" absent', () => {
    const e = one(SEC_4624_NET);
    expect(e.kind).toBe('logon');
    expect(e.source).toBe('security');
    expect(e.fields).toEqual({
      dest: 'srvdefender01.offsec.lan', user: 'OFFSEC.LAN\\admmig', logon_type: '3', logon_id: '0x1375fbd', src_ip: '10.23.42.22',
      src_port: '56661', authentication_method: 'Kerberos', action: 'success', EventCode: '4624',
    });
    expect(e.original['TargetLogonId']).toBe('0x0000000001375fbd');
    expect(e.original['WorkstationName']).toBe('-');
  });

  it('5145 on IPC$ and 5140 on ADMIN$: share_access with share name, relative target (the pipe) and local path', () => {
    const ipc = one(SEC_5145_IPC);
    expect(ipc.kind).toBe('share_access');
    expect(ipc.fields).toMatchObject({ user: 'OFFSEC\\admmig', share_name: '\\\\*\\IPC$', share_target: 'PSEXESVC', src_ip: '10.23.42.22', logon_id: '0x1375fbd', EventCode: '5145' });
    expect(ipc.fields.share_path).toBeUndefined();
    const admin = one(SEC_5140_ADMIN);
    expect(admin.kind).toBe('share_access');
    expect(admin.fields).toMatchObject({ share_name: '\\\\*\\ADMIN$', share_path: '\\??\\C:\\Windows', EventCode: '5140' });
  });

  it('4697 and 7045: service_install with service name and path; 4698: scheduled_task with its name', () => {
    const s = one(SEC_4697);
    expect(s.kind).toBe('service_install');
    expect(s.fields).toMatchObject({ service_name: 'PSEXESVC', service_path: '%SystemRoot%\\PSEXESVC.exe', service_type: '0x00000010', start_mode: '3', service_account: 'LocalSystem', user: 'OFFSEC\\admmig', logon_id: '0x1376020' });
    const sys = one(ev('System', 'Service Control Manager', 7045, { ServiceName: 'BTOBTO', ImagePath: '%COMSPEC% /Q /c echo cd ^> \\\\127.0.0.1\\C$\\__output 2^&gt;^&amp;1 &gt; %TEMP%\\execute.bat', ServiceType: 'user mode service', StartType: 'demand start', AccountName: 'LocalSystem' }));
    expect(sys.kind).toBe('service_install');
    expect(sys.source).toBe('windows');
    expect(sys.fields).toMatchObject({ service_name: 'BTOBTO', service_path: '%COMSPEC% /Q /c echo cd ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > %TEMP%\\execute.bat', start_mode: 'demand start', service_account: 'LocalSystem', EventCode: '7045' });
    expect(sys.fields.process).toBeUndefined();
    const t = one(SEC_4698);
    expect(t.kind).toBe('scheduled_task');
    expect(t.fields).toMatchObject({ task_name: '\\bouWFQYO', action: 'created', user: 'OFFSEC\\admmig', logon_id: '0x5a419bc' });
    const ts = one(ev('Microsoft-Windows-TaskScheduler/Operational', 'Microsoft-Windows-TaskScheduler', 106, { TaskName: '\\bouWFQYO', UserContext: 'OFFSEC\\admmig' }));
    expect(ts).toMatchObject({ kind: 'scheduled_task', fields: { task_name: '\\bouWFQYO', user: 'OFFSEC\\admmig', action: 'created' } });
    const run = one(ev('Microsoft-Windows-TaskScheduler/Operational', 'Microsoft-Windows-TaskScheduler', 200, { TaskName: '\\bouWFQYO', ActionName: 'C:\\Windows\\SYSTEM32\\cmd.exe', TaskInstanceId: '{1}' }));
    expect(run).toMatchObject({ kind: 'scheduled_task', fields: { task_name: '\\bouWFQYO', action: 'started', process_path: 'C:\\Windows\\SYSTEM32\\cmd.exe' } });
  });

  it('Sysmon 17 and 22: pipe and dns_query with the acting process', () => {
    const p = one(SYSMON_17);
    expect(p.kind).toBe('pipe');
    expect(p.fields).toMatchObject({ pipe_name: '\\PSEXESVC', process_path: 'C:\\Windows\\PSEXESVC.exe', process_name: 'PSEXESVC.exe', process_id: '4752', action: 'created', EventCode: '17' });
    const d = one(SYSMON_22);
    expect(d.kind).toBe('dns_query');
    expect(d.fields).toMatchObject({ query: 'fs03vuln', answer: '10.23.42.38;', process_name: 'PsExec64.exe' });
  });

  it('the near misses keep their own kinds: 4625 failed, 4634/4647 logoff, 4648 explicit credentials, 4672 other', () => {
    const failed = one(ev(...SEC, 4625, { TargetUserName: 'admin', TargetDomainName: 'CORP', LogonType: '3', IpAddress: '10.0.0.12', IpPort: '0', WorkstationName: 'WKS-NYC-1002', Status: '0xc000006d' }));
    expect(failed).toMatchObject({ kind: 'logon_failed', fields: { action: 'failure', logon_type: '3', src: 'WKS-NYC-1002', src_ip: '10.0.0.12' } });
    expect(one(ev(...SEC, 4634, { TargetUserName: 'admin', TargetDomainName: 'CORP', TargetLogonId: '0x3E7', LogonType: '3' }))).toMatchObject({ kind: 'logoff', fields: { logon_id: '0x3e7' } });
    expect(one(ev(...SEC, 4647, { TargetUserName: 'admin', TargetLogonId: '0x1' })).kind).toBe('logoff');
    const explicit = one(ev(...SEC, 4648, { SubjectUserName: 'john', SubjectDomainName: 'CORP', SubjectLogonId: '0x5', TargetUserName: 'admin', TargetDomainName: 'CORP', TargetServerName: 'SRV-FILE-01', ProcessName: 'C:\\Tools\\PsExec64.exe', IpAddress: '-' }));
    expect(explicit).toMatchObject({ kind: 'explicit_credentials', fields: { user: 'CORP\\admin', src_user: 'CORP\\john', dest_host: 'SRV-FILE-01', logon_id: '0x5' } });
    expect(explicit.fields.src_ip).toBeUndefined();
    expect(one(ev(...SEC, 4672, { SubjectUserName: 'admin', SubjectDomainName: 'CORP' }))).toMatchObject({ kind: 'other', fields: { user: 'CORP\\admin', EventCode: '4672' } });
  });

  it('RDP, WMI, WinRM and PowerShell channels', () => {
    const rcm = one(ev('Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational', 'Microsoft-Windows-TerminalServices-RemoteConnectionManager', 1149, {},
      '<UserData><EventXML xmlns="Event_NS"><Param1>admin</Param1><Param2>CORP</Param2><Param3>10.0.0.12</Param3></EventXML></UserData>'));
    expect(rcm).toMatchObject({ kind: 'rdp_session', fields: { user: 'CORP\\admin', src_ip: '10.0.0.12', action: 'authenticated' } });
    const lsm = one(ev('Microsoft-Windows-TerminalServices-LocalSessionManager/Operational', 'Microsoft-Windows-TerminalServices-LocalSessionManager', 21, {},
      '<UserData><EventXML xmlns="Event_NS"><User>CORP\\admin</User><SessionID>2</SessionID><Address>10.0.0.12</Address></EventXML></UserData>'));
    expect(lsm).toMatchObject({ kind: 'rdp_session', fields: { user: 'CORP\\admin', src_ip: '10.0.0.12' } });
    expect(one(ev(...SEC, 4778, { AccountName: 'admin', AccountDomain: 'CORP', LogonID: '0x1ab', SessionName: 'RDP-Tcp#3', ClientName: 'WKS-NYC-1002', ClientAddress: '10.0.0.12' })))
      .toMatchObject({ kind: 'rdp_session', fields: { src: 'WKS-NYC-1002', src_ip: '10.0.0.12', logon_id: '0x1ab', action: 'reconnected' } });
    expect(one(ev('Microsoft-Windows-WMI-Activity/Operational', 'Microsoft-Windows-WMI-Activity', 5861, { Namespace: '//./root/subscription', ESS: 'x', CONSUMER: 'CommandLineEventConsumer="evil"' })).kind).toBe('wmi_activity');
    expect(one(ev('Microsoft-Windows-WinRM/Operational', 'Microsoft-Windows-WinRM', 91, { resourceUri: 'http://schemas.microsoft.com/powershell/Microsoft.PowerShell', shellId: '1' })).kind).toBe('winrm');
    const ps = one(ev('Microsoft-Windows-PowerShell/Operational', 'Microsoft-Windows-PowerShell', 4104, { MessageNumber: '1', MessageTotal: '1', ScriptBlockText: 'Invoke-Command -ComputerName SRV-FILE-01 { whoami }', ScriptBlockId: '{x}', Path: '' }));
    expect(ps).toMatchObject({ kind: 'powershell', source: 'windows', fields: { EventCode: '4104', user: 'S-1-5-18' } });
    expect(ps.original['ScriptBlockText']).toContain('Invoke-Command');
  });

  it('an id Hopscope has no kind for is kept as other with every field; kinds are one byte (fewer than 256)', () => {
    const e = one(ev('Application', 'MsiInstaller', 11707, { param1: 'Product: x -- Installation completed successfully.' }));
    expect(e.kind).toBe('other');
    expect(e.original['param1']).toContain('Installation completed');
    expect(EVENT_KINDS.length).toBeLessThan(256);
    expect(EVENT_KINDS[0]).toBe('process_creation');
  });
});
