// Who moved where (issue 14): each method from the events its target (and source) writes, and the benign near misses
// real captures hold, which must give no movement: a network logon alone, share enumeration, a local service or
// task, PSEXESVC not started by the service manager, `psexec -s` on the host itself, RDP from the console, 4648 by
// Windows' own processes. A movement missed and one claimed where there was none are both failures.

import { describe, expect, it } from 'vitest';
import { buildEpisodes, buildPaths, isRemoteAddress, psexecSourceName, winrmTarget } from '../../../../engine/detect/movements/build.ts';
import type { Movement } from '../../../../engine/detect/movements/types.ts';
import type { Finding } from '../../../../engine/detect/types.ts';
import {
  explicit4648, logon4624, ms, movementsOf, win, rdp1149, rdp21, service7045, share5140, share5145, summary, sysmon1, sysmon17, sysmon3, task4698,
} from './fixtures.ts';

const SRV = 'srvdefender01.offsec.lan';
const WKS = 'wks01.offsec.lan';
const IP = '10.23.42.22';
const SYS32 = 'C:\\Windows\\System32\\';

/** PsExec onto SRV as the target logs it: network logon, IPC$ pipes, ADMIN$ copy, service install, service start. */
const psexecTarget = (ws = 'WKS01'): string[] => [
  logon4624(SRV, 2.0, { type: '3', ip: IP, ws, id: '0x1375fbd' }),
  share5140(SRV, 2.1, { share: 'ADMIN$', ip: IP, id: '0x1375fbd' }),
  share5145(SRV, 2.2, { share: 'ADMIN$', target: 'PSEXESVC.exe', ip: IP, id: '0x1375fbd' }),
  share5145(SRV, 2.3, { share: 'IPC$', target: 'svcctl', ip: IP, id: '0x1375fbd' }),
  service7045(SRV, 2.4, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
  sysmon1(SRV, 2.5, { image: 'C:\\Windows\\PSEXESVC.exe', cmd: 'C:\\Windows\\PSEXESVC.exe', parent: SYS32 + 'services.exe', user: 'NT AUTHORITY\\SYSTEM' }),
  sysmon17(SRV, 2.6, '\\PSEXESVC-WKS01-4012-stdin', 'C:\\Windows\\PSEXESVC.exe'),
  sysmon1(SRV, 2.7, { image: SYS32 + 'cmd.exe', cmd: 'cmd.exe', parent: 'C:\\Windows\\PSEXESVC.exe', user: 'OFFSEC\\admmig', logonId: '0x1376020' }),
];

function only(ms: Movement[]): Movement {
  expect(ms).toHaveLength(1);
  return ms[0]!;
}

describe('PsExec', () => {
  it('target side: one movement from the logon\'s workstation and address, as its account, every step in order', () => {
    const r = movementsOf(psexecTarget());
    const m = only(r.movements);
    expect(m).toMatchObject({ method: 'psexec', source: 'WKS01', sourceIp: IP, target: SRV, account: 'OFFSEC\\admmig', logonId: '0x1375fbd', seenFrom: 'target', missing: [] });
    expect(m.source_attribution).toMatchObject({ host: 'WKS01', ip: IP, resolvedBy: 'workstation-name' });
    expect(m.steps.map((s) => s.role)).toEqual(['logon', 'share', 'share', 'service-install', 'process', 'pipe', 'process']);
    expect(m.steps.map((s) => s.timeMs)).toEqual([...m.steps.map((s) => s.timeMs)].sort((a, b) => a - b));
    expect(m.firstMs).toBe(ms(2.0));
    expect(m.explanation).toContain('psexec onto srvdefender01.offsec.lan from WKS01 (10.23.42.22) as OFFSEC\\admmig');
    expect(m.id).toBe(`mv|psexec|${SRV}|${ms(2.0)}|0`);
  });

  it('both sides: the source\'s PsExec command naming the target joins the target\'s half; the source is that host', () => {
    const r = movementsOf([
      sysmon1(WKS, 1.5, { image: 'C:\\Tools\\PsExec64.exe', cmd: 'PsExec64.exe \\\\srvdefender01 -accepteula -s cmd.exe', parent: SYS32 + 'cmd.exe', user: 'OFFSEC\\jdoe', logonId: '0x2b1c3' }),
      ...psexecTarget(),
    ]);
    const m = only(r.movements);
    expect(m).toMatchObject({ method: 'psexec', source: WKS, target: SRV, seenFrom: 'both', sourceOnly: false });
    expect(m.steps[0]).toMatchObject({ role: 'naming-command', host: WKS });
  });

  it('a source naming the target with another tool does not join: psexec \\\\SRV on WKS does not explain a wmiexec on SRV', () => {
    const r = movementsOf([
      sysmon1(WKS, 1, { image: 'C:\\Tools\\PsExec.exe', cmd: 'PsExec.exe \\\\srvdefender01 cmd', parent: SYS32 + 'cmd.exe', logonId: '0x2b1c3' }),
      sysmon1(SRV, 60, { image: SYS32 + 'cmd.exe', cmd: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1556656371.53 2>&1', parent: SYS32 + 'wbem\\WmiPrvSE.exe', logonId: '0x4d1e2' }),
    ]);
    expect(r.movements.map((m) => [m.method, m.seenFrom])).toEqual([['psexec', 'source'], ['wmiexec', 'target']]);
  });

  it('source side alone: the target\'s logs are not in the case, nothing is reported missing, the target is the named host', () => {
    const r = movementsOf([sysmon1(WKS, 1, { image: 'C:\\Tools\\PsExec.exe', cmd: 'PsExec.exe \\\\FS02 -u OFFSEC\\admmig -p x cmd', parent: SYS32 + 'cmd.exe', logonId: '0x2b1c3' })]);
    expect(summary(r)).toEqual([`psexec ${WKS} (-) -> FS02 as OFFSEC\\admmig [source]`]);
    expect(r.movements[0]!.missing).toEqual([]);
  });

  it('PsExec writes its source into its pipe names: the source when no logon names it; its own name makes it local', () => {
    const r = movementsOf([
      service7045(SRV, 1, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
      sysmon17(SRV, 1.2, '\\PSEXESVC-WKS01-4012-stdin', 'C:\\Windows\\PSEXESVC.exe'),
    ]);
    expect(only(r.movements)).toMatchObject({ method: 'psexec', source: 'WKS01', source_attribution: { resolvedBy: 'pipe-name', host: 'WKS01' } });
    // OTRF's psexec -accepteula -s capture: pipes PSEXESVC-WORKSTATION5-7256-std* on WORKSTATION5 itself.
    const local = movementsOf([
      sysmon17('WORKSTATION5.theshire.local', 1.2, '\\PSEXESVC-WORKSTATION5-7256-stdin', 'C:\\Windows\\PSEXESVC.exe'),
      share5145('WORKSTATION5.theshire.local', 1.1, { share: 'IPC$', target: 'PSEXESVC-WORKSTATION5-7256-stdout', ip: '10.0.0.9', id: '0x77' }),
    ]);
    expect(local.movements).toEqual([]);
    expect(psexecSourceName('PAExec-4012-WKS-07')).toBe('WKS-07');
    expect(psexecSourceName('\\PSEXESVC-WKS01-4012-stderr')).toBe('WKS01');
    expect(psexecSourceName('PSEXESVC')).toBeNull();
    expect(psexecSourceName('PSEXESVC-<script>-1-stdin')).toBeNull();
  });

  it('near miss: PSEXESVC.exe not started by the service manager is not PsExec', () => {
    const r = movementsOf([
      sysmon1(SRV, 1, { image: 'C:\\Users\\bob\\Downloads\\PSEXESVC.exe', cmd: 'PSEXESVC.exe', parent: 'C:\\Windows\\explorer.exe', user: 'OFFSEC\\bob', logonId: '0x5c1d2' }),
    ]);
    expect(r.movements).toEqual([]);
  });

  it('near miss: `psexec -s cmd` on the host itself installs and starts PSEXESVC locally: no movement', () => {
    const r = movementsOf([
      sysmon1(SRV, 1.0, { image: 'C:\\Tools\\PsExec64.exe', cmd: 'PsExec64.exe -accepteula -s -i cmd.exe', parent: SYS32 + 'cmd.exe', logonId: '0x5c1d2' }),
      service7045(SRV, 1.2, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
      sysmon1(SRV, 1.3, { image: 'C:\\Windows\\PSEXESVC.exe', cmd: 'C:\\Windows\\PSEXESVC.exe', parent: SYS32 + 'services.exe', user: 'NT AUTHORITY\\SYSTEM' }),
      sysmon1(SRV, 1.5, { image: SYS32 + 'cmd.exe', cmd: 'cmd.exe', parent: 'C:\\Windows\\PSEXESVC.exe', user: 'NT AUTHORITY\\SYSTEM' }),
    ]);
    expect(r.movements).toEqual([]);
  });

  it('`psexec \\\\localhost` names no other host: local too', () => {
    const r = movementsOf([
      sysmon1(SRV, 1.0, { image: 'C:\\Tools\\PsExec.exe', cmd: 'PsExec.exe \\\\localhost -s cmd.exe', parent: SYS32 + 'cmd.exe', logonId: '0x5c1d2' }),
      service7045(SRV, 1.2, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
    ]);
    expect(r.movements).toEqual([]);
  });
});

describe('Impacket and WMI', () => {
  it('wmiexec: a cmd.exe child of WmiPrvSE in the session of a network logon, writing to ADMIN$\\__<time>', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: '10.0.2.17', ws: '-', user: 'Administrator', domain: 'IEWIN7', id: '0x4d1e2' }),
      sysmon1(SRV, 2, { image: SYS32 + 'cmd.exe', cmd: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1556656371.53 2>&1', parent: SYS32 + 'wbem\\WmiPrvSE.exe', user: 'IEWIN7\\Administrator', logonId: '0x4d1e2' }),
    ]);
    const m = only(r.movements);
    expect(m).toMatchObject({ method: 'wmiexec', source: null, sourceIp: '10.0.2.17', target: SRV, account: 'IEWIN7\\Administrator', missing: [] });
    expect(m.source_attribution.resolvedBy).toBeNull();
  });

  it('a movement\'s logon with the pass-the-hash signature (NTLM through NtLmSsp, key length 0) says so in its step', () => {
    const xml = (keyLength: string) => [
      logon4624(SRV, 1, { type: '3', ip: '10.0.2.17', ws: '-', id: '0x4d1e2', keyLength }),
      sysmon1(SRV, 2, { image: SYS32 + 'cmd.exe', cmd: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1556656371.53 2>&1', parent: SYS32 + 'wbem\\WmiPrvSE.exe', logonId: '0x4d1e2' }),
    ];
    expect(only(movementsOf(xml('0')).movements).steps[0]!.summary).toContain('pass-the-hash signature');
    expect(only(movementsOf(xml('128')).movements).steps[0]!.summary).not.toContain('pass-the-hash');
  });

  it('near miss: a WmiPrvSE child in a local session (SCCM, inventory scripts) is not a movement', () => {
    const r = movementsOf([
      logon4624(SRV, 0.5, { type: '5', ip: '-', user: 'SYSTEM', domain: 'NT AUTHORITY', id: '0x3e7' }),
      sysmon1(SRV, 1, { image: SYS32 + 'WindowsPowerShell\\v1.0\\powershell.exe', cmd: 'powershell.exe -NoProfile -Command Get-HotFix', parent: SYS32 + 'wbem\\WmiPrvSE.exe', user: 'NT AUTHORITY\\SYSTEM', logonId: '0x3e7' }),
    ]);
    expect(r.movements).toEqual([]);
  });

  it('wmiexec where 4688 v1 names no parent: its ADMIN$\\__<time> output redirection is the signature', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: '10.23.123.11', ws: '-', id: '0x189f3b' }),
      win('Security', 'Microsoft-Windows-Security-Auditing', 4688, 2, SRV, {
        SubjectUserSid: 'S-1-5-21-1', SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x189f3b', NewProcessId: '0xd58',
        NewProcessName: SYS32 + 'cmd.exe', TokenElevationType: '%%1936', ProcessId: '0x9c4', CommandLine: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1619425227.894209 2>&1',
      }),
    ]);
    expect(summary(r)).toEqual([`wmiexec ? (10.23.123.11) -> ${SRV} as OFFSEC\\admmig [target]`]);
  });

  it('wmiexec in Security 4688 v2: the child runs in TargetLogonId (NULL target SID), the caller\'s network logon', () => {
    // mdecrevoisier's "WMIexec execution via SMB (GLOBAL)" record: Subject is WmiPrvSE's NETWORK SERVICE session.
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: '10.23.123.11', ws: '-', id: '0x0000000004da32af' }),
      win('Security', 'Microsoft-Windows-Security-Auditing', 4688, 2, SRV, {
        SubjectUserSid: 'S-1-5-20', SubjectUserName: 'SRVDEFENDER01$', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x00000000000003e4', NewProcessId: '0xd58',
        NewProcessName: SYS32 + 'cmd.exe', ProcessId: '0x9c4', CommandLine: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1619425227.894209 2>&1',
        TargetUserSid: 'S-1-0-0', TargetUserName: 'admmig', TargetDomainName: 'OFFSEC', TargetLogonId: '0x0000000004da32af', ParentProcessName: SYS32 + 'wbem\\WmiPrvSE.exe',
      }),
    ]);
    expect(only(r.movements)).toMatchObject({ method: 'wmiexec', sourceIp: '10.23.123.11', account: 'OFFSEC\\admmig', logonId: '0x4da32af', missing: [] });
  });

  it('DCOM in Sysmon alone: a DCOM server (mshta -Embedding, LethalHTA) activated right after an RPC connection from another address', () => {
    const mshta = (sec: number) => sysmon1(SRV, sec, { image: SYS32 + 'mshta.exe', cmd: 'C:\\Windows\\System32\\mshta.exe -Embedding', parent: SYS32 + 'svchost.exe', parentCmd: 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p', user: 'OFFSEC\\admmig', logonId: '0x5a1' });
    const rpc = (sec: number, ip: string) => sysmon3(SRV, sec, { image: SYS32 + 'svchost.exe', srcIp: ip, destIp: '10.23.42.38', destPort: '135', initiated: false });
    expect(summary(movementsOf([rpc(1, IP), mshta(2)]))).toEqual([`dcomexec ? (${IP}) -> ${SRV} as OFFSEC\\admmig [target]`]);
    // No RPC connection before it, or one from loopback: an HTA opened on the host itself.
    expect(movementsOf([mshta(2)]).movements).toEqual([]);
    expect(movementsOf([rpc(1, '127.0.0.1'), mshta(2)]).movements).toEqual([]);
    expect(movementsOf([rpc(1, IP), mshta(60)]).movements).toEqual([]);
  });

  it('dcomexec writes its output the same way: the DCOM server parent (mmc.exe) names the method', () => {
    const r = movementsOf([
      sysmon1('IEWIN7', 2, { image: SYS32 + 'cmd.exe', cmd: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1557244231.21 2>&1', parent: SYS32 + 'mmc.exe', parentCmd: SYS32 + 'mmc.exe -Embedding', user: 'IEWIN7\\IEUser', logonId: '0x4a1b2' }),
    ]);
    expect(summary(r)).toEqual(['dcomexec ? (-) -> IEWIN7 as IEWIN7\\IEUser [target]']);
  });

  it('dcomexec: mmc.exe -Embedding started by the DCOM launcher in a network logon\'s session (4688 TargetLogonId)', () => {
    const mmc = (id: string) => win('Security', 'Microsoft-Windows-Security-Auditing', 4688, 2, SRV, {
      SubjectUserSid: 'S-1-5-18', SubjectUserName: 'SRVDEFENDER01$', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x3e7', NewProcessId: '0x1f4c',
      NewProcessName: SYS32 + 'mmc.exe', ProcessId: '0x3a0', CommandLine: SYS32 + 'mmc.exe -Embedding', TargetUserSid: 'S-1-5-21-4230534742-2542757381-3142984815-1111',
      TargetUserName: 'admmig', TargetDomainName: 'OFFSEC', TargetLogonId: id, ParentProcessName: SYS32 + 'svchost.exe',
    });
    const r = movementsOf([logon4624(SRV, 1, { type: '3', ip: '10.23.123.11', ws: '-', id: '0x542957e' }), mmc('0x542957e')]);
    expect(summary(r)).toEqual([`dcomexec ? (10.23.123.11) -> ${SRV} as OFFSEC\\admmig [target]`]);
    // The analyst opening an MMC snap-in at the console: an interactive session, not a movement.
    const local = movementsOf([logon4624(SRV, 1, { type: '2', ip: '127.0.0.1', ws: 'SRVDEFENDER01', id: '0x61a2' }), mmc('0x61a2')]);
    expect(local.movements).toEqual([]);
  });

  it('smbexec: the service whose binary is `%COMSPEC% /Q /c echo ... \\\\127.0.0.1\\C$\\__output` is remote by itself', () => {
    const r = movementsOf([service7045(SRV, 1, 'BTOBTO', '%COMSPEC% /Q /c echo cd  ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > %TEMP%\\execute.bat & %COMSPEC% /Q /c %TEMP%\\execute.bat & del %TEMP%\\execute.bat')]);
    const m = only(r.movements);
    expect(m).toMatchObject({ method: 'smbexec', target: SRV, missing: ['logon'] });
  });

  it('atexec: a task running cmd /C ... > %windir%\\Temp\\<name>.tmp 2>&1, registered in a network logon\'s session', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: IP, ws: 'WKS01', id: '0x5a419bc' }),
      task4698(SRV, 2, { name: '\\bouWFQYO', command: 'cmd.exe', args: '/C whoami > %windir%\\Temp\\bouWFQYO.tmp 2>&1', id: '0x5a419bc' }),
    ]);
    expect(summary(r)).toEqual([`atexec WKS01 (${IP}) -> ${SRV} as OFFSEC\\admmig [target]`]);
  });

  it('near miss: a task registered by the console user (interactive session) is local', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '2', ip: '127.0.0.1', ws: 'SRVDEFENDER01', id: '0x7c1a0' }),
      task4698(SRV, 2, { name: '\\Backup nightly', command: 'C:\\Tools\\backup.exe', args: '/full', id: '0x7c1a0' }),
    ]);
    expect(r.movements).toEqual([]);
  });

  it('remote-task: a plain task registered from a network logon', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: IP, ws: 'WKS01', id: '0x6b2' }),
      task4698(SRV, 2, { name: '\\Updater', command: 'C:\\Users\\Public\\upd.exe', args: '', id: '0x6b2' }),
    ]);
    expect(summary(r)).toEqual([`remote-task WKS01 (${IP}) -> ${SRV} as OFFSEC\\admmig [target]`]);
  });
});

describe('services, shares and logons', () => {
  it('remote-service: svcctl opened over IPC$ from another address, the service installed right after', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: IP, ws: 'WKS01', id: '0x91' }),
      share5145(SRV, 1.1, { share: 'IPC$', target: 'svcctl', ip: IP, id: '0x91' }),
      service7045(SRV, 1.3, 'UpdSvc', 'C:\\Windows\\Temp\\upd.exe'),
    ]);
    const m = only(r.movements);
    expect(m).toMatchObject({ method: 'remote-service', source: 'WKS01', account: 'OFFSEC\\admmig' });
    expect(m.missing).toEqual(['service-install']); // 7045 has no logon id, and a plain service is not remote by itself
  });

  it('a shell-command service right after a network logon from another address is remote (Metasploit psexec)', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: IP, ws: '-', id: '0x92' }),
      service7045(SRV, 3, 'fKsaGvhX', '%COMSPEC% /b /c start /b /min powershell.exe -nop -w hidden -noni -c "IEX ..."'),
    ]);
    const m = only(r.movements);
    expect(m).toMatchObject({ method: 'remote-service', sourceIp: IP, target: SRV, missing: [] });
  });

  it('near miss: a shell-command service with no remote logon just before it is local persistence (RDP hijack via sc create)', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: IP, ws: '-', id: '0x92' }),
      service7045(SRV, 60, 'hijackservice', 'cmd.exe /k tscon 2 /dest:rdp-tcp#5'),
      service7045(SRV, 90, 'AtomicService', 'cmd.exe /c C:\\AtomicRedTeam\\payload.bat'),
    ]);
    expect(r.movements).toEqual([]);
  });

  it('services only remote-exec tools install are remote without a logon: Metasploit psexec_psh, Cobalt Strike jump psexec', () => {
    // The 4697 of mdecrevoisier's "Encoded PowerShell MSF payload" capture (payload shortened); its log has no 4624.
    const msf = movementsOf([
      win('Security', 'Microsoft-Windows-Security-Auditing', 4697, 1, SRV, {
        SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x0000000001659379', ServiceName: 'iOWamcEn',
        ServiceFileName: '%COMSPEC% /b /c start /b /min powershell.exe -nop -w hidden -noni -c "if([IntPtr]::Size -eq 4){$b=\'powershell.exe\'}"',
        ServiceType: '0x10', ServiceStartType: '3', ServiceAccount: 'LocalSystem',
      }),
    ]);
    expect(summary(msf)).toEqual([`remote-service ? (-) -> ${SRV} as OFFSEC\\admmig [target]`]);
    expect(msf.movements[0]!.missing).toEqual(['logon']);
    const cs = movementsOf([service7045(SRV, 1, 'a1b2c3d', '\\\\127.0.0.1\\ADMIN$\\a1b2c3d.exe')]);
    expect(summary(cs)).toHaveLength(1);
  });

  it('near miss: a network logon alone, share enumeration and a driver install are not movements', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: IP, ws: 'WKS01', id: '0x93' }),
      share5140(SRV, 1.1, { share: 'IPC$', ip: IP, id: '0x93' }),
      share5145(SRV, 1.2, { share: 'IPC$', target: 'srvsvc', ip: IP, id: '0x93' }),
      share5145(SRV, 1.3, { share: 'IPC$', target: 'lsarpc', ip: IP, id: '0x93' }),
      share5145(SRV, 1.4, { share: 'SYSVOL', target: 'offsec.lan\\Policies\\gpt.ini', ip: IP, id: '0x93', access: '%%4416' }),
      service7045(SRV, 30, 'VBoxGuest', 'System32\\DRIVERS\\VBoxGuest.sys'),
    ]);
    expect(r.movements).toEqual([]);
  });

  it('svcctl from loopback (a local tool talking to the service manager) is not remote', () => {
    const r = movementsOf([share5145(SRV, 1, { share: 'IPC$', target: 'svcctl', ip: '127.0.0.1', id: '0x94' })]);
    expect(r.movements).toEqual([]);
  });

  it('admin-share-copy: an executable written to ADMIN$ from another address; reading one is not', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: IP, ws: 'WKS01', id: '0x95' }),
      share5145(SRV, 2, { share: 'ADMIN$', target: 'Temp\\beacon.exe', ip: IP, id: '0x95', access: '%%1537 %%1538 %%4417' }),
    ]);
    expect(only(r.movements)).toMatchObject({ method: 'admin-share-copy', source: 'WKS01', missing: [] });
    const read = movementsOf([share5145(SRV, 2, { share: 'C$', target: 'Users\\Public\\report.docx', ip: IP, id: '0x96', access: '%%1538 %%4416' })]);
    expect(read.movements).toEqual([]);
  });
});

describe('Remote Desktop', () => {
  it('4624 type 10 and TerminalServices 1149 / 21 from another address: one rdp movement', () => {
    const r = movementsOf([
      rdp1149(SRV, 1, '10.23.123.11'),
      logon4624(SRV, 2, { type: '10', ip: '10.23.123.11', ws: 'JUMP01', id: '0x4a2f' }),
      rdp21(SRV, 3, '10.23.123.11'),
    ]);
    const m = only(r.movements);
    expect(m).toMatchObject({ method: 'rdp', source: 'JUMP01', sourceIp: '10.23.123.11', target: SRV, missing: [] });
  });

  it('near miss: RDP from the console (LOCAL), loopback or "-" is not a movement', () => {
    const r = movementsOf([
      rdp21(SRV, 1, 'LOCAL'),
      logon4624(SRV, 2, { type: '10', ip: '127.0.0.1', ws: 'SRVDEFENDER01', id: '0x4a30' }),
      rdp1149(SRV, 3, '-'),
      logon4624(SRV, 4, { type: '2', ip: '-', id: '0x4a31' }),
    ]);
    expect(r.movements).toEqual([]);
  });
});

describe('WinRM, Remote Desktop clients, files arriving over SMB', () => {
  const winrm = (host: string, sec: number, id: number, data: Record<string, string>) =>
    win('Microsoft-Windows-WinRM/Operational', 'Microsoft-Windows-WinRM', id, sec, host, data, { userId: 'S-1-5-21-4230534742-2542757381-3142984815-1111' });

  it('PowerShell remoting: the client\'s WinRM 6 names the server; the server\'s WinRM 91 and wsmprovhost join it, with the one network logon before', () => {
    const r = movementsOf([
      winrm(WKS, 1, 6, { connection: 'srvdefender01.offsec.lan/wsman?PSVersion=5.1.17763.1' }),
      logon4624(SRV, 1.5, { type: '3', ip: IP, ws: '-', id: '0x7a1', auth: 'Kerberos' }),
      winrm(SRV, 2, 91, { resourceUri: 'http://schemas.microsoft.com/powershell/Microsoft.PowerShell', shellId: '{6A1B}' }),
      sysmon1(SRV, 2.2, { image: SYS32 + 'wsmprovhost.exe', cmd: 'C:\\Windows\\system32\\wsmprovhost.exe -Embedding', parent: SYS32 + 'svchost.exe' }),
      sysmon1(SRV, 3, { image: SYS32 + 'whoami.exe', cmd: '"C:\\Windows\\system32\\whoami.exe"', parent: SYS32 + 'wsmprovhost.exe' }),
    ]);
    const m = only(r.movements);
    expect(m).toMatchObject({ method: 'winrm', source: WKS, sourceIp: IP, target: SRV, seenFrom: 'both', missing: [] });
    expect(m.steps.map((st) => st.role)).toEqual(['naming-command', 'logon', 'winrm', 'process', 'process']);
  });

  it('wsmprovhost in a Sysmon-only capture is remote by itself; a busy server\'s logons from two addresses are not guessed at', () => {
    const r = movementsOf([
      logon4624(SRV, 1, { type: '3', ip: IP, ws: '-', id: '0x7a2' }),
      logon4624(SRV, 1.2, { type: '3', ip: '10.23.42.99', ws: '-', id: '0x7a3' }),
      sysmon1(SRV, 2, { image: SYS32 + 'wsmprovhost.exe', cmd: 'C:\\Windows\\system32\\wsmprovhost.exe -Embedding', parent: SYS32 + 'svchost.exe' }),
    ]);
    expect(summary(r)).toEqual([`winrm ? (-) -> ${SRV} as OFFSEC\\admmig [target]`]);
  });

  it('Remote Desktop clients: ClientActiveXCore 1024 and mstsc /v: name the server from the source', () => {
    const r = movementsOf([
      win('Microsoft-Windows-TerminalServices-RDPClient/Operational', 'Microsoft-Windows-TerminalServices-ClientActiveXCore', 1024, 1, WKS, { Name: 'Server Name', Value: 'fs02.offsec.lan' }, { userId: 'S-1-5-21-1' }),
      sysmon1(WKS, 600, { image: SYS32 + 'mstsc.exe', cmd: 'mstsc.exe /v:dc01.offsec.lan /admin', parent: 'C:\\Windows\\explorer.exe', user: 'OFFSEC\\jdoe' }),
      sysmon1(WKS, 900, { image: SYS32 + 'mstsc.exe', cmd: 'mstsc.exe /v:localhost', parent: 'C:\\Windows\\explorer.exe' }),
    ]);
    expect(r.movements.map((m) => [m.method, m.target, m.seenFrom])).toEqual([['rdp', 'fs02.offsec.lan', 'source'], ['rdp', 'dc01.offsec.lan', 'source']]);
  });

  it('PSEXESVC.exe written by System (the SMB server) is PsExec arriving; its name can carry the source', () => {
    const file11 = (host: string, path: string) =>
      win('Microsoft-Windows-Sysmon/Operational', 'Microsoft-Windows-Sysmon', 11, 1, host, { RuleName: '-', UtcTime: '2021-04-21 09:40:31.000', ProcessGuid: '{A57649D1-0000-0000-0000-000000000004}', ProcessId: '4', Image: 'System', TargetFilename: path, CreationUtcTime: '2021-04-21 09:40:31.000' }, { userId: 'S-1-5-18' });
    const r = movementsOf([file11(SRV, 'C:\\Windows\\PSEXESVC.exe')]);
    expect(only(r.movements)).toMatchObject({ method: 'psexec', target: SRV });
    // Written by another process (an installer unpacking Sysinternals) it is nothing.
    const other = movementsOf([win('Microsoft-Windows-Sysmon/Operational', 'Microsoft-Windows-Sysmon', 11, 1, SRV, { ProcessId: '812', Image: 'C:\\Tools\\7z.exe', TargetFilename: 'C:\\Tools\\PSEXESVC.exe' })]);
    expect(other.movements).toEqual([]);
  });

  it('an inbound WinRM connection (Sysmon 3 to 5985, accepted by System) from another address is winrm; outbound or loopback is not', () => {
    const r = movementsOf([
      sysmon3(SRV, 1, { image: 'System', srcIp: IP, destIp: '10.23.42.38', destPort: '5985', initiated: false }),
      sysmon3(SRV, 400, { image: 'System', srcIp: '127.0.0.1', destIp: '127.0.0.1', destPort: '5985', initiated: false }),
      sysmon3(SRV, 800, { image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', srcIp: '10.23.42.38', destIp: IP, destPort: '5985' }),
    ]);
    expect(summary(r)).toEqual([`winrm ? (${IP}) -> ${SRV} as ? [target]`]);
  });

  it('PsExec with a renamed service (-r) still writes its <name>-<source>-<pid>-std* pipes', () => {
    const r = movementsOf([share5145(SRV, 1, { share: 'IPC$', target: 'updsvc-WKS01-5120-stdin', ip: IP, id: '0x81' })]);
    expect(only(r.movements)).toMatchObject({ method: 'psexec', source: 'WKS01', sourceIp: IP, source_attribution: { resolvedBy: 'pipe-name' } });
    expect(psexecSourceName('updsvc-WKS-01-5120-stdout')).toBe('WKS-01');
  });

  it('winrmTarget reads the host of WinRM connection strings', () => {
    expect(winrmTarget('srv-2.corp.local/wsman?PSVersion=5.1.17763.1')).toBe('srv-2.corp.local');
    expect(winrmTarget('http://10.0.0.5:5985/wsman')).toBe('10.0.0.5');
    expect(winrmTarget('https://[2001:db8::5]:5986/wsman')).toBe('2001:db8::5');
    expect(winrmTarget('garbage')).toBeNull();
  });
});

describe('explicit credentials and source attribution', () => {
  it('4648 by a user tool naming another server: a source-side movement', () => {
    const r = movementsOf([explicit4648(WKS, 1, { server: 'fs02.offsec.lan', process: SYS32 + 'net.exe' })]);
    expect(summary(r)).toEqual([`explicit-credentials ${WKS} (-) -> fs02.offsec.lan as OFFSEC\\admmig [source]`]);
  });

  it('near miss: 4648 by Windows itself, to localhost or to the host itself', () => {
    const r = movementsOf([
      explicit4648(WKS, 1, { server: 'fs02.offsec.lan', process: SYS32 + 'svchost.exe' }),
      explicit4648(WKS, 2, { server: 'localhost', process: SYS32 + 'net.exe' }),
      explicit4648(WKS, 3, { server: 'WKS01', process: SYS32 + 'runas.exe' }),
      explicit4648(WKS, 4, { server: 'dc01.offsec.lan', process: SYS32 + 'lsass.exe' }),
      explicit4648(WKS, 5, { server: 'fs02.offsec.lan', process: '-' }),
    ]);
    expect(r.movements).toEqual([]);
  });

  it('an address with no workstation name resolves to the host whose Sysmon 3 connection came from it', () => {
    const r = movementsOf([
      sysmon3(WKS, 1.9, { image: 'C:\\Tools\\PsExec64.exe', srcIp: IP, destIp: '10.23.42.38', destPort: '445' }),
      ...psexecTarget('-'),
    ]);
    const m = only(r.movements);
    expect(m).toMatchObject({ source: WKS, sourceIp: IP, source_attribution: { resolvedBy: 'network-connection', host: WKS } });
    expect(m.sourceOnly).toBe(false);
  });

  it('the analyst\'s host table names an address no event resolves; a source with no events of its own is source-only', () => {
    const r = movementsOf(psexecTarget('-'), { hostTable: { [IP]: 'KIOSK-7' } });
    expect(only(r.movements)).toMatchObject({ source: 'KIOSK-7', source_attribution: { resolvedBy: 'host-table' }, sourceOnly: true });
  });

  it('isRemoteAddress: loopback, link-local, "-" and LOCAL are not remote; IPv4 and IPv6 addresses are', () => {
    for (const a of ['-', '', '127.0.0.1', '::1', 'LOCAL', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) expect(isRemoteAddress(a)).toBe(false);
    for (const a of ['10.0.0.5', '2001:db8::1', '::ffff:10.0.0.5']) expect(isRemoteAddress(a)).toBe(true);
    expect(isRemoteAddress(null)).toBe(false);
  });
});

describe('paths, episodes, findings', () => {
  it('WKS01 -> SRV, then SRV -> FS02 after it: one path carrying the accounts along', () => {
    const r = movementsOf([
      ...psexecTarget(),
      sysmon1(SRV, 10, { image: SYS32 + 'wbem\\WMIC.exe', cmd: 'wmic /node:FS02 process call create "cmd /c whoami"', parent: SYS32 + 'cmd.exe', user: 'OFFSEC\\svc_backup', logonId: '0x1376020' }),
    ]);
    expect(summary(r)).toEqual([`psexec WKS01 (${IP}) -> ${SRV} as OFFSEC\\admmig [target]`, `wmi ${SRV} (-) -> FS02 as OFFSEC\\svc_backup [source]`]);
    expect(r.paths).toHaveLength(1);
    expect(r.paths[0]).toMatchObject({ hosts: ['WKS01', SRV, 'FS02'], accounts: ['OFFSEC\\admmig', 'OFFSEC\\svc_backup'] });
    // The chain never runs backwards in time.
    expect(buildPaths([...r.movements].map((m, i) => (i === 1 ? { ...m, firstMs: ms(0) } : m)))).toEqual([]);
  });

  it('episodes: two rules on the same events are one episode; RBA sums both, the distinct score counts the events once', () => {
    const f = (id: string, rule: string, risk: number, rows: number[]): Finding => ({
      id, ruleId: rule, host: SRV, binStartMs: ms(1), binEndMs: ms(2), eventCount: rows.length, riskScore: risk, message: rule, techniques: [],
      events: rows.map((row) => ({ row, evidence: 0, record: row + 1, timeMs: ms(1) })),
    });
    const eps = buildEpisodes([f('a', 'seed-impacket', 64, [3, 4]), f('b', 'robust-impacket', 56, [3, 4]), f('c', 'other', 20, [9])]);
    expect(eps).toEqual([expect.objectContaining({ host: SRV, ruleIds: ['robust-impacket', 'seed-impacket'], findingIds: ['a', 'b'], eventCount: 2, riskSum: 120, riskDistinct: 64 })]);
    const partial = buildEpisodes([f('a', 'r1', 64, [3]), f('b', 'r2', 30, [3, 5])]);
    expect(partial[0]).toMatchObject({ riskSum: 94, riskDistinct: 94, eventCount: 2 });
  });

  it('a remote-exec finding on the target takes its method from the parent and gets the movement\'s source', () => {
    const xml = [
      logon4624(SRV, 1, { type: '3', ip: IP, ws: 'WKS01', id: '0x4d1e2' }),
      sysmon1(SRV, 2, { image: SYS32 + 'cmd.exe', cmd: 'cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1556656371.53 2>&1', parent: SYS32 + 'wbem\\WmiPrvSE.exe', logonId: '0x4d1e2' }),
    ];
    const finding: Finding = {
      id: `impacket-lateral-movement|${SRV}|${ms(2)}`, ruleId: 'impacket-lateral-movement', host: SRV, binStartMs: ms(2), binEndMs: ms(3), eventCount: 1, riskScore: 64,
      message: 'Impacket lateral movement (wmiexec/smbexec)', techniques: [], events: [{ row: 1, evidence: 0, record: 2, timeMs: ms(2) }],
    };
    const r = movementsOf(xml, {}, [finding]);
    const m = only(r.movements);
    expect(m).toMatchObject({ method: 'wmiexec', source: 'WKS01', findingIds: [finding.id] });
    expect(r.findingSources).toEqual({ [finding.id]: m.id });
  });

  it('deterministic: the same events give the same movements, ids and order', () => {
    const xml = [...psexecTarget(), rdp1149(WKS, 50, '10.23.123.11'), logon4624(WKS, 51, { type: '10', ip: '10.23.123.11', ws: 'JUMP01', id: '0x77' })];
    expect(JSON.stringify(movementsOf(xml))).toBe(JSON.stringify(movementsOf(xml)));
  });
});
