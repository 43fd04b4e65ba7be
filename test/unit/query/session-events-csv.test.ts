// The events of a table scope as CSV (engine session with the real query layer): UTC time, the table's columns,
// then each event's evidence file, SHA-256, record and line; spreadsheet formulas neutralised; a count instead of
// text beyond the limit; a bad filter is a located E_USAGE.

import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { rows } from '../../../engine/query/rows.ts';
import { EngineSession } from '../../../engine/session.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

function rec(i: number, dest: string, process: string, user: string): IngestRecord {
  return { timeMs: T0 + i * 1000 + 0.25, source: 'cim', fields: { dest, process, user, process_name: process.split(' ')[0] }, originalNames: ['dest', 'process'], originalValues: [dest, process], record: i + 1, line: i + 2, byteOffset: i * 40 };
}

function session(): EngineSession {
  const s = new EngineSession({ queries: { rows: (store, req, ctx) => rows(store, req, { findings: ctx.findings }) } });
  const stats = { records: 3, appended: 3, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false };
  const a = new SegmentBuilder({ evidence: 0, evidenceName: 'dc01.csv', rawFormat: 'csv' });
  a.append(rec(0, 'DC01', 'cmd.exe /c "echo a,b"', 'CORP\\admin'));
  a.append(rec(2, 'DC01', '=HYPERLINK("http://evil.example","x")', '-'));
  s.addSegments([a.finish()], { evidence: 0, name: 'dc01.csv', format: 'splunk-cim', formatReason: 'x', encoding: 'utf-8', stats });
  const b = new SegmentBuilder({ evidence: 1, evidenceName: 'wks.csv', rawFormat: 'csv' });
  b.append(rec(1, 'WKS-7', 'psexec.exe \\\\DC01 -accepteula cmd', 'CORP\\bob'));
  s.addSegments([b.finish()], { evidence: 1, name: 'wks.csv', format: 'splunk-cim', formatReason: 'x', encoding: 'utf-8', stats });
  s.setEvidenceMeta({ evidence: 0, sha256: SHA_A, bytes: 1, path: '/e/dc01.csv', addedAt: '2024-05-02T00:00:00Z' });
  s.setEvidenceMeta({ evidence: 1, sha256: SHA_B, bytes: 1, path: '/e/wks.csv', addedAt: '2024-05-02T00:00:00Z' });
  return s;
}

describe('EngineSession.eventsCsv', () => {
  it('writes time, the columns and each event\'s evidence locator, in time order, safe for spreadsheets', () => {
    const out = session().eventsCsv({}, ['_time', 'dest', 'user', 'process'], 10);
    expect(out.total).toBe(3);
    expect(out.text!.startsWith('\ufeff')).toBe(true);
    const parsed = Papa.parse<string[]>(out.text!.slice(1), { skipEmptyLines: true }).data;
    expect(parsed).toEqual([
      ['time_utc', 'dest', 'user', 'process', 'evidence_file', 'evidence_sha256', 'record', 'line'],
      ['2024-05-01T08:00:00.000250Z', 'DC01', 'CORP\\admin', 'cmd.exe /c "echo a,b"', 'dc01.csv', SHA_A, '1', '2'],
      ['2024-05-01T08:00:01.000250Z', 'WKS-7', 'CORP\\bob', 'psexec.exe \\\\DC01 -accepteula cmd', 'wks.csv', SHA_B, '2', '3'],
      // A cell that would start a formula (or a lone "-" user) is text: a leading apostrophe.
      ['2024-05-01T08:00:02.000250Z', 'DC01', "'-", '\'=HYPERLINK("http://evil.example","x")', 'dc01.csv', SHA_A, '3', '4'],
    ]);
  });

  it('exports only the scope, gives the count instead of text beyond the limit, and refuses a bad filter', () => {
    const s = session();
    const only = s.eventsCsv({ hosts: ['WKS-7'] }, ['process_name'], 10);
    expect(only.total).toBe(1);
    expect(Papa.parse<string[]>(only.text!.slice(1), { skipEmptyLines: true }).data.map((r) => r[1])).toEqual(['process_name', 'psexec.exe']);
    expect(s.eventsCsv({ filter: 'dest:DC01' }, ['dest'], 10).total).toBe(2);
    expect(s.eventsCsv({}, ['dest'], 2)).toEqual({ total: 3, text: null });
    expect(() => s.eventsCsv({ filter: 'dest:(' }, ['dest'], 10)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
