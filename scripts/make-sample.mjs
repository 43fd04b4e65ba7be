#!/usr/bin/env node
// Writes the bundled demo case (resources/samples/): one hour of Sysmon process creations on ten hosts
// with a PsExec, an Impacket wmiexec and an Impacket smbexec episode among ordinary activity.
// Deterministic (fixed seed): re-running produces byte-identical files; the tests pin their findings.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeEvtx } from './lib/evtx-writer.mjs';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'samples');
mkdirSync(outDir, { recursive: true });

let seed = 20240501;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const ri = (n) => Math.floor(rnd() * n);
const pick = (a) => a[ri(a.length)];
const hex = (n) => Array.from({ length: n }, () => '0123456789ABCDEF'[ri(16)]).join('');

const DOMAIN = 'CORP';
const HOSTS = [
  { name: 'WKS-NYC-1001', user: 'CORP\\maria.garcia' },
  { name: 'WKS-NYC-1002', user: 'CORP\\john.smith' },
  { name: 'WKS-NYC-1003', user: 'CORP\\wei.chen' },
  { name: 'WKS-LON-2001', user: 'CORP\\olga.ivanova' },
  { name: 'WKS-LON-2002', user: 'CORP\\pierre.dubois' },
  { name: 'WKS-FRA-3001', user: 'CORP\\eva.novak' },
  { name: 'SRV-FILE-01', user: 'CORP\\svc_backup' },
  { name: 'SRV-SQL-02', user: 'CORP\\svc_sql' },
  { name: 'SRV-APP-03', user: 'CORP\\svc_app' },
  { name: 'DC01', user: 'CORP\\admin.raj' },
];
const FQDN = (h) => `${h}.corp.example`;
const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);

const SYS = 'C:\\Windows\\System32';
const BENIGN = [
  { image: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', cmd: (u) => `"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US --field-trial-handle=${ri(9000)},${ri(99999)}`, parent: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', orig: 'chrome.exe' },
  { image: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE', cmd: () => '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" ', parent: 'C:\\Windows\\explorer.exe', orig: 'Outlook.exe' },
  { image: `${SYS}\\svchost.exe`, cmd: () => `${SYS}\\svchost.exe -k netsvcs -p -s ${pick(['Schedule', 'BITS', 'Winmgmt', 'gpsvc'])}`, parent: `${SYS}\\services.exe`, orig: 'svchost.exe', user: 'NT AUTHORITY\\SYSTEM' },
  { image: `${SYS}\\taskhostw.exe`, cmd: () => 'taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}', parent: `${SYS}\\svchost.exe`, orig: 'taskhostw.exe' },
  { image: `${SYS}\\conhost.exe`, cmd: () => `\\??\\${SYS}\\conhost.exe 0xffffffff -ForceV1`, parent: `${SYS}\\cmd.exe`, orig: 'CONHOST.EXE' },
  { image: `${SYS}\\WindowsPowerShell\\v1.0\\powershell.exe`, cmd: () => `powershell.exe -NoProfile -ExecutionPolicy Bypass -File "C:\\ProgramData\\IT\\inventory.ps1"`, parent: `${SYS}\\svchost.exe`, orig: 'PowerShell.EXE', user: 'NT AUTHORITY\\SYSTEM' },
  { image: `${SYS}\\cmd.exe`, cmd: () => `C:\\Windows\\system32\\cmd.exe /c "C:\\Users\\Public\\logon.bat"`, parent: 'C:\\Windows\\explorer.exe', orig: 'Cmd.Exe' },
  { image: `${SYS}\\PING.EXE`, cmd: () => `ping -n 1 ${pick(['10.0.10.5', '10.0.20.7', 'intranet.corp.example'])}`, parent: `${SYS}\\cmd.exe`, orig: 'ping.exe' },
  { image: `${SYS}\\ipconfig.exe`, cmd: () => 'ipconfig /all', parent: `${SYS}\\cmd.exe`, orig: 'ipconfig.exe' },
  { image: 'C:\\Windows\\explorer.exe', cmd: () => 'C:\\Windows\\Explorer.EXE', parent: `${SYS}\\userinit.exe`, orig: 'EXPLORER.EXE' },
  { image: `${SYS}\\notepad.exe`, cmd: () => `"C:\\Windows\\system32\\notepad.exe" C:\\Users\\${pick(['maria', 'john', 'wei'])}\\Documents\\notes <draft> & "todo".txt`, parent: 'C:\\Windows\\explorer.exe', orig: 'NOTEPAD.EXE' },
  { image: `${SYS}\\wbem\\WmiPrvSE.exe`, cmd: () => `${SYS}\\wbem\\wmiprvse.exe -secured -Embedding`, parent: `${SYS}\\svchost.exe`, orig: 'Wmiprvse.exe', user: 'NT AUTHORITY\\NETWORK SERVICE' },
  { image: `${SYS}\\sc.exe`, cmd: () => 'sc query wuauserv', parent: `${SYS}\\cmd.exe`, orig: 'sc.exe' },
];

const events = [];
function proc(host, timeMs, p) {
  events.push({ kind: 1, host, timeMs, ...p, guid: `{${hex(8)}-${hex(4)}-${hex(4)}-0000-0010${hex(8)}}`, pid: 1000 + ri(9000), ppid: 500 + ri(4000) });
  return events[events.length - 1];
}

// Ordinary activity: ~360 process creations spread over the hour.
for (let i = 0; i < 360; i++) {
  const h = pick(HOSTS);
  const b = pick(BENIGN);
  proc(h.name, T0 + ri(3600_000), { image: b.image, cmd: b.cmd(), parentImage: b.parent, parentCmd: b.parent === 'C:\\Windows\\explorer.exe' ? 'C:\\Windows\\Explorer.EXE' : `"${b.parent}"`, user: b.user ?? h.user, orig: b.orig });
}
// A few network connections (Sysmon EID 3): counted, kept out of the process timeline.
for (let i = 0; i < 12; i++) events.push({ kind: 3, host: pick(HOSTS).name, timeMs: T0 + ri(3600_000), pid: 1000 + ri(9000), guid: `{${hex(8)}-${hex(4)}-${hex(4)}-0000-0010${hex(8)}}` });

// Near misses the seed rules must not flag.
proc('WKS-NYC-1003', T0 + 612_345, { image: `${SYS}\\cmd.exe`, cmd: `"C:\\Windows\\system32\\cmd.exe" /c "procdump.exe -accepteula -ma lsass.exe lsass_dump.dmp"`, parentImage: 'C:\\Windows\\explorer.exe', parentCmd: 'C:\\Windows\\Explorer.EXE', user: 'CORP\\wei.chen', orig: 'Cmd.Exe' });
proc('SRV-APP-03', T0 + 1_820_001, { image: 'C:\\Tools\\PsExec.exe', cmd: 'PsExec.exe \\\\SRV-SQL-02 -s ipconfig', parentImage: `${SYS}\\cmd.exe`, parentCmd: 'cmd.exe', user: 'CORP\\svc_app', orig: 'psexec.c' });

// Episode 1 — PsExec from WKS-NYC-1002 to SRV-FILE-01 (08:14:05).
const psT = T0 + 14 * 60_000 + 5_000;
const psSrc = proc('WKS-NYC-1002', psT + 120, { image: 'C:\\Users\\john.smith\\Downloads\\PsExec64.exe', cmd: 'PsExec64.exe \\\\SRV-FILE-01 -accepteula -s -d cmd.exe /c "net group \\"Domain Admins\\" /domain > C:\\Windows\\Temp\\da.txt"', parentImage: `${SYS}\\cmd.exe`, parentCmd: '"C:\\Windows\\system32\\cmd.exe" ', user: 'CORP\\john.smith', orig: 'psexec.c' });
const svc = proc('SRV-FILE-01', psT + 1_480, { image: 'C:\\Windows\\PSEXESVC.exe', cmd: 'C:\\Windows\\PSEXESVC.exe', parentImage: `${SYS}\\services.exe`, parentCmd: 'C:\\Windows\\system32\\services.exe', user: 'NT AUTHORITY\\SYSTEM', orig: 'psexesvc.exe' });
proc('SRV-FILE-01', psT + 1_730, { image: `${SYS}\\cmd.exe`, cmd: 'cmd.exe /c "net group \\"Domain Admins\\" /domain > C:\\Windows\\Temp\\da.txt"', parentImage: 'C:\\Windows\\PSEXESVC.exe', parentCmd: 'C:\\Windows\\PSEXESVC.exe', user: 'NT AUTHORITY\\SYSTEM', orig: 'Cmd.Exe', parentGuid: svc.guid, ppidOf: svc });
void psSrc;

// Episode 2 — Impacket wmiexec against SRV-SQL-02 (08:31:50-52): WmiPrvSE -> cmd.exe /Q /c ... 2>&1.
const wmT = T0 + 31 * 60_000 + 50_000;
const wmi = proc('SRV-SQL-02', wmT - 900, { image: `${SYS}\\wbem\\WmiPrvSE.exe`, cmd: `${SYS}\\wbem\\wmiprvse.exe -secured -Embedding`, parentImage: `${SYS}\\svchost.exe`, parentCmd: `${SYS}\\svchost.exe -k DcomLaunch -p`, user: 'NT AUTHORITY\\NETWORK SERVICE', orig: 'Wmiprvse.exe' });
const wmCmds = ['cd \\', 'whoami /all', 'net localgroup administrators'];
wmCmds.forEach((c, i) => {
  const ts = wmT + i * 700 + 40;
  const marker = `__${Math.floor(ts / 1000)}.${ri(999)}`;
  const cmd = proc('SRV-SQL-02', ts, { image: `${SYS}\\cmd.exe`, cmd: `cmd.exe /Q /c ${c} 1> \\\\127.0.0.1\\ADMIN$\\${marker} 2>&1`, parentImage: `${SYS}\\wbem\\WmiPrvSE.exe`, parentCmd: `${SYS}\\wbem\\wmiprvse.exe -secured -Embedding`, user: 'CORP\\admin.raj', orig: 'Cmd.Exe', parentGuid: wmi.guid, ppidOf: wmi });
  if (c !== 'cd \\') proc('SRV-SQL-02', ts + 15, { image: `${SYS}\\${c.split(' ')[0]}.exe`, cmd: c, parentImage: `${SYS}\\cmd.exe`, parentCmd: cmd.cmd, user: 'CORP\\admin.raj', orig: `${c.split(' ')[0]}.exe`, parentGuid: cmd.guid, ppidOf: cmd });
});

// Episode 3 — Impacket smbexec against DC01 (08:47:12): services.exe -> cmd.exe echo ... C:\Windows\<letters>.bat.
const smT = T0 + 47 * 60_000 + 12_000;
['BTOBTO', 'XQZRKL'].forEach((bat, i) => {
  const c = i === 0 ? 'whoami' : 'ipconfig /all';
  proc('DC01', smT + i * 300 + 100, { image: `${SYS}\\cmd.exe`, cmd: `C:\\Windows\\system32\\cmd.exe /Q /c echo cd ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > C:\\Windows\\${bat}.bat & C:\\Windows\\system32\\cmd.exe /Q /c C:\\Windows\\${bat}.bat & del C:\\Windows\\${bat}.bat`, parentImage: `${SYS}\\services.exe`, parentCmd: 'C:\\Windows\\system32\\services.exe', user: 'NT AUTHORITY\\SYSTEM', orig: 'Cmd.Exe' });
  void c;
});

events.sort((a, b) => a.timeMs - b.timeMs);

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const iso9 = (ms) => new Date(Math.floor(ms)).toISOString().replace(/\.(\d{3})Z$/, (_, f) => `.${f}${String(ri(999999)).padStart(6, '0')}Z`);
const utc = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
let record = 40000;
const data = (n, v) => (v === undefined || v === '' ? `    <Data Name="${n}"/>` : `    <Data Name="${n}">${esc(v)}</Data>`);
const xmlEvents = events.map((e) => {
  record++;
  const sys = `  <System>
    <Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"/>
    <EventID>${e.kind}</EventID>
    <Version>5</Version>
    <Level>4</Level>
    <Task>${e.kind}</Task>
    <Opcode>0</Opcode>
    <Keywords>0x8000000000000000</Keywords>
    <TimeCreated SystemTime="${iso9(e.timeMs)}"/>
    <EventRecordID>${record}</EventRecordID>
    <Correlation/>
    <Execution ProcessID="2780" ThreadID="3344"/>
    <Channel>Microsoft-Windows-Sysmon/Operational</Channel>
    <Computer>${FQDN(e.host)}</Computer>
    <Security UserID="S-1-5-18"/>
  </System>`;
  let ed;
  if (e.kind === 1) {
    const name = e.image.split('\\').pop();
    ed = [data('RuleName', '-'), data('UtcTime', utc(e.timeMs)), data('ProcessGuid', e.guid), data('ProcessId', e.pid), data('Image', e.image),
      data('FileVersion', '10.0.19041.1 (WinBuild.160101.0800)'), data('Description', name), data('Product', 'Microsoft® Windows® Operating System'),
      data('Company', 'Microsoft Corporation'), data('OriginalFileName', e.orig), data('CommandLine', e.cmd), data('CurrentDirectory', 'C:\\Windows\\system32\\'),
      data('User', e.user), data('LogonGuid', `{${hex(8)}-${hex(4)}-${hex(4)}-0000-0020${hex(8)}}`), data('LogonId', `0x${hex(6).toLowerCase()}`), data('TerminalSessionId', '0'),
      data('IntegrityLevel', e.user.startsWith('NT AUTHORITY') ? 'System' : 'Medium'), data('Hashes', `SHA256=${hex(64)}`),
      data('ParentProcessGuid', e.parentGuid ?? `{${hex(8)}-${hex(4)}-${hex(4)}-0000-0010${hex(8)}}`), data('ParentProcessId', e.ppidOf ? e.ppidOf.pid : e.ppid),
      data('ParentImage', e.parentImage), data('ParentCommandLine', e.parentCmd)].join('\n');
  } else {
    ed = [data('RuleName', '-'), data('UtcTime', utc(e.timeMs)), data('ProcessGuid', e.guid), data('ProcessId', e.pid), data('Image', `${SYS}\\svchost.exe`),
      data('User', 'NT AUTHORITY\\NETWORK SERVICE'), data('Protocol', 'tcp'), data('Initiated', 'true'), data('SourceIp', '10.0.10.21'), data('SourcePort', 49152 + ri(10000)),
      data('DestinationIp', '10.0.10.5'), data('DestinationPort', '443')].join('\n');
  }
  return `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">\n${sys}\n  <EventData>\n${ed}\n  </EventData>\n</Event>`;
});
const xml = `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${xmlEvents.join('\n')}\n</Events>\n`;
writeFileSync(join(outDir, 'corp-lateral-movement.sysmon.xml'), xml);
// The same events as a binary Windows event log (templates and substitutions, CRC-valid), as Windows would save it.
writeFileSync(join(outDir, 'corp-lateral-movement.evtx'), writeEvtx(xmlEvents));

// The same process creations as a Splunk CIM Endpoint.Processes CSV export (what `| table` + Export gives).
const cols = ['_time', 'dest', 'user', 'parent_process_name', 'parent_process', 'process_name', 'process', 'process_path', 'process_id', 'parent_process_id', 'process_guid', 'original_file_name', 'sourcetype', 'EventCode'];
const q = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const isoOff = (ms) => new Date(ms + 2 * 3600_000).toISOString().replace('Z', '+02:00');
const rows = events.filter((e) => e.kind === 1).map((e) => [isoOff(e.timeMs), FQDN(e.host), e.user, e.parentImage.split('\\').pop(), e.parentCmd, e.image.split('\\').pop(), e.cmd, e.image, String(e.pid), String(e.ppidOf ? e.ppidOf.pid : e.ppid), e.guid, e.orig, 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', '1'].map(q).join(','));
writeFileSync(join(outDir, 'corp-lateral-movement.splunk.csv'), cols.join(',') + '\r\n' + rows.join('\r\n') + '\r\n');
console.log(`wrote ${events.filter((e) => e.kind === 1).length} process creations (+${events.filter((e) => e.kind !== 1).length} other events) to ${outDir}`);
