// `kinds` in timeline and table queries (issue 13): only the events of the kinds shown, against a brute-force count,
// over one view and over several (the store-wide kind column), on every timeline path (flat counter, a few hosts,
// with a filter); a choice keeping every kind present is the unfiltered answer; a finding lists its events whatever
// their kind; the request validator refuses names that are not kinds.

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../engine/detect/types.ts';
import { EVENT_KINDS, type EventKind } from '../../../engine/model/event-kinds.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { kindMask } from '../../../engine/query/kinds.ts';
import { RowsCache, rows } from '../../../engine/query/rows.ts';
import { timeline } from '../../../engine/query/timeline.ts';
import type { RowsRequest } from '../../../engine/rpc/api.ts';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import type { EventStore } from '../../../engine/store/store.ts';
import { HOSTS, buildStore, rng, sysmonRecords } from '../store/gen-events.ts';

const PRESENT: EventKind[] = ['process_creation', 'logon', 'share_access', 'file', 'registry', 'network_connection'];
const r = rng(91);
const recs: IngestRecord[] = sysmonRecords({ count: 700, seed: 13, order: 'shuffled' }).map((rec) => ({ ...rec, kind: PRESENT[Math.floor(r() * PRESENT.length)]! }));
const multi = buildStore([
  { records: recs.slice(0, 200), opts: { evidence: 0, evidenceName: 'a.xml' } },
  { records: recs.slice(200, 450), opts: { evidence: 1, evidenceName: 'b.xml' } },
  { records: recs.slice(450), opts: { evidence: 2, evidenceName: 'c.xml' } },
]);
const single = buildStore([{ records: recs, opts: { evidence: 0, evidenceName: 'a.xml' } }]);
const times = recs.map((x) => x.timeMs);
const first = Math.min(...times);
const last = Math.max(...times) + 1;
// Global row i is recs[i] in both stores (segments in order).
const byTime = recs.map((_, i) => i).sort((a, b) => recs[a]!.timeMs - recs[b]!.timeMs || a - b);

function brute(startMs: number, endMs: number, buckets: number, keep: (i: number) => boolean): Map<string, number[]> {
  const bucketMs = (endMs - startMs) / buckets;
  const out = new Map<string, number[]>(HOSTS.map((h) => [h, new Array<number>(buckets).fill(0)]));
  recs.forEach((x, i) => {
    if (x.timeMs < startMs || x.timeMs >= endMs || !keep(i)) return;
    out.get(x.fields.dest!)![Math.min(buckets - 1, Math.floor((x.timeMs - startMs) / bucketMs))]!++;
  });
  return out;
}

function allRows(store: EventStore, req: Omit<RowsRequest, 'offset' | 'limit'>, ctx = {}): number[] {
  const out: number[] = [];
  for (let offset = 0; ; offset += 97) {
    const page = rows(store, { ...req, offset, limit: 97 }, ctx);
    expect(page.filterError).toBeUndefined();
    out.push(...page.rows.map((x) => x.row));
    if (page.rows.length < 97) {
      expect(out).toHaveLength(page.total);
      return out;
    }
  }
}

const ofKinds = (kinds: readonly string[]) => (i: number) => kinds.includes(recs[i]!.kind!);

describe.each([
  ['several views', multi],
  ['one view', single],
])('kinds over %s', (_name, store) => {
  it('timeline buckets count only the kinds asked for (flat counter path)', () => {
    for (const kinds of [['logon'], ['process_creation', 'share_access'], ['file', 'registry', 'network_connection', 'logon']]) {
      const res = timeline(store, { startMs: first, endMs: last, buckets: 41, kinds });
      const want = brute(first, last, 41, ofKinds(kinds));
      for (const lane of res.lanes) expect(lane.counts, `${kinds} ${lane.host}`).toEqual(want.get(lane.host));
      const n = res.total.reduce((a, b) => a + b, 0);
      expect(n).toBe(recs.filter((x) => kinds.includes(x.kind!)).length);
      expect(n).toBeGreaterThan(0);
    }
  });

  it('timeline: with a filter and for a few hosts, kinds narrow the same way', () => {
    const kinds = ['logon', 'file'];
    const filtered = timeline(store, { startMs: first, endMs: last, buckets: 17, kinds, filter: 'process_name:cmd.exe' });
    const want = brute(first, last, 17, (i) => ofKinds(kinds)(i) && recs[i]!.fields.process_name!.toLowerCase() === 'cmd.exe');
    for (const lane of filtered.lanes) expect(lane.counts).toEqual(want.get(lane.host));
    expect(filtered.total.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const one = timeline(store, { startMs: first, endMs: last, buckets: 17, kinds, hosts: [HOSTS[0]!] });
    expect(one.lanes.map((l) => l.host)).toEqual([HOSTS[0]]);
    expect(one.lanes[0]!.counts).toEqual(brute(first, last, 17, ofKinds(kinds)).get(HOSTS[0]!));
  });

  it('no kinds, or every kind present (and more), is the whole timeline; [] is none', () => {
    const all = timeline(store, { startMs: first, endMs: last, buckets: 23 });
    expect(timeline(store, { startMs: first, endMs: last, buckets: 23, kinds: [...PRESENT] })).toEqual(all);
    expect(timeline(store, { startMs: first, endMs: last, buckets: 23, kinds: [...EVENT_KINDS] })).toEqual(all);
    expect(kindMask(store, [...PRESENT])).toBeUndefined();
    expect(kindMask(store, undefined)).toBeUndefined();
    expect(kindMask(store, ['logon'])).toBeDefined();
    expect(timeline(store, { startMs: first, endMs: last, buckets: 23, kinds: [] }).total.every((n) => n === 0)).toBe(true);
    // A kind the case does not hold counts nothing.
    expect(timeline(store, { startMs: first, endMs: last, buckets: 23, kinds: ['winrm'] }).total.every((n) => n === 0)).toBe(true);
  });

  it('table rows are the events of the kinds asked for, in time order, with range and filter', () => {
    const cache = new RowsCache();
    const kinds = ['share_access', 'process_creation'];
    expect(allRows(store, { kinds }, { cache })).toEqual(byTime.filter(ofKinds(kinds)));
    // The cached answer of another choice is not reused.
    expect(allRows(store, { kinds: ['logon'] }, { cache })).toEqual(byTime.filter(ofKinds(['logon'])));
    expect(allRows(store, {}, { cache })).toEqual(byTime);
    const mid = recs[byTime[350]!]!.timeMs;
    expect(allRows(store, { kinds, startMs: mid, filter: 'process_name:cmd.exe' }, { cache })).toEqual(
      byTime.filter((i) => ofKinds(kinds)(i) && recs[i]!.timeMs >= mid && recs[i]!.fields.process_name!.toLowerCase() === 'cmd.exe'),
    );
    expect(allRows(store, { kinds: ['logon'], hosts: [HOSTS[1]!] }, { cache })).toEqual(byTime.filter((i) => recs[i]!.kind === 'logon' && recs[i]!.fields.dest === HOSTS[1]));
    expect(rows(store, { offset: 0, limit: 10, kinds: [] }).total).toBe(0);
  });

  it('a finding lists its events whatever kinds are shown', () => {
    const evs = [byTime[5]!, byTime[6]!, byTime[7]!];
    const f: Finding = { id: 'f1', ruleId: 'x', host: HOSTS[0]!, binStartMs: first, binEndMs: last, eventCount: 3, riskScore: 1, message: '', techniques: [], events: evs.map((row) => ({ row }) as Finding['events'][number]) };
    const kinds = ['winrm'];
    expect(allRows(store, { findingId: 'f1', kinds }, { findings: [f] })).toEqual(evs);
  });
});

describe('kinds in requests', () => {
  const base = { startMs: 0, endMs: 1000, buckets: 10 };
  it('known kind names pass on timeline, rows, exports and bulk annotations', () => {
    expect(validateRequest('query.timeline', { ...base, kinds: ['logon', 'process_creation'] }).ok).toBe(true);
    expect(validateRequest('query.timeline', { ...base, kinds: [] }).ok).toBe(true);
    expect(validateRequest('query.rows', { offset: 0, limit: 10, kinds: [...EVENT_KINDS] }).ok).toBe(true);
    expect(validateRequest('case.exportEvents', { scope: { kinds: ['file'] }, columns: ['_time'] }).ok).toBe(true);
    expect(validateRequest('case.annotate', { bulk: { edits: [], atIso: '2024-01-01T00:00:00Z', events: { kinds: ['logon'] } } }).ok).toBe(true);
  });
  it('an unknown kind, a repeated kind, a non-array or an over-long list is refused', () => {
    const refused = (v: unknown): string => {
      const res = validateRequest('query.timeline', { ...base, kinds: v });
      expect(res.ok).toBe(false);
      return res.ok ? '' : res.error.message;
    };
    expect(refused(['logn'])).toMatch(/kinds\[0\] must be an event kind \(process_creation, logon, /);
    expect(refused(['Logon'])).toMatch(/must be an event kind/);
    expect(refused(['logon', 'logon'])).toMatch(/must not name a kind twice/);
    expect(refused('logon')).toMatch(/must be an array/);
    expect(refused([1])).toMatch(/must be an event kind/);
    expect(refused([...EVENT_KINDS, 'other'])).toMatch(/at most/);
    expect(validateRequest('query.rows', { offset: 0, limit: 10, kinds: ['__proto__'] }).ok).toBe(false);
    expect(validateRequest('case.exportEvents', { scope: { kinds: ['nope'] }, columns: ['_time'] }).ok).toBe(false);
  });
});
