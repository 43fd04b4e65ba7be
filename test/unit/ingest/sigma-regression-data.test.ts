// The SigmaHQ regression events in ../shared/data/sigma/regression (skipped when absent): each real Windows
// event exists as evtx_dump JSON and as event XML. Both must ingest as one event of the same kind with the same
// canonical fields, up to what the exporters themselves change (GUID braces, trailing blanks, µs vs 100 ns)
// and letter case (the two files of susp_right_to_left_override spell the parent `Explorer.EXE` / `.exe`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const REGRESSION = resolve(REPO, '../shared/data/sigma/regression');

function normalise(fields: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v === undefined ? v : (k.endsWith('_guid') ? v.replace(/^\{|\}$/g, '') : v.trimEnd()).toLowerCase();
  }
  return out;
}

describe.skipIf(!existsSync(REGRESSION))('SigmaHQ regression events: evtx_dump JSON and XML agree', () => {
  const dirs = existsSync(REGRESSION) ? readdirSync(REGRESSION).sort() : [];
  it('covers the 96 regression folders', () => {
    expect(dirs.length).toBe(96);
  });
  it.each(dirs)('%s', (dir) => {
    const files = readdirSync(resolve(REGRESSION, dir));
    const jsonFile = files.find((f) => f.endsWith('.json'))!;
    const xmlFile = files.find((f) => f.endsWith('.xml'))!;
    const j = ingestText(readFileSync(resolve(REGRESSION, dir, jsonFile), 'utf8'), { fileName: jsonFile });
    const x = ingestText(readFileSync(resolve(REGRESSION, dir, xmlFile), 'utf8'), { fileName: xmlFile });
    expect(j.detected.format).toBe('evtx-json');
    expect(x.detected.format).toBe('windows-xml');
    // Most folders hold one event; a few hold several (info.yml's match_count).
    const n = x.stats.records;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(j.stats).toMatchObject({ records: n, appended: n, rejected: 0 });
    expect(x.stats).toMatchObject({ appended: n, rejected: 0 });
    const je = j.events[0]!;
    const xe = x.events[0]!;
    expect(normalise(je.fields)).toEqual(normalise(xe.fields));
    expect(Math.abs(je.timeMs - xe.timeMs)).toBeLessThan(0.001);
    expect(je.kind).toBe(xe.kind);
    expect(je.source).toBe(xe.source);
    if (dir.startsWith('proc_creation_')) {
      expect(je.kind).toBe('process_creation');
      expect(je.source).toBe('sysmon');
      expect(je.fields.process_name).toBeTruthy();
      expect(je.original['Event.EventData.Image']).toBe(xe.original['Image']);
    } else {
      expect(je.kind).not.toBe('process_creation');
      const prefix = dir.split('_')[0];
      const expected: Record<string, string> = { file: 'file', image: 'image_load', proc: 'process_access', registry: 'registry' };
      if (Object.hasOwn(expected, prefix!)) expect(je.kind).toBe(expected[prefix!]);
    }
  });
});
