import { describe, expect, it } from 'vitest';
import { csvCell, findingsToCsv } from '../../../engine/export/csv.ts';
import { buildReport } from '../../../engine/export/report.ts';
import { input } from './fixtures.ts';

/** Minimal RFC 4180 reader used to check the writer round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += ch;
  }
  return rows;
}

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line1\nline2', '"line1\nline2"'],
    ['', ''],
  ])('%j -> %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
  it('writes numbers and booleans plainly', () => {
    expect(csvCell(35)).toBe('35');
    expect(csvCell(false)).toBe('false');
    expect(csvCell(null)).toBe('');
  });
});

describe('findingsToCsv', () => {
  it('writes a header and one row per finding, CRLF, round-tripping values', () => {
    const csv = findingsToCsv(buildReport(input()));
    const rows = parseCsv(csv);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(rows[0]).toEqual(['id', 'rule_id', 'rule_title', 'host', 'bin_start', 'bin_end', 'event_count', 'risk_score', 'message', 'techniques', 'events', 'evidence_sha256', 'event_record_ids', 'what_ran']);
    expect(rows).toHaveLength(3);
    // The rule's title beside its id (a Sigma rule_id is a UUID).
    expect(rows[1]!.slice(1, 9)).toEqual([
      'impacket-lateral-movement-sysmon', 'Impacket Lateral Movement Activity (Sysmon)', 'IEWIN7', '2019-04-30T20:32:51Z', '2019-04-30T20:32:52Z', '1', '56', `'=HYPERLINK("http://evil.example","click")`,
    ]);
    expect(rows[1]![9]).toBe('T1021.002;T1210');
    expect(rows[2]![10]).toBe('z/sysmon.xml#4; a/security.csv#12');
    // Each row names the SHA-256 of every evidence file its events come from.
    expect(rows[2]![11]).toBe(`${'a'.repeat(64)};${'b'.repeat(64)}`);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('with movements, names the movement each finding is a step of and its source, formula-safe', () => {
    const base = input();
    const f = base.findings[0]!;
    const t = f.binStartMs;
    const report = buildReport({
      ...base,
      movements: {
        movements: [{
          id: 'mv|wmiexec|IEWIN7|1', method: 'wmiexec', source: '=cmd|calc', sourceIp: '10.0.2.17', source_attribution: { host: '=cmd|calc', ip: '10.0.2.17', resolvedBy: 'workstation-name', rows: [] },
          target: 'IEWIN7', account: 'IEWIN7\\IEUser', logonId: null, firstMs: t, lastMs: t, missing: [], seenFrom: 'target', findingIds: [f.id], linkIds: [], explanation: '', sourceOnly: true,
          steps: [{ role: 'finding', row: 0, evidence: 0, record: 1, timeMs: t, host: 'IEWIN7', kind: 'process_creation', summary: 'x', findingId: f.id }],
        }],
        paths: [], episodes: [], findingSources: {},
      },
    });
    const rows = parseCsv(findingsToCsv(report));
    expect(rows[0]!.slice(-6)).toEqual(['movement', 'movement_method', 'source_host', 'source_ip', 'source_resolved_by', 'source_account']);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byId.get(f.id)!.slice(-6)).toEqual(['mv|wmiexec|IEWIN7|1', 'wmiexec', "'=cmd|calc", '10.0.2.17', 'workstation-name', 'IEWIN7\\IEUser']);
    const other = rows.slice(1).find((r) => r[0] !== f.id)!;
    expect(other.slice(-6)).toEqual(['', '', '', '', '', '']);
  });

  it('adds annotation columns when the report has annotations, still formula-safe', () => {
    const rows = parseCsv(findingsToCsv(buildReport(input(true)), { bom: true }).replace(/^\uFEFF/, ''));
    expect(rows[0]!.slice(-4)).toEqual(['status', 'starred', 'tags', 'comments']);
    expect(rows[1]!.slice(-4)).toEqual(['new', 'false', '', '']);
    const [status, starred, tags, comments] = rows[2]!.slice(-4);
    expect([status, starred, tags]).toEqual(['confirmed-malicious', 'false', "'@SUM(1)"]);
    expect(comments).toMatch(/^2024-05-02T10:00:02Z analyst: Seen before\. <script>/);
    expect(findingsToCsv(buildReport(input(true)), { bom: true }).startsWith('\uFEFF')).toBe(true);
  });
});
