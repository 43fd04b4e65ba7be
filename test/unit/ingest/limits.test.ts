// Hostile-input limits: oversized records in every container become located `too-large` rejections (same
// answer whatever the chunking), deep JSON/XML nesting is refused, and the records after them still ingest.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';

const ev = (i: number, cmd: string): string => JSON.stringify({
  TimeCreated: `2020-10-19 03:30:4${i}.104`, EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'WS1', Image: 'C:\\x\\a.exe', CommandLine: cmd,
});

const xmlEv = (cmd: string): string =>
  `<Event><System><Provider Name="Microsoft-Windows-Sysmon"/><EventID>1</EventID><TimeCreated SystemTime="2020-10-19T03:30:41Z"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>WS1</Computer></System><EventData><Data Name="CommandLine">${cmd}</Data></EventData></Event>`;

describe('record size limits', () => {
  const big = 'A'.repeat(5000);
  const cases: Array<[string, string, number]> = [
    ['ndjson', [ev(1, 'small'), ev(2, big), ev(3, 'after')].join('\n') + '\n', 2],
    ['json array', '[\n' + [ev(1, 'small'), ev(2, big), ev(3, 'after')].join(',\n') + '\n]', 3],
    ['xml', '<Events>\n' + [xmlEv('small'), xmlEv(big), xmlEv('after')].join('\n') + '\n</Events>', 3],
    ['csv', '_time,dest,process\n2024-05-01T00:00:00Z,WS1,small\n2024-05-01T00:00:01Z,WS1,"' + big + '\n' + big + '"\n2024-05-01T00:00:02Z,WS1,after\n', 3],
  ];
  for (const [name, text, line] of cases) {
    it(`${name}: rejects the oversized record at line ${line} and keeps going, for any chunking`, () => {
      for (const chunkChars of [undefined, 1, 301, 4096]) {
        const r = ingestText(text, { maxRecordChars: 4096, chunkChars });
        expect(r.rejects).toMatchObject([{ code: 'too-large', line, record: 2 }]);
        expect(r.events.map((e) => e.fields.process)).toEqual(['small', 'after']);
        expect(r.events[1]!.locator.record).toBe(3);
      }
    });
  }
});

describe('nesting limits', () => {
  it('refuses JSON nested deeper than the limit in a stream', () => {
    let deep = '"x"';
    for (let i = 0; i < 5000; i++) deep = `{"a":${deep}}`;
    const r = ingestText(`[${ev(1, 'ok')},\n${deep}]`);
    expect(r.rejects).toMatchObject([{ code: 'too-deep', line: 2 }]);
    expect(r.events).toHaveLength(1);
  });
  it('rejects deeply nested XML inside an event without blowing the stack', () => {
    const nested = '<a>'.repeat(10_000) + '</a>'.repeat(10_000);
    const r = ingestText(`<Events>${xmlEv('ok')}\n<Event><System>${nested}</System></Event>\n${xmlEv('ok2')}</Events>`);
    expect(r.rejects).toMatchObject([{ code: 'xml-syntax', line: 2 }]);
    expect(r.events.map((e) => e.fields.process)).toEqual(['ok', 'ok2']);
  });
  it('treats the billion-laughs shape as refused, not expanded', () => {
    const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Events>' + xmlEv('&lol2;') + '</Events>';
    expect(() => ingestText(lol)).toThrow(/DOCTYPE|declarations/);
  });
});
