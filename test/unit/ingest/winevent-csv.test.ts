// PowerShell `Get-WinEvent | Export-Csv` exports (#TYPE line, US local times, fields only in the Message):
// Sysmon 1 and 4688 map from the rendered Message like from XML.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';
import { parseEventMessage } from '../../../engine/formats/winevent-csv.ts';

const SYSMON_MSG = [
  'Process Create:', 'RuleName: -', 'UtcTime: 2020-10-19 07:30:46.251', 'ProcessGuid: {39e4a257-40a6-5f8d-a005-000000000700}',
  'ProcessId: 7256', 'Image: C:\\Users\\wardog\\Downloads\\PSTools\\PsExec.exe', 'FileVersion: 2.2', 'OriginalFileName: psexec.c',
  'CommandLine: PsExec.exe  -accepteula -s reg save HKLM\\security\\policy\\secrets C:\\Users\\wardog\\AppData\\Local\\Temp\\secrets',
  'CurrentDirectory: C:\\Users\\wardog\\Downloads\\PSTools\\', 'User: WORKSTATION5\\wardog', 'IntegrityLevel: High',
  'ParentProcessId: 2128', 'ParentImage: C:\\Windows\\System32\\cmd.exe', 'ParentCommandLine: "C:\\windows\\system32\\cmd.exe" ',
].join('\r\n');

const SEC_MSG = [
  'A new process has been created.', '', 'Creator Subject:', '\tSecurity ID:\t\tS-1-5-18', '\tAccount Name:\t\tWORKSTATION6$',
  '\tAccount Domain:\t\tTHESHIRE', '\tLogon ID:\t\t0x3E7', '', 'Target Subject:', '\tSecurity ID:\t\tS-1-0-0', '\tAccount Name:\t\t-',
  '\tAccount Domain:\t\t-', '\tLogon ID:\t\t0x0', '', 'Process Information:', '\tNew Process ID:\t\t0xfec',
  '\tNew Process Name:\tC:\\Windows\\System32\\cmd.exe', '\tToken Elevation Type:\t%%1936', '\tMandatory Label:\t\tS-1-16-16384',
  '\tCreator Process ID:\t0x26c', '\tCreator Process Name:\tC:\\Windows\\System32\\services.exe',
  '\tProcess Command Line:\tcmd.exe /C start /b powershell -noP -sta -w 1 -enc SQBGACgA', '',
  'Token Elevation Type indicates the type of token that was assigned to the new process.',
].join('\r\n');

const q = (v: string): string => '"' + v.replace(/"/g, '""') + '"';

describe('PowerShell Get-WinEvent Export-Csv', () => {
  const header = '"Message","Id","Version","Level","RecordId","ProviderName","LogName","MachineName","TimeCreated"';
  const text = '#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n' + header + '\r\n' + [
    [SYSMON_MSG, '1', '5', '4', '101', 'Microsoft-Windows-Sysmon', 'Microsoft-Windows-Sysmon/Operational', 'WORKSTATION5', '10/19/2020 3:30:46 AM'],
    [SEC_MSG, '4688', '2', '0', '102', 'Microsoft-Windows-Security-Auditing', 'Security', 'WORKSTATION6.theshire.local', '9/20/2020 4:16:39 PM'],
    ['An account was successfully logged on.', '4624', '2', '0', '103', 'Microsoft-Windows-Security-Auditing', 'Security', 'WORKSTATION6.theshire.local', '9/20/2020 4:16:40 PM'],
  ].map((r) => r.map(q).join(',')).join('\r\n') + '\r\n';

  it('maps Sysmon 1 and 4688 from the Message, skipping the #TYPE line', () => {
    const r = ingestText(text, { chunkChars: 50 });
    expect(r.detected.format).toBe('winevent-csv');
    expect(r.stats).toMatchObject({ appended: 3, nonProcess: 0, rejected: 0 });
    expect(r.events.map((e) => e.kind)).toEqual(['process_creation', 'process_creation', 'logon']);
    expect(r.events[2]!.fields).toMatchObject({ dest: 'WORKSTATION6.theshire.local', EventCode: '4624', action: 'success' });
    const [s, sec] = r.events;
    expect(s!.fields).toMatchObject({
      dest: 'WORKSTATION5', process_name: 'PsExec.exe', original_file_name: 'psexec.c', parent_process: '"C:\\windows\\system32\\cmd.exe" ',
      parent_process_name: 'cmd.exe', user: 'WORKSTATION5\\wardog', process_id: '7256', EventCode: '1',
    });
    // Sysmon's UtcTime (explicit UTC) wins over the local, zone-less TimeCreated column.
    expect(new Date(s!.timeMs).toISOString()).toBe('2020-10-19T07:30:46.251Z');
    expect(s!.locator.line).toBe(3);
    expect(sec!.fields).toMatchObject({
      dest: 'WORKSTATION6.theshire.local', user: 'THESHIRE\\WORKSTATION6$', process_path: 'C:\\Windows\\System32\\cmd.exe',
      parent_process_name: 'services.exe', process_id: '4076', parent_process_id: '620', process_integrity_level: 'System',
      process: 'cmd.exe /C start /b powershell -noP -sta -w 1 -enc SQBGACgA', EventCode: '4688',
    });
    expect(new Date(sec!.timeMs).toISOString()).toBe('2020-09-20T16:16:39.000Z');
    expect(r.stats.assumedUtc).toBe(true);
    expect(sec!.locator.line).toBe(3 + SYSMON_MSG.split('\r\n').length);
  });

  it('parses Subject and Target sections separately', () => {
    const m = parseEventMessage(SEC_MSG);
    expect(m.get('SubjectUserName')).toBe('WORKSTATION6$');
    expect(m.get('TargetUserName')).toBe('-');
    expect(m.get('TargetUserSid')).toBe('S-1-0-0');
    expect(m.get('ParentProcessName')).toBe('C:\\Windows\\System32\\services.exe');
  });
});

describe('Event Viewer "Save All Events As" CSV', () => {
  // Five named columns, then the message as a sixth, unnamed one; the time in the saving machine's local time.
  const header = 'Level,Date and Time,Source,Event ID,Task Category';
  const rows = [
    ['Information', '10/19/2020 3:30:46 AM', 'Microsoft-Windows-Sysmon', '1', 'Process Create (rule: ProcessCreate)', SYSMON_MSG],
    ['Information', '9/20/2020 4:16:39 PM', 'Microsoft-Windows-Security-Auditing', '4688', 'Process Creation', SEC_MSG],
    ['Information', '10/19/2020 3:30:47 AM', 'Microsoft-Windows-Sysmon', '3', 'Network connection detected (rule: NetworkConnect)', 'Network connection detected:\r\nRuleName: -\r\nUtcTime: 2020-10-19 07:30:47.000'],
  ];
  const text = header + '\r\n' + rows.map((r) => r.map((v, i) => (i === 5 || v.includes(',') ? q(v) : v)).join(',')).join('\r\n') + '\r\n';

  it('reads the unnamed message column, whatever the chunking, and maps Sysmon 1 and 4688 from it', () => {
    const whole = ingestText(text);
    for (const chunkChars of [1, 7, 50, 333]) expect(ingestText(text, { chunkChars }).events).toEqual(whole.events);
    expect(whole.detected.format).toBe('winevent-csv');
    expect(whole.detected.reason).toMatch(/Event Viewer "Save as CSV"/);
    expect(whole.stats).toMatchObject({ records: 3, appended: 3, nonProcess: 0, rejected: 0 });
    expect(whole.events[2]!.kind).toBe('network_connection');
    const [s, sec] = whole.events;
    expect(s!.fields).toMatchObject({ process_name: 'PsExec.exe', original_file_name: 'psexec.c', parent_process_name: 'cmd.exe', user: 'WORKSTATION5\\wardog', EventCode: '1' });
    // The export names no computer.
    expect(s!.fields.dest).toBeUndefined();
    expect(new Date(s!.timeMs).toISOString()).toBe('2020-10-19T07:30:46.251Z');
    expect(sec!.fields).toMatchObject({ process_path: 'C:\\Windows\\System32\\cmd.exe', parent_process_name: 'services.exe', user: 'THESHIRE\\WORKSTATION6$', EventCode: '4688' });
    // 4688's message holds no time: the Date and Time column, zone-less, is read as UTC and flagged.
    expect(new Date(sec!.timeMs).toISOString()).toBe('2020-09-20T16:16:39.000Z');
    expect(whole.stats.assumedUtc).toBe(true);
    expect(s!.original['Message']).toBe(SYSMON_MSG);
    expect(sec!.locator.line).toBe(2 + SYSMON_MSG.split('\r\n').length);
  });

  it('keeps the strict field count for any other five-column header', () => {
    const r = ingestText('Level,Date,Source,Event,Task\r\nInformation,x,y,1,z,extra\r\n', { mapping: { time: 'Date', fields: { process: 'Source' } } });
    expect(r.stats.rejectedByReason).toEqual({ 'field-count': 1 });
  });
});
