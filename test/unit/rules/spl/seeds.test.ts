// The three seed rules run as written, and Hopscope's robust variants, on events shaped like the real
// captures: positives, near misses, format gaps (4688), quoting and case variants, lineage through stats.

import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../../engine/model/fields.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import type { RuleRunResult } from '../../../../engine/rules/types.ts';
import { builtinPack, otrfSysmon1, rule, sec4688, sysmon1 } from './fixtures.ts';

function run(id: string, events: CanonicalEvent[], segments?: number[]): RuleRunResult {
  const res = rule(id).run(createMemorySource(events, segments));
  expect(res.error).toBeUndefined();
  return res;
}
const rows = (id: string, events: CanonicalEvent[], segments?: number[]) => [...run(id, events, segments).rows];

// ---- real-shaped events ----

const WMIPRVSE = 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe';
const wmiexec = (time: string, host = 'IEWIN7', pid = '3840') =>
  sysmon1({
    time,
    host,
    user: 'IEWIN7\\IEUser',
    image: 'C:\\Windows\\System32\\cmd.exe',
    cmd: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1556656369.7 2>&1',
    parentImage: WMIPRVSE,
    parentCmd: 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding',
    pid,
    ppid: '836',
  });
const whoamiChild = sysmon1({
  time: '2019-04-30T20:32:51.300Z',
  host: 'IEWIN7',
  user: 'IEWIN7\\IEUser',
  image: 'C:\\Windows\\System32\\whoami.exe',
  cmd: 'whoami  /all',
  parentImage: 'C:\\Windows\\System32\\cmd.exe',
  parentCmd: 'cmd.exe /Q /c whoami /all 1> \\\\127.0.0.1\\ADMIN$\\__1556656369.7 2>&1',
});
const dcomexec = (time: string) =>
  sysmon1({
    time,
    host: 'IEWIN7',
    user: 'IEWIN7\\IEUser',
    image: 'C:\\Windows\\System32\\cmd.exe',
    cmd: '"C:\\Windows\\System32\\cmd.exe" /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1556656511.61 2>&1',
    parentImage: 'C:\\Windows\\System32\\mmc.exe',
    parentCmd: '"C:\\Windows\\system32\\mmc.exe" -Embedding',
  });
const wmiexec4688 = (version: 1 | 2) =>
  sec4688(
    {
      time: '2021-04-26T08:25:37.258Z',
      host: 'srvdefender01.offsec.lan',
      user: 'OFFSEC\\SRVDEFENDER01$',
      image: 'C:\\Windows\\System32\\cmd.exe',
      cmd: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1619425227.894209 2>&1',
      parentImage: WMIPRVSE,
      pid: '3396',
      ppid: '2760',
    },
    version,
  );

const smbexecStage = (bat: string, share: string, opts: { host?: string; time?: string; upper?: boolean } = {}) => {
  let cmd = `C:\\Windows\\system32\\cmd.exe /Q /c echo cd  ^> ${share}\\C$\\__output 2^>^&1 > ${bat} & C:\\Windows\\system32\\cmd.exe /Q /c ${bat} & del ${bat}`;
  if (opts.upper) cmd = cmd.toUpperCase();
  return sysmon1({
    time: opts.time ?? '2021-05-02T10:11:12.100Z',
    host: opts.host ?? 'srvdefender01.offsec.lan',
    user: 'NT AUTHORITY\\SYSTEM',
    image: opts.upper ? 'C:\\WINDOWS\\SYSTEM32\\CMD.EXE' : 'C:\\Windows\\System32\\cmd.exe',
    cmd,
    parentImage: 'C:\\Windows\\System32\\services.exe',
    parentCmd: 'C:\\Windows\\system32\\services.exe',
  });
};
// smbexec_sysmon1_child: the first stage only appears as the parent command line.
const smbexecChild = sysmon1({
  time: '2021-12-01T09:00:00.500Z',
  host: 'srvdefender01.offsec.lan',
  user: 'NT AUTHORITY\\SYSTEM',
  image: 'C:\\Windows\\System32\\cmd.exe',
  cmd: 'C:\\Windows\\system32\\cmd.exe  /Q /c C:\\Windows\\TEMP\\execute.bat',
  parentImage: 'C:\\Windows\\System32\\cmd.exe',
  parentCmd:
    'C:\\Windows\\system32\\cmd.exe /Q /c echo cd  ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > C:\\Windows\\TEMP\\execute.bat & C:\\Windows\\system32\\cmd.exe /Q /c C:\\Windows\\TEMP\\execute.bat & del C:\\Windows\\TEMP\\execute.bat',
});

const psexecSpec = {
  time: '2020-10-19T07:30:46.251Z',
  host: 'WORKSTATION5',
  user: 'WORKSTATION5\\wardog',
  image: 'C:\\Users\\wardog\\Downloads\\PSTools\\PsExec.exe',
  cmd: 'PsExec.exe  -accepteula -s reg save HKLM\\security\\policy\\secrets C:\\Users\\wardog\\AppData\\Local\\Temp\\secrets',
  parentImage: 'C:\\Windows\\System32\\cmd.exe',
  parentCmd: '"C:\\windows\\system32\\cmd.exe" ',
  pid: '7256',
  ppid: '2128',
  originalFileName: 'psexec.c',
};
const procdumpViaCmd = sysmon1({
  time: '2019-07-19T15:11:26.000Z',
  host: 'MSEDGEWIN10',
  user: 'MSEDGEWIN10\\IEUser',
  image: 'C:\\Windows\\System32\\cmd.exe',
  cmd: '"C:\\Windows\\system32\\cmd.exe" /c "procdump.exe -accepteula -ma lsass.exe lsass_dump.dmp"',
  parentImage: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
});

describe('rule pack', () => {
  it('loads every built-in rule without issues, seeds marked as seeds', () => {
    const { rules, issues } = builtinPack();
    expect(issues).toEqual([]);
    expect(rules.map((r) => r.meta.id)).toEqual([
      'hopscope-admin-share-executable-write',
      'hopscope-explicit-credentials-remote',
      'hopscope-impacket-exec-robust',
      'hopscope-psexec-pipes',
      'hopscope-psexec-renamed',
      'hopscope-psexec-service-install',
      'hopscope-rdp-remote-logon',
      'hopscope-remote-task',
      'hopscope-smbexec-robust',
      'hopscope-smbexec-service-install',
      'impacket-lateral-movement-sysmon',
      'impacket-smbexec-commandline',
      'psexec-accepteula',
    ]);
    const smb = rule('impacket-smbexec-commandline').meta;
    expect(smb).toMatchObject({ riskScore: 63, impact: 90, confidence: 70, origin: 'seed', language: 'spl', techniques: ['T1021.002', 'T1021.003', 'T1047', 'T1543.003'] });
    expect(smb.messageTemplate).toBe('Suspicious command-line parameters on $dest$ may represent lateral movement using smbexec.');
    expect(rule('psexec-accepteula').meta).toMatchObject({ riskScore: 35, impact: 50, confidence: 70 });
    expect(rule('impacket-lateral-movement-sysmon').meta).toMatchObject({ riskScore: 56, techniques: ['T1021.002', 'T1210'] });
    expect(rule('hopscope-impacket-exec-robust').meta.origin).toBe('hopscope');
    expect(smb.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('seed 001 impacket-lateral-movement-sysmon', () => {
  it('finds the wmiexec cmd.exe events (WmiPrvSE parent) and not the whoami grandchild', () => {
    const events = [wmiexec('2019-04-30T20:32:49.100Z', 'IEWIN7', '3000'), wmiexec('2019-04-30T20:32:51.168Z'), wmiexec('2019-04-30T20:32:51.700Z', 'IEWIN7', '3900'), whoamiChild];
    // The first event is a second earlier: its own (host, second) row.
    expect(rows('impacket-lateral-movement-sysmon', events)).toEqual([0, 1, 2]);
  });

  it('carries lineage through table | bin | stats: one output row per (second, host) holds all its events', () => {
    const events = [wmiexec('2019-04-30T20:32:51.168Z', 'IEWIN7', '3840'), wmiexec('2019-04-30T20:32:51.700Z', 'IEWIN7', '3900'), wmiexec('2019-04-30T20:32:51.900Z', 'OTHERHOST', '11')];
    const res = run('impacket-lateral-movement-sysmon', events, [1, 2]);
    expect([...res.rows]).toEqual([0, 1, 2]);
    // Same second, different hosts: separate groups, each with its own host value.
    expect(res.rowFields?.get(0)?.['host']).toBe('IEWIN7');
    expect(res.rowFields?.get(1)?.['host']).toBe('IEWIN7');
    expect(res.rowFields?.get(2)?.['host']).toBe('OTHERHOST');
    expect(res.rowFields?.get(0)?.['_time']).toBe(String(Date.parse('2019-04-30T20:32:51Z') / 1000));
    // values(*) as *: both process ids of the IEWIN7 group, sorted.
    expect(res.rowFields?.get(0)?.['process_id']).toBe('3840\n3900');
    expect(res.rowFields?.get(0)?.['parent_process_name']).toBe('WmiPrvSE.exe');
  });

  it('explains a match stage by stage, with field values, for every event of a finding', () => {
    const events = [wmiexec('2019-04-30T20:32:51.168Z'), wmiexec('2019-04-30T20:32:51.700Z', 'IEWIN7', '3900'), whoamiChild];
    const source = createMemorySource(events);
    const r = rule('impacket-lateral-movement-sysmon');
    for (const row of [0, 1]) {
      const e = r.explain(source, row);
      expect(e.matched).toBe(true);
      const top = e.steps.filter((s) => !s.stage.includes('›'));
      expect(top.every((s) => s.condition.startsWith('held'))).toBe(true);
      expect(top.map((s) => s.stage)).toEqual(['search', 'search', 'search', 'search', 'search', 'search', 'where', 'table', 'bin', 'stats']);
      const sysmonStep = e.steps[1]!;
      expect(sysmonStep.fields).toMatchObject({ sourcetype: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', Channel: 'Microsoft-Windows-Sysmon/Operational' });
    }
    const miss = r.explain(source, 2);
    expect(miss.matched).toBe(false);
    expect(miss.steps.find((s) => !s.stage.includes('›') && s.condition.startsWith('failed'))?.condition).toMatch(/^failed: \(\("wmiprvse\.exe" OR/);
  });

  it('misses the dcomexec MMC20 quoted "C:\\...\\cmd.exe" /Q /c (as Splunk would); the robust rule finds it', () => {
    const events = [dcomexec('2019-04-30T20:35:12.100Z'), dcomexec('2019-04-30T20:35:13.200Z'), dcomexec('2019-04-30T20:35:13.400Z')];
    expect(rows('impacket-lateral-movement-sysmon', events)).toEqual([]);
    // The explanation names the one regex that fails, with the command line it saw.
    const why = rule('impacket-lateral-movement-sysmon').explain(createMemorySource(events), 0);
    const alt1 = why.steps.filter((s) => s.stage === 'where › alternative 1');
    expect(alt1.map((s) => s.condition.split(':')[0])).toEqual(['held', 'failed']);
    expect(alt1[1]!.condition).toContain('cmd\\.exe\\s\\/Q');
    expect(alt1[1]!.fields['process']).toMatch(/^"C:\\Windows\\System32\\cmd\.exe" \/Q/);
    expect(rows('hopscope-impacket-exec-robust', events)).toEqual([0, 1, 2]);
  });

  it('reads only Sysmon: Security 4688 wmiexec is not matched; the robust rule matches 4688 v2 but not parent-less v1', () => {
    expect(rows('impacket-lateral-movement-sysmon', [wmiexec4688(2)])).toEqual([]);
    expect(rows('hopscope-impacket-exec-robust', [wmiexec4688(2), wmiexec4688(1)])).toEqual([0]);
  });

  it('matches OTRF-style flattened JSON Sysmon events too (TERM(EventCode=1) from the canonical text)', () => {
    const e = otrfSysmon1({
      time: '2020-10-19T07:30:46.251Z',
      host: 'WORKSTATION5',
      image: 'C:\\Windows\\System32\\cmd.exe',
      cmd: 'cmd.exe /Q /c dir 1> \\\\127.0.0.1\\ADMIN$\\__1603092646.25 2>&1',
      parentImage: WMIPRVSE,
    });
    expect(rows('impacket-lateral-movement-sysmon', [e])).toEqual([0]);
  });

  it('recognises Sysmon shipped by Winlogbeat (ECS names) as Sysmon', () => {
    const base = wmiexec('2019-04-30T20:32:51.168Z');
    const ecs: CanonicalEvent = {
      ...base,
      source: 'ecs',
      original: { 'winlog.channel': 'Microsoft-Windows-Sysmon/Operational', 'winlog.provider_name': 'Microsoft-Windows-Sysmon', 'event.code': '1' },
      raw: JSON.stringify({ 'winlog.channel': 'Microsoft-Windows-Sysmon/Operational', 'event.code': '1', 'process.command_line': base.fields.process }),
    };
    const securityViaEcs: CanonicalEvent = { ...ecs, original: { 'winlog.channel': 'Security', 'event.code': '4688' }, fields: { ...ecs.fields, EventCode: '4688' } };
    expect(rows('impacket-lateral-movement-sysmon', [ecs, securityViaEcs])).toEqual([0]);
  });

  it('applies Splunk search precedence: the atexec branch alone does not bypass the "&1" requirement', () => {
    // Contains every atexec term but no "&1": under A B (C) OR (D) = A AND B AND (C OR D) it must fail.
    const atexecNoRedirect = sysmon1({
      time: '2021-04-26T09:00:00.000Z',
      host: 'srv01',
      image: 'C:\\Windows\\System32\\cmd.exe',
      cmd: 'cmd.exe /C whoami > C:\\Windows\\Temp\\abc.tmp',
      parentImage: 'C:\\Windows\\System32\\svchost.exe',
      parentCmd: 'C:\\Windows\\system32\\svchost.exe -k netsvcs taskeng.exe',
    });
    const explained = rule('impacket-lateral-movement-sysmon').explain(createMemorySource([atexecNoRedirect]), 0);
    expect(explained.matched).toBe(false);
    expect(explained.steps.some((s) => s.condition.startsWith('failed: ("&1" OR "&amp;1")'))).toBe(true);
  });

  it('the atexec branch needs svchost -k netsvcs and taskeng.exe in one parent command line (seed gap)', () => {
    const atexec = (parentCmd: string) =>
      sysmon1({
        time: '2021-04-26T09:00:00.000Z',
        host: 'srv01',
        image: 'C:\\Windows\\System32\\cmd.exe',
        cmd: 'cmd.exe /C whoami > C:\\Windows\\Temp\\abcdEFGH.tmp 2>&1',
        parentImage: 'C:\\Windows\\System32\\svchost.exe',
        parentCmd,
      });
    const contrived = atexec('C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule taskeng.exe');
    const win10 = atexec('C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule');
    expect(rows('impacket-lateral-movement-sysmon', [contrived, win10])).toEqual([0]);
    expect(rows('hopscope-impacket-exec-robust', [contrived, win10])).toEqual([0, 1]);
  });
});

describe('seed 000 impacket-smbexec-commandline', () => {
  it('matches the Impacket release writing C:\\Windows\\<letters>.bat via \\\\127.0.0.1, in any case', () => {
    const events = [smbexecStage('C:\\Windows\\BTOBTO.bat', '\\\\127.0.0.1'), smbexecStage('C:\\Windows\\BTOBTO.bat', '\\\\127.0.0.1', { upper: true, time: '2021-05-02T10:11:13.000Z' })];
    const res = run('impacket-smbexec-commandline', events);
    expect([...res.rows]).toEqual([0, 1]);
    expect(res.rowFields?.get(0)).toMatchObject({ dest: 'srvdefender01.offsec.lan', process_name: 'cmd.exe', parent_process_name: 'services.exe', count: '1' });
    // security_content_ctime: ISO-like UTC rendering of firstTime/lastTime
    expect(res.rowFields?.get(0)?.['firstTime']).toBe('2021-05-02T10:11:12');
  });

  it('misses the older %TEMP%\\execute.bat and newer \\\\HOSTNAME\\C$ releases; hopscope-smbexec-robust finds them', () => {
    const old = smbexecStage('C:\\Windows\\TEMP\\execute.bat', '\\\\127.0.0.1');
    const newer = smbexecStage('C:\\Windows\\qwerty.bat', '\\\\SRVDEFENDER01');
    expect(rows('impacket-smbexec-commandline', [old, newer])).toEqual([]);
    expect(rows('hopscope-smbexec-robust', [old, newer])).toEqual([0, 1]);
  });

  it('sees only the process: the first stage visible as a parent command line is missed, robust rule finds it', () => {
    expect(rows('impacket-smbexec-commandline', [smbexecChild])).toEqual([]);
    expect(rows('impacket-lateral-movement-sysmon', [smbexecChild])).toEqual([]);
    expect(rows('hopscope-smbexec-robust', [smbexecChild])).toEqual([0]);
  });

  it('does not fire on wmiexec (no echo cd / __output / .bat)', () => {
    expect(rows('impacket-smbexec-commandline', [wmiexec('2019-04-30T20:32:51.168Z'), wmiexec4688(2)])).toEqual([]);
    expect(rows('hopscope-smbexec-robust', [wmiexec('2019-04-30T20:32:51.168Z'), wmiexec4688(2)])).toEqual([]);
  });

  it('pushes the where on by-fields before tstats (semantics preserved, evaluated per event)', () => {
    const r = rule('impacket-smbexec-commandline');
    const explained = r.explain(createMemorySource([smbexecStage('C:\\Windows\\TEMP\\execute.bat', '\\\\127.0.0.1')]), 0);
    expect(explained.matched).toBe(false);
    const failed = explained.steps.filter((s) => s.condition.startsWith('failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]!.stage).toBe('where (before tstats)');
    expect(failed[0]!.condition).toContain('[a-zA-Z]{1,8}');
    expect(failed[0]!.fields['process']).toContain('execute.bat');
  });
});

describe('seed 003 psexec-accepteula', () => {
  it('finds PsExec -accepteula from Sysmon and Security 4688 alike (OTRF capture: 2 events)', () => {
    const events = [otrfSysmon1(psexecSpec), sec4688({ ...psexecSpec, time: '2020-10-19T07:30:46.257Z', user: 'WORKSTATION5\\wardog' })];
    const res = run('psexec-accepteula', events);
    expect([...res.rows]).toEqual([0, 1]);
    expect(res.rowFields?.get(0)).toMatchObject({ dest: 'WORKSTATION5', process_name: 'PsExec.exe', parent_process_name: 'cmd.exe', user: 'WORKSTATION5\\wardog' });
  });

  it('matches a renamed PsExec through original_file_name=psexec.c (Sysmon), which 4688 cannot carry', () => {
    const renamed = { ...psexecSpec, image: 'C:\\Temp\\svcupd.exe', cmd: 'svcupd.exe -accepteula \\\\10.0.0.5 cmd' };
    expect(rows('psexec-accepteula', [sysmon1(renamed), sec4688(renamed)])).toEqual([0]);
  });

  it('procdump -accepteula is a near miss (process is cmd.exe or procdump.exe, not PsExec)', () => {
    const procdump = sysmon1({ ...psexecSpec, image: 'C:\\Tools\\procdump.exe', cmd: 'procdump.exe -accepteula -ma lsass.exe lsass_dump.dmp', originalFileName: 'procdump' });
    expect(rows('psexec-accepteula', [procdumpViaCmd, procdump])).toEqual([]);
    const why = rule('psexec-accepteula').explain(createMemorySource([procdumpViaCmd]), 0);
    expect(why.matched).toBe(false);
    const failed = why.steps.find((s) => s.condition.startsWith('failed'));
    expect(failed?.stage).toBe('tstats where');
    expect(failed?.fields['Processes.process_name']).toBe('cmd.exe');
  });

  it('PsExec without -accepteula and the PSEXESVC child escape it; hopscope-psexec-renamed finds the renamed binary and the service child', () => {
    const renamedQuiet = sysmon1({ ...psexecSpec, image: 'C:\\Temp\\svcupd.exe', cmd: 'svcupd.exe \\\\10.0.0.5 -s cmd' });
    const serviceChild = sec4688({
      time: '2021-06-01T12:00:00.000Z',
      host: 'srvdefender01.offsec.lan',
      user: 'NT AUTHORITY\\SYSTEM',
      image: 'C:\\Windows\\System32\\cmd.exe',
      cmd: '"cmd"',
      parentImage: 'C:\\Windows\\PSEXESVC.exe',
    });
    const genuine = sysmon1(psexecSpec);
    expect(rows('psexec-accepteula', [renamedQuiet, serviceChild, genuine])).toEqual([2]);
    expect(rows('hopscope-psexec-renamed', [renamedQuiet, serviceChild, genuine])).toEqual([0, 1]);
  });
});

describe('robust Impacket rule vs the seed on tolerated spellings', () => {
  it('tolerates doubled spaces and upper case', () => {
    const e = sysmon1({
      time: '2019-04-30T20:32:51.168Z',
      host: 'IEWIN7',
      image: 'C:\\Windows\\System32\\cmd.exe',
      cmd: 'CMD.EXE  /Q  /C cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1 2>&1',
      parentImage: 'C:\\WINDOWS\\system32\\wbem\\wmiprvse.exe',
    });
    expect(rows('impacket-lateral-movement-sysmon', [e])).toEqual([]);
    expect(rows('hopscope-impacket-exec-robust', [e])).toEqual([0]);
  });
});
