import { describe, expect, it } from 'vitest';
import { findLateralLinks, findRemoteReferences, NO_TARGET_EVENT } from '../../../engine/detect/links.ts';
import { detect } from '../../../engine/detect/run.ts';
import type { CanonicalEvent } from '../../../engine/model/fields.ts';
import { createMemorySource } from '../../../engine/store/memory-view.ts';
import { ev } from './fixtures.ts';

const WS5 = 'WORKSTATION5.theshire.local';
const WS6 = 'WORKSTATION6.theshire.local';
const T0 = '2024-05-01T08:00:00Z';
const at = (offsetSec: number) => new Date(Date.parse(T0) + offsetSec * 1000).toISOString();

const background = [
  ev(at(-600), { dest: WS6, process_name: 'svchost.exe', parent_process_name: 'services.exe', process: 'svchost.exe -k netsvcs' }),
  ev(at(-500), { dest: WS5, process_name: 'explorer.exe', parent_process_name: 'userinit.exe', process: 'explorer.exe' }),
];

function attacker(cmd: string, offsetSec = 0): CanonicalEvent {
  return ev(at(offsetSec), { dest: WS5, user: 'THESHIRE\\pgustavo', process_name: 'cmd.exe', parent_process_name: 'cmd.exe', process: cmd });
}
function onTarget(offsetSec: number, process_name: string, parent_process_name: string, extra: Record<string, string> = {}): CanonicalEvent {
  return ev(at(offsetSec), { dest: WS6, process_name, parent_process_name, process: process_name, ...extra });
}

function linksOf(list: CanonicalEvent[]) {
  const all = [...background, ...list].sort((a, b) => a.timeMs - b.timeMs);
  const source = createMemorySource(all);
  const links = findLateralLinks(source);
  const plain = findLateralLinks(createMemorySource(all, [1, 2], { dictionary: false }));
  expect(JSON.stringify(plain)).toBe(JSON.stringify(links));
  const proc = (row: number) => (row < 0 ? null : all[row]!.fields.process);
  return links.map((l) => ({ kind: l.kind, from: proc(l.fromRow), to: proc(l.toRow), fromHost: l.fromHost, toHost: l.toHost, evidence: l.evidence, dt: l.toTimeMs - l.fromTimeMs, target: l.targetSide }));
}
/** The links that found a target-side event. */
const landed = (list: CanonicalEvent[]) => linksOf(list).filter((l) => l.target !== NO_TARGET_EVENT);

describe('findRemoteReferences', () => {
  it.each([
    ['PsExec64.exe -accepteula \\\\WORKSTATION6 cmd.exe', 'psexec', 'WORKSTATION6'],
    ['"C:\\Tools\\psexec.exe" \\\\ws6.corp.local -s cmd', 'psexec', 'ws6.corp.local'],
    ['wmic /node:WORKSTATION6 process call create "cmd.exe /c whoami"', 'wmic-node', 'WORKSTATION6'],
    ['wmic /node:"workstation6.theshire.local" process call create calc', 'wmic-node', 'workstation6.theshire.local'],
    ['cmd /c copy evil.exe \\\\WORKSTATION6\\ADMIN$\\evil.exe', 'admin-share', 'WORKSTATION6'],
    ['net use \\\\WORKSTATION6\\C$ /user:x', 'admin-share', 'WORKSTATION6'],
    ['sc.exe \\\\WORKSTATION6 create evil binPath= c:\\evil.exe', 'remote-service', 'WORKSTATION6'],
    ['C:\\Windows\\system32\\sc \\\\WORKSTATION6 start evil', 'remote-service', 'WORKSTATION6'],
    ['sc \\\\fs02\\ create evil binPath= c:\\evil.exe', 'remote-service', 'fs02'],
    ['sc.exe "\\\\fs02\\" config evil start= auto', 'remote-service', 'fs02'],
    ['schtasks /create /s WORKSTATION6 /tn x /tr calc /sc once /st 00:00', 'remote-schtask', 'WORKSTATION6'],
    ['powershell -c Enter-PSSession -ComputerName WORKSTATION6', 'powershell-remoting', 'WORKSTATION6'],
    ['powershell Invoke-Command -ComputerName "WORKSTATION6" -ScriptBlock {whoami}', 'powershell-remoting', 'WORKSTATION6'],
    ['powershell Invoke-WmiMethod -ComputerName WORKSTATION6 -Class Win32_Process -Name Create', 'wmi-powershell', 'WORKSTATION6'],
    ['winrs -r:http://WORKSTATION6:5985 cmd', 'winrs', 'WORKSTATION6'],
    ['winrs /remote:WORKSTATION6 ipconfig', 'winrs', 'WORKSTATION6'],
    ['reg query \\\\WORKSTATION6\\HKLM\\Software', 'remote-registry', 'WORKSTATION6'],
  ])('%s -> %s %s', (cmd, kind, target) => {
    const refs = findRemoteReferences(cmd);
    expect(refs[0]).toMatchObject({ kind, target });
  });

  it('ignores ordinary command lines and non-admin UNC paths', () => {
    expect(findRemoteReferences('notepad.exe C:\\Users\\x\\notes.txt')).toEqual([]);
    expect(findRemoteReferences('explorer.exe \\\\fileserver\\public\\report.docx')).toEqual([]);
    expect(findRemoteReferences('schtasks /create /sc once /tn x')).toEqual([]);
  });

  it('sc with a trailing backslash after the host: a service on that host, not a path; hostile input stays linear', () => {
    expect(findRemoteReferences('sc \\\\fs02\\ query evil').map((r) => [r.kind, r.target])).toEqual([['remote-service', 'fs02']]);
    // \\fs02\share is a UNC path, not a service control target
    expect(findRemoteReferences('sc \\\\fs02\\share create x').map((r) => r.kind)).not.toContain('remote-service');
    const hostile = 'sc ' + '\\\\a\\'.repeat(50_000) + ' ' + 'sc \\\\' + 'a'.repeat(200_000) + '\\\\';
    const t0 = Date.now();
    findRemoteReferences(hostile);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('reports each target once, most specific kind first', () => {
    const refs = findRemoteReferences('psexec \\\\WS6 -c \\\\WS6\\C$\\x.exe & copy a \\\\WS7\\ADMIN$\\a');
    expect(refs.map((r) => [r.kind, r.target])).toEqual([
      ['psexec', 'WS6'],
      ['admin-share', 'WS7'],
    ]);
  });
});

describe('findLateralLinks on a two-host case', () => {
  it('never links a technique to an unrelated kind of follow-up (psexec, then only a WmiPrvSE child)', () => {
    const links = linksOf([
      attacker('PsExec.exe \\\\WORKSTATION6 -s ipconfig', 0),
      onTarget(40, 'cmd.exe', 'WmiPrvSE.exe', { process: 'cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1 2>&1' }),
    ]);
    expect(links.map((l) => [l.to, l.dt, l.target])).toEqual([[null, 0, NO_TARGET_EVENT]]);
  });

  it('lands psexec on PSEXESVC, not on the next (unrelated) event of the target host', () => {
    const links = linksOf([
      attacker('PsExec.exe \\\\WORKSTATION6 -s ipconfig', 0),
      onTarget(1, 'svchost.exe', 'services.exe', { process: 'C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s BITS' }),
      onTarget(2, 'notepad.exe', 'explorer.exe'),
      onTarget(6, 'PSEXESVC.exe', 'services.exe'),
    ]);
    expect(links.map((l) => [l.to, l.dt, l.target])).toEqual([['PSEXESVC.exe', 6000, 'PSEXESVC start']]);
  });

  it('ends on the lane with "no target-side event found" when only unrelated events follow', () => {
    const links = linksOf([
      attacker('PsExec.exe \\\\WORKSTATION6 -s ipconfig', 0),
      onTarget(1, 'svchost.exe', 'services.exe', { process: 'C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s BITS' }),
    ]);
    expect(links).toEqual([
      { kind: 'psexec', from: 'PsExec.exe \\\\WORKSTATION6 -s ipconfig', to: null, fromHost: WS5, toHost: WS6, evidence: '\\\\WORKSTATION6', dt: 0, target: NO_TARGET_EVENT },
    ]);
  });

  // Event kinds (logons, share accesses, service installs) come with issue 13's store kind column.
  const other = (offsetSec: number, kind: string, original: Record<string, string>): CanonicalEvent => ({ ...ev(at(offsetSec), { dest: WS6 }, original), kind }) as CanonicalEvent;
  const kindsStored = createMemorySource([other(0, 'logon', {})]).views[0]!.column('event_kind')?.get(0) === 'logon';
  it.runIf(kindsStored)('takes a service install, a share access or a network logon by the same account when no process start is implied', () => {
    const logon = other(1, 'logon', { logon_type: '3', user: 'pgustavo', src: 'WORKSTATION5' });
    const otherLogon = other(0.5, 'logon', { logon_type: '3', user: 'someone.else', src: 'WORKSTATION9' });
    const interactive = other(0.7, 'logon', { logon_type: '2', user: 'pgustavo' });
    const share = other(2, 'share_access', { user: 'THESHIRE\\pgustavo', share_name: '\\\\*\\ADMIN$' });
    const install = other(3, 'service_install', { service_name: 'evil', service_path: 'c:\\evil.exe' });
    const rows = (l: ReturnType<typeof linksOf>) => l.map((x) => [x.kind, x.dt, x.target]);
    expect(rows(linksOf([attacker('copy evil.exe \\\\WORKSTATION6\\ADMIN$\\evil.exe'), otherLogon, interactive, logon]))).toEqual([['admin-share', 1000, 'network logon']]);
    expect(rows(linksOf([attacker('copy evil.exe \\\\WORKSTATION6\\ADMIN$\\evil.exe'), logon, share]))).toEqual([['admin-share', 2000, 'share access']]);
    expect(rows(linksOf([attacker('sc \\\\WORKSTATION6 create evil binPath= c:\\evil.exe'), logon, install]))).toEqual([['remote-service', 3000, 'service install']]);
    expect(rows(linksOf([attacker('sc \\\\WORKSTATION6 create evil binPath= c:\\evil.exe'), logon, install, onTarget(4, 'evil.exe', 'services.exe')]))).toEqual([
      ['remote-service', 4000, 'service start'],
    ]);
  });

  it('links psexec \\\\HOST (short name) to PSEXESVC on the FQDN host', () => {
    const links = linksOf([
      onTarget(-60, 'svchost.exe', 'services.exe'),
      attacker('PsExec64.exe -accepteula \\\\WORKSTATION6 cmd.exe'),
      onTarget(2, 'PSEXESVC.exe', 'services.exe'),
      onTarget(3, 'cmd.exe', 'PSEXESVC.exe'),
    ]);
    expect(links).toEqual([
      { kind: 'psexec', from: 'PsExec64.exe -accepteula \\\\WORKSTATION6 cmd.exe', to: 'PSEXESVC.exe', fromHost: WS5, toHost: WS6, evidence: '\\\\WORKSTATION6', dt: 2000, target: 'PSEXESVC start' },
    ]);
  });

  it('links wmic /node:"FQDN" to a WmiPrvSE child, preferring it over an earlier services child', () => {
    const links = linksOf([
      attacker('wmic /node:"workstation6.theshire.local" process call create "cmd.exe /c whoami"'),
      onTarget(1, 'conhost.exe', 'services.exe'),
      onTarget(4, 'cmd.exe', 'WmiPrvSE.exe', { process: 'cmd.exe /c whoami' }),
    ]);
    expect(links.map((l) => [l.kind, l.to, l.dt])).toEqual([['wmic-node', 'cmd.exe /c whoami', 4000]]);
  });

  it('links admin shares, remote services, scheduled tasks, WinRM', () => {
    expect(linksOf([attacker('copy evil.exe \\\\WORKSTATION6\\ADMIN$\\evil.exe'), onTarget(10, 'evil.exe', 'services.exe')]).map((l) => l.kind)).toEqual(['admin-share']);
    expect(linksOf([attacker('sc \\\\WORKSTATION6 create evil binPath= c:\\evil.exe'), onTarget(5, 'evil.exe', 'services.exe')]).map((l) => l.kind)).toEqual(['remote-service']);
    expect(
      linksOf([
        attacker('schtasks /create /s WORKSTATION6 /tn x /tr calc /sc once /st 00:00'),
        onTarget(30, 'calc.exe', 'svchost.exe', { parent_process: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule' }),
      ]).map((l) => l.kind),
    ).toEqual(['remote-schtask']);
    expect(linksOf([attacker('powershell Enter-PSSession -ComputerName WORKSTATION6'), onTarget(2, 'whoami.exe', 'wsmprovhost.exe')]).map((l) => l.kind)).toEqual(['powershell-remoting']);
    expect(linksOf([attacker('winrs -r:workstation6 ipconfig'), onTarget(1, 'ipconfig.exe', 'winrshost.exe')]).map((l) => l.kind)).toEqual(['winrs']);
  });

  it('allows a small clock skew before, nothing outside the window', () => {
    expect(landed([attacker('psexec \\\\WORKSTATION6 cmd'), onTarget(-3, 'PSEXESVC.exe', 'services.exe')]).map((l) => l.dt)).toEqual([-3000]);
    expect(landed([attacker('psexec \\\\WORKSTATION6 cmd'), onTarget(-30, 'PSEXESVC.exe', 'services.exe')])).toEqual([]);
    expect(landed([attacker('psexec \\\\WORKSTATION6 cmd'), onTarget(121, 'PSEXESVC.exe', 'services.exe')])).toEqual([]);
    const custom = findLateralLinks(
      createMemorySource([attacker('psexec \\\\WORKSTATION6 cmd'), onTarget(121, 'PSEXESVC.exe', 'services.exe')]),
      { windowAfterMs: 200_000 },
    );
    expect(custom.map((l) => l.targetSide)).toEqual(['PSEXESVC start']);
  });

  it('ignores self references, loopback and hosts outside the case, and targets without follow-up', () => {
    expect(
      linksOf([
        attacker('cmd.exe /Q /c cd 1> \\\\127.0.0.1\\ADMIN$\\__1 2>&1'),
        attacker('copy x \\\\WORKSTATION5\\C$\\x', 1),
        attacker('copy x \\\\FILESERVER\\C$\\x', 2),
        onTarget(5, 'x.exe', 'services.exe'),
        ev(at(6), { dest: WS5, process_name: 'x.exe', parent_process_name: 'services.exe', process: 'x.exe' }),
      ]),
    ).toEqual([]);
    expect(landed([attacker('psexec \\\\WORKSTATION6 cmd'), onTarget(5, 'notepad.exe', 'explorer.exe')])).toEqual([]);
  });

  it('does not match different domains with the same short name', () => {
    expect(linksOf([attacker('psexec \\\\workstation6.other.local cmd'), onTarget(2, 'PSEXESVC.exe', 'services.exe')])).toEqual([]);
  });

  it('is part of detect() output', () => {
    const source = createMemorySource([attacker('psexec \\\\WORKSTATION6 cmd'), onTarget(2, 'PSEXESVC.exe', 'services.exe')]);
    const res = detect(source, []);
    expect(res.links.map((l) => [l.id, l.fromRow, l.toRow])).toEqual([['psexec|0|1', 0, 1]]);
    expect(detect(source, [], { links: false }).links).toEqual([]);
  });
});
