// Regression tests for bugs the fuzzers found: each input is the minimised failing case, checked with the
// invariant that failed (named in the test), so the fix stays in place.
import { describe, expect, it } from 'vitest';
import { ingestText, StreamDecoder } from '../../../engine/ingest/index.ts';
import { XmlEventReader } from '../../../engine/ingest/xml-reader.ts';
import { loadRulePack } from '../../../engine/rules/pack.ts';

describe('fuzz regressions: readers', () => {
  it('CSV: a second "#TYPE" line is the header whatever the chunking (was skipped only when chunked)', () => {
    const text = '#TYPE x\r\n#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\nMessage,Id\r\n"m",1\r\n';
    const outcome = (chunkChars?: number): string => {
      try {
        const r = ingestText(text, { chunkChars });
        return JSON.stringify(r.stats);
      } catch (err) {
        return (err as { code?: string }).code ?? 'crash';
      }
    };
    const whole = outcome();
    expect(whole).toBe('E_FORMAT');
    for (const c of [1, 5, 9, 12, 40]) expect(outcome(c)).toBe(whole);
  });

  it('binary check: a NUL in the first line of XML or NDJSON gives one answer whatever the chunking (refused only when whole)', () => {
    const outcome = (text: string, chunkChars?: number): string => {
      try {
        return JSON.stringify(ingestText(text, { chunkChars }).stats);
      } catch (err) {
        return (err as { code?: string }).code ?? 'crash';
      }
    };
    for (const text of ['<?xml version="1.\u00000" encoding="utf-8"?>\n<Events>\n<Event><System><EventID>1</EventID></System></Event>\n', '{"@timestamp":"2024-05-01T08:00:00Z","x":"\u0000"}\n']) {
      const whole = outcome(text);
      expect(whole).not.toBe('E_FORMAT');
      for (const c of [1, 2, 7, 30]) expect(outcome(text, c)).toBe(whole);
    }
  });

  it('CSV: blank lines after the "#TYPE" line are skipped whatever the chunking (were an empty header when whole)', () => {
    const text = '#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n\r\n\r\n_time,dest,process\r\n2024-05-01T08:00:00Z,WS1,whoami\r\n';
    for (const chunkChars of [undefined, 1, 7, 58, 60]) {
      const r = ingestText(text, { chunkChars });
      expect(r.events.map((e) => [e.fields.process, e.locator.line])).toEqual([['whoami', 5]]);
    }
  });

  it('NDJSON: a line nested 100,000 deep is a too-deep rejection (was a RangeError from flattening)', () => {
    const good = JSON.stringify({ TimeCreated: '2020-10-19 03:30:46.257', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'WS1', Image: 'C:\\a.exe' });
    for (const deep of ['{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), '['.repeat(100_000) + ']'.repeat(100_000)]) {
      const r = ingestText(`${good}\n{"x":${deep}}\n${good}\n`);
      expect(r.rejects).toMatchObject([{ code: 'too-deep', line: 2, record: 2 }]);
      expect(r.stats).toMatchObject({ records: 3, appended: 2 });
    }
    // At the limit a record still ingests (flattened to 64 levels, the rest kept as JSON text).
    const ok = ingestText(`{"TimeCreated":"2020-10-19 03:30:46.257","EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS1","x":${'{"a":'.repeat(60)}1${'}'.repeat(60)}}\n`);
    expect(ok.stats.appended).toBe(1);
  });
});

describe('fuzz regressions: sniffing and decoding', () => {
  it('a "Record N" first line followed by CSV is sniffed the same whether or not the next line has arrived', () => {
    const text = 'Record 1\na,b,c\n1,2,3\n';
    const outcome = (chunkChars?: number): string => {
      try {
        return JSON.stringify(ingestText(text, { chunkChars }).detected);
      } catch (err) {
        return (err as { code?: string }).code ?? 'crash';
      }
    };
    const whole = outcome();
    expect(whole).toBe('E_FORMAT');
    for (const c of [1, 9, 10]) expect(outcome(c)).toBe(whole);
  });

  it('UTF-16: FD FF across two code units is not a genuine U+FFFD; the invalid-byte count ignores chunking', () => {
    // "A" then an unpaired low surrogate (DC00 -> one replacement), then bytes FD FF straddling "\uFD41" "\u00FF".
    const bytes = Uint8Array.from([0xff, 0xfe, 0x41, 0x00, 0x00, 0xdc, 0x41, 0xfd, 0xff, 0x00, 0xfd, 0xff]);
    const count = (sizes: number[]): number => {
      const d = new StreamDecoder();
      let off = 0;
      let text = '';
      for (const n of sizes) {
        text += d.push(bytes.subarray(off, off + n));
        off += n;
      }
      text += d.end();
      expect(text).toBe('A\uFFFD\uFD41\u00FF\uFFFD');
      return d.invalidBytesReplaced;
    };
    // One replacement came from invalid input (the lone surrogate); the final FD FF is a genuine U+FFFD.
    expect(count([bytes.length])).toBe(1);
    for (const sizes of [[4, 3, 5], [5, 3, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [8, 4]]) expect(count(sizes)).toBe(1);
  });
});

describe('fuzz regressions: memory', () => {
  it('XML: an oversized event being skipped is not buffered (200 MiB element peaked at 1.6 GiB heap)', () => {
    const rejects: Array<[string, number]> = [];
    const lines: number[] = [];
    const reader = new XmlEventReader({ record: (_n, _v, _i, _t, line) => lines.push(line), reject: (code, _r, line) => rejects.push([code, line]) }, 'x.xml', 1000);
    reader.push('<Events>\n<Event><System>');
    const filler = ('x'.repeat(99) + '\n').repeat(100);
    for (let i = 0; i < 200; i++) {
      reader.push(filler);
      // White-box: what the reader holds stays below the size of one close tag.
      expect((reader as unknown as { buf: string }).buf.length).toBeLessThan(8);
    }
    reader.push('</System></Event');
    reader.push('>\n<Event><System><EventID>1</EventID></System></Event>\n</Events>');
    reader.end();
    expect(rejects).toEqual([['too-large', 2]]);
    // 1 line of <Events>, 20,000 filler lines, then the next event on its own line.
    expect(lines).toEqual([20_003]);
  });
});

describe('fuzz regressions: rules', () => {
  it('SPL rule file: a YAML alias bomb is a located E_RULE_PARSE issue (was E_INTERNAL without a line)', () => {
    let bomb = 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i <= 12; i++) bomb += `a${i}: &a${i} [${Array(9).fill('*a' + (i - 1)).join(', ')}]\n`;
    const text = `id: bomb\ntitle: t\nlanguage: spl\nrisk_score: 1\n${bomb}references: *a12\nsearch: process=*\n`;
    const set = loadRulePack([{ path: 'bomb.yml', text }, { path: 'ok.yml', text: 'id: ok\ntitle: t\nlanguage: spl\nrisk_score: 1\nsearch: process=*\n' }], []);
    expect(set.rules.map((r) => r.meta.id)).toEqual(['ok']);
    expect(set.issues).toHaveLength(1);
    expect(set.issues[0]).toMatchObject({ code: 'E_RULE_PARSE', location: { file: 'bomb.yml', line: expect.any(Number) } });
  });
});
