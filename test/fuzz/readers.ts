// Reader fuzz target: mutated real-shaped exports (text, raw bytes, UTF-16) through the streaming decoder and
// ingestor in random chunkings. Invariant checked per input: only HopscopeErrors escape, counts add up, every
// rejection is located and explained, and the answer does not depend on how the input was chunked.

import { CollectingSink, createIngestor, StreamDecoder } from '../../engine/ingest/index.ts';
import type { IngestStats } from '../../engine/model/sink.ts';
import { HopscopeError } from '../../engine/model/errors.ts';
import { chunkSizes, inputSeed, mutateBytes, mutateText, Rand, utf16 } from './lib.ts';
import type { Seed } from './seeds.ts';

export interface Failure {
  target: string;
  seed: number;
  message: string;
  /** Start of the failing input, JSON-escaped, for the report. */
  sample?: string;
}

export interface TargetResult {
  target: string;
  tried: number;
  failures: Failure[];
  /** Inputs refused as a whole (HopscopeError thrown) versus ingested with records. */
  refused: number;
}

interface Outcome {
  stats?: IngestStats;
  rejects: string;
  error?: string;
}

const enc = new TextEncoder();

/** Runs one input (bytes) through the decoder and ingestor with the given chunking; checks the invariants. */
function runBytes(bytes: Uint8Array, seed: Seed, sizes: number[], problems: string[]): Outcome {
  const sink = new CollectingSink();
  const decoder = new StreamDecoder();
  let ing: ReturnType<typeof createIngestor> | null = null;
  const feed = (text: string): void => {
    if (!ing) {
      const info = decoder.detected;
      if (!info) return;
      ing = createIngestor({ evidence: 0, fileName: 'fuzz', format: seed.format, mapping: seed.mapping, sink, keepRawText: true, encoding: info.encoding, bomBytes: info.bomBytes, maxRecordChars: 1 << 16 });
    }
    if (text) ing.push(text);
  };
  try {
    let off = 0;
    for (const n of sizes) {
      feed(decoder.push(bytes.subarray(off, off + n)));
      off += n;
    }
    feed(decoder.end());
    const i = ing as ReturnType<typeof createIngestor> | null;
    if (!i) {
      problems.push('decoder never settled an encoding');
      return { rejects: '' };
    }
    i.addInvalidBytes(decoder.invalidBytesReplaced);
    const { stats } = i.end();
    checkStats(stats, sink, problems);
    return { stats, rejects: sink.rejects.map((x) => `${x.code}@${x.record}:${x.line}`).join(',') };
  } catch (err) {
    if (!(err instanceof HopscopeError)) {
      problems.push(`threw a non-HopscopeError: ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 4).join('\n')}` : String(err)}`);
      return { rejects: '', error: 'crash' };
    }
    if (!err.message) problems.push(`HopscopeError ${err.code} without a message`);
    return { rejects: '', error: err.code };
  }
}

function checkStats(s: IngestStats, sink: CollectingSink, problems: string[]): void {
  if (s.appended + s.rejected + s.nonProcess !== s.records) problems.push(`counts do not add up: ${JSON.stringify(s)}`);
  if (sink.records.length !== s.appended) problems.push(`sink got ${sink.records.length} records, stats say ${s.appended}`);
  if (sink.rejects.length !== s.rejected) problems.push(`sink got ${sink.rejects.length} rejects, stats say ${s.rejected}`);
  if (sink.nonProcessKinds.length !== s.nonProcess) problems.push(`sink got ${sink.nonProcessKinds.length} non-process, stats say ${s.nonProcess}`);
  let byReason = 0;
  for (const v of Object.values(s.rejectedByReason)) byReason += v;
  if (byReason !== s.rejected) problems.push(`rejectedByReason sums to ${byReason}, rejected is ${s.rejected}`);
  for (const r of sink.rejects) {
    const located = (r.line !== undefined && r.line >= 1) || (r.record !== undefined && r.record >= 1);
    if (!located) problems.push(`rejection without a location: ${JSON.stringify(r)}`);
    if (!r.reason || !r.code) problems.push(`rejection without a reason/code: ${JSON.stringify(r)}`);
  }
  const seen = new Set<number>();
  for (const rec of sink.records) {
    // Inside the Date range too: every time is later printed as ISO text (exports, details), which throws outside it.
    if (!Number.isFinite(rec.timeMs) || Math.abs(rec.timeMs) > 8.64e15) problems.push(`record ${rec.record} has time ${rec.timeMs}`);
    if (!(rec.record >= 1 && rec.line >= 1 && rec.byteOffset >= 0)) problems.push(`record with a bad locator: ${rec.record}/${rec.line}/${rec.byteOffset}`);
    if (seen.has(rec.record)) problems.push(`record number ${rec.record} used twice`);
    seen.add(rec.record);
  }
}

const sameOutcome = (a: Outcome, b: Outcome): boolean =>
  a.error === b.error && a.rejects === b.rejects && JSON.stringify(a.stats) === JSON.stringify(b.stats);

/** One fuzz input: a mutation of the seed in one of three encodings, run in two chunkings. */
export function fuzzOneReader(seed: Seed, other: Seed, inputSeedN: number): { problems: string[]; refused: boolean; bytes: Uint8Array } {
  const r = new Rand(inputSeedN);
  let bytes: Uint8Array;
  const mode = r.int(10);
  if (mode < 4) bytes = enc.encode(mutateText(seed.text, r, other.text));
  else if (mode < 8) bytes = mutateBytes(enc.encode(seed.text), r, enc.encode(other.text));
  else {
    // UTF-16 with or without BOM, odd length, unpaired surrogates, then raw byte damage.
    const le = r.chance(0.7);
    bytes = utf16(mutateText(seed.text, r), le, r.chance(0.8), r.chance(0.3));
    if (r.chance(0.5)) bytes = mutateBytes(bytes, r, undefined, 2);
  }
  const problems: string[] = [];
  const a = runBytes(bytes, seed, chunkSizes(bytes.length, r), problems);
  const b = runBytes(bytes, seed, [bytes.length], problems);
  if (a.error !== 'crash' && b.error !== 'crash' && !sameOutcome(a, b)) {
    problems.push(`chunking changed the answer: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  return { problems, refused: b.error !== undefined, bytes };
}

/** `seed` mutated `n` times; splices come from `others` (our own fixtures, so a seed reproduces anywhere). */
export function fuzzReaders(seed: Seed, others: readonly Seed[], n: number, base: number): TargetResult {
  const target = `readers:${seed.name}`;
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  for (let i = 0; i < n; i++) {
    const s = inputSeed(target, base, i);
    const other = others[s % others.length]!;
    const { problems, refused, bytes } = fuzzOneReader(seed, other, s);
    res.tried++;
    if (refused) res.refused++;
    if (problems.length > 0) {
      res.failures.push({ target, seed: s, message: problems.slice(0, 3).join('\n'), sample: JSON.stringify(Buffer.from(bytes.subarray(0, 300)).toString('latin1')) });
      if (res.failures.length >= 5) break;
    }
  }
  return res;
}
