// Hopscope's lateral-movement rules over event kinds other than process creation (issue 14): service installs,
// logons, RDP sessions, explicit credentials; each with real-shaped positives and the benign near misses that
// real captures hold (driver and product installs, RDP from the console or loopback, 4648 by Windows' own processes).

import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, CanonicalField } from '../../../../engine/model/fields.ts';
import type { EventKind } from '../../../../engine/model/event-kinds.ts';
import { ingestText } from '../../../../engine/ingest/index.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { rule, sysmon1 } from './fixtures.ts';

let record = 0;
type F = Partial<Record<CanonicalField, string>>;
function winEvent(kind: EventKind, source: CanonicalEvent['source'], channel: string, code: string, host: string, fields: F, time = '2021-05-02T10:11:12.100Z'): CanonicalEvent {
  record++;
  return {
    timeMs: Date.parse(time),
    kind,
    fields: { dest: host, EventCode: code, ...fields },
    original: { EventID: code, Channel: channel, Computer: host },
    source,
    locator: { evidence: 1, record, line: record, byteOffset: record * 2000 },
  };
}
const svc7045 = (host: string, name: string, path: string, account = 'LocalSystem') =>
  winEvent('service_install', 'windows', 'System', '7045', host, { service_name: name, service_path: path, service_account: account, start_mode: 'demand start', service_type: 'user mode service', action: 'created' });
const svc4697 = (host: string, name: string, path: string, user = 'CORP\\admin') =>
  winEvent('service_install', 'security', 'Security', '4697', host, { service_name: name, service_path: path, user, service_account: 'LocalSystem', action: 'created' });
const logon = (host: string, type: string, ip: string, user = 'CORP\\admin', src = 'WKS-01') =>
  winEvent('logon', 'security', 'Security', '4624', host, { logon_type: type, src_ip: ip, user, src, action: 'success' });
const rdp1149 = (host: string, ip: string, user = 'CORP\\admin') =>
  winEvent('rdp_session', 'windows', 'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational', '1149', host, { src_ip: ip, user, action: 'authenticated' });
const explicit = (host: string, server: string, proc: string, user = 'CORP\\admin', srcUser = 'CORP\\jdoe') =>
  winEvent('explicit_credentials', 'security', 'Security', '4648', host, { dest_host: server, process_path: proc, user, src_user: srcUser, src_ip: '-' });

function hits(id: string, events: CanonicalEvent[]): number {
  const res = rule(id).run(createMemorySource(events));
  expect(res.error).toBeUndefined();
  return res.rows.length;
}

describe('hopscope-psexec-service-install', () => {
  const id = 'hopscope-psexec-service-install';
  it.each([
    ['PsExec 7045', svc7045('SRV-01', 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe')],
    ['PsExec 4697', svc4697('SRV-01', 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe')],
    ['PsExec -r renamed service, binary still PSEXESVC', svc7045('SRV-01', 'updsvc', 'C:\\Windows\\PSEXESVC.exe')],
    ['PAExec', svc7045('SRV-01', 'PAExec-4012-WKS-01', 'C:\\Windows\\PAExec-4012-WKS-01.exe')],
    ['RemCom', svc7045('SRV-01', 'RemComSvc', 'C:\\Windows\\RemComSvc.exe')],
    ['CSExec', svc7045('SRV-01', 'csexecsvc', 'C:\\Windows\\csexecsvc.exe')],
    ['case variant', svc7045('SRV-01', 'psexesvc', 'C:\\WINDOWS\\psexesvc.exe')],
  ])('%s', (_, e) => expect(hits(id, [e])).toBe(1));

  it('near misses: real product and driver installs, other Sysinternals services, a PSEXESVC process', () => {
    expect(
      hits(id, [
        svc7045('WKS-01', 'Sysmon64', 'C:\\Windows\\Sysmon64.exe'),
        svc7045('WKS-01', 'SysmonDrv', 'SysmonDrv.sys', ''),
        svc7045('WKS-01', 'PSShutdownSvc', 'C:\\Windows\\PSSDNSVC.EXE'),
        svc7045('WKS-01', 'MpKsl4eaf0c44', 'C:\\ProgramData\\Microsoft\\Windows Defender\\Definition Updates\\{1B7B8F1B-9C3E-4E1F-9D56-4B7C5C0B3A2E}\\MpKslDrv.sys', ''),
        svc7045('WKS-01', 'VMware Tools', '"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe"'),
        svc4697('WKS-01', 'edgeupdate', '"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe" /svc'),
        sysmon1({ time: '2021-05-02T10:11:12.100Z', host: 'SRV-01', image: 'C:\\Windows\\PSEXESVC.exe', cmd: 'C:\\Windows\\PSEXESVC.exe', parentImage: 'C:\\Windows\\System32\\services.exe' }),
      ]),
    ).toBe(0);
  });
});

describe('hopscope-smbexec-service-install', () => {
  const id = 'hopscope-smbexec-service-install';
  const smb = (bat: string, share: string) => `%COMSPEC% /Q /c echo cd  ^> ${share}\\C$\\__output 2^>^&1 > ${bat} & %COMSPEC% /Q /c ${bat} & del ${bat}`;
  it.each([
    ['old release, BTOBTO, %TEMP%', svc7045('DC01', 'BTOBTO', smb('%TEMP%\\execute.bat', '\\\\127.0.0.1'))],
    ['random name, C:\\Windows batch', svc7045('DC01', 'wHjKqLpZ', smb('C:\\Windows\\OtbRgyDa.bat', '\\\\127.0.0.1'))],
    ['4697, host-name share', svc4697('DC01', 'XbzQ', smb('C:\\Windows\\TEMP\\abcd.bat', '\\\\DC01'))],
    ['upper case', svc7045('DC01', 'BTOBTO', smb('%TEMP%\\execute.bat', '\\\\127.0.0.1').toUpperCase())],
  ])('%s', (_, e) => expect(hits(id, [e])).toBe(1));

  it('near misses: a service that merely writes output to a file, a smbexec command line as a process', () => {
    expect(
      hits(id, [
        svc7045('DC01', 'LogCollector', 'C:\\Windows\\System32\\cmd.exe /c C:\\Tools\\collect.bat > C:\\Logs\\__output.txt'),
        svc7045('DC01', 'Backup', '"C:\\Program Files\\Veeam\\Backup\\VeeamDeploymentSvc.exe"'),
        sysmon1({ time: '2021-05-02T10:11:12.100Z', host: 'DC01', image: 'C:\\Windows\\System32\\cmd.exe', cmd: smb('%TEMP%\\execute.bat', '\\\\127.0.0.1'), parentImage: 'C:\\Windows\\System32\\services.exe' }),
      ]),
    ).toBe(0);
  });
});

describe('hopscope-rdp-remote-logon', () => {
  const id = 'hopscope-rdp-remote-logon';
  it('type 10 logons and 1149 authentications from another machine', () => {
    expect(hits(id, [logon('SRV-01', '10', '10.0.0.12')])).toBe(1);
    expect(hits(id, [logon('SRV-01', '10', 'fe80::1c2d:3e4f:5a6b:7c8d')])).toBe(1);
    expect(hits(id, [rdp1149('SRV-01', '10.0.0.12')])).toBe(1);
  });
  it('near misses: loopback/LOCAL RDP, console and network logons, ANONYMOUS LOGON type 3, other RDP session events', () => {
    expect(
      hits(id, [
        logon('SRV-01', '10', '127.0.0.1'),
        logon('SRV-01', '10', '::1'),
        logon('SRV-01', '10', '-'),
        logon('SRV-01', '2', '127.0.0.1'),
        logon('SRV-01', '3', '10.0.0.12', 'NT AUTHORITY\\ANONYMOUS LOGON', '-'),
        logon('SRV-01', '5', '-', 'NT AUTHORITY\\SYSTEM', '-'),
        rdp1149('SRV-01', 'LOCAL'),
        rdp1149('SRV-01', '127.0.0.1'),
        winEvent('rdp_session', 'windows', 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational', '21', 'SRV-01', { src_ip: 'LOCAL', user: 'SRV-01\\admin' }),
        winEvent('rdp_session', 'security', 'Security', '4778', 'SRV-01', { src_ip: 'LOCAL', user: 'SRV-01\\admin' }),
      ]),
    ).toBe(0);
  });
});

describe('hopscope-explicit-credentials-remote', () => {
  const id = 'hopscope-explicit-credentials-remote';
  it('4648 toward another server by a user process', () => {
    expect(hits(id, [explicit('WKS-01.corp.local', 'SRV-01.corp.local', 'C:\\Windows\\System32\\net.exe')])).toBe(1);
    expect(hits(id, [explicit('WKS-01', 'srv-01', 'C:\\Tools\\PsExec64.exe')])).toBe(1);
    expect(hits(id, [explicit('WKS-01', '10.0.0.20', 'C:\\Python27\\python.exe')])).toBe(1);
  });
  it('near misses: localhost, the logging host itself, Windows processes, no target', () => {
    expect(
      hits(id, [
        explicit('WKS-01', 'localhost', 'C:\\Windows\\System32\\svchost.exe', 'WKS-01\\admin', 'WKS-01$'),
        explicit('WKS-01', 'localhost', 'C:\\Windows\\System32\\runas.exe'),
        explicit('WKS-01.corp.local', 'WKS-01', 'C:\\Windows\\System32\\mmc.exe'),
        explicit('WKS-01', 'wks-01.corp.local', 'C:\\Windows\\explorer.exe'),
        explicit('WKS-01', 'SRV-01.corp.local', 'C:\\Windows\\System32\\lsass.exe', 'CORP\\svc_backup', 'WKS-01$'),
        explicit('WKS-01', 'DC01.corp.local', 'C:\\Windows\\System32\\svchost.exe', 'CORP\\jdoe', 'WKS-01$'),
        explicit('WKS-01', 'localhost', 'C:\\Windows\\System32\\winlogon.exe', 'CORP\\jdoe', 'WKS-01$'),
        explicit('WKS-01', 'SRV-01', 'C:\\Windows\\System32\\consent.exe'),
        explicit('WKS-01', 'SRV-01', 'C:\\Windows\\System32\\services.exe'),
        explicit('WKS-01', '-', 'C:\\Windows\\System32\\net.exe'),
        logon('SRV-01', '3', '10.0.0.12'),
      ]),
    ).toBe(0);
  });
});

describe('hopscope-psexec-renamed: PSEXESVC.exe counts only as a service', () => {
  const id = 'hopscope-psexec-renamed';
  const psexesvc = (parent: string) =>
    sysmon1({ time: '2021-05-02T10:11:12.100Z', host: 'SRV-01', user: 'NT AUTHORITY\\SYSTEM', image: 'C:\\Windows\\PSEXESVC.exe', cmd: 'C:\\Windows\\PSEXESVC.exe', parentImage: parent });
  it('started by services.exe', () => expect(hits(id, [psexesvc('C:\\Windows\\System32\\services.exe')])).toBe(1));
  it('near miss: run by hand from explorer or cmd', () => {
    expect(hits(id, [psexesvc('C:\\Windows\\explorer.exe'), psexesvc('C:\\Windows\\System32\\cmd.exe')])).toBe(0);
  });
});

// Real-shaped regressions: Windows event XML as exported from the captures in ../shared/data/evtx-corpus (values
// copied from them), read by the real ingest path, so the mappers' field names and '-' handling are exercised too.
const xe = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
let xmlRecord = 0;
function xmlEvent(provider: string, channel: string, code: string, host: string, data: Record<string, string>, userData = false): string {
  xmlRecord++;
  const body = Object.entries(data);
  const payload = userData
    ? `  <UserData>\n    <EventXML xmlns="Event_NS">\n${body.map(([k, v]) => (v === '' ? `      <${k}/>\n` : `      <${k}>${xe(v)}</${k}>\n`)).join('')}    </EventXML>\n  </UserData>\n`
    : `  <EventData>\n${body.map(([k, v]) => (v === '' ? `    <Data Name="${k}"/>\n` : `    <Data Name="${k}">${xe(v)}</Data>\n`)).join('')}  </EventData>\n`;
  return (
    `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">\n  <System>\n    <Provider Name="${provider}"/>\n` +
    `    <EventID>${code}</EventID>\n    <Version>0</Version>\n    <TimeCreated SystemTime="2021-10-08T12:57:${String(xmlRecord % 60).padStart(2, '0')}.763576100Z"/>\n` +
    `    <EventRecordID>${xmlRecord}</EventRecordID>\n    <Channel>${channel}</Channel>\n    <Computer>${host}</Computer>\n  </System>\n${payload}</Event>\n`
  );
}
function ingestXml(events: string[]): CanonicalEvent[] {
  const res = ingestText(`<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${events.join('')}</Events>\n`, { evidence: 0, fileName: 'capture.xml' });
  expect(res.events).toHaveLength(events.length);
  return res.events;
}
const SEC = ['Microsoft-Windows-Security-Auditing', 'Security'] as const;
const SCM = ['Service Control Manager', 'System'] as const;
const sec4648 = (host: string, subj: [string, string], target: [string, string], server: string, pid: string, proc: string, ip = '-', port = '-') =>
  xmlEvent(...SEC, '4648', host, {
    SubjectUserSid: 'S-1-5-18', SubjectUserName: subj[1], SubjectDomainName: subj[0], SubjectLogonId: '0x00000000000003e7',
    TargetUserName: target[1], TargetDomainName: target[0], TargetServerName: server, TargetInfo: server,
    ProcessId: pid, ProcessName: proc, IpAddress: ip, IpPort: port,
  });
const sys7045 = (host: string, name: string, path: string, account = 'LocalSystem') =>
  xmlEvent(...SCM, '7045', host, { ServiceName: name, ImagePath: path, ServiceType: 'user mode service', StartType: 'demand start', AccountName: account });
const sec4697 = (host: string, name: string, path: string) =>
  xmlEvent(...SEC, '4697', host, {
    SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x5a1d4b2', ServiceName: name, ServiceFileName: path,
    ServiceType: '0x10', ServiceStartType: '3', ServiceAccount: 'LocalSystem',
  });
const RCM = ['Microsoft-Windows-TerminalServices-RemoteConnectionManager', 'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational'] as const;
const LSM = ['Microsoft-Windows-TerminalServices-LocalSessionManager', 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'] as const;

describe('real-shaped: hopscope-explicit-credentials-remote', () => {
  const id = 'hopscope-explicit-credentials-remote';
  it('the kernel SMB client (no process name, pid 4) toward a remote server counts, and the message names it', () => {
    // dc482603 (SystemNightmare): net use-style connection to a remote print server with another account.
    const events = ingestXml([sec4648('fs01.offsec.lan', ['OFFSEC', 'admmig'], ['OFFSEC', 'gentilguest'], 'printnightmare.gentilkiwi.com', '0x0000000000000004', '', '20.188.56.147', '445')]);
    const res = rule(id).run(createMemorySource(events));
    expect(res.error).toBeUndefined();
    expect(res.rows.length).toBe(1);
    expect(res.rowFields?.get(res.rows[0]!)?.via).toBe('System: the kernel\'s SMB client');
  });
  it('a user process toward a remote server counts, with its path in the message', () => {
    const events = ingestXml([sec4648('WKS-01.corp.local', ['CORP', 'jdoe'], ['CORP', 'admin'], 'SRV-01.corp.local', '0x1a2c', 'C:\\Windows\\System32\\net.exe')]);
    const res = rule(id).run(createMemorySource(events));
    expect(res.rows.length).toBe(1);
    expect(res.rowFields?.get(res.rows[0]!)?.via).toBe('C:\\Windows\\System32\\net.exe');
  });
  it("near misses from the corpus: Windows' own logons (winlogon DWM/UMFD, wininit, consent, lsass), sshd and RunasCs to localhost", () => {
    const events = ingestXml([
      // a496b36f test/fixtures/Security.evtx, 961fd79b security_bad_string_cache.evtx
      sec4648('NIKOLAISMETBD82', ['WORKGROUP', 'NIKOLAISMETBD82$'], ['Window Manager', 'DWM-1'], 'localhost', '0x2cc', 'C:\\Windows\\System32\\winlogon.exe'),
      sec4648('NIKOLAISMETBD82', ['WORKGROUP', 'NIKOLAISMETBD82$'], ['Font Driver Host', 'UMFD-0'], 'localhost', '0x264', 'C:\\Windows\\System32\\wininit.exe'),
      sec4648('WIN-03DLIIOFRRA', ['WORKGROUP', 'WIN-03DLIIOFRRA$'], ['WIN-03DLIIOFRRA', 'archir'], 'localhost', '0xd4c', 'C:\\Windows\\System32\\consent.exe', '::1', '0'),
      sec4648('WIN-03DLIIOFRRA', ['WORKGROUP', 'WIN-03DLIIOFRRA$'], ['WIN-03DLIIOFRRA', 'fsir'], 'localhost', '0x224', 'C:\\Windows\\System32\\lsass.exe'),
      sec4648('NIKOLAISMETBD82', ['WORKGROUP', 'NIKOLAISMETBD82$'], ['NIKOLAISMETBD82', 'nikolai.smetannikov'], 'localhost', '0x3a8', 'C:\\Windows\\System32\\svchost.exe', '127.0.0.1', '0'),
      // 2fd1f31b / 9a13e4df (OpenSSH brute force), cd63c4a6 (RunasCs)
      sec4648('fs01.offsec.lan', ['OFFSEC', 'FS01$'], ['VIRTUAL USERS', 'sshd_4332'], 'localhost', '0x10e4', 'C:\\Program Files\\OpenSSH-Win64\\sshd.exe'),
      sec4648('FS03.offsec.lan', ['OFFSEC', 'admmig'], ['OFFSEC', 'test10'], 'localhost', '0x1b58', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'),
      // the same host by its own name, a loopback address other than 127.0.0.1, Windows' own process toward a DC
      sec4648('FS03.offsec.lan', ['OFFSEC', 'admmig'], ['OFFSEC', 'test10'], 'fs03', '0x1b58', 'C:\\Windows\\System32\\mmc.exe'),
      sec4648('FS03.offsec.lan', ['OFFSEC', 'admmig'], ['OFFSEC', 'test10'], '127.0.0.2', '0x1b58', 'C:\\Tools\\tool.exe'),
      sec4648('FS03.offsec.lan', ['OFFSEC', 'FS03$'], ['OFFSEC', 'svc_sql'], 'rootdc1.offsec.lan', '0x224', 'C:\\Windows\\System32\\lsass.exe'),
    ]);
    expect(hits(id, events)).toBe(0);
  });
});

describe('real-shaped: hopscope-rdp-remote-logon', () => {
  const id = 'hopscope-rdp-remote-logon';
  it('1149 (48a36237), 4778 (ac4eff4c, RDP hijack), LocalSessionManager 21 and 4624 type 10 from another machine', () => {
    const events = ingestXml([
      xmlEvent(...RCM, '1149', 'rootdc1.offsec.lan', { Param1: 'admmig', Param2: '', Param3: '10.23.123.11' }, true),
      xmlEvent(...SEC, '4778', 'fs01.offsec.lan', { AccountName: 'admmarsid', AccountDomain: 'OFFSEC', LogonID: '0x000000000006a423', SessionName: 'RDP-Tcp#5', ClientName: 'JUMP01', ClientAddress: '10.23.23.9' }),
      xmlEvent(...LSM, '21', 'fs01.offsec.lan', { User: 'OFFSEC\\admmarsid', SessionID: '2', Address: '10.23.23.9' }, true),
      xmlEvent(...SEC, '4624', 'fs01.offsec.lan', { TargetUserName: 'admmarsid', TargetDomainName: 'OFFSEC', TargetLogonId: '0x6a423', LogonType: '10', WorkstationName: 'JUMP01', IpAddress: '10.23.23.9', IpPort: '0', ProcessName: 'C:\\Windows\\System32\\svchost.exe', ProcessId: '0x3a8' }),
    ]);
    expect(hits(id, events)).toBe(4);
  });
  it('near misses: console and fast-user-switching reconnects (LOCAL), loopback 127.x, 4624 type 10 with "-", a network logon, another channel\'s event 21', () => {
    const events = ingestXml([
      xmlEvent(...SEC, '4778', 'fs01.offsec.lan', { AccountName: 'admmarsid', AccountDomain: 'OFFSEC', LogonID: '0x6a423', SessionName: 'Console', ClientName: 'Unknown', ClientAddress: 'LOCAL' }),
      xmlEvent(...LSM, '25', 'fs01.offsec.lan', { User: 'OFFSEC\\admmarsid', SessionID: '1', Address: 'LOCAL' }, true),
      xmlEvent(...RCM, '1149', 'fs01.offsec.lan', { Param1: 'admmig', Param2: 'OFFSEC', Param3: '127.0.0.2' }, true),
      xmlEvent(...SEC, '4624', 'fs01.offsec.lan', { TargetUserName: 'admmarsid', TargetDomainName: 'OFFSEC', TargetLogonId: '0x6a423', LogonType: '10', WorkstationName: '-', IpAddress: '-', IpPort: '-' }),
      xmlEvent(...SEC, '4624', 'fs01.offsec.lan', { TargetUserName: 'admmarsid', TargetDomainName: 'OFFSEC', TargetLogonId: '0x6a423', LogonType: '3', WorkstationName: 'JUMP01', IpAddress: '10.23.23.9', IpPort: '51234' }),
      xmlEvent('Microsoft-Windows-RemoteDesktopServices-RdpCoreTS', 'Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational', '21', 'fs01.offsec.lan', { Address: '10.23.23.9' }),
    ]);
    expect(hits(id, events)).toBe(0);
  });
});

describe('real-shaped: service installs', () => {
  it('PsExec (psexec_target_4688) and Impacket psexec.py (random 4-letter service, 8-letter binary in C:\\Windows)', () => {
    const events = ingestXml([
      sec4697('srvdefender01.offsec.lan', 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
      sys7045('srvdefender01.offsec.lan', 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
      sys7045('fs01.offsec.lan', 'YcLx', 'C:\\Windows\\sOzTwkhQ.exe'),
      sec4697('fs01.offsec.lan', 'YcLx', 'C:\\Windows\\sOzTwkhQ.exe'),
      sys7045('fs01.offsec.lan', 'abcd', '%systemroot%\\AbCdEfGh.exe'),
    ]);
    expect(hits('hopscope-psexec-service-install', events)).toBe(5);
  });
  it('near misses from the corpus: drivers, Defender, products, RDP-hijack and Empire services, 4-letter names elsewhere', () => {
    const events = ingestXml([
      // c81b03d0 / 7c665376 / 6edfe6da / c8ad382b / 570d79a5 / otrf-empire-psexec-negative
      sys7045('NIKOLAI-BSDBOH4', 'prl_memdev', '\\SystemRoot\\System32\\drivers\\prl_memdev.sys', ''),
      sys7045('DESKTOP-1N4R894', 'MpKslfbbd78dc', 'C:\\ProgramData\\Microsoft\\Windows Defender\\Definition Updates\\{974FB328-EA38-4C43-B298-8157FD612F07}\\MpKslfbbd78dc.sys', ''),
      sys7045('DESKTOP-2KGM189', 'SysmonDrv', 'C:\\Windows\\SysmonDrv.sys', ''),
      sys7045('DESKTOP-2KGM189', 'Sysmon', 'C:\\Windows\\Sysmon.exe'),
      sys7045('DESKTOP-2KGM189', 'VMware Tools', '"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe"'),
      sys7045('jump01.offsec.lan', 'WCESERVICE', 'D:\\Service\\test.exe'),
      sys7045('jump01.offsec.lan', 'mimikatz driver (mimidrv)', 'C:\\TOOLS\\Security_tool\\Mimikatz-fev-2020\\mimidrv.sys', ''),
      sec4697('fs01.offsec.lan', 'hijackservice', 'cmd.exe /k tscon 2 /dest:rdp-tcp#5'),
      sys7045('WORKSTATION6.theshire.local', 'Updater', '%COMSPEC% /C start /b C:\\Windows\\System32\\WindowsPowershell\\v1.0\\powershell -noP -sta -w 1 -enc  SQBmACgAJABQAFMAVgBFAHIA'),
      sys7045('fs01.offsec.lan', 'Fax', 'C:\\Windows\\system32\\fxssvc.exe'),
      sys7045('fs01.offsec.lan', 'abcd', 'C:\\Windows\\abcdefg.exe'),
      sys7045('fs01.offsec.lan', 'abcd', 'C:\\Program Files\\Tool\\abcdefgh.exe'),
      sys7045('fs01.offsec.lan', 'abcde', 'C:\\Windows\\abcdefgh.exe'),
    ]);
    expect(hits('hopscope-psexec-service-install', events)).toBe(0);
    expect(hits('hopscope-smbexec-service-install', events)).toBe(0);
  });
  it('smbexec (7045 ImagePath as Impacket writes it, host-name share)', () => {
    const events = ingestXml([
      sys7045('DC01.corp.local', 'BTOBTO', '%COMSPEC% /Q /c echo cd  ^> \\\\DC01\\C$\\__output 2^>^&1 > %SYSTEMROOT%\\iZkJpWbA.bat & %COMSPEC% /Q /c %SYSTEMROOT%\\iZkJpWbA.bat & del %SYSTEMROOT%\\iZkJpWbA.bat'),
    ]);
    expect(hits('hopscope-smbexec-service-install', events)).toBe(1);
    expect(hits('hopscope-psexec-service-install', events)).toBe(0);
  });
});
