// CR-only line endings (classic Mac, some exporters; issue 16, item 12): a CSV and an NDJSON file whose lines end in a
// lone CR read like their LF versions, with the same lines and byte offsets, for any chunking; CRLF stays CRLF.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';
import { crLineMode } from '../../../engine/ingest/ingestor.ts';

const CSV = [
  '_time,host,user,process_name,process,parent_process_name,dest',
  '2024-03-12T10:00:00Z,WS1,CORP\\u,cmd.exe,"cmd.exe /c ""x""",explorer.exe,ws1',
  '2024-03-12T10:00:01Z,WS2,CORP\\u,cmd.exe,cmd.exe /c whoami,explorer.exe,ws2',
  'bad line',
  '2024-03-12T10:00:02Z,WS3,CORP\\u,psexec.exe,psexec.exe \\\\ws1 cmd,cmd.exe,ws3',
];
const NDJSON = [
  '{"@timestamp":"2024-03-12T10:00:00Z","EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS1","Image":"C:\\\\Windows\\\\System32\\\\cmd.exe","CommandLine":"cmd.exe /c 1","ParentImage":"C:\\\\Windows\\\\explorer.exe"}',
  '{"@timestamp":"2024-03-12T10:00:01Z","EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS2","Image":"C:\\\\Windows\\\\System32\\\\cmd.exe","CommandLine":"cmd.exe /c 2","ParentImage":"C:\\\\Windows\\\\explorer.exe"}',
  '{not json',
  '{"@timestamp":"2024-03-12T10:00:02Z","EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS3","Image":"C:\\\\Windows\\\\System32\\\\cmd.exe","CommandLine":"cmd.exe /c 3","ParentImage":"C:\\\\Windows\\\\explorer.exe"}',
];

describe('CR-only line endings', () => {
  for (const [name, lines] of [['CSV', CSV], ['NDJSON', NDJSON]] as const) {
    it(`${name}: same events, lines and byte offsets as with LF, for any chunking (was: 0 events / one rejected record)`, () => {
      const lf = ingestText(lines.join('\n') + '\n');
      expect(lf.events.length).toBe(3);
      expect(lf.stats.rejected).toBe(1);
      for (const end of ['', '\r']) {
        const text = lines.join('\r') + end;
        for (const chunkChars of [undefined, 1, 5, 64]) {
          const cr = ingestText(text, chunkChars ? { chunkChars } : {});
          expect(cr.stats).toEqual(lf.stats);
          expect(cr.events.map((e) => [e.fields.process, e.locator])).toEqual(lf.events.map((e) => [e.fields.process, e.locator]));
          expect(cr.rejects.map((r) => [r.code, r.line, r.byteOffset])).toEqual(lf.rejects.map((r) => [r.code, r.line, r.byteOffset]));
        }
      }
    });
  }

  it('decides by the first line break only', () => {
    expect(crLineMode('a,b\rc', false)).toBe(true);
    expect(crLineMode('a,b\r\nc\rd', false)).toBe(false);
    expect(crLineMode('a,b\nc\rd', false)).toBe(false);
    expect(crLineMode('a,b\r', false)).toBeNull();
    expect(crLineMode('a,b\r', true)).toBe(true);
    expect(crLineMode('a,b', false)).toBeNull();
    expect(crLineMode('x'.repeat(70_000) + '\r', false)).toBe(false);
  });
});
