// Store fuzz target: what the readers make of mutated exports goes into the columnar SegmentBuilder exactly as
// in the app (no keepRawText), and every column value and every kept raw text (XML skeletons with holes) read
// back from the store must equal the reference memory view built from the same records.

import { createIngestor, StreamDecoder } from '../../engine/ingest/index.ts';
import type { IngestRecord, RecordSink, Rejection } from '../../engine/model/sink.ts';
import type { CanonicalEvent } from '../../engine/model/fields.ts';
import { HopscopeError } from '../../engine/model/errors.ts';
import { SegmentBuilder } from '../../engine/store/builder.ts';
import { createMemoryView } from '../../engine/store/memory-view.ts';
import { EventStore } from '../../engine/store/store.ts';
import { chunkSizes, inputSeed, mutateBytes, mutateText, Rand } from './lib.ts';
import type { TargetResult } from './readers.ts';
import type { Seed } from './seeds.ts';

/** The store's reading of a record: the last defined value of a repeated name wins; names are data. */
function toCanonical(rec: IngestRecord, evidence: number): CanonicalEvent {
  const original: Record<string, string> = {};
  rec.originalNames.forEach((n, i) => {
    const v = rec.originalValues[i];
    if (v !== undefined) Object.defineProperty(original, n, { value: v, enumerable: true, writable: true, configurable: true });
  });
  const ev: CanonicalEvent = {
    timeMs: rec.timeMs, fields: { ...rec.fields }, original, source: rec.source, kind: rec.kind ?? 'process_creation',
    locator: { evidence, record: rec.record, line: rec.line, byteOffset: rec.byteOffset },
  };
  if (rec.raw !== undefined) ev.raw = rec.raw;
  if (rec.provider !== undefined) ev.provider = rec.provider;
  return ev;
}

class Tee implements RecordSink {
  readonly records: IngestRecord[] = [];
  constructor(private readonly builder: SegmentBuilder) {}
  append(rec: IngestRecord): void {
    this.builder.append(rec);
    this.records.push(rec);
  }
  reject(rej: Rejection): void {
    this.builder.reject(rej);
  }
  nonProcess(kind: string, record: number): void {
    this.builder.nonProcess(kind, record);
  }
}

const enc = new TextEncoder();

/** One input: problems found comparing the store with the reference (empty when they agree). */
export function storeParityOne(seed: Seed, other: Seed, s: number): { problems: string[]; rows: number } {
  const r = new Rand(s);
  const bytes = r.chance(0.5) ? enc.encode(mutateText(seed.text, r, other.text)) : mutateBytes(enc.encode(seed.text), r, enc.encode(other.text));
  const builder = new SegmentBuilder({ evidence: 0, evidenceName: 'fuzz', rawFormat: seed.text.trimStart().startsWith('{') || seed.text.trimStart().startsWith('[') ? 'json' : 'csv' });
  const tee = new Tee(builder);
  const decoder = new StreamDecoder();
  let ing: ReturnType<typeof createIngestor> | null = null;
  const feed = (text: string): void => {
    if (!ing) {
      const info = decoder.detected;
      if (!info) return;
      ing = createIngestor({ evidence: 0, fileName: 'fuzz', format: seed.format, mapping: seed.mapping, sink: tee, encoding: info.encoding, bomBytes: info.bomBytes, maxRecordChars: 1 << 16 });
    }
    if (text) ing.push(text);
  };
  const problems: string[] = [];
  try {
    let off = 0;
    for (const n of chunkSizes(bytes.length, r)) {
      feed(decoder.push(bytes.subarray(off, off + n)));
      off += n;
    }
    feed(decoder.end());
    (ing as ReturnType<typeof createIngestor> | null)?.end();
  } catch (err) {
    if (!(err instanceof HopscopeError)) return { problems: [`ingest threw ${String(err)}`], rows: 0 };
    return { problems, rows: 0 };
  }
  try {
    const store = new EventStore([builder.finish()]);
    const events = tee.records.map((rec) => toCanonical(rec, 0));
    if (store.rowCount !== events.length) return { problems: [`store has ${store.rowCount} rows, ${events.length} records appended`], rows: 0 };
    if (events.length === 0) return { problems, rows: 0 };
    const view = store.views[0]!;
    const ref = createMemoryView(events, 0, { evidenceNames: ['fuzz'] });
    const names = [...ref.fieldNames()].sort();
    const got = [...view.fieldNames()].sort();
    if (names.join('\u0000') !== got.join('\u0000')) problems.push(`field names differ: store ${JSON.stringify(got).slice(0, 300)} vs ${JSON.stringify(names).slice(0, 300)}`);
    for (const name of names) {
      const a = view.column(name);
      const b = ref.column(name)!;
      if (!a) continue;
      for (let row = 0; row < ref.rowCount && problems.length < 3; row++) {
        if (name === '_raw' && events[row]!.raw === undefined) continue;
        const av = a.get(row);
        if (av !== b.get(row)) problems.push(`${name}[${row}]: store ${JSON.stringify(av)?.slice(0, 120)} vs ${JSON.stringify(b.get(row))?.slice(0, 120)}`);
      }
    }
    for (let row = 0; row < ref.rowCount && problems.length < 3; row++) {
      if (view.timeMs[row] !== events[row]!.timeMs) problems.push(`time[${row}]: ${view.timeMs[row]} vs ${events[row]!.timeMs}`);
      if (events[row]!.raw !== undefined && view.text(row) !== ref.text(row)) problems.push(`text[${row}] differs: ${JSON.stringify(view.text(row)).slice(0, 200)} vs ${JSON.stringify(ref.text(row)).slice(0, 200)}`);
    }
    return { problems, rows: events.length };
  } catch (err) {
    return { problems: [`store threw ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 4).join('\n')}` : String(err)}`], rows: 0 };
  }
}

export function fuzzStore(seed: Seed, others: readonly Seed[], n: number, base: number): TargetResult {
  const target = `store:${seed.name}`;
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    const { problems, rows } = storeParityOne(seed, others[s % others.length]!, s);
    res.tried++;
    if (rows === 0) res.refused++;
    if (problems.length > 0) res.failures.push({ target, seed: s, message: problems.join('\n') });
  }
  return res;
}
