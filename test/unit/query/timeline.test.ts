// Timeline aggregation against a brute-force count over the same events.

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../engine/detect/types.ts';
import { timeline } from '../../../engine/query/timeline.ts';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import { HOSTS, buildStore, sysmonRecords } from '../store/gen-events.ts';

const recs = sysmonRecords({ count: 600, seed: 33, order: 'shuffled' });
const store = buildStore([
  { records: recs.slice(0, 250), opts: { evidence: 0, evidenceName: 'a.xml' } },
  { records: recs.slice(250), opts: { evidence: 1, evidenceName: 'b.xml' } },
]);
const times = recs.map((r) => r.timeMs);
const first = Math.min(...times);
const last = Math.max(...times);

function brute(startMs: number, endMs: number, buckets: number, keep: (i: number) => boolean = () => true): Map<string, number[]> {
  const bucketMs = (endMs - startMs) / buckets;
  const out = new Map<string, number[]>(HOSTS.map((h) => [h, new Array<number>(buckets).fill(0)]));
  recs.forEach((r, i) => {
    if (r.timeMs < startMs || r.timeMs >= endMs || !keep(i)) return;
    const b = Math.min(buckets - 1, Math.floor((r.timeMs - startMs) / bucketMs));
    out.get(r.fields.dest!)![b]!++;
  });
  return out;
}

function finding(host: string, binStartMs: number, riskScore: number, ruleId = 'psexec-accepteula'): Finding {
  return { id: `${ruleId}|${host}|${binStartMs}`, ruleId, host, binStartMs, binEndMs: binStartMs + 1000, eventCount: 1, riskScore, message: '', techniques: [], events: [] };
}

describe('timeline', () => {
  it('counts per host and bucket equal a brute-force count, for a sub-range', () => {
    const startMs = first + (last - first) / 4;
    const endMs = first + (3 * (last - first)) / 4;
    const res = timeline(store, { startMs, endMs, buckets: 37 });
    const want = brute(startMs, endMs, 37);
    expect(res.lanes).toHaveLength(HOSTS.length);
    for (const lane of res.lanes) expect(lane.counts).toEqual(want.get(lane.host));
    const total = res.total.reduce((a, b) => a + b, 0);
    expect(total).toBe(recs.filter((r) => r.timeMs >= startMs && r.timeMs < endMs).length);
    expect(res.bucketMs).toBeCloseTo((endMs - startMs) / 37);
  });

  it('the unfiltered counter and the per-row path agree, with and without a hosts list', () => {
    for (const buckets of [1, 7, 640]) {
      for (const hosts of [undefined, HOSTS.slice(0, Math.ceil(HOSTS.length / 2))]) {
        const req = { startMs: first, endMs: last + 1, buckets, ...(hosts ? { hosts } : {}) };
        const fast = timeline(store, req);
        // A filter every row passes, that the compiler cannot prove so: the per-row path.
        const slow = timeline(store, { ...req, filter: 'NOT process_name:no-such-image.exe' });
        expect(fast).toEqual(slow);
        const want = brute(first, last + 1, buckets, (i) => !hosts || hosts.includes(recs[i]!.fields.dest!));
        for (const lane of fast.lanes) expect(lane.counts).toEqual(want.get(lane.host));
      }
    }
  });

  it('applies the filter and the hosts list (few-host path walks per-host rows)', () => {
    const res = timeline(store, { startMs: first, endMs: last + 1, buckets: 10, hosts: [HOSTS[1]!], filter: 'process_name:cmd.exe' });
    expect(res.lanes.map((l) => l.host)).toEqual([HOSTS[1]]);
    const want = brute(first, last + 1, 10, (i) => recs[i]!.fields.process_name === 'cmd.exe');
    expect(res.lanes[0]!.counts).toEqual(want.get(HOSTS[1]!));
    const many = timeline(store, { startMs: first, endMs: last + 1, buckets: 10, hosts: HOSTS.slice(0, 4), filter: 'process_name:cmd.exe' });
    for (const lane of many.lanes) expect(lane.counts).toEqual(want.get(lane.host));
  });

  it('findings: counts and max risk per bucket; lanes sorted by host risk then name', () => {
    const mid = first + (last - first) * 0.4;
    const findings = [
      finding(HOSTS[3]!, mid, 35),
      finding(HOSTS[3]!, mid + 1, 63, 'impacket-smbexec-commandline'),
      finding(HOSTS[0]!, first, 35),
      finding(HOSTS[0]!, last + 10_000_000, 50), // outside the range: risk counts, bucket does not
    ];
    const res = timeline(store, { startMs: first, endMs: last + 1, buckets: 4 }, findings);
    expect(res.lanes.map((l) => l.host)).toEqual([HOSTS[3], HOSTS[0], ...[HOSTS[1], HOSTS[2], HOSTS[4]].sort()]);
    const l3 = res.lanes[0]!;
    expect(l3.riskScore).toBe(98);
    const b = Math.floor((mid - first) / res.bucketMs);
    expect(l3.findings[b]).toBe(2);
    expect(l3.maxRisk[b]).toBe(63);
    expect(res.lanes[1]!.findings).toEqual([1, 0, 0, 0]);
    expect(res.lanes[1]!.riskScore).toBe(85);
  });

  it('clamps buckets and repairs an empty range', () => {
    const res = timeline(store, { startMs: first, endMs: first, buckets: 10_000_000 });
    expect(res.total).toHaveLength(20_000);
    expect(res.endMs).toBeGreaterThan(res.startMs);
    expect(timeline(store, { startMs: first, endMs: last + 1, buckets: 0 }).total).toEqual([recs.length]);
  });

  it('an empty store gives empty lanes', () => {
    const empty = buildStore([]);
    const res = timeline(empty, { startMs: 0, endMs: 1000, buckets: 4 });
    expect(res.lanes).toEqual([]);
    expect(res.total).toEqual([0, 0, 0, 0]);
  });

  it('a bad filter is a usage error', () => {
    expect(() => timeline(store, { startMs: first, endMs: last, buckets: 5, filter: '(x' })).toThrow(/missing '\)'/);
  });
});

describe('timeline below one second (the deepest zoom, issue 20)', () => {
  // Events a few milliseconds apart: the order within a second shows only with sub-second buckets.
  const fine = sysmonRecords({ count: 300, seed: 5, order: 'shuffled', stepMs: 2 });
  const fineStore = buildStore([{ records: fine, opts: { evidence: 0, evidenceName: 'fine.xml' } }]);
  const t0 = Math.min(...fine.map((r) => r.timeMs));

  it('accepts 100 ms, 10 ms and 1 ms buckets and counts each event in its millisecond bucket', () => {
    for (const [spanMs, buckets] of [
      [40_000, 400],
      [4_000, 400],
      [400, 400],
      [100, 100],
    ] as const) {
      const req = { startMs: t0, endMs: t0 + spanMs, buckets };
      expect(validateRequest('query.timeline', req).ok).toBe(true);
      const res = timeline(fineStore, req);
      expect(res.bucketMs).toBe(spanMs / buckets);
      expect(res.total).toHaveLength(buckets);
      const want = new Array<number>(buckets).fill(0);
      for (const r of fine) if (r.timeMs >= req.startMs && r.timeMs < req.endMs) want[Math.floor((r.timeMs - t0) / res.bucketMs)]!++;
      expect(res.total).toEqual(want);
    }
    // 1 ms buckets: the events of the first 100 ms land on distinct, ordered buckets, not one.
    const ms = timeline(fineStore, { startMs: t0, endMs: t0 + 100, buckets: 100 });
    expect(ms.total.filter((n) => n > 0).length).toBeGreaterThan(10);
  });

  it('findings stay in their one-second bin: a sub-second view marks the bucket where the bin starts', () => {
    const f: Finding = { id: `r|${HOSTS[0]}|${t0}`, ruleId: 'r', host: HOSTS[0]!, binStartMs: t0, binEndMs: t0 + 1000, eventCount: 1, riskScore: 40, message: '', techniques: [], events: [] };
    const res = timeline(fineStore, { startMs: t0, endMs: t0 + 100, buckets: 100 }, [f]);
    const lane = res.lanes.find((l) => l.host === HOSTS[0])!;
    expect(lane.findings[0]).toBe(1);
    expect(lane.findings.slice(1).every((n) => n === 0)).toBe(true);
    expect(lane.maxRisk[0]).toBe(40);
  });
});
