// Issue 15: which field an event's time comes from, per family (formats/time-fields.ts): the event's own clock
// first, the collector's last; the chosen field and the record's other time fields travel with the record.
import { describe, expect, it } from 'vitest';
import { createIngestor } from '../../../engine/ingest/index.ts';
import type { FormatId } from '../../../engine/formats/types.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { TIME_FIELDS, pickTime } from '../../../engine/formats/time-fields.ts';

function mapAll(text: string, format?: FormatId, mapping?: { time: string; fields: Record<string, string> }): { recs: IngestRecord[]; rejects: string[] } {
  const recs: IngestRecord[] = [];
  const rejects: string[] = [];
  const ing = createIngestor({
    evidence: 0,
    ...(format ? { format } : {}),
    ...(mapping ? { mapping } : {}),
    sink: { append: (r) => recs.push(r), reject: (r) => rejects.push(r.reason), nonProcess: () => {} },
  });
  ing.push(text);
  ing.end();
  return { recs, rejects };
}

const iso = (ms: number): string => new Date(ms).toISOString();

const sysmonXml = (system: string, utc: string, eid = '1', channel = 'Microsoft-Windows-Sysmon/Operational'): string =>
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="x"/><EventID>${eid}</EventID>` +
  `<TimeCreated SystemTime="${system}"/><Channel>${channel}</Channel><Computer>H1</Computer></System><EventData>` +
  (utc ? `<Data Name="UtcTime">${utc}</Data>` : '') +
  `<Data Name="Image">C:\\w\\cmd.exe</Data><Data Name="CommandLine">cmd /c x</Data><Data Name="NewProcessName">C:\\w\\cmd.exe</Data></EventData></Event>`;

describe('time precedence per family', () => {
  it('the table puts the event\'s own clock first and the collector\'s last in every family', () => {
    for (const [family, list] of Object.entries(TIME_FIELDS)) {
      const roles = list.map((s) => s.role);
      const firstCollector = roles.indexOf('collector');
      if (firstCollector >= 0) expect(roles.slice(firstCollector).every((r) => r === 'collector'), family).toBe(true);
      expect(roles[0], family).not.toBe('collector');
    }
  });

  it('event XML / .evtx: Sysmon UtcTime, then the System TimeCreated SystemTime', () => {
    const { recs } = mapAll(
      `<Events>${sysmonXml('2024-05-01T08:00:01.5000000Z', '2024-05-01 08:00:00.250')}${sysmonXml('2024-05-01T09:00:00.1234567Z', '', '4688', 'Security')}</Events>`,
    );
    expect(recs.map((r) => [iso(r.timeMs), r.timeField, r.assumedUtc])).toEqual([
      ['2024-05-01T08:00:00.250Z', 'UtcTime', undefined],
      ['2024-05-01T09:00:00.123Z', 'TimeCreated_SystemTime', undefined],
    ]);
    expect(recs[0]!.timeAlts).toEqual([{ field: 'TimeCreated_SystemTime', ms: Date.UTC(2024, 4, 1, 8, 0, 1, 500), assumedUtc: false }]);
    expect(recs[1]!.timeAlts).toBeUndefined();
  });

  it('flattened NDJSON (OTRF, NXLog): UtcTime, TimeCreated, EventTime, then @timestamp and EventReceivedTime', () => {
    const base = { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'H1', Image: 'C:\\w\\cmd.exe', CommandLine: 'cmd' };
    const lines = [
      { ...base, UtcTime: '2020-09-20 16:16:37.523', TimeCreated: '2020-09-20 12:16:37.530', EventTime: '2020-09-20 12:16:38', '@timestamp': '2020-09-20T16:16:39.626Z', EventReceivedTime: '2020-09-20 12:16:39' },
      { ...base, TimeCreated: '2020-09-20 12:16:37.530', EventTime: '2020-09-20 12:16:38', '@timestamp': '2020-09-20T16:16:39.626Z' },
      { ...base, EventTime: '2020-09-20 12:16:38', '@timestamp': '2020-09-20T16:16:39.626Z', EventReceivedTime: '2020-09-20 12:16:39' },
      { ...base, '@timestamp': '2020-09-20T16:16:39.626Z', EventReceivedTime: '2020-09-20 12:16:39' },
      { ...base, EventReceivedTime: '2020-09-20 12:16:39' },
      // An unreadable UtcTime does not lose the record: the next field in precedence is read.
      { ...base, UtcTime: 'garbage', '@timestamp': '2020-09-20T16:16:39.626Z' },
    ];
    const { recs } = mapAll(lines.map((l) => JSON.stringify(l)).join('\n'), 'windows-flat');
    expect(recs.map((r) => [r.timeField, iso(r.timeMs), r.assumedUtc ?? false])).toEqual([
      ['UtcTime', '2020-09-20T16:16:37.523Z', false],
      ['TimeCreated', '2020-09-20T12:16:37.530Z', true],
      ['EventTime', '2020-09-20T12:16:38.000Z', true],
      ['@timestamp', '2020-09-20T16:16:39.626Z', false],
      ['EventReceivedTime', '2020-09-20T12:16:39.000Z', true],
      ['@timestamp', '2020-09-20T16:16:39.626Z', false],
    ]);
    expect(recs[0]!.timeAlts!.map((a) => [a.field, a.assumedUtc])).toEqual([
      ['TimeCreated', true],
      ['EventTime', true],
      ['@timestamp', false],
      ['EventReceivedTime', true],
    ]);
  });

  it('evtx_dump / Chainsaw JSON: EventData UtcTime, then System TimeCreated', () => {
    const ev = (utc?: string) => ({
      Event: {
        System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'H1', TimeCreated: { '#attributes': { SystemTime: '2024-05-01T08:00:01.000000Z' } } },
        EventData: { Image: 'C:\\w\\cmd.exe', CommandLine: 'cmd', ...(utc ? { UtcTime: utc } : {}) },
      },
    });
    const { recs } = mapAll([ev('2024-05-01 08:00:00.000'), ev()].map((o) => JSON.stringify(o)).join('\n'), 'evtx-json');
    expect(recs.map((r) => [r.timeField, iso(r.timeMs)])).toEqual([
      ['UtcTime', '2024-05-01T08:00:00.000Z'],
      ['System.TimeCreated.#attributes.SystemTime', '2024-05-01T08:00:01.000Z'],
    ]);
  });

  it('EvtxECmd CSV: the Payload\'s UtcTime, then TimeCreated', () => {
    const payload = JSON.stringify({ EventData: { Data: [{ '@Name': 'UtcTime', '#text': '2024-05-01 08:00:00.000' }, { '@Name': 'Image', '#text': 'C:\\w\\cmd.exe' }, { '@Name': 'CommandLine', '#text': 'cmd' }] } });
    const csv = 'TimeCreated,EventId,Provider,Channel,Computer,ExecutableInfo,PayloadData1,Payload\n' +
      `2024-05-01 08:00:02.0000000,1,Microsoft-Windows-Sysmon,Microsoft-Windows-Sysmon/Operational,H1,cmd,x,"${payload.replace(/"/g, '""')}"\n`;
    const { recs } = mapAll(csv, 'evtxecmd');
    expect(recs.map((r) => [r.timeField, iso(r.timeMs), r.timeAlts?.map((a) => a.field)])).toEqual([['UtcTime', '2024-05-01T08:00:00.000Z', ['TimeCreated']]]);
  });

  it('Get-WinEvent CSV: Sysmon UtcTime from the message beats the zone-less local TimeCreated', () => {
    const msg = 'Process Create:\r\nUtcTime: 2024-05-01 08:00:00.000\r\nImage: C:\\w\\cmd.exe\r\nCommandLine: cmd';
    const csv = `"Message","Id","ProviderName","LogName","MachineName","TimeCreated"\n"${msg}","1","Microsoft-Windows-Sysmon","Microsoft-Windows-Sysmon/Operational","H1","5/1/2024 4:00:00 AM"\n`;
    const { recs } = mapAll(csv, 'winevent-csv');
    expect(recs.map((r) => [r.timeField, iso(r.timeMs), r.assumedUtc])).toEqual([['UtcTime', '2024-05-01T08:00:00.000Z', undefined]]);
    expect(recs[0]!.timeAlts).toEqual([{ field: 'TimeCreated', ms: Date.UTC(2024, 4, 1, 4), assumedUtc: true }]);
  });

  it('Splunk CIM: _time before _indextime', () => {
    const csv = '_time,_indextime,dest,process,process_name\n2024-05-01T08:00:00.000Z,1714550460,H1,cmd /c x,cmd.exe\n';
    const { recs } = mapAll(csv, 'splunk-cim');
    expect(recs.map((r) => [r.timeField, iso(r.timeMs), r.timeAlts?.map((a) => [a.field, a.ms - r.timeMs])])).toEqual([
      ['_time', '2024-05-01T08:00:00.000Z', [['_indextime', 60_000]]],
    ]);
  });

  it('ECS: @timestamp before event.created / event.ingested; Winlogbeat Sysmon: its UtcTime first', () => {
    const proc = { '@timestamp': '2024-05-01T08:00:00.000Z', 'event.ingested': '2024-05-01T08:00:09.000Z', 'host.name': 'H1', 'event.code': '1', 'event.provider': 'Microsoft-Windows-Sysmon', 'process.executable': 'C:\\w\\cmd.exe', 'process.command_line': 'cmd' };
    const win = { '@timestamp': '2024-05-01T08:00:00.100Z', 'winlog.event_id': '1', 'winlog.channel': 'Microsoft-Windows-Sysmon/Operational', 'winlog.computer_name': 'H1', 'winlog.event_data.UtcTime': '2024-05-01 08:00:00.050', 'winlog.event_data.Image': 'C:\\w\\cmd.exe', 'ecs.version': '1.0' };
    const { recs } = mapAll([proc, win].map((o) => JSON.stringify(o)).join('\n'), 'ecs');
    expect(recs.map((r) => [r.timeField, iso(r.timeMs)])).toEqual([
      ['@timestamp', '2024-05-01T08:00:00.000Z'],
      ['UtcTime', '2024-05-01T08:00:00.050Z'],
    ]);
  });

  it('CrowdStrike: timestamp, then ContextTimeStamp; Defender: Timestamp before TimeGenerated', () => {
    const cs = { event_simpleName: 'ProcessRollup2', timestamp: '1714550400000', ContextTimeStamp: '1714550399.500', ComputerName: 'H1', CommandLine: 'cmd', ImageFileName: '\\Device\\HarddiskVolume2\\w\\cmd.exe' };
    const r1 = mapAll(JSON.stringify(cs), 'crowdstrike').recs;
    expect(r1.map((r) => [r.timeField, iso(r.timeMs), r.timeAlts?.map((a) => [a.field, a.ms - r.timeMs])])).toEqual([
      ['timestamp', '2024-05-01T08:00:00.000Z', [['ContextTimeStamp', -500]]],
    ]);
    const d = { Timestamp: '2024-05-01T08:00:00.0000000Z', TimeGenerated: '2024-05-01T08:03:00Z', DeviceName: 'h1', ProcessCommandLine: 'cmd', FileName: 'cmd.exe', InitiatingProcessFileName: 'explorer.exe' };
    const r2 = mapAll(JSON.stringify(d), 'defender').recs;
    expect(r2.map((r) => [r.timeField, iso(r.timeMs), r.timeAlts?.map((a) => a.field)])).toEqual([['Timestamp', '2024-05-01T08:00:00.000Z', ['TimeGenerated']]]);
  });

  it('a generic mapping names its time column', () => {
    const { recs } = mapAll('When,Machine,Cmd\n2024-05-01 08:00:00,H1,cmd\n', 'generic', { time: 'When', fields: { dest: 'Machine', process: 'Cmd' } });
    expect(recs.map((r) => [r.timeField, r.assumedUtc])).toEqual([['When', true]]);
  });

  it('pickTime lists the present fields in precedence order and skips empty ones', () => {
    const rec: Record<string, string> = { '@timestamp': '2024-05-01T08:00:00Z', TimeCreated: '', UtcTime: '2024-05-01 07:59:59.000' };
    expect(pickTime('windows-flat', (n) => rec[n]).map((t) => [t.field, t.utc])).toEqual([
      ['UtcTime', true],
      ['@timestamp', false],
    ]);
  });
});
