// Randomised parity: records with shifting shapes, aliases that hold and break, empty and missing values,
// event times written as text, raw XML, across segments — the store must answer as the reference view.

import { describe, expect, it } from 'vitest';
import type { CanonicalField } from '../../../engine/model/fields.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { createMemoryView } from '../../../engine/store/memory-view.ts';
import { formatTimeText } from '../../../engine/store/time-text.ts';
import { compileFilter } from '../../../engine/query/filter.ts';
import { buildStore, rng, toCanonical } from './gen-events.ts';

const POOL = ['', 'tab\there', 'nl\nu001f', '\u0001x', 'q"u,o', 'cmd.exe', 'CMD.EXE', 'C:\\Windows\\System32\\cmd.exe', 'a&b<c>"d"', 'zoë', '☃', '𝄞 x', 'host-1', 'x'.repeat(90), '1', '0x1f4'];
const CANON: CanonicalField[] = ['dest', 'user', 'process', 'process_name', 'process_id', 'process_guid', 'parent_process_guid', 'EventCode'];
const EXTRA_NAMES = ['Image', 'host', 'sourcetype', 'Note', 'Empty', 'TimeCreated', '_raw'];

function randomRecords(seed: number, n: number, withRaw: boolean): IngestRecord[] {
  const r = rng(seed);
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const recs: IngestRecord[] = [];
  let t = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 3000);
    const fields: Partial<Record<CanonicalField, string>> = {};
    for (const f of CANON) {
      const x = r();
      if (x < 0.15) continue;
      fields[f] = x < 0.25 ? '' : f === 'process_guid' ? `{G-${i}-${Math.floor(r() * 9)}}` : pick(POOL);
    }
    // Original names: canonical names copied (alias candidates, sometimes different), plus others.
    const names: string[] = [];
    const values: Array<string | undefined> = [];
    for (const f of CANON) {
      if (r() < 0.5) continue;
      names.push(f);
      const y = r();
      values.push(y < 0.8 ? fields[f] : y < 0.9 ? undefined : pick(POOL));
    }
    for (const nme of EXTRA_NAMES) {
      if (r() < 0.4) continue;
      names.push(nme);
      values.push(nme === 'TimeCreated' ? (r() < 0.9 ? formatTimeText(t, 'T3Z') : pick(POOL)) : nme === 'Image' && r() < 0.7 ? fields.process : r() < 0.1 ? undefined : pick(POOL));
    }
    // A record that names a field twice (hostile JSON, CSV with a repeated header): the last value wins.
    if (r() < 0.1) {
      names.push('Note', 'Note');
      values.push(pick(POOL) + i, r() < 0.5 ? undefined : pick(POOL));
    }
    if (r() < 0.5) {
      // Near-unique values: this column goes to the byte arena, where a second write must replace the first.
      names.push('Dup', 'Dup');
      values.push(`first-${i}`, r() < 0.3 ? undefined : `second-${i}-${'z'.repeat(i % 5)}`);
    }
    const rec: IngestRecord = { timeMs: t, source: pick(['sysmon', 'cim', 'ecs'] as const), fields, originalNames: names, originalValues: values, record: i + 1, line: i + 1, byteOffset: i * 10 };
    if (withRaw && r() < 0.9) {
      rec.raw = '<Event><System><Computer>' + (fields.dest ?? '') + '</Computer></System><EventData>' + names.map((nm, k) => `<Data Name="${nm}">${(values[k] ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</Data>`).join('') + '</EventData></Event>';
      const rawAt = names.indexOf('_raw');
      if (rawAt >= 0 && r() < 0.5) values[rawAt] = rec.raw;
    }
    if (r() < 0.3) rec.provider = pick(['Microsoft-Windows-Sysmon', 'Security']);
    recs.push(rec);
  }
  return recs;
}

describe('random parity with the reference view', () => {
  for (const [seed, withRaw] of [[1, true], [2, false], [3, true], [4, false]] as const) {
    it(`seed ${seed}, ${withRaw ? 'raw XML' : 'rebuilt raw'}`, () => {
      const recs = randomRecords(seed, 700, withRaw);
      const cut = [0, 123, 400, 700];
      const store = buildStore(
        cut.slice(1).map((end, k) => ({
          records: recs.slice(cut[k], end),
          opts: { evidence: k, evidenceName: `e${k}`, rawFormat: (k % 2 ? 'csv' : 'json') as 'csv' | 'json', firstSwitchCheck: { canonical: 32, original: 32 } },
        })),
      );
      for (let k = 0; k < 3; k++) {
        const view = store.views[k]!;
        const events = recs.slice(cut[k], cut[k + 1]).map((rec) => toCanonical(rec, k));
        const ref = createMemoryView(events, cut[k], { evidenceNames: ['e0', 'e1', 'e2'] });
        expect([...view.fieldNames()]).toEqual([...ref.fieldNames()]);
        for (const name of ref.fieldNames()) {
          const a = view.column(name)!;
          const b = ref.column(name)!;
          for (let row = 0; row < ref.rowCount; row++) {
            const rebuilt = events[row]!.raw === undefined;
            if (name === '_raw' && rebuilt) continue;
            const av = a.get(row);
            if (av !== b.get(row)) expect(`${name}[${row}] = ${av}`).toBe(`${name}[${row}] = ${b.get(row)}`);
            if (a.dict && (a.dict.values[a.dict.ids[row]!] ?? null) !== av) throw new Error(`dict of ${name} disagrees at ${row}`);
          }
        }
        for (let row = 0; row < ref.rowCount; row++) {
          if (events[row]!.raw !== undefined) expect(view.text(row)).toBe(ref.text(row));
        }
        // Free text through the store's fast path equals the full-text search of the reference.
        for (const needle of ['cmd', 'amp', 'Data', 'zoë', '☃', 'host-1', 'G-1', 'Event>', 'T0', 'n', 'u001', 'u0001', 'Note', 'first-1', 'there', 'quot', 'Dup', 'e"d']) {
          const f = compileFilter(needle.includes('"') ? `"${needle.replace(/"/g, '\\"')}"` : needle);
          const ta = f.forView(view);
          const tb = f.forView(ref);
          const full = new RegExp(needle.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'i');
          for (let row = 0; row < ref.rowCount; row++) {
            // Rows with raw text: the reference decides. Rebuilt rows: a search of the store's own full text.
            const want = events[row]!.raw === undefined ? full.test(view.text(row)) : tb(row);
            if (ta(row) !== want) expect(`${needle} @ ${row}: ${ta(row)}`).toBe(`${needle} @ ${row}: ${want}`);
          }
        }
      }
    });
  }
});
