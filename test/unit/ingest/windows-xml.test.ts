// Windows event XML (Sysmon EID 1, Security 4688 v1/v2) in the shapes Event Viewer and evtxexport write:
// escapes, missing OriginalFileName, non-process events counted, DOCTYPE/ENTITY refused, chunk splits.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';
import { HopscopeError } from '../../../engine/model/errors.ts';

const SYSMON1 = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"/>
    <EventID>1</EventID>
    <Version>5</Version>
    <TimeCreated SystemTime="2019-04-30T20:32:51.168589000Z"/>
    <EventRecordID>9826</EventRecordID>
    <Correlation/>
    <Execution ProcessID="1964" ThreadID="1664"/>
    <Channel>Microsoft-Windows-Sysmon/Operational</Channel>
    <Computer>IEWIN7</Computer>
    <Security UserID="S-1-5-18"/>
  </System>
  <EventData>
    <Data Name="RuleName"/>
    <Data Name="UtcTime">2019-04-30 20:32:51.168</Data>
    <Data Name="ProcessGuid">{365ABB72-B0F3-5CC8-0000-00105F321D00}</Data>
    <Data Name="ProcessId">3840</Data>
    <Data Name="Image">C:\\Windows\\System32\\cmd.exe</Data>
    <Data Name="Product">Microsoft&#174; Windows&#xAE; Operating System</Data>
    <Data Name="CommandLine">cmd.exe /Q /c cd \\ 1&gt; \\\\127.0.0.1\\ADMIN$\\__1556656369.7 2&gt;&amp;1</Data>
    <Data Name="CurrentDirectory">C:\\</Data>
    <Data Name="User">IEWIN7\\IEUser</Data>
    <Data Name="IntegrityLevel">High</Data>
    <Data Name="Hashes">SHA1=0F3C4FF28F354AEDE202D54E9D1C5529A3BF87D8</Data>
    <Data Name="ParentProcessGuid">{365ABB72-B0F2-5CC8-0000-0010CF1F1D00}</Data>
    <Data Name="ParentProcessId">2512</Data>
    <Data Name="ParentImage">C:\\Windows\\System32\\wbem\\WmiPrvSE.exe</Data>
    <Data Name="ParentCommandLine">C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding</Data>
  </EventData>
</Event>`;

const SYSMON3 = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon"/><EventID>3</EventID><TimeCreated SystemTime="2019-04-30T20:32:50.902964000Z"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>IEWIN7</Computer></System><EventData><Data Name="Image">System</Data><Data Name="DestinationPort">45616</Data></EventData></Event>`;

// 4688 version 1 (Windows 8 / 2012 era): no ParentProcessName, hex process ids.
const SEC4688_V1 = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>4688</EventID><Version>1</Version><TimeCreated SystemTime="2021-04-26T08:20:27.123456700Z"/><EventRecordID>1234</EventRecordID><Channel>Security</Channel><Computer>fs03vuln.offsec.lan</Computer></System><EventData><Data Name="SubjectUserSid">S-1-5-20</Data><Data Name="SubjectUserName">FS03VULN$</Data><Data Name="SubjectDomainName">OFFSEC</Data><Data Name="SubjectLogonId">0x3e4</Data><Data Name="NewProcessId">0x1f4</Data><Data Name="NewProcessName">C:\\Windows\\System32\\cmd.exe</Data><Data Name="TokenElevationType">%%1936</Data><Data Name="ProcessId">0xa2c</Data><Data Name="CommandLine">cmd.exe /Q /c cd \\ 1&gt; \\\\127.0.0.1\\ADMIN$\\__1619425227.894209 2&gt;&amp;1</Data></EventData></Event>`;

// 4688 version 2 with a Target account (the new process's account) and a MandatoryLabel.
const SEC4688_V2 = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4688</EventID><Version>2</Version><TimeCreated SystemTime="2021-04-26T08:20:28.5Z"/><Channel>Security</Channel><Computer>srvdefender01.offsec.lan</Computer></System><EventData><Data Name="SubjectUserSid">S-1-5-18</Data><Data Name="SubjectUserName">SRVDEFENDER01$</Data><Data Name="SubjectDomainName">OFFSEC</Data><Data Name="NewProcessId">0x2b8</Data><Data Name="NewProcessName">C:\\Windows\\PSEXESVC.exe</Data><Data Name="ProcessId">0x26c</Data><Data Name="CommandLine"></Data><Data Name="TargetUserSid">S-1-5-21-1-2-3-1104</Data><Data Name="TargetUserName">admmig</Data><Data Name="TargetDomainName">OFFSEC</Data><Data Name="ParentProcessName">C:\\Windows\\System32\\services.exe</Data><Data Name="MandatoryLabel">S-1-16-16384</Data></EventData></Event>`;

const SEC4624 = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4624</EventID><TimeCreated SystemTime="2021-04-26T08:20:26Z"/><Channel>Security</Channel><Computer>fs03vuln.offsec.lan</Computer></System><EventData><Data Name="TargetUserName">admmig</Data></EventData></Event>`;

const wrapped = (...events: string[]): string =>
  `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${events.join('\n')}\n</Events>\n`;

describe('Windows event XML', () => {
  it('maps Sysmon EID 1 with decoded escapes and keeps System/EventData names', () => {
    const r = ingestText(wrapped(SYSMON3, SYSMON1));
    expect(r.detected.format).toBe('windows-xml');
    expect(r.stats).toMatchObject({ records: 2, appended: 2, nonProcess: 0, rejected: 0 });
    expect(r.events.map((x) => x.kind)).toEqual(['network_connection', 'process_creation']);
    const e = r.events[1]!;
    expect(e.source).toBe('sysmon');
    expect(e.provider).toBe('Microsoft-Windows-Sysmon');
    expect(e.fields).toMatchObject({
      dest: 'IEWIN7',
      user: 'IEWIN7\\IEUser',
      process: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1556656369.7 2>&1',
      process_name: 'cmd.exe',
      process_path: 'C:\\Windows\\System32\\cmd.exe',
      parent_process_name: 'WmiPrvSE.exe',
      parent_process: 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding',
      process_id: '3840',
      parent_process_id: '2512',
      process_integrity_level: 'High',
      process_current_directory: 'C:\\',
      EventCode: '1',
    });
    expect(e.fields.original_file_name).toBeUndefined();
    expect(e.original).toMatchObject({
      EventID: '1', Computer: 'IEWIN7', Channel: 'Microsoft-Windows-Sysmon/Operational',
      Provider_Name: 'Microsoft-Windows-Sysmon', Provider_Guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
      TimeCreated_SystemTime: '2019-04-30T20:32:51.168589000Z', EventRecordID: '9826', Execution_ProcessID: '1964',
      RuleName: '', Product: 'Microsoft® Windows® Operating System',
    });
    // Sysmon's own UtcTime (ms) is the event's time (formats/time-fields.ts), not the System SystemTime.
    expect(e.timeMs).toBe(Date.UTC(2019, 3, 30, 20, 32, 51, 168));
    expect(e.raw).toBe(SYSMON1);
    expect(e.locator).toEqual({ evidence: 0, record: 2, line: 4, byteOffset: expect.any(Number) });
  });

  it('maps 4688 v1 (no parent) and v2 (Target account, integrity) and keeps 4624 as a logon', () => {
    const r = ingestText(wrapped(SEC4688_V1, SEC4624, SEC4688_V2));
    expect(r.stats).toMatchObject({ appended: 3, nonProcess: 0 });
    expect(r.events.map((x) => x.kind)).toEqual(['process_creation', 'logon', 'process_creation']);
    const [v1, v2] = r.events.filter((x) => x.kind === 'process_creation');
    expect(v1!.source).toBe('security-4688');
    expect(v1!.fields).toMatchObject({
      dest: 'fs03vuln.offsec.lan', user: 'OFFSEC\\FS03VULN$', process_path: 'C:\\Windows\\System32\\cmd.exe',
      process_name: 'cmd.exe', process_id: '500', parent_process_id: '2604', EventCode: '4688',
      process: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1619425227.894209 2>&1',
    });
    expect(v1!.fields.parent_process_path).toBeUndefined();
    expect(v1!.fields.parent_process_name).toBeUndefined();
    expect(v1!.fields.parent_process).toBeUndefined();
    expect(v1!.original['NewProcessId']).toBe('0x1f4');
    // v2: the Target account is the one the new process runs as (CIM user); Subject is the creator.
    expect(v2!.fields).toMatchObject({
      user: 'OFFSEC\\admmig', parent_process_path: 'C:\\Windows\\System32\\services.exe', parent_process_name: 'services.exe',
      process_name: 'PSEXESVC.exe', process_integrity_level: 'System', process_id: '696',
    });
    expect(v2!.fields.process).toBeUndefined();
    expect(v1!.fields.logon_id).toBe('0x3e4');
    const logon = r.events[1]!;
    expect(logon.source).toBe('security');
    expect(logon.fields).toEqual({ dest: 'fs03vuln.offsec.lan', user: 'admmig', action: 'success', EventCode: '4624' });
  });

  it('reads one event per line without a wrapper, pushed in 1-char and odd-sized chunks', () => {
    const text = [SYSMON1.replace(/\n\s*/g, ''), SEC4688_V1, SYSMON3].join('\r\n') + '\r\n';
    const whole = ingestText(text);
    for (const chunkChars of [1, 7, 333]) {
      const r = ingestText(text, { chunkChars });
      expect(r.events.map((e) => e.fields)).toEqual(whole.events.map((e) => e.fields));
      expect(r.events.map((e) => e.locator)).toEqual(whole.events.map((e) => e.locator));
    }
    expect(whole.events.map((e) => e.locator.line)).toEqual([1, 2, 3]);
    expect(whole.events.map((e) => e.kind)).toEqual(['process_creation', 'process_creation', 'network_connection']);
    expect(whole.stats.nonProcess).toBe(0);
  });

  it('reads Event Viewer "Save as XML" output on a single line; byte offsets point at each <Event', () => {
    const oneLine = '<?xml version="1.0" encoding="UTF-8"?><Events>' + [SYSMON1.replace(/\n\s*/g, '').replace('Microsoft&#174;', 'Microsoft®'), SEC4688_V1, SEC4688_V2].join('') + '</Events>';
    for (const chunkChars of [undefined, 64]) {
      const r = ingestText(oneLine, { chunkChars });
      expect(r.events).toHaveLength(3);
      expect(r.events.map((e) => e.locator.line)).toEqual([1, 1, 1]);
      const bytes = new TextEncoder().encode(oneLine);
      for (const e of r.events) {
        expect(new TextDecoder().decode(bytes.subarray(e.locator.byteOffset, e.locator.byteOffset + 7))).toBe('<Event ');
      }
      // A literal ® (2 bytes in UTF-8) sits before the second event, so its byte offset is one past its char offset.
      expect(r.events[1]!.locator.byteOffset).toBe(oneLine.indexOf(SEC4688_V1) + 1);
      expect(r.events[0]!.original['Product']).toBe('Microsoft® Windows® Operating System');
    }
  });

  it('refuses a DOCTYPE with entity declarations with a located error, expanding nothing', () => {
    const evil = `<?xml version="1.0"?>\n<!DOCTYPE Events [\n<!ENTITY lol "lollollol">\n]>\n<Events>${SYSMON1}</Events>`;
    let err: unknown;
    try {
      ingestText(evil, { fileName: 'evil.xml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HopscopeError);
    expect((err as HopscopeError).code).toBe('E_SECURITY');
    expect((err as HopscopeError).location).toMatchObject({ file: 'evil.xml', line: 2 });
  });

  it('rejects an event that uses an undeclared entity or has broken markup, and keeps going', () => {
    const bad = SYSMON1.replace('cmd.exe /Q', '&xxe; /Q');
    const broken = SEC4688_V1.replace('</EventID>', '</EventIDX>');
    const r = ingestText(wrapped(bad, broken, SEC4688_V2));
    expect(r.stats).toMatchObject({ appended: 1, rejected: 2 });
    expect(r.rejects.map((x) => x.code)).toEqual(['xml-dtd', 'xml-syntax']);
    expect(r.rejects[0]!.record).toBe(1);
    expect(r.rejects[1]!.line).toBeGreaterThan(25);
  });

  it('rejects an unreadable SystemTime as bad-time with its line', () => {
    const r = ingestText(wrapped(SEC4688_V1.replace('2021-04-26T08:20:27.123456700Z', 'not a time')));
    expect(r.stats.rejectedByReason).toEqual({ 'bad-time': 1 });
    expect(r.rejects[0]).toMatchObject({ code: 'bad-time', line: 3, record: 1 });
  });
});
