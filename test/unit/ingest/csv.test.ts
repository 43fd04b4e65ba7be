// CSV inputs: Splunk CIM export (BOM, CRLF, quoted commas/quotes/line breaks, 12 kB command line, wrong
// field counts), EvtxECmd (Payload JSON), Defender DeviceProcessEvents, CrowdStrike CSV, generic + mapping.
import { describe, expect, it } from 'vitest';
import { ingestText, UnknownFormatError } from '../../../engine/ingest/index.ts';

const q = (v: string): string => '"' + v.replace(/"/g, '""') + '"';

describe('Splunk CIM CSV export', () => {
  const header = '_time,host,dest,user,process,process_name,parent_process,parent_process_name,process_id,_raw';
  const longCmd = 'powershell.exe -nop -w hidden -enc ' + 'A'.repeat(12_000);
  const rows = [
    ['2024-05-01T10:00:00.641+02:00', 'fwd01', 'WS01', 'CORP\\alice', 'cmd.exe /c "echo a, b" & whoami', '', 'C:\\Windows\\explorer.exe', 'explorer.exe', '4242', 'line one\nline two'],
    ['2024-05-01T10:00:01.000+02:00', 'WS02', '', 'CORP\\bob', longCmd, 'powershell.exe', '', 'cmd.exe', '77', ''],
    ['2024-05-01T10:00:02+02:00', 'WS03', 'WS03', 'x', 'only', 'three'],
    ['bogus time', 'WS04', 'WS04', 'CORP\\dan', 'whoami', 'whoami.exe', '', '', '1', ''],
    ['1714550403.25', 'WS05', 'WS05', 'CORP\\eve', '"C:\\Program Files\\App\\app.exe" --flag', '', '', '', '5', ''],
  ];
  const body = rows.map((r) => r.map((v) => (/[",\n]/.test(v) ? q(v) : v)).join(',')).join('\r\n');
  const text = '\uFEFF' + header + '\r\n' + body + '\r\n';

  it('reads quoted fields, CRLF and BOM; rejects field-count and bad-time with physical lines', () => {
    for (const chunkChars of [undefined, 1, 97, 4096]) {
      const r = ingestText(text, { chunkChars });
      expect(r.detected.format).toBe('splunk-cim');
      expect(r.detected.container).toBe('csv');
      expect(r.stats).toMatchObject({ records: 5, appended: 3, rejected: 2 });
      expect(r.rejects.map((x) => [x.code, x.line])).toEqual([['field-count', 5], ['bad-time', 6]]);
      const [a, b, c] = r.events;
      expect(a!.fields).toMatchObject({ dest: 'WS01', process: 'cmd.exe /c "echo a, b" & whoami', process_name: 'cmd.exe', parent_process_name: 'explorer.exe' });
      expect(a!.raw).toBe('line one\nline two');
      expect(a!.locator.line).toBe(2);
      expect(new Date(a!.timeMs).toISOString()).toBe('2024-05-01T08:00:00.641Z');
      // The first row spans two physical lines (quoted line break), so the second row starts on line 4.
      expect(b!.locator.line).toBe(4);
      expect(b!.fields.process).toBe(longCmd);
      expect(b!.fields.dest).toBe('WS02');
      expect(b!.original['_raw']).toBe('');
      expect(c!.fields).toMatchObject({ process_name: 'app.exe', dest: 'WS05' });
      expect(c!.timeMs).toBe(1714550403250);
      expect(c!.locator.line).toBe(7);
      expect(c!.raw).toBe('1714550403.25,WS05,WS05,CORP\\eve,"""C:\\Program Files\\App\\app.exe"" --flag",,,,5,');
    }
  });

  it('handles LF files, tab delimiters and a header-only file', () => {
    const tsv = 'dest\tprocess\tparent_process_name\t_time\nWS01\tcmd.exe /c dir\tservices.exe\t5/1/2024 8:00:00 AM\n';
    const r = ingestText(tsv);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]!.fields).toMatchObject({ dest: 'WS01', process_name: 'cmd.exe', parent_process_name: 'services.exe' });
    expect(r.stats.assumedUtc).toBe(true);
    expect(r.events[0]!.timeMs).toBe(Date.UTC(2024, 4, 1, 8));
    expect(r.events[0]!.raw).toBe('WS01\tcmd.exe /c dir\tservices.exe\t5/1/2024 8:00:00 AM');
    const empty = ingestText(header + '\n');
    expect(empty.stats.records).toBe(0);
    expect(empty.detected.format).toBe('splunk-cim');
  });

  it('rejects an unterminated quote at end of input', () => {
    const good = '2024-05-01T10:00:01Z,h,WS1,u,whoami,,,,,';
    for (const chunkChars of [undefined, 5]) {
      const r = ingestText(header + '\n' + good + '\n2024-05-01T10:00:00Z,h,WS1,u,"cmd.exe /c oops,,,,,\nmore', { chunkChars });
      expect(r.stats).toMatchObject({ records: 2, appended: 1, rejected: 1 });
      expect(r.rejects).toMatchObject([{ code: 'csv-quote', line: 3, record: 2 }]);
    }
    // A lone quote inside an unquoted last field is data, not an unterminated quote.
    const r2 = ingestText(header + '\n2024-05-01T10:00:00Z,h,WS1,u,echo 5" tall,,,,,');
    expect(r2.events[0]!.fields.process).toBe('echo 5" tall');
  });
});

describe('EvtxECmd CSV', () => {
  const header = 'RecordNumber,EventRecordId,TimeCreated,EventId,Level,Provider,Channel,ProcessId,ThreadId,Computer,UserId,MapDescription,UserName,RemoteHost,PayloadData1,PayloadData2,PayloadData3,PayloadData4,PayloadData5,PayloadData6,ExecutableInfo,HiddenRecord,SourceFile,Keywords,ExtraDataOffset,Payload';
  const payload = JSON.stringify({
    EventData: {
      Data: [
        { '@Name': 'RuleName', '#text': '-' },
        { '@Name': 'UtcTime', '#text': '2024-05-01 08:00:00.123' },
        { '@Name': 'ProcessGuid', '#text': '{aaaa}' },
        { '@Name': 'ProcessId', '#text': '6000' },
        { '@Name': 'Image', '#text': 'C:\\Windows\\System32\\cmd.exe' },
        { '@Name': 'OriginalFileName', '#text': 'Cmd.Exe' },
        { '@Name': 'CommandLine', '#text': 'cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1 2>&1' },
        { '@Name': 'User', '#text': 'CORP\\alice' },
        { '@Name': 'ParentImage', '#text': 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe' },
        { '@Name': 'ParentCommandLine', '#text': 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding' },
        { '@Name': 'ParentProcessId', '#text': '900' },
      ],
    },
  });
  const row1 = ['1', '1001', '2024-05-01 08:00:00.1234567', '1', 'Info', 'Microsoft-Windows-Sysmon', 'Microsoft-Windows-Sysmon/Operational', '2000', '3000', 'WS01.corp.local', 'S-1-5-18', 'Process creation', '', '', 'ProcessID: 6000', 'summary', '', '', '', '', 'cmd.exe /Q /c whoami', 'False', 'C:\\logs\\Sysmon.evtx', '', '0', payload];
  const row2 = ['2', '1002', '2024-05-01 08:00:01.0000000', '3', 'Info', 'Microsoft-Windows-Sysmon', 'Microsoft-Windows-Sysmon/Operational', '2000', '3000', 'WS01.corp.local', 'S-1-5-18', 'Network connection', '', '', '', '', '', '', '', '', '', 'False', 'C:\\logs\\Sysmon.evtx', '', '0', '{}'];
  const text = header + '\r\n' + [row1, row2].map((r) => r.map((v) => (/[",\n]/.test(v) ? q(v) : v)).join(',')).join('\r\n') + '\r\n';

  it('maps from the Payload JSON column and exposes its data as original fields', () => {
    const r = ingestText(text, { chunkChars: 31 });
    expect(r.detected.format).toBe('evtxecmd');
    expect(r.stats).toMatchObject({ appended: 2, nonProcess: 0 });
    expect(r.events.map((e) => e.kind)).toEqual(['process_creation', 'network_connection']);
    const e = r.events[0]!;
    expect(e.fields).toMatchObject({
      dest: 'WS01.corp.local', process_name: 'cmd.exe', original_file_name: 'Cmd.Exe', parent_process_name: 'WmiPrvSE.exe',
      process: 'cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1 2>&1', user: 'CORP\\alice', process_id: '6000', EventCode: '1',
    });
    // The Payload's Sysmon UtcTime (ms) is the event's time (formats/time-fields.ts), not the row's TimeCreated.
    expect(e.timeMs).toBe(Date.UTC(2024, 4, 1, 8, 0, 0, 123));
    expect(e.original['Image']).toBe('C:\\Windows\\System32\\cmd.exe');
    expect(e.original['PayloadData1']).toBe('ProcessID: 6000');
    // The Payload fields were added to the originals, so the row's own CSV line travels as raw.
    expect(e.raw).toBe(text.split('\r\n')[1]);
    expect(e.source).toBe('sysmon');
  });
});

describe('Microsoft Defender DeviceProcessEvents CSV', () => {
  const header = 'Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,ProcessId,ProcessCommandLine,ProcessIntegrityLevel,AccountDomain,AccountName,ProcessVersionInfoOriginalFileName,InitiatingProcessFileName,InitiatingProcessFolderPath,InitiatingProcessId,InitiatingProcessCommandLine';
  const row = ['2024-05-01T08:00:00.1234567Z', 'd1', 'ws01.corp.local', 'ProcessCreated', 'PsExec.exe', 'C:\\Tools\\PsExec.exe', 'ff', '123', '"PsExec.exe" -accepteula \\\\ws02 cmd', 'High', 'corp', 'alice', 'psexec.c', 'cmd.exe', 'c:\\windows\\system32', '55', 'cmd.exe'];
  it('maps columns, joins folder-only parent paths', () => {
    const r = ingestText(header + '\n' + row.map((v) => (/[",]/.test(v) ? q(v) : v)).join(',') + '\n');
    expect(r.detected.format).toBe('defender');
    expect(r.events[0]!.fields).toMatchObject({
      dest: 'ws01.corp.local', user: 'corp\\alice', process_name: 'PsExec.exe', process_path: 'C:\\Tools\\PsExec.exe',
      process: '"PsExec.exe" -accepteula \\\\ws02 cmd', original_file_name: 'psexec.c', parent_process_name: 'cmd.exe',
      parent_process_path: 'c:\\windows\\system32\\cmd.exe', parent_process_id: '55', process_hash: 'ff', process_integrity_level: 'High',
    });
    expect(r.events[0]!.source).toBe('defender');
  });
});

describe('CrowdStrike CSV', () => {
  it('detects by event_simpleName column', () => {
    const text = 'timestamp,event_simpleName,aid,ComputerName,CommandLine,ImageFileName,ParentBaseFileName\n' +
      '1714550400123,ProcessRollup2,abc,WS9,cmd.exe /c ver,\\Device\\HarddiskVolume2\\Windows\\System32\\cmd.exe,explorer.exe\n' +
      '1714550400124,NetworkConnectIP4,abc,WS9,,,\n' +
      '1714550400125,SensorHeartbeat,abc,WS9,,,\n';
    const r = ingestText(text);
    expect(r.detected.format).toBe('crowdstrike');
    expect(r.stats).toMatchObject({ appended: 2, nonProcess: 1 });
    expect(r.events.map((e) => e.kind)).toEqual(['process_creation', 'network_connection']);
    expect(r.events[0]!.fields.process_path).toBe('C:\\Windows\\System32\\cmd.exe');
  });
});

describe('generic CSV', () => {
  const text = 'when,machine,cmd,image\n2024-05-01 08:00:00,HOSTA,"whoami /all",C:\\Windows\\System32\\whoami.exe\n';
  it('reports unknown columns so the UI can ask for a mapping', () => {
    let err: unknown;
    try {
      ingestText(text, { fileName: 'export.csv' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownFormatError);
    expect((err as UnknownFormatError).columns).toEqual(['when', 'machine', 'cmd', 'image']);
    expect((err as UnknownFormatError).message).toContain('when, machine, cmd, image');
  });
  it('refuses an unknown format id and a generic format without mapping', () => {
    expect(() => ingestText(text, { format: 'nope' as never })).toThrow(/unknown format "nope"/);
    expect(() => ingestText(text, { format: 'generic' })).toThrow(/needs a column mapping/);
  });
  it('ingests with a mapping', () => {
    const r = ingestText(text, { mapping: { time: 'when', host: 'machine', fields: { process: 'cmd', process_path: 'image' } } });
    expect(r.detected.format).toBe('generic');
    expect(r.events[0]!.fields).toEqual({ dest: 'HOSTA', process: 'whoami /all', process_path: 'C:\\Windows\\System32\\whoami.exe', process_name: 'whoami.exe' });
    expect(r.events[0]!.source).toBe('generic');
    expect(r.stats.assumedUtc).toBe(true);
  });
});

describe('Splunk export of raw Windows events', () => {
  const xml = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>1</EventID><TimeCreated SystemTime='2024-05-01T08:00:00.5000000Z'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>ws07.corp.local</Computer></System><EventData><Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='CommandLine'>cmd.exe /c echo &quot;x&quot; &amp;&amp; whoami</Data><Data Name='ParentImage'>C:\\Windows\\System32\\services.exe</Data></EventData></Event>`;
  it('parses XmlWinEventLog `_raw` and keeps the Splunk columns', () => {
    const text = '_time,host,source,sourcetype,_raw\n' + ['2024-05-01T10:00:00.500+02:00', 'fwd01', 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', 'XmlWinEventLog', q(xml)].join(',') + '\n';
    const r = ingestText(text);
    expect(r.detected.format).toBe('splunk-cim');
    expect(r.stats.appended).toBe(1);
    const e = r.events[0]!;
    expect(e.source).toBe('sysmon');
    expect(e.fields).toMatchObject({ dest: 'ws07.corp.local', process: 'cmd.exe /c echo "x" && whoami', process_name: 'cmd.exe', parent_process_name: 'services.exe', EventCode: '1' });
    expect(e.raw).toBe(xml);
    expect(e.original['sourcetype']).toBe('XmlWinEventLog');
    expect(e.original['Provider_Name']).toBe('Microsoft-Windows-Sysmon');
    expect(e.timeMs).toBe(Date.UTC(2024, 4, 1, 8, 0, 0, 500));
  });
  it('maps Splunk field extractions (EventCode, Image, CommandLine); other codes keep their kind', () => {
    const text = '_time,host,sourcetype,EventCode,ComputerName,Image,CommandLine,ParentImage\n' +
      '2024-05-01T08:00:00Z,fwd01,XmlWinEventLog:Microsoft-Windows-Sysmon/Operational,1,WS08,C:\\Windows\\System32\\whoami.exe,whoami /all,C:\\Windows\\System32\\cmd.exe\n' +
      '2024-05-01T08:00:01Z,fwd01,XmlWinEventLog:Microsoft-Windows-Sysmon/Operational,3,WS08,C:\\Windows\\System32\\svchost.exe,,\n';
    const r = ingestText(text);
    expect(r.stats).toMatchObject({ appended: 2, nonProcess: 0 });
    expect(r.events.map((e) => e.kind)).toEqual(['process_creation', 'network_connection']);
    expect(r.events[1]!.fields).toMatchObject({ dest: 'WS08', process_path: 'C:\\Windows\\System32\\svchost.exe', EventCode: '3' });
    expect(r.events[0]!.fields).toMatchObject({ dest: 'WS08', process_name: 'whoami.exe', parent_process_name: 'cmd.exe', EventCode: '1' });
  });
});

describe('Splunk tstats / datamodel output', () => {
  it('reads Processes.-prefixed CIM columns', () => {
    const text = '_time,Processes.dest,Processes.user,Processes.process,Processes.parent_process_name,Processes.process_id\n' +
      '2024-05-01T08:00:00.000+0000,WS1,CORP\\a,"""C:\\Windows\\System32\\cmd.exe"" /Q /c whoami",WmiPrvSE.exe,42\n';
    const r = ingestText(text);
    expect(r.detected.format).toBe('splunk-cim');
    expect(r.detected.reason).toContain('Processes.process');
    expect(r.events[0]!.fields).toEqual({
      dest: 'WS1', user: 'CORP\\a', process: '"C:\\Windows\\System32\\cmd.exe" /Q /c whoami', process_name: 'cmd.exe',
      parent_process_name: 'WmiPrvSE.exe', process_id: '42',
    });
  });
  it('an empty input is no error and says why no format was chosen', () => {
    const r = ingestText('');
    expect(r.stats.records).toBe(0);
    expect(r.detected.reason).toContain('no records');
  });
});

describe('sniffFormat', () => {
  it('names known formats from a head of the file and lists columns of unknown ones', async () => {
    const { sniffFormat, headerSignature } = await import('../../../engine/ingest/index.ts');
    const head = '_time,dest,process,parent_process_name\n2024-05-01T08:00:00Z,WS1,"cmd.exe /c dir",explorer.exe\n2024-05-01T08:00:01Z,WS1,"unfinished';
    expect(sniffFormat(head)).toMatchObject({ format: 'splunk-cim', container: 'csv' });
    const unknown = sniffFormat('when,machine,cmd\n1,2,3\n');
    expect(unknown).toMatchObject({ format: 'generic', columns: ['when', 'machine', 'cmd'], signature: headerSignature(['when', 'machine', 'cmd']) });
    expect(headerSignature(['when', 'machine', 'cmd'])).not.toBe(headerSignature(['machine', 'when', 'cmd']));
  });
});

describe('CSV line endings', () => {
  it('keeps rows apart when CRLF and LF rows are mixed, quoted or not', () => {
    const text = '_time,dest,process\r\n2024-05-01T08:00:00Z,WS1,"cmd /c ""a""\r\nb"\r\n2024-05-01T08:00:01Z,WS2,whoami\n2024-05-01T08:00:02Z,WS3,"hostname"\n2024-05-01T08:00:03Z,WS4,ver\r\n';
    for (const chunkChars of [undefined, 3]) {
      const r = ingestText(text, { chunkChars });
      expect(r.stats.rejected).toBe(0);
      expect(r.events.map((e) => [e.fields.dest, e.fields.process, e.locator.line])).toEqual([
        ['WS1', 'cmd /c "a"\r\nb', 2], ['WS2', 'whoami', 4], ['WS3', 'hostname', 5], ['WS4', 'ver', 6],
      ]);
    }
  });
});

describe('onFormat', () => {
  it('reports the log family once, before the first record is stored: detected, or chosen up front', async () => {
    const { createIngestor } = await import('../../../engine/ingest/ingestor.ts');
    const csvText = '_time,host,process_name,process\n' + Array.from({ length: 40 }, (_, i) => `2024-03-12T00:00:${String(i).padStart(2, '0')}Z,WKS-1,cmd.exe,cmd.exe /c echo ${i}`).join('\n') + '\n';
    for (const format of [undefined, 'splunk-cim' as const]) {
      const seen: string[] = [];
      let appendedBeforeFormat = 0;
      const ing = createIngestor({
        evidence: 0,
        ...(format ? { format } : {}),
        onFormat: (f) => seen.push(f),
        sink: {
          append: () => {
            if (seen.length === 0) appendedBeforeFormat++;
          },
          reject: () => undefined,
          nonProcess: () => undefined,
        },
      });
      for (let i = 0; i < csvText.length; i += 50) ing.push(csvText.slice(i, i + 50));
      const { stats } = ing.end();
      expect(stats.appended).toBe(40);
      expect(seen).toEqual(['splunk-cim']);
      expect(appendedBeforeFormat).toBe(0);
    }
  });
});
