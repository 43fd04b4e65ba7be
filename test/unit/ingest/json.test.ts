// JSON inputs: OTRF flattened NDJSON (trailing commas, numbers for strings, blank and bad lines), JSON arrays
// streamed in tiny chunks, evtx_dump/Chainsaw nested JSON, ECS/Winlogbeat, CrowdStrike, Splunk result lines.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';

const OTRF_SYSMON1 = {
  Company: 'Sysinternals - www.sysinternals.com', Task: '1', CommandLine: 'PsExec.exe  -accepteula -s reg save HKLM\\security\\policy\\secrets C:\\Users\\wardog\\AppData\\Local\\Temp\\secrets',
  TimeCreated: '2020-10-19 03:30:46.257', OriginalFileName: 'psexec.c', User: 'WORKSTATION5\\wardog', ParentProcessId: '2128',
  Channel: 'Microsoft-Windows-Sysmon/Operational', IntegrityLevel: 'High', ProcessGuid: '{39e4a257-40a6-5f8d-a005-000000000700}',
  UtcTime: '2020-10-19 07:30:46.251', SourceName: 'Microsoft-Windows-Sysmon', ParentCommandLine: '"C:\\windows\\system32\\cmd.exe" ',
  ProcessId: '7256', ParentImage: 'C:\\Windows\\System32\\cmd.exe', Image: 'C:\\Users\\wardog\\Downloads\\PSTools\\PsExec.exe',
  Hostname: 'WORKSTATION5', EventID: 1,
};
const OTRF_4688 = {
  SubjectUserName: 'wardog', TimeCreated: '2020-10-19 03:30:46.251', CommandLine: 'PsExec.exe  -accepteula -s reg save',
  NewProcessId: '0x1c58', SubjectDomainName: 'WORKSTATION5', NewProcessName: 'C:\\Users\\wardog\\Downloads\\PSTools\\PsExec.exe',
  EventID: '4688', Channel: 'security', Hostname: 'WORKSTATION5', ProcessId: '0x850', ParentProcessName: 'C:\\Windows\\System32\\cmd.exe',
  TargetUserSid: 'S-1-0-0', TargetDomainName: '-', TargetUserName: '-', SourceName: 'Microsoft-Windows-Security-Auditing',
};
const OTRF_NET = { TimeCreated: '2020-10-19 03:30:45.323', SourceName: 'Microsoft-Windows-Sysmon', EventID: 3, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'WORKSTATION5' };
const EMPIRE_4688 = { '@timestamp': '2020-09-20T16:16:39.625Z', EventTime: '2020-09-20 12:16:37', EventID: 4688, Channel: 'security', Hostname: 'WORKSTATION6.theshire.local', host: 'wec.internal.cloudapp.net', NewProcessName: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /C start /b', ProcessId: '0x26c', ParentProcessName: 'C:\\Windows\\System32\\services.exe', SubjectUserName: 'WORKSTATION6$', SubjectDomainName: 'THESHIRE', Keywords: -9214364837600034816, tags: ['mordorDataset'] };

describe('flattened Windows NDJSON (OTRF/Mordor)', () => {
  it('maps Sysmon 1 and 4688, tolerates trailing commas, blank lines and numbers, rejects bad lines with their line', () => {
    const lines = [
      JSON.stringify(OTRF_NET),
      '',
      JSON.stringify(OTRF_SYSMON1) + ',',
      '{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "TimeCreated": ',
      JSON.stringify(OTRF_4688),
      JSON.stringify({ ...OTRF_SYSMON1, TimeCreated: '19.10.2020 03:30', UtcTime: undefined }),
      JSON.stringify(EMPIRE_4688),
    ];
    const r = ingestText(lines.join('\n') + '\n', { chunkChars: 13 });
    expect(r.detected.format).toBe('windows-flat');
    expect(r.stats).toMatchObject({ records: 6, appended: 4, nonProcess: 0, rejected: 2 });
    expect(r.rejects.map((x) => [x.code, x.line])).toEqual([['bad-json', 4], ['bad-time', 6]]);
    expect(r.events.map((e) => e.kind)).toEqual(['network_connection', 'process_creation', 'process_creation', 'process_creation']);
    const [s1, sec, emp] = r.events.slice(1);
    expect(s1!.fields).toMatchObject({ process_name: 'PsExec.exe', original_file_name: 'psexec.c', parent_process_name: 'cmd.exe', EventCode: '1', dest: 'WORKSTATION5' });
    // Sysmon's own UtcTime wins over TimeCreated (formats/time-fields.ts): in OTRF captures TimeCreated is local time
    // without zone (here 4 h behind, which the file's time comparison reports).
    expect(new Date(s1!.timeMs).toISOString()).toBe('2020-10-19T07:30:46.251Z');
    expect(s1!.locator.line).toBe(3);
    expect(s1!.original['EventID']).toBe('1');
    expect(sec!.fields).toMatchObject({ process_id: '7256', parent_process_id: '2128', user: 'WORKSTATION5\\wardog', EventCode: '4688' });
    // Empire: lower-case channel, @timestamp over the local EventTime, Hostname over the collector's `host`.
    expect(emp!.fields).toMatchObject({ dest: 'WORKSTATION6.theshire.local', user: 'THESHIRE\\WORKSTATION6$', parent_process_name: 'services.exe' });
    // NXLog's EventTime (the log's time, local, without zone: read as UTC and flagged) before the shipper's
    // @timestamp (formats/time-fields.ts); the file's time comparison reports the 4 h between them.
    expect(new Date(emp!.timeMs).toISOString()).toBe('2020-09-20T12:16:37.000Z');
    expect(emp!.original['tags']).toBe('["mordorDataset"]');
    expect(r.events.slice(1).some((e) => e.fields.user === undefined)).toBe(false);
  });

  it('reads the same objects as a pretty-printed JSON array, split into 1-char chunks', () => {
    const text = JSON.stringify([OTRF_NET, OTRF_SYSMON1, OTRF_4688], null, 2);
    const r = ingestText(text, { chunkChars: 1 });
    expect(r.detected.container).toBe('json-array');
    expect(r.stats).toMatchObject({ appended: 3, nonProcess: 0, rejected: 0 });
    r.events.shift();
    expect(r.events[0]!.locator.line).toBe(text.split('\n').findIndex((l) => l.trim() === '{' ) + 1 + text.split('\n').slice(text.split('\n').findIndex((l) => l.trim() === '{') + 1).findIndex((l) => l.trim() === '{') + 1);
    expect(JSON.parse(r.events[0]!.raw!)).toEqual(OTRF_SYSMON1);
  });

  it('rejects too-deep and non-object array elements without crashing', () => {
    const deep = '['.repeat(200) + ']'.repeat(200);
    const text = `[${JSON.stringify(OTRF_SYSMON1)}, 42, ${deep}, {"a": "x\\"}{"}, ${JSON.stringify(OTRF_4688)}]`;
    const r = ingestText(text);
    expect(r.stats.appended).toBe(2);
    // `{"a":"x\"}{"}` names no event and has no time: rejected as such (it used to be counted as non-process).
    expect(r.rejects.map((x) => x.code)).toEqual(['too-deep', 'bad-time']);
    expect(r.stats.nonProcess).toBe(0);
    // Scalars between objects are not records; `{"a":"x\"}{"}` is one object (quotes and braces inside a string).
    expect(r.stats.nonProcess + r.stats.rejected + r.stats.appended).toBe(r.stats.records);
  });
});

describe('evtx_dump / Chainsaw JSON', () => {
  const rec = (id: number, data: Record<string, string>, eid = 1): object => ({
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9' } },
        EventID: eid,
        TimeCreated: { '#attributes': { SystemTime: '2019-04-30T20:35:12.640434Z' } },
        EventRecordID: id,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'IEWIN7',
      },
      EventData: data,
    },
  });
  it('reads evtx_dump output with "Record N" separator lines', () => {
    const text = [
      'Record 1', JSON.stringify(rec(1, { Image: 'C:\\Windows\\System32\\mmc.exe', CommandLine: 'C:\\Windows\\system32\\mmc.exe -Embedding', ParentImage: 'C:\\Windows\\System32\\svchost.exe' }), null, 2),
      'Record 2', JSON.stringify(rec(2, { DestinationPort: '445' }, 3), null, 2),
    ].join('\n');
    const r = ingestText(text, { chunkChars: 5 });
    expect(r.detected.format).toBe('evtx-json');
    expect(r.stats).toMatchObject({ appended: 2, nonProcess: 0 });
    expect(r.events[1]!.kind).toBe('network_connection');
    expect(r.events[1]!.fields).toMatchObject({ dest: 'IEWIN7', dest_port: '445', EventCode: '3' });
    const e = r.events[0]!;
    expect(e.fields).toMatchObject({ dest: 'IEWIN7', process_name: 'mmc.exe', parent_process_name: 'svchost.exe', EventCode: '1' });
    expect(e.provider).toBe('Microsoft-Windows-Sysmon');
    expect(e.original['Event.System.Provider.#attributes.Name']).toBe('Microsoft-Windows-Sysmon');
    expect(e.original['Event.EventData.Image']).toBe('C:\\Windows\\System32\\mmc.exe');
    expect(e.locator.line).toBe(2);
  });
});

describe('Elastic ECS / Winlogbeat', () => {
  const start = {
    '@timestamp': '2024-05-01T08:00:00.123Z',
    host: { name: 'ws01.corp.local' },
    event: { code: '1', category: ['process'], type: ['start'], provider: 'Microsoft-Windows-Sysmon' },
    winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', provider_name: 'Microsoft-Windows-Sysmon', event_data: { IntegrityLevel: 'High', Hashes: 'SHA256=AA' } },
    process: {
      pid: 4242, entity_id: '{a-b}', executable: 'C:\\Windows\\System32\\cmd.exe', name: 'cmd.exe', command_line: 'cmd.exe /Q /c whoami',
      working_directory: 'C:\\', pe: { original_file_name: 'Cmd.Exe' },
      parent: { pid: 100, executable: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', name: 'WmiPrvSE.exe', command_line: 'wmiprvse.exe -Embedding' },
    },
    user: { domain: 'CORP', name: 'alice' },
  };
  it('flattens nested keys and maps process starts; a Sysmon network event is a network_connection', () => {
    const net = { '@timestamp': '2024-05-01T08:00:01Z', host: { name: 'ws01.corp.local' }, event: { code: '3', category: ['network'] }, winlog: { provider_name: 'Microsoft-Windows-Sysmon' } };
    const r = ingestText([start, net].map((o) => JSON.stringify(o)).join('\n'));
    expect(r.detected.format).toBe('ecs');
    expect(r.stats).toMatchObject({ appended: 2, nonProcess: 0 });
    expect(r.events.map((e) => e.kind)).toEqual(['process_creation', 'network_connection']);
    expect(r.events[1]!.fields).toMatchObject({ dest: 'ws01.corp.local', EventCode: '3' });
    expect(r.events[0]!.fields).toEqual({
      dest: 'ws01.corp.local', user: 'CORP\\alice', process: 'cmd.exe /Q /c whoami', process_name: 'cmd.exe',
      process_path: 'C:\\Windows\\System32\\cmd.exe', parent_process: 'wmiprvse.exe -Embedding', parent_process_name: 'WmiPrvSE.exe',
      parent_process_path: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', process_id: '4242', parent_process_id: '100',
      process_guid: '{a-b}', original_file_name: 'Cmd.Exe', process_current_directory: 'C:\\', process_integrity_level: 'High',
      process_hash: 'SHA256=AA', EventCode: '1',
    });
    expect(r.events[0]!.source).toBe('ecs');
    expect(r.events[0]!.original['process.parent.name']).toBe('WmiPrvSE.exe');
    expect(r.events[0]!.original['process.pid']).toBe('4242');
  });
});

describe('CrowdStrike', () => {
  const pr2 = {
    event_simpleName: 'ProcessRollup2', name: 'ProcessRollup2V19', timestamp: '1714550400123', ContextTimeStamp: '1714550400.120',
    aid: 'ffffffffffffffffffffffffffffffff', ComputerName: 'WS02', UserName: 'bob', CommandLine: '"C:\\Windows\\system32\\cmd.exe" /c whoami',
    ImageFileName: '\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe', ParentBaseFileName: 'WmiPrvSE.exe', RawProcessId: '5560',
    TargetProcessId: '123456789', ParentProcessId: '987654321', SHA256HashData: 'abc123', IntegrityLevel: '12288',
  };
  it('maps ProcessRollup2 with a display drive path and keeps the device path; a type no table names is non-process', () => {
    const dns = { event_simpleName: 'SensorHeartbeat', timestamp: '1714550400200', aid: 'ff', SensorStateBitMap: '0' };
    const synth = { ...pr2, event_simpleName: 'SyntheticProcessRollup2', timestamp: undefined, ComputerName: undefined, ContextTimeStamp: '1714550401.5' };
    const r = ingestText([pr2, dns, synth].map((o) => JSON.stringify(o)).join('\n'));
    expect(r.detected.format).toBe('crowdstrike');
    expect(r.stats).toMatchObject({ appended: 2, nonProcess: 1 });
    expect(r.nonProcess[0]!.kind).toBe('crowdstrike:SensorHeartbeat');
    const [a, b] = r.events;
    expect(a!.fields).toMatchObject({
      dest: 'WS02', user: 'bob', process_path: 'C:\\Windows\\System32\\cmd.exe', process_name: 'cmd.exe', parent_process_name: 'WmiPrvSE.exe',
      process_id: '5560', process_guid: '123456789', parent_process_guid: '987654321', process_hash: 'abc123', process_integrity_level: 'High',
    });
    expect(a!.fields.parent_process).toBeUndefined();
    expect(a!.original['ImageFileName']).toBe('\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe');
    expect(a!.timeMs).toBe(1714550400123);
    expect(b!.fields.dest).toBe('ffffffffffffffffffffffffffffffff');
    expect(b!.timeMs).toBe(1714550401500);
    expect(a!.source).toBe('crowdstrike');
  });
});

describe('Splunk JSON export', () => {
  it('unwraps {"result":{...}} lines, takes dest over host and keeps _raw as the raw text', () => {
    const lines = [
      { preview: false, result: { _time: '2024-05-01T10:00:00.641+02:00', host: 'splunk-fwd01', dest: 'WS03', process: 'cmd.exe /c echo hi', parent_process_name: 'explorer.exe', user: 'CORP\\carol', _raw: 'original event text' } },
      { preview: false, result: { _time: '1714550400.5', host: 'WS04', process_path: 'C:\\Windows\\System32\\whoami.exe', process: 'whoami' } },
    ];
    const r = ingestText(lines.map((o) => JSON.stringify(o)).join('\n'));
    expect(r.detected.format).toBe('splunk-cim');
    expect(r.stats.appended).toBe(2);
    const [a, b] = r.events;
    expect(a!.fields).toMatchObject({ dest: 'WS03', process_name: 'cmd.exe', parent_process_name: 'explorer.exe' });
    expect(a!.raw).toBe('original event text');
    expect(new Date(a!.timeMs).toISOString()).toBe('2024-05-01T08:00:00.641Z');
    expect(b!.fields).toMatchObject({ dest: 'WS04', process_name: 'whoami.exe' });
    expect(b!.timeMs).toBe(1714550400500);
    expect(a!.original['dest']).toBe('WS03');
  });
});

describe('API / search exports wrapping the records', () => {
  const dpe = (i: number): object => ({
    Timestamp: `2024-05-01T08:00:0${i}.1234567Z`, DeviceName: 'ws01.corp.local', ActionType: 'ProcessCreated', FileName: 'cmd.exe',
    FolderPath: 'C:\\Windows\\System32\\cmd.exe', ProcessCommandLine: `cmd.exe /c echo ${i}`, InitiatingProcessFileName: 'services.exe',
    AccountDomain: 'nt authority', AccountName: 'system', ProcessId: 100 + i,
  });
  it('streams Defender API {"Schema":[...],"Results":[...]} elements as records', () => {
    const text = JSON.stringify({ Schema: [{ Name: 'Timestamp', Type: 'DateTime' }, { Name: 'Stats', Type: 'x' }], Results: [dpe(1), dpe(2), dpe(3)], Stats: { rows: 3 } }, null, 2);
    for (const chunkChars of [undefined, 1, 64]) {
      const r = ingestText(text, { chunkChars });
      expect(r.detected.format).toBe('defender');
      expect(r.stats).toMatchObject({ records: 3, appended: 3, rejected: 0 });
      expect(r.events.map((e) => e.fields.process)).toEqual(['cmd.exe /c echo 1', 'cmd.exe /c echo 2', 'cmd.exe /c echo 3']);
      expect(r.events[0]!.fields.process_id).toBe('101');
      expect(r.events[1]!.locator.line).toBeGreaterThan(r.events[0]!.locator.line);
    }
  });
  it('unwraps a one-line Splunk REST {"results":[...]} document', () => {
    const doc = { preview: false, init_offset: 0, messages: [], results: [
      { _time: '2024-05-01T08:00:00.000+00:00', dest: 'WS1', process: 'whoami', parent_process_name: 'cmd.exe' },
      { _time: '2024-05-01T08:00:01.000+00:00', dest: 'WS2', process: 'hostname', parent_process_name: 'cmd.exe' },
    ] };
    const r = ingestText(JSON.stringify(doc));
    expect(r.detected.format).toBe('splunk-cim');
    expect(r.events.map((e) => e.fields.dest)).toEqual(['WS1', 'WS2']);
  });
  it('reads Elastic _search hits (_source) as ECS events', () => {
    const hit = (id: string, cmd: string): object => ({
      _index: 'winlogbeat-8', _id: id, _source: {
        '@timestamp': '2024-05-01T08:00:00Z', host: { name: 'ws9' }, event: { code: '4688', category: ['process'], type: ['start'] },
        winlog: { channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing' },
        process: { executable: 'C:\\Windows\\System32\\cmd.exe', command_line: cmd, parent: { executable: 'C:\\Windows\\System32\\services.exe' } },
      },
    });
    const text = JSON.stringify({ took: 3, hits: { total: { value: 2 }, hits: [hit('a', 'cmd /c 1'), hit('b', 'cmd /c 2')] } }, null, 1);
    const r = ingestText(text, { chunkChars: 17 });
    expect(r.detected.format).toBe('ecs');
    expect(r.events.map((e) => [e.fields.process, e.fields.parent_process_name, e.original['_id']])).toEqual([
      ['cmd /c 1', 'services.exe', 'a'], ['cmd /c 2', 'services.exe', 'b'],
    ]);
  });
});

describe('Winlogbeat without ECS process fields', () => {
  it('maps Winlogbeat 6 (event_data.*) and 7 (winlog.event_data.*) Sysmon/4688 like Windows events', () => {
    const wlb6 = { '@timestamp': '2019-05-18T21:06:52.000Z', event_id: 1, computer_name: 'WS6', log_name: 'Microsoft-Windows-Sysmon/Operational', source_name: 'Microsoft-Windows-Sysmon', event_data: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c ver', ParentImage: 'C:\\Windows\\explorer.exe', User: 'CORP\\a' } };
    const wlb7 = { '@timestamp': '2019-05-18T21:06:53.000Z', ecs: { version: '1.0.0' }, winlog: { event_id: 4688, channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: 'DC1', event_data: { NewProcessName: 'C:\\Windows\\System32\\whoami.exe', NewProcessId: '0x10', ProcessId: '0x20', SubjectUserName: 'b', SubjectDomainName: 'CORP' } } };
    const net = { ...wlb6, event_id: 3, event_data: { DestinationPort: '445' } };
    const r6 = ingestText([wlb6, net].map((o) => JSON.stringify(o)).join('\n'));
    expect(r6.detected.format).toBe('ecs');
    expect(r6.stats).toMatchObject({ appended: 2, nonProcess: 0 });
    expect(r6.events[1]!.kind).toBe('network_connection');
    expect(r6.events[1]!.fields.dest_port).toBe('445');
    r6.events.pop();
    expect(r6.events[0]!.fields).toMatchObject({ dest: 'WS6', process_name: 'cmd.exe', parent_process_name: 'explorer.exe', user: 'CORP\\a', EventCode: '1' });
    const r7 = ingestText(JSON.stringify(wlb7));
    expect(r7.detected.format).toBe('ecs');
    expect(r7.events[0]!.fields).toMatchObject({ dest: 'DC1', process_name: 'whoami.exe', process_id: '16', parent_process_id: '32', user: 'CORP\\b', EventCode: '4688' });
    expect(r7.events[0]!.source).toBe('security-4688');
  });
});

describe('records that merely contain an array field', () => {
  it('a record inside a top-level array keeps its "events" array as a field', () => {
    const rec = { TimeCreated: '2020-10-19 03:30:46.251', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'WS1', Image: 'C:\\a.exe', events: [{ x: 1 }, { x: 2 }] };
    const r = ingestText(JSON.stringify([rec, rec], null, 2), { chunkChars: 11 });
    expect(r.stats).toMatchObject({ records: 2, appended: 2 });
    expect(r.events[0]!.original['events']).toBe('[{"x":1},{"x":2}]');
  });
});

describe('pretty-printed records with an array field', () => {
  it('a concatenated record with a "results" array is not taken for a wrapper', () => {
    const rec = { TimeCreated: '2020-10-19 03:30:46.251', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'WS1', Image: 'C:\\a.exe', results: [{ x: 1 }] };
    const text = JSON.stringify(rec, null, 2) + '\n' + JSON.stringify(rec, null, 2);
    const r = ingestText(text, { chunkChars: 9 });
    expect(r.detected.container).toBe('json-stream');
    expect(r.stats).toMatchObject({ records: 2, appended: 2 });
    expect(r.events[1]!.original['results']).toBe('[{"x":1}]');
  });
});

describe('NDJSON records that repeat, reorder or change their keys', () => {
  it('maps every record by its own keys (the reused names of the previous record never leak)', () => {
    const a = { _time: '2024-03-12T00:00:01Z', host: 'WKS-1', process_name: 'a.exe', process: 'a.exe /x', user: 'u1' };
    const b = { process: 'b.exe /y', _time: '2024-03-12T00:00:02Z', user: 'u2', process_name: 'b.exe', host: 'WKS-2' };
    const c = { _time: '2024-03-12T00:00:03Z', host: 'WKS-3', process_name: 'c.exe', process: 'c.exe', parent_process_name: 'p.exe' };
    const lines = [a, a, b, a, c, c, b].map((o) => JSON.stringify(o));
    const r = ingestText(lines.join('\n') + '\n', { chunkChars: 17 });
    expect(r.stats).toMatchObject({ appended: 7, rejected: 0 });
    expect(r.events.map((e) => [e.fields.dest, e.fields.process_name, e.fields.user ?? null, e.fields.parent_process_name ?? null])).toEqual([
      ['WKS-1', 'a.exe', 'u1', null],
      ['WKS-1', 'a.exe', 'u1', null],
      ['WKS-2', 'b.exe', 'u2', null],
      ['WKS-1', 'a.exe', 'u1', null],
      ['WKS-3', 'c.exe', null, 'p.exe'],
      ['WKS-3', 'c.exe', null, 'p.exe'],
      ['WKS-2', 'b.exe', 'u2', null],
    ]);
    expect(Object.keys(r.events[2]!.original)).toEqual(Object.keys(b));
  });

  it('brackets inside strings do not count as depth; real nesting past the limit is still rejected', () => {
    const manyBrackets = { _time: '2024-03-12T00:00:01Z', host: 'WKS-1', process_name: 'a.exe', process: 'x ' + '{['.repeat(200) };
    let deep: unknown = 'v';
    for (let i = 0; i < 80; i++) deep = { k: deep };
    const lines = [JSON.stringify(manyBrackets), JSON.stringify({ ...manyBrackets, nested: deep })];
    const r = ingestText(lines.join('\n') + '\n');
    expect(r.stats).toMatchObject({ appended: 1, rejected: 1 });
    expect(r.events[0]!.fields.process).toBe(manyBrackets.process);
    expect(r.rejects.map((x) => [x.code, x.line])).toEqual([['too-deep', 2]]);
  });
});
