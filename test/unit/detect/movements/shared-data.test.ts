// Movements on real public captures (../shared/data and its evtx-corpus), through the CLI scan the analyst runs:
// every lateral-movement capture gives its method on the right target, from the right address, as the right account;
// captures of other techniques that hold the same event kinds (network logons, share access, service installs, tasks,
// 4648, local PsExec) give none. Skipped when ../shared is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../../..');
const DATA = resolve(root, '../shared/data');
const CORPUS = join(DATA, 'evtx-corpus');
const cli = join(root, 'dist', 'host', 'cli.js');

interface ReportMovement {
  method: string;
  source: string | null;
  source_ip: string | null;
  source_resolved_by: string | null;
  target: string;
  account: string | null;
  seen_from: string;
  missing: string[];
  steps: Array<{ role: string }>;
}

function movements(file: string): ReportMovement[] {
  const r = spawnSync(process.execPath, [cli, 'scan', '--format', 'json', '--out', '-', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`scan exited ${r.status}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { movements?: ReportMovement[] }).movements ?? [];
}
const line = (m: ReportMovement): string => `${m.method} ${m.source ?? '?'} (${m.source_ip ?? '-'}) -> ${m.target} as ${m.account ?? '?'} [${m.seen_from}]`;

/** Corpus file of a MANIFEST path. */
function corpusFile(path: string): string {
  const rows = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').split('\n').map((l) => l.split('\t'));
  const row = rows.find((r) => r[3] === path);
  if (!row) throw new Error(`not in MANIFEST.tsv: ${path}`);
  return join(CORPUS, row[0]!);
}

const mde = (f: string) => join(DATA, 'mdecrevoisier-impacket-psexec', f);

describe.skipIf(!existsSync(DATA))('movements on ../shared/data', () => {
  it.each([
    [mde('psexec_target_4688.evtx'), ['psexec WEC01 (10.23.42.22) -> srvdefender01.offsec.lan as OFFSEC.LAN\\admmig [target]']],
    [mde('atexec_4688_global.evtx'), ['atexec ? (10.23.123.11) -> fs01.offsec.lan as OFFSEC\\admmig [target]']],
    [mde('dcomexec_4688.evtx'), ['dcomexec ? (10.23.123.11) -> srvdefender01.offsec.lan as OFFSEC\\admmig [target]']],
    [mde('wmiexec_4688_global.evtx'), ['wmiexec ? (10.23.123.11) -> srvdefender01.offsec.lan as OFFSEC\\admmig [target]']],
    [mde('smbexec_sysmon1_child.evtx'), ['smbexec ? (-) -> fs02.offsec.lan as ? [target]']],
    [join(DATA, 'evtxattack-impacket-wmiexec', 'LM_wmiexec_impacket_sysmon_whoami.evtx'), ['wmiexec ? (-) -> IEWIN7 as IEWIN7\\IEUser [target]']],
    [join(DATA, 'evtxattack-impacket-dcomexec-mmc', 'LM_impacket_docmexec_mmc_sysmon_01.evtx'), ['dcomexec ? (-) -> IEWIN7 as IEWIN7\\IEUser [target]']],
    [join(DATA, 'otrf-empire-psexec-negative', 'empire_psexec_dcerpc_tcp_svcctl_2020-09-20121608.json'), ['remote-service WORKSTATION5.theshire.local (172.18.39.5) -> WORKSTATION6.theshire.local as THESHIRE.LOCAL\\pgustavo [target]']],
  ])('%s: the movement', (file, expected) => {
    const ms = movements(file);
    expect(ms.map(line)).toEqual(expected);
    expect(ms.every((m) => m.steps.length > 0)).toBe(true);
  });

  it('wmiexec in 4688 v1 (no parent, the child in NETWORK SERVICE\'s session): the target and method from the command alone', () => {
    const ms = movements(mde('wmiexec_4688_noparent.evtx'));
    expect(ms.map((m) => [m.method, m.target])).toEqual([['wmiexec', 'fs03vuln.offsec.lan']]);
    expect(ms[0]!.missing).toEqual(['logon']);
  });

  it.each([
    // PsExec run against the host itself (-s for SYSTEM): its service, pipes and child are all local.
    [mde('psexec64_as_system_sysmon.evtx')],
    [join(DATA, 'otrf-psexec-accepteula', 'cmd_psexec_lsa_secrets_dump_2020-10-1903305471.json')],
    // 511 process creations of Atomic Red Team tests, procdump -accepteula among them.
    [join(DATA, 'evtxattack-art-background', 'PanacheSysmon_vs_AtomicRedTeam01.evtx')],
  ])('%s: no movement', (file) => {
    expect(movements(file).map(line)).toEqual([]);
  });
});

describe.skipIf(!existsSync(join(CORPUS, 'MANIFEST.tsv')))('movements on the EVTX corpus', () => {
  it('RDP logins to eleven hosts from one address within 3 s (TerminalServices 1149): one rdp movement each', () => {
    const ms = movements(corpusFile('TA0001-Initial access/T1078-Valid accounts/ID1149-RDP success logins to multiple hosts.evtx'));
    expect(ms).toHaveLength(11);
    expect(new Set(ms.map((m) => m.method))).toEqual(new Set(['rdp']));
    expect(new Set(ms.map((m) => m.source_ip))).toEqual(new Set(['10.23.123.11']));
    expect(new Set(ms.map((m) => m.target)).size).toBe(11);
    expect(ms.map((m) => m.target)).toContain('rootdc1.offsec.lan');
  });

  it('mass remote service creation over svcctl (5145 only): one remote-service movement from its address', () => {
    const ms = movements(corpusFile('TA0002-Execution/T1569.002-Service execution/ID5145-service massive remote creation via named pipe - Tchopper.evtx'));
    expect(ms.map(line)).toEqual(['remote-service ? (10.23.23.9) -> FS03.offsec.lan as OFFSEC\\admmig [target]']);
  });

  it('Metasploit psexec_psh service (4697 only): remote-service onto the host, the logon reported missing', () => {
    const ms = movements(corpusFile('TA0002-Execution/T1059.001-PowerShell/ID4688-Encoded PowerShell MSF payload via process execution.evtx'));
    expect(ms.map((m) => [m.method, m.target, m.missing])).toEqual([['remote-service', 'srvdefender01.offsec.lan', ['logon']]]);
  });

  it('a remote schtasks /s from the source\'s own logs: a source-side remote-task to the named host', () => {
    const ms = movements(corpusFile('TA0002-Execution/T1053.005-Scheduled Task/ID4688-Scheduled task creation.evtx'));
    expect(ms.map(line)).toEqual(['remote-task jump01.offsec.lan (-) -> fs02 as OFFSEC\\lambda-user [source]']);
  });

  it.each([
    'TA0003-Persistence/T1543.003-Create or Modify System Process-Windows Service/ID4688-4697 RDP hijack via service creation.evtx',
    'TA0003-Persistence/T1543.003-Create or Modify System Process-Windows Service/ID4697-New service for Mimikatz.evtx',
    'TA0003-Persistence/T1543.003-Create or Modify System Process-Windows Service/ID7045-New service for Mimikatz +npcap.evtx',
    'TA0003-Persistence/T1543.003-Create or Modify System Process-Windows Service/ID7045-Random service installation.evtx',
    'TA0002-Execution/T1053.005-Scheduled Task/ID4688-4698 Persistent scheduled task with SYSTEM privileges creation.evtx',
    'EVTX_full_APT_attack_steps/ID4720,4698-Fortinet APT group abuse on Windows.evtx',
    'TA0004-Privilege Escalation/T1134-Access Token Manipulation/ID4648-4624-RunAsCS login.evtx',
    'TA0004-Privilege Escalation/T1134-Access Token Manipulation/ID4688,4624-RottenPotatoNG.evtx',
    'TA0004-Privilege Escalation/T1574-DLL side-loading/ID4688,6416,4648-SystemNightMare.evtx',
    'TA0006-Credential Access/T1558-Steal or Forge Kerberos Tickets/ID4624-Success login with Golden ticket.evtx',
    'TA0007-Discovery/T1069-Permission Groups Discovery/ID4799-4624-Local admin group enumerated by SharpHound.evtx',
    'TA0007-Discovery/T1135.xxx-Network Share Discovery/ID5140-5145-Bloodhound-SharpHound enumeration via SMB.evtx',
    'TA0007-Discovery/T1135.xxx-Network Share Discovery/ID5140-Failed ADMIN$ share access.evtx',
    'TA0007-Discovery/T1018-Remote System Discovery/ID5145-DNS hosts files access via network share.evtx',
    'TA0007-Discovery/T1046-Network Service Scanning/ID4624-Anonymous login with domain specified (DonPapi).evtx',
    'TA0006-Credential Access/T1557-Man in the middle/ID5145-Print spooler bug abuse.evtx',
  ])('%s: logons, shares, services or tasks, but no movement', (path) => {
    expect(movements(corpusFile(path)).map(line)).toEqual([]);
  });
});
