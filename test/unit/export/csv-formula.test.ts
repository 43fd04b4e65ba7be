// Formula neutralisation for the findings and events CSV (issue 16, item 13): cells that a spreadsheet would still
// read as a formula after leading line feeds, spaces, invisible characters, or with fullwidth / small-form signs.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, startsFormula } from '../../../engine/export/csv.ts';

const HOSTILE = [
  '\n=1+1', '\r\n=1+1', ' =1+1', '   +cmd|/c calc!A0', '\u00a0=1', '\u3000=1', '\u200b=1', '\ufeff=1', '\u202e=1', '\u2060@SUM(1)',
  '\uff1d1+1', '\uff0bcmd', '\uff0d2', '\uff20SUM(1)', '\ufe66 1', '\u22122', '\t=1', '\r=1', '\n', '=1', '+1', '-1', '@x',
];

describe('csv formula neutralisation', () => {
  it('prefixes every cell a spreadsheet could evaluate, whatever comes before the sign', () => {
    for (const v of HOSTILE) {
      expect(startsFormula(v), JSON.stringify(v)).toBe(true);
      const parsed = Papa.parse<string[]>(csvRow(['a', v, 'b'])).data[0]!;
      expect(parsed[1], JSON.stringify(v)).toBe("'" + v);
    }
  });

  it('leaves ordinary values alone', () => {
    for (const v of ['cmd.exe /c whoami', 'a=b', 'x+y', 'WS1', '2024-05-01T09:00:00Z', '', 'ü=1', '１=2']) expect(csvCell(v)).toBe(/[",\r\n]/.test(v) ? `"${v}"` : v);
  });
});
