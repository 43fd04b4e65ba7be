// Table pages: filter, time range, hosts, finding rows, sorting (dictionary and arena columns), paging.

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../engine/detect/types.ts';
import { RowsCache, compareValues, rows } from '../../../engine/query/rows.ts';
import type { RowsRequest } from '../../../engine/rpc/api.ts';
import { HOSTS, buildStore, sysmonRecords } from '../store/gen-events.ts';

const recs = sysmonRecords({ count: 500, seed: 44, order: 'shuffled' });
const store = buildStore([
  { records: recs.slice(0, 300), opts: { evidenceName: 'a.xml', firstSwitchCheck: { canonical: 64, original: 64 } } },
  { records: recs.slice(300), opts: { evidenceName: 'a.xml', firstSwitchCheck: { canonical: 64, original: 64 } } },
]);
const byTime = recs.map((_, i) => i).sort((a, b) => recs[a]!.timeMs - recs[b]!.timeMs || a - b);

function allRows(req: Omit<RowsRequest, 'offset' | 'limit'>, ctx = {}): number[] {
  const out: number[] = [];
  for (let offset = 0; ; offset += 37) {
    const page = rows(store, { ...req, offset, limit: 37 }, ctx);
    out.push(...page.rows.map((r) => r.row));
    if (page.rows.length < 37) {
      expect(out).toHaveLength(page.total);
      return out;
    }
  }
}

function sortedBy(field: 'process_name' | 'process' | 'process_id', dir: 'asc' | 'desc', idx: number[]): number[] {
  return idx.slice().sort((a, b) => {
    const va = recs[a]!.fields[field] ?? null;
    const vb = recs[b]!.fields[field] ?? null;
    if (va === null || vb === null) return va === vb ? byTime.indexOf(a) - byTime.indexOf(b) : va === null ? 1 : -1;
    const c = compareValues(va, vb);
    return (dir === 'desc' ? -c : c) || byTime.indexOf(a) - byTime.indexOf(b);
  });
}

describe('rows', () => {
  it('pages through every row in time order; desc reverses', () => {
    expect(allRows({})).toEqual(byTime);
    expect(allRows({ sort: { field: '_time', dir: 'desc' } })).toEqual(byTime.slice().reverse());
  });

  it('materialises only the requested columns, with ISO time', () => {
    const page = rows(store, { offset: 3, limit: 2, columns: ['_time', 'dest', 'process_guid', 'nope'] });
    expect(page.columns).toEqual(['_time', 'dest', 'process_guid', 'nope']);
    expect(page.offset).toBe(3);
    const g = byTime[3]!;
    const t = recs[g]!.timeMs;
    const frac = Math.round((t - Math.floor(t)) * 1000);
    const iso = new Date(Math.floor(t)).toISOString();
    expect(page.rows[0]).toEqual({
      row: g,
      timeMs: t,
      values: [frac ? iso.slice(0, -1) + String(frac).padStart(3, '0') + 'Z' : iso, recs[g]!.fields.dest, recs[g]!.fields.process_guid, null],
    });
  });

  it('filter + time range + hosts', () => {
    const startMs = recs[byTime[100]!]!.timeMs;
    const endMs = recs[byTime[400]!]!.timeMs;
    const hosts = [HOSTS[0]!, HOSTS[4]!];
    const got = allRows({ filter: 'process_name:cmd.exe OR user:"CORP\\\\bob"', startMs, endMs, hosts });
    const want = byTime.filter((i) => {
      const r = recs[i]!;
      return r.timeMs >= startMs && r.timeMs < endMs && hosts.includes(r.fields.dest!) && (r.fields.process_name === 'cmd.exe' || r.fields.user === 'CORP\\bob');
    });
    expect(want.length).toBeGreaterThan(10);
    expect(got).toEqual(want);
  });

  it('sorts by a dictionary column and by an arena column, directly and through the cached rank', () => {
    expect(store.views[0]!.column('process_name')!.dict).toBeDefined();
    expect(store.views[0]!.column('process')!.dict).toBeUndefined();
    for (const dir of ['asc', 'desc'] as const) {
      for (const field of ['process_name', 'process', 'process_id'] as const) {
        const want = sortedBy(field, dir, byTime);
        expect(allRows({ sort: { field, dir } })).toEqual(want);
        // Rank path (store-wide permutation keys), fresh cache so it is really rebuilt.
        expect(allRows({ sort: { field, dir } }, { directSortLimit: 0, cache: new RowsCache() })).toEqual(want);
      }
    }
    // Missing values go last in both directions.
    const asc = allRows({ sort: { field: 'parent_process_guid', dir: 'asc' } });
    const desc = allRows({ sort: { field: 'parent_process_guid', dir: 'desc' } });
    const missing = recs.filter((r) => !r.fields.parent_process_guid).length;
    expect(missing).toBeGreaterThan(0);
    for (const list of [asc, desc]) for (const g of list.slice(-missing)) expect(recs[g]!.fields.parent_process_guid).toBeUndefined();
  });

  it('rule: and finding: filter terms and the _rules detections column answer from the findings (issue 21)', () => {
    const mk = (id: string, ruleId: string, picked: number[]): Finding => ({
      id, ruleId, host: 'x', binStartMs: 0, binEndMs: 1000, eventCount: picked.length, riskScore: 35, message: '', techniques: [],
      events: picked.map((row) => ({ row, evidence: 0, record: 0, timeMs: 0 })),
    });
    const a = mk('psexec-accepteula|x|0', 'psexec-accepteula', [byTime[5]!, byTime[9]!]);
    const b = mk('impacket-smbexec|y|0', 'impacket-smbexec', [byTime[9]!, byTime[20]!]);
    const ctx = { findings: [a, b] };
    const inTime = (set: number[]) => byTime.filter((g) => set.includes(g));
    expect(allRows({ filter: 'rule:psexec*' }, ctx)).toEqual(inTime([byTime[5]!, byTime[9]!]));
    expect(allRows({ filter: 'rule:/smbexec$/' }, ctx)).toEqual(inTime([byTime[9]!, byTime[20]!]));
    expect(allRows({ filter: 'finding:*' }, ctx)).toEqual(inTime([byTime[5]!, byTime[9]!, byTime[20]!]));
    expect(allRows({ filter: 'finding:"impacket-smbexec|y|0"' }, ctx)).toEqual(inTime([byTime[9]!, byTime[20]!]));
    expect(allRows({ filter: 'rule!=impacket-smbexec' }, ctx)).toHaveLength(recs.length - 2);
    expect(allRows({ filter: 'NOT finding:*' }, ctx)).toHaveLength(recs.length - 3);
    // Without findings nothing is detected; the names are never "unknown fields".
    expect(rows(store, { offset: 0, limit: 5, filter: 'rule:*' }, {}).total).toBe(0);
    expect(rows(store, { offset: 0, limit: 5, filter: 'rule:*' }, {}).filterError).toBeUndefined();
    // A re-run of detection (new findings array) is not answered from the cache.
    const cache = new RowsCache();
    expect(rows(store, { offset: 0, limit: 5, filter: 'rule:psexec*' }, { findings: [a, b], cache }).total).toBe(2);
    expect(rows(store, { offset: 0, limit: 5, filter: 'rule:psexec*' }, { findings: [b], cache }).total).toBe(0);
    const page = rows(store, { offset: 0, limit: 30, columns: ['_time', '_rules'] }, ctx);
    const rulesOf = new Map(page.rows.map((r) => [r.row, r.values[1]]));
    expect(rulesOf.get(byTime[9]!)).toBe('psexec-accepteula, impacket-smbexec');
    expect(rulesOf.get(byTime[5]!)).toBe('psexec-accepteula');
    expect(rulesOf.get(byTime[6]!)).toBeNull();
  });

  it('finding rows, in time order, within the other constraints', () => {
    const picked = [byTime[50]!, byTime[10]!, byTime[300]!, 9999];
    const f: Finding = {
      id: 'psexec-accepteula|x|0', ruleId: 'psexec-accepteula', host: 'x', binStartMs: 0, binEndMs: 1000, eventCount: 3, riskScore: 35, message: '', techniques: [],
      events: picked.map((row) => ({ row, evidence: 0, record: 0, timeMs: 0 })),
    };
    const got = rows(store, { offset: 0, limit: 10, findingId: f.id }, { findings: [f] });
    expect(got.rows.map((r) => r.row)).toEqual([byTime[10], byTime[50], byTime[300]]);
    expect(rows(store, { offset: 0, limit: 10, findingId: 'nope' }, { findings: [f] }).total).toBe(0);
  });

  it('sorting too many rows by a text column asks for a narrower query instead of exhausting memory', () => {
    const res = rows(store, { offset: 0, limit: 5, sort: { field: 'process', dir: 'asc' } }, { maxTextSortRows: 100, cache: new RowsCache() });
    expect(res.total).toBe(0);
    expect(res.filterError).toMatchObject({ code: 'E_USAGE' });
    expect(res.filterError!.message).toMatch(/sorting 500 rows by process needs a narrower filter/);
    // Dictionary columns have no such limit, and a narrower query sorts fine.
    expect(rows(store, { offset: 0, limit: 5, sort: { field: 'process_name', dir: 'asc' } }, { maxTextSortRows: 100, cache: new RowsCache() }).total).toBe(500);
    expect(rows(store, { offset: 0, limit: 5, sort: { field: 'process', dir: 'asc' }, hosts: [HOSTS[0]!], filter: 'process_name:cmd.exe' }, { maxTextSortRows: 100, cache: new RowsCache() }).filterError).toBeUndefined();
  });

  it('a filter error comes back as filterError with its column', () => {
    const res = rows(store, { offset: 0, limit: 10, filter: 'dest:x OR' });
    expect(res.total).toBe(0);
    expect(res.filterError).toMatchObject({ code: 'E_USAGE', location: { column: 10 } });
  });
});
