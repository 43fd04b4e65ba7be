// Seed inputs for the reader fuzzers: one small real-shaped export per format family (our own fixtures,
// always present), plus slices of the shared captures in /work/shared/data when that folder exists.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FORMAT_IDS, type FormatId, type GenericMapping } from '../../engine/formats/types.ts';

export interface Seed {
  name: string;
  text: string;
  format?: FormatId;
  mapping?: GenericMapping;
}

const q = (v: string): string => (/[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v);
const csv = (rows: string[][], eol = '\r\n'): string => rows.map((r) => r.map(q).join(',')).join(eol) + eol;
const nd = (objs: object[]): string => objs.map((o) => JSON.stringify(o)).join('\n') + '\n';

export const xmlEvent = (cmd: string, eid = 1, host = 'WS1'): string =>
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"/><EventID>${eid}</EventID><Version>5</Version><TimeCreated SystemTime="2019-04-30T20:32:51.168589000Z"/><EventRecordID>7</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${host}</Computer></System><EventData><Data Name="UtcTime">2019-04-30 20:32:51.165</Data><Data Name="ProcessId">3176</Data><Data Name="Image">C:\\Windows\\System32\\cmd.exe</Data><Data Name="CommandLine">${cmd}</Data><Data Name="User">IEWIN7\\IEUser</Data><Data Name="ParentImage">C:\\Windows\\System32\\wbem\\WmiPrvSE.exe</Data><Data Name="ParentCommandLine">C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding</Data></EventData></Event>`;

const SEC4688 = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">\n  <System>\n    <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-a5ba-3e3b0328c30d}"/>\n    <EventID>4688</EventID>\n    <Version>2</Version>\n    <TimeCreated SystemTime="2021-04-26T08:20:27.6170290Z"/>\n    <Channel>Security</Channel>\n    <Computer>fs03vuln.offsec.lan</Computer>\n  </System>\n  <EventData>\n    <Data Name="SubjectUserName">admmig</Data>\n    <Data Name="SubjectDomainName">OFFSEC</Data>\n    <Data Name="NewProcessId">0x1f4</Data>\n    <Data Name="NewProcessName">C:\\Windows\\System32\\cmd.exe</Data>\n    <Data Name="TokenElevationType">%%1936</Data>\n    <Data Name="ProcessId">0x26c</Data>\n    <Data Name="CommandLine">cmd.exe /Q /c cd \\ 1&gt; \\\\127.0.0.1\\ADMIN$\\__1619425227.0 2&gt;&amp;1</Data>\n    <Data Name="TargetUserSid">S-1-0-0</Data>\n    <Data Name="TargetUserName">-</Data>\n    <Data Name="ParentProcessName">C:\\Windows\\System32\\services.exe</Data>\n    <Data Name="MandatoryLabel">S-1-16-16384</Data>\n  </EventData>\n</Event>`;

const OTRF = [
  { TimeCreated: '2020-10-19 03:30:46.257', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', SourceName: 'Microsoft-Windows-Sysmon', Hostname: 'WORKSTATION5', Image: 'C:\\x\\PsExec.exe', CommandLine: 'PsExec.exe -accepteula -s cmd', ParentImage: 'C:\\Windows\\System32\\cmd.exe', ProcessId: '7256', User: 'WORKSTATION5\\wardog', OriginalFileName: 'psexec.c' },
  { TimeCreated: '2020-10-19 03:30:46.251', EventID: '4688', Channel: 'security', Hostname: 'WORKSTATION5', NewProcessName: 'C:\\x\\PsExec.exe', NewProcessId: '0x1c58', ProcessId: '0x850', SubjectUserName: 'wardog', SubjectDomainName: 'WORKSTATION5', TargetUserName: '-' },
  { TimeCreated: '2020-10-19 03:30:45.323', EventID: 5158, Channel: 'Security', Hostname: 'WORKSTATION5', SourcePort: '58390' },
];

const EVTX_JSON = (id: number, eid: number): object => ({
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } }, EventID: eid, EventRecordID: id,
      TimeCreated: { '#attributes': { SystemTime: '2019-04-30T20:35:12.640434Z' } }, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'IEWIN7',
    },
    EventData: { Image: 'C:\\Windows\\System32\\mmc.exe', CommandLine: 'C:\\Windows\\system32\\mmc.exe -Embedding', ParentImage: 'C:\\Windows\\System32\\svchost.exe' },
  },
});

const ECS = [
  {
    '@timestamp': '2024-05-01T08:00:00.123Z', host: { name: 'ws01.corp.local' }, event: { code: '1', category: ['process'], type: ['start'] },
    winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', provider_name: 'Microsoft-Windows-Sysmon' },
    process: { pid: 4242, executable: 'C:\\Windows\\System32\\cmd.exe', command_line: 'cmd.exe /Q /c whoami', parent: { pid: 100, executable: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', command_line: 'wmiprvse.exe -Embedding' }, pe: { original_file_name: 'Cmd.Exe' } },
    user: { domain: 'CORP', name: 'alice' },
  },
  { '@timestamp': '2024-05-01T08:00:01Z', host: { name: 'ws01.corp.local' }, event: { code: '3', category: ['network'] }, winlog: { provider_name: 'Microsoft-Windows-Sysmon' } },
];

const CS = [
  { event_simpleName: 'ProcessRollup2', timestamp: '1714550400123', aid: 'ff', ComputerName: 'WS02', UserName: 'bob', CommandLine: '"C:\\Windows\\system32\\cmd.exe" /c whoami', ImageFileName: '\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe', ParentBaseFileName: 'WmiPrvSE.exe', RawProcessId: '5560', IntegrityLevel: '12288' },
  { event_simpleName: 'DnsRequest', timestamp: '1714550400200', aid: 'ff', DomainName: 'example.com' },
  { event_simpleName: 'SyntheticProcessRollup2', ContextTimeStamp: '1714550401.5', aid: 'ee', ImageFileName: '\\Device\\HarddiskVolume1\\a.exe' },
];

const DEFENDER_COLS = ['Timestamp', 'DeviceId', 'DeviceName', 'ActionType', 'FileName', 'FolderPath', 'SHA256', 'ProcessId', 'ProcessCommandLine', 'AccountDomain', 'AccountName', 'ProcessVersionInfoOriginalFileName', 'InitiatingProcessFileName', 'InitiatingProcessFolderPath', 'InitiatingProcessId', 'InitiatingProcessCommandLine'];
const DEFENDER_ROW = ['2024-05-01T08:00:00.1234567Z', 'd1', 'ws01.corp.local', 'ProcessCreated', 'PsExec.exe', 'C:\\Tools\\PsExec.exe', 'ff', '123', '"PsExec.exe" -accepteula \\\\ws02 cmd', 'corp', 'alice', 'psexec.c', 'cmd.exe', 'c:\\windows\\system32', '55', 'cmd.exe'];

const EVTXECMD_COLS = ['RecordNumber', 'EventRecordId', 'TimeCreated', 'EventId', 'Level', 'Provider', 'Channel', 'ProcessId', 'ThreadId', 'Computer', 'UserId', 'MapDescription', 'UserName', 'RemoteHost', 'PayloadData1', 'PayloadData2', 'PayloadData3', 'PayloadData4', 'PayloadData5', 'PayloadData6', 'ExecutableInfo', 'HiddenRecord', 'SourceFile', 'Keywords', 'ExtraDataOffset', 'Payload'];
const EVTXECMD_PAYLOAD = JSON.stringify({ EventData: { Data: [
  { '@Name': 'UtcTime', '#text': '2024-05-01 08:00:00.123' }, { '@Name': 'ProcessId', '#text': '6000' },
  { '@Name': 'Image', '#text': 'C:\\Windows\\System32\\cmd.exe' }, { '@Name': 'CommandLine', '#text': 'cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1 2>&1' },
  { '@Name': 'ParentImage', '#text': 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe' },
] } });

const SYSMON_MSG = ['Process Create:', 'RuleName: -', 'UtcTime: 2020-10-19 07:30:46.251', 'ProcessId: 7256', 'Image: C:\\x\\PsExec.exe', 'CommandLine: PsExec.exe -accepteula', 'User: WORKSTATION5\\wardog', 'ParentImage: C:\\Windows\\System32\\cmd.exe', 'ParentCommandLine: "C:\\windows\\system32\\cmd.exe" '].join('\r\n');
const SEC_MSG = ['A new process has been created.', '', 'Creator Subject:', '\tAccount Name:\t\tWORKSTATION6$', '\tAccount Domain:\t\tTHESHIRE', '', 'Process Information:', '\tNew Process ID:\t\t0xfec', '\tNew Process Name:\tC:\\Windows\\System32\\cmd.exe', '\tCreator Process ID:\t0x26c', '\tCreator Process Name:\tC:\\Windows\\System32\\services.exe', '\tProcess Command Line:\tcmd.exe /C start /b'].join('\r\n');

/** Our own real-shaped fixtures: one or more per format family and container. */
export function ownSeeds(): Seed[] {
  return [
    { name: 'sysmon-xml', text: `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${xmlEvent('cmd.exe /Q /c cd \\ 1&gt; \\\\127.0.0.1\\ADMIN$\\__1 2&gt;&amp;1')}\n${xmlEvent('<![CDATA[x]]>&#x41;', 3)}\n</Events>\n` },
    { name: 'security-4688-xml', text: `<Events>\n${SEC4688}\n${SEC4688.replace('0x1f4', '0x2a0')}\n</Events>` },
    { name: 'otrf-ndjson', text: nd(OTRF) },
    { name: 'json-array', text: JSON.stringify(OTRF, null, 2) },
    { name: 'evtx-dump-json', text: `Record 1\n${JSON.stringify(EVTX_JSON(1, 1), null, 2)}\nRecord 2\n${JSON.stringify(EVTX_JSON(2, 3), null, 2)}\n` },
    { name: 'ecs-ndjson', text: nd(ECS) },
    { name: 'elastic-hits', text: JSON.stringify({ took: 1, hits: { hits: ECS.map((s, i) => ({ _id: String(i), _source: s })) } }) },
    { name: 'crowdstrike-ndjson', text: nd(CS) },
    { name: 'crowdstrike-csv', text: 'timestamp,event_simpleName,aid,ComputerName,CommandLine,ImageFileName,ParentBaseFileName\n1714550400123,ProcessRollup2,abc,WS9,cmd.exe /c ver,\\Device\\HarddiskVolume2\\Windows\\System32\\cmd.exe,explorer.exe\n1714550400124,NetworkConnectIP4,abc,WS9,,,\n' },
    { name: 'defender-csv', text: csv([DEFENDER_COLS, DEFENDER_ROW, DEFENDER_ROW.map((v, i) => (i === 0 ? '2024-05-01T08:00:01Z' : v))]) },
    { name: 'defender-api-json', text: JSON.stringify({ Schema: [{ Name: 'Timestamp' }], Results: [Object.fromEntries(DEFENDER_COLS.map((c, i) => [c, DEFENDER_ROW[i]]))] }, null, 1) },
    { name: 'splunk-cim-csv', text: '\uFEFF' + csv([
      ['_time', 'host', 'dest', 'user', 'process', 'process_name', 'parent_process', 'parent_process_name', 'process_id', '_raw'],
      ['2024-05-01T10:00:00.641+02:00', 'fwd01', 'WS01', 'CORP\\alice', 'cmd.exe /c "echo a, b" & whoami', '', 'C:\\Windows\\explorer.exe', 'explorer.exe', '4242', 'line one\nline two'],
      ['1714550403.25', 'WS05', 'WS05', 'CORP\\eve', '"C:\\Program Files\\App\\app.exe" --flag', '', '', '', '5', ''],
      ['5/1/2024 8:00:00 AM', 'WS06', '', 'x', 'whoami', 'whoami.exe', '', 'cmd.exe', '6', ''],
    ]) },
    { name: 'splunk-tstats-tsv', text: 'Processes.dest\tProcesses.process\tProcesses.parent_process_name\t_time\nWS01\tcmd.exe /c dir\tservices.exe\t2024-05-01T08:00:00.000+0000\n' },
    { name: 'splunk-raw-xml-csv', text: csv([['_time', 'host', 'sourcetype', '_raw'], ['2024-05-01T10:00:00.500+02:00', 'fwd01', 'XmlWinEventLog', xmlEvent('cmd.exe /c echo &quot;x&quot;')]], '\n') },
    { name: 'splunk-json-results', text: nd([{ preview: false, result: { _time: '2024-05-01T10:00:00.641+02:00', host: 'fwd', dest: 'WS03', process: 'cmd.exe /c echo hi', parent_process_name: 'explorer.exe', _raw: 'text' } }, { result: { _time: '1714550400.5', host: 'WS04', process: 'whoami' } }]) },
    { name: 'evtxecmd-csv', text: csv([EVTXECMD_COLS, ['1', '1001', '2024-05-01 08:00:00.1234567', '1', 'Info', 'Microsoft-Windows-Sysmon', 'Microsoft-Windows-Sysmon/Operational', '2000', '3000', 'WS01.corp.local', 'S-1-5-18', 'Process creation', '', '', 'ProcessID: 6000', '', '', '', '', '', 'cmd.exe /Q /c whoami', 'False', 'C:\\logs\\Sysmon.evtx', '', '0', EVTXECMD_PAYLOAD]]) },
    { name: 'winevent-csv', text: '#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n' + csv([
      ['Message', 'Id', 'Version', 'Level', 'RecordId', 'ProviderName', 'LogName', 'MachineName', 'TimeCreated'],
      [SYSMON_MSG, '1', '5', '4', '101', 'Microsoft-Windows-Sysmon', 'Microsoft-Windows-Sysmon/Operational', 'WORKSTATION5', '10/19/2020 3:30:46 AM'],
      [SEC_MSG, '4688', '2', '0', '102', 'Microsoft-Windows-Security-Auditing', 'Security', 'WORKSTATION6', '9/20/2020 4:16:39 PM'],
    ]) },
    { name: 'event-viewer-csv', text: 'Level,Date and Time,Source,Event ID,Task Category\r\n' + csv([
      ['Information', '10/19/2020 3:30:46 AM', 'Microsoft-Windows-Sysmon', '1', 'Process Create (rule: ProcessCreate)', SYSMON_MSG],
      ['Information', '9/20/2020 4:16:39 PM', 'Microsoft-Windows-Security-Auditing', '4688', 'Process Creation', SEC_MSG],
    ]) },
    { name: 'generic-mapped-csv', text: 'when,machine,cmd,image\n2024-05-01 08:00:00,HOSTA,"whoami /all",C:\\Windows\\System32\\whoami.exe\n2024-05-01 08:00:01,HOSTB,ver,\n', mapping: { time: 'when', host: 'machine', fields: { process: 'cmd', process_path: 'image' } } },
    { name: 'generic-unknown-csv', text: 'a,b,c\n1,2,3\n' },
  ];
}

/** Shared captures folder, when this checkout sits next to it; HOPSCOPE_SHARED_DATA names another (or `none`). */
export function sharedDataDir(): string | null {
  const env = process.env['HOPSCOPE_SHARED_DATA'];
  if (env === 'none') return null;
  const dir = env ? resolve(env) : resolve(import.meta.dirname ?? '.', '..', '..', '..', 'shared', 'data');
  return existsSync(dir) ? dir : null;
}

/** Process-creation records first: a slice of the file head can hold none (security logs open with logons). */
const PROCESS_RECORD = /<EventID>(?:1|4688)<|"EventID":\s*"?(?:1|4688)\b|"event_simpleName":\s*"ProcessRollup2"/;

/**
 * Slices of the shared captures, up to `maxChars` each: the file's prologue, then its process-creation records
 * (XML events or JSON lines) and one other record, cut at record boundaries. [] without the shared folder.
 */
export function sharedSeeds(maxChars = 24_000): Seed[] {
  const dir = sharedDataDir();
  if (!dir) return [];
  const out: Seed[] = [];
  for (const sub of readdirSync(dir).sort()) {
    const p = join(dir, sub);
    if (!statSync(p).isDirectory()) continue;
    for (const f of readdirSync(p).sort()) {
      if (!/\.(xml|json|csv)$/i.test(f)) continue;
      const text = readFileSync(join(p, f), 'utf8');
      out.push({ name: `shared:${sub}/${f}`, text: slice(text, maxChars) });
    }
  }
  return out;
}

function slice(text: string, maxChars: number): string {
  const xml = text.trimStart().startsWith('<');
  const records: string[] = [];
  let prologue = '';
  let epilogue = '';
  if (xml) {
    const first = text.indexOf('<Event');
    prologue = first > 0 ? text.slice(0, first) : '';
    epilogue = prologue.includes('<Events>') ? '\n</Events>\n' : '\n';
    for (let i = first; i !== -1 && i < text.length; ) {
      const end = text.indexOf('</Event>', i);
      if (end === -1) break;
      records.push(text.slice(i, end + 8));
      i = text.indexOf('<Event', end + 8);
    }
  } else records.push(...text.split('\n').filter((l) => l.trim() !== ''));
  const picked: string[] = [];
  let size = prologue.length + epilogue.length;
  const other = records.find((r) => !PROCESS_RECORD.test(r));
  if (other && other.length < maxChars / 4) {
    picked.push(other);
    size += other.length + 1;
  }
  for (const r of records) {
    if (!PROCESS_RECORD.test(r)) continue;
    if (size + r.length + 1 > maxChars) break;
    picked.push(r);
    size += r.length + 1;
  }
  return prologue + picked.join('\n') + epilogue;
}

/** Every own seed read with every format forced (the user's override), whatever it really is. */
export function forcedFormatSeeds(): Seed[] {
  const out: Seed[] = [];
  for (const s of ownSeeds()) {
    for (const format of FORMAT_IDS) {
      const mapping = format === 'generic' ? { time: '_time', host: 'dest', fields: { process: 'process' } } : s.mapping;
      out.push({ name: `${s.name}@${format}`, text: s.text, format, mapping });
    }
  }
  return out;
}
