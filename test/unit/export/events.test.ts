// Every event as CSV / NDJSON (issue 13): real-shaped Windows records through the columnar store as the app writes
// them; time and its field, kind, locator, canonical and original fields, formula-safe cells, nothing dropped.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { createIngestor } from '../../../engine/ingest/ingestor.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import { EventStore } from '../../../engine/store/store.ts';
import { eventLine, eventsCsvHeader, eventsExportColumns, type EventExportContext } from '../../../engine/export/events.ts';
import { logon4624, sysmon1 } from '../detect/movements/fixtures.ts';

const XML = `<Events>${[
  logon4624('SRV-1', 1, { type: '3', ip: '10.0.0.5', ws: 'WKS01', id: '0x11' }),
  sysmon1('SRV-1', 2, { image: 'C:\\Windows\\System32\\cmd.exe', cmd: '=HYPERLINK("http://evil.example","x")', parent: 'C:\\Windows\\System32\\services.exe' }),
].join('')}</Events>`;

function ctx(): EventExportContext {
  const b = new SegmentBuilder({ evidence: 0, evidenceName: 'security.xml' });
  const ing = createIngestor({ evidence: 0, sink: b });
  ing.push(XML);
  ing.end();
  const store = new EventStore([b.finish()]);
  const columns = eventsExportColumns(store);
  return { store, columns, originalSet: new Set(columns.original), sha256: () => 'a'.repeat(64), corrected: false };
}

describe('events export', () => {
  it('CSV: fixed header, one row per event with time, its field, kind, locator, canonical and original fields; formula-safe', () => {
    const c = ctx();
    const text = [eventsCsvHeader(c.columns), ...[0, 1].map((r) => eventLine(c, r, 'csv'))].join('\r\n');
    const [header, logon, proc] = Papa.parse<string[]>(text).data;
    expect(header!.slice(0, 9)).toEqual(['time_utc', 'time_field', 'time_original_utc', 'kind', 'evidence_file', 'evidence_sha256', 'record', 'line', 'byte_offset']);
    expect(header).toContain('logon_type');
    expect(header).toContain('original.IpAddress');
    expect(header).toContain('original.CommandLine');
    expect(header!.at(-1)).toBe('original_other');
    const col = (row: string[], name: string) => row[header!.indexOf(name)];
    expect(col(logon!, 'time_utc')).toBe('2021-04-21T09:40:31Z');
    expect(col(logon!, 'time_field')).toBe('TimeCreated_SystemTime');
    expect(col(logon!, 'kind')).toBe('logon');
    expect(col(logon!, 'evidence_file')).toBe('security.xml');
    expect(col(logon!, 'record')).toBe('1');
    expect(col(logon!, 'logon_type')).toBe('3');
    expect(col(logon!, 'original.IpAddress')).toBe('10.0.0.5');
    expect(col(proc!, 'kind')).toBe('process_creation');
    expect(col(proc!, 'process')).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(col(proc!, 'original.CommandLine')).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(col(proc!, 'original.IpAddress')).toBe('');
  });

  it('NDJSON: one object per event with every original field as spelled', () => {
    const c = ctx();
    const o = JSON.parse(eventLine(c, 1, 'ndjson')) as Record<string, unknown> & { evidence: Record<string, unknown>; fields: Record<string, string>; original: Record<string, string> };
    expect(o).toMatchObject({ time: '2021-04-21T09:40:32Z', kind: 'process_creation', evidence: { file: 'security.xml', sha256: 'a'.repeat(64), record: 2 } });
    expect(o.fields['parent_process_name']).toBe('services.exe');
    expect(o.original['CommandLine']).toBe('=HYPERLINK("http://evil.example","x")');
    expect(o.original['EventID']).toBe('1');
    expect(o['time_original']).toBeUndefined();
  });
});
