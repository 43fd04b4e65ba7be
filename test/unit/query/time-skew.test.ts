// Issue 15: a file's time fields compared record by record while it is mapped; systematic offsets (a zone written as
// UTC, a clock set wrong) and spreads (collector lag) become warnings on that evidence file, in mixed files too.
import { describe, expect, it } from 'vitest';
import type { IngestRecord, TimeAlt } from '../../../engine/model/sink.ts';
import { analyseTimeSkew, formatOffset, timeSkewWarnings } from '../../../engine/query/time-skew.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import { EventStore } from '../../../engine/store/store.ts';

const T0 = Date.UTC(2020, 9, 19, 7, 30, 0);

function rec(i: number, timeField: string, alts: TimeAlt[], assumedUtc = false): IngestRecord {
  return {
    timeMs: T0 + i * 1000, assumedUtc: assumedUtc || undefined, timeField, timeAlts: alts, source: 'sysmon',
    fields: { dest: 'H1', process: `cmd ${i}` }, originalNames: ['x'], originalValues: [String(i)], record: i + 1, line: i + 1, byteOffset: i,
  };
}

/** A store of one file (or several segments of it) whose records carry `other` at `offset(i)` ms from the chosen time. */
function store(n: number, offset: (i: number) => number, opts: { naive?: boolean; segments?: number; chosen?: string; other?: string } = {}): EventStore {
  const parts = opts.segments ?? 1;
  const segs = [];
  for (let p = 0; p < parts; p++) {
    const b = new SegmentBuilder({ evidence: 0, evidenceName: 'f.json' });
    for (let i = p; i < n; i += parts) {
      b.append(rec(i, opts.chosen ?? 'UtcTime', [{ field: opts.other ?? 'TimeCreated', ms: T0 + i * 1000 + offset(i), assumedUtc: opts.naive ?? true }]));
    }
    segs.push(b.finish());
  }
  return new EventStore(segs);
}

const skewOf = (s: EventStore) => s.stats()[0]!.timeSkew;

describe('time field comparison per file', () => {
  it('an exact -4 h offset (local time written as UTC, a few ms apart) is one offset warning with an offer', () => {
    const s = store(241, (i) => -14_400_000 + (i % 7) - 3);
    const f = analyseTimeSkew(skewOf(s));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: 'offset', chosen: 'UtcTime', other: 'TimeCreated', records: 241, of: 241, offsetMs: -14_400_000, zoneLike: true, offer: { field: 'TimeCreated', offsetMs: 14_400_000 } });
    expect(timeSkewWarnings(skewOf(s))).toEqual([
      'time fields disagree: TimeCreated is 4 h behind UtcTime (-04:00:00) on 241 of 241 record(s) carrying both: a time-zone offset (local time written as UTC?); ' +
        'TimeCreated is written without zone (read as UTC). Clock correction offered, not applied: TimeCreated +04:00:00.',
    ]);
  });

  it('exactly -5 h and +05:30 are time-zone offsets; 37 s is a clock set wrong', () => {
    expect(analyseTimeSkew(skewOf(store(20, () => -18_000_000)))[0]).toMatchObject({ offsetMs: -18_000_000, zoneLike: true });
    expect(analyseTimeSkew(skewOf(store(20, () => 19_800_400)))[0]).toMatchObject({ offsetMs: 19_800_000, zoneLike: true });
    const drift = analyseTimeSkew(skewOf(store(20, () => 37_200, { naive: false })));
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ kind: 'offset', offsetMs: 37_000, zoneLike: false, offer: { field: 'TimeCreated', offsetMs: -37_000 } });
    expect(drift[0]!.text).toContain('a clock set wrong or drifting?');
  });

  it('the zone-less one of the two is the field offered for correction', () => {
    // EventTime (chosen, local without zone) vs @timestamp (UTC): @timestamp is 4 h ahead; EventTime is what is wrong.
    const s = new SegmentBuilder({ evidence: 0, evidenceName: 'nx.json' });
    for (let i = 0; i < 10; i++) s.append(rec(i, 'EventTime', [{ field: '@timestamp', ms: T0 + i * 1000 + 14_400_300, assumedUtc: false }], true));
    const f = analyseTimeSkew(new EventStore([s.finish()]).stats()[0]!.timeSkew);
    expect(f[0]).toMatchObject({ kind: 'offset', offsetMs: 14_400_000, offer: { field: 'EventTime', offsetMs: 14_400_000 } });
  });

  it('collector lag (0 to 145 s late, most in another second) is a spread warning, no offer', () => {
    const lag = (i: number) => (i * 7919) % 145_000;
    const f = analyseTimeSkew(skewOf(store(368, lag, { chosen: 'UtcTime', other: '@timestamp', naive: false })));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: 'spread', other: '@timestamp', of: 368 });
    expect(f[0]!.offer).toBeUndefined();
    expect(f[0]!.records).toBe(Array.from({ length: 368 }, (_, i) => lag(i)).filter((d) => Math.round(d / 1000) > 1).length);
    expect(f[0]!.maxMs).toBe(145_000);
    expect(f[0]!.text).toMatch(/^@timestamp is later than UtcTime by 2 s to 2 min 25 s \(median \d+ s\) on \d+ of 368 record\(s\) carrying both: a collector's receive time/);
  });

  it('fields a few ms apart raise nothing', () => {
    expect(analyseTimeSkew(skewOf(store(500, (i) => (i % 900) - 450)))).toEqual([]);
  });

  it('a mixed file: half its records 5 h off, a few lagging, the rest agreeing, each said with its count', () => {
    const off = (i: number) => (i % 2 === 0 ? -18_000_000 : i % 10 === 1 ? 3_000 + i * 500 : 5);
    const f = analyseTimeSkew(skewOf(store(200, off)));
    expect(f.map((x) => [x.kind, x.records, x.offsetMs ?? null])).toEqual([
      ['offset', 100, -18_000_000],
      ['spread', 20, null],
    ]);
  });

  it('segments of one file (parallel ingest) merge into the same answer', () => {
    const off = (i: number) => (i % 3 === 0 ? -18_000_000 : (i * 331) % 60_000);
    const one = analyseTimeSkew(skewOf(store(300, off)));
    const four = analyseTimeSkew(skewOf(store(300, off, { segments: 4 })));
    expect(four).toEqual(one);
    expect(skewOf(store(300, off, { segments: 4 }))![0]!.n).toBe(300);
  });

  it('formats offsets as signed h:mm:ss', () => {
    expect([formatOffset(-18_000_000), formatOffset(19_800_000), formatOffset(37_000), formatOffset(0)]).toEqual(['-05:00:00', '+05:30:00', '+00:00:37', '+00:00:00']);
  });
});
