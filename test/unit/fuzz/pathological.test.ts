// Pathological inputs (100 MiB CSV field, 1,000,000 columns, 100,000-deep JSON/XML, billion laughs, XXE, long
// lines without newline): refused with a located error or ingested with located rejections, the records
// around them kept, and the heap bounded (peak while streaming, and nothing retained after a full GC).
import { describe, expect, it } from 'vitest';
import * as P from '../../fuzz/pathological.ts';

const MiB = 1 << 20;
/** Peak heapUsed (garbage included) allowed while streaming one pathological input. */
const PEAK_BOUND = 1536 * MiB;
/** Live heap growth allowed after the input is done and collected. */
const RETAINED_BOUND = 64 * MiB;

function measured(run: () => P.PathoOutcome): P.PathoOutcome {
  const before = P.liveHeapBytes();
  const out = run();
  const after = P.liveHeapBytes();
  expect(out.peakHeapBytes, `${out.name} peak heap`).toBeLessThan(PEAK_BOUND);
  expect(after - before, `${out.name} retained heap`).toBeLessThan(RETAINED_BOUND);
  return out;
}

/** Good records around the bad one survive, and the bad one is a located rejection with a reason. */
function keptAround(out: P.PathoOutcome, code: string, line: number): void {
  expect(out.error).toBeUndefined();
  expect(out.processes).toEqual(['before', 'after']);
  expect(out.rejects).toHaveLength(1);
  expect(out.rejects[0]).toMatchObject({ code, line, record: 2 });
  expect(out.rejects[0]!.reason.length).toBeGreaterThan(0);
  const s = out.stats!;
  expect(s.appended + s.rejected + s.nonProcess).toBe(s.records);
}

describe('pathological inputs', () => {
  it('a 100 MiB quoted CSV field streamed in 1 MiB chunks is one located too-large rejection', () => {
    keptAround(measured(() => P.hugeCsvField(100)), 'too-large', 3);
  }, 180_000);

  it('a 16 MiB CSV field through ingestFile (read-only temp file, default read size) is ingested, file untouched', async () => {
    const before = P.liveHeapBytes();
    const out = await P.hugeCsvFieldFile(16);
    expect(P.liveHeapBytes() - before).toBeLessThan(RETAINED_BOUND);
    expect(out.error).toBeUndefined();
    // Under the 32 Mi-character record limit: the row is a record like any other.
    expect(out.processes).toEqual(['before', 'B'.repeat(64), 'after']);
    expect(out.stats).toMatchObject({ records: 3, appended: 3, rejected: 0 });
    expect(out.evidenceUnchanged).toBe(true);
  }, 180_000);

  it('a header of 1,000,000 columns: known family ingests its row, unknown layout is a located E_FORMAT', () => {
    const known = measured(() => P.wideHeader(1_000_000, true));
    expect(known.error).toBeUndefined();
    expect(known.processes).toEqual(['cmd.exe /c whoami']);
    const unknown = measured(() => P.wideHeader(1_000_000, false));
    expect(unknown.error).toMatchObject({ code: 'E_FORMAT', file: 'csv-1000000-columns-unknown' });
    // The message lists a bounded number of columns, not a million.
    expect(unknown.error!.message.length).toBeLessThan(4096);
  }, 180_000);

  for (const kind of ['object', 'array'] as const) {
    for (const container of ['ndjson', 'array'] as const) {
      it(`JSON ${kind}s nested 100,000 deep in ${container === 'ndjson' ? 'an NDJSON line' : 'a JSON array'} are a too-deep rejection`, () => {
        keptAround(measured(() => P.deepNesting(100_000, kind, container)), 'too-deep', 2);
      }, 120_000);
    }
  }

  it('XML elements nested 100,000 deep inside an event are rejected without blowing the stack', () => {
    keptAround(measured(() => P.deepXml(100_000)), 'xml-syntax', 2);
  }, 120_000);

  it('billion laughs and an external entity are refused as E_SECURITY at the DOCTYPE line; nothing is expanded', () => {
    for (const out of [measured(P.xmlBillionLaughs), measured(P.xmlExternalEntity)]) {
      expect(out.error).toMatchObject({ code: 'E_SECURITY', line: 2 });
      expect(out.processes).toEqual([]);
    }
    const inEvent = measured(P.xmlEntityInEvent);
    keptAround(inEvent, 'xml-dtd', 2);
    expect(inEvent.rejects[0]!.reason).toContain('&xxe;');
  }, 60_000);

  it('40 MiB without a newline: CSV header refused, NDJSON/XML/CSV rows rejected with their line', () => {
    const csv = measured(() => P.longLine(40, 'csv'));
    expect(csv.error).toMatchObject({ code: 'E_FORMAT', line: 1 });
    // A header under the record limit but of no known layout: the message names the column, shortened.
    const unknown = measured(() => P.longLine(8, 'csv'));
    expect(unknown.error?.code).toBe('E_FORMAT');
    expect(unknown.error!.message.length).toBeLessThan(1000);
    const nd = measured(() => P.longLine(40, 'ndjson'));
    expect(nd.rejects).toMatchObject([{ line: 1, record: 1 }]);
    const xml = measured(() => P.longLine(40, 'xml'));
    expect(xml.processes).toEqual(['before']);
    expect(xml.rejects).toMatchObject([{ code: 'too-large', line: 1, record: 2 }]);
    const row = measured(() => P.longLine(40, 'csv-row'));
    expect(row.rejects).toMatchObject([{ code: 'too-large', line: 2, record: 1 }]);
  }, 180_000);
});
