// Pathological inputs: each is pushed through the streaming ingestor (or ingestFile) and must be refused with
// a located HopscopeError or ingested with located rejections, the records around it intact, heap bounded.
// Each case returns what happened, so the vitest suite and `npm run fuzz` assert and print the same facts.

import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { CollectingSink, createIngestor } from '../../engine/ingest/index.ts';
import type { IngestStats, Rejection } from '../../engine/model/sink.ts';
import { HopscopeError } from '../../engine/model/errors.ts';
import { ingestFile } from '../../engine/node/ingest-file.ts';
import { billionLaughs, deepJson, externalEntity, wideCsv } from './lib.ts';
import { xmlEvent } from './seeds.ts';

export interface PathoOutcome {
  name: string;
  /** Set when the whole input was refused. */
  error?: { code: string; message: string; line?: number; record?: number; file?: string };
  stats?: IngestStats;
  rejects: Rejection[];
  processes: string[];
  /** Highest heapUsed seen while streaming and after the input (bytes). */
  peakHeapBytes: number;
  inputChars: number;
  /** ingestFile cases: size and mtime of the (read-only) evidence file are the same after the ingest. */
  evidenceUnchanged?: boolean;
}

const MiB = 1 << 20;

/** Counting sink that keeps only what the checks need (not the records' fields). */
class SmallSink extends CollectingSink {
  readonly processes: string[] = [];
  override append(rec: Parameters<CollectingSink['append']>[0]): void {
    // split/join copies: a plain slice would keep the whole (possibly 30 MiB) value alive and skew the heap checks.
    this.processes.push((rec.fields.process ?? '').slice(0, 64).split('').join(''));
  }
}

function heap(): number {
  return process.memoryUsage().heapUsed;
}

/** Streams `parts()` (a generator of chunks) through one ingestor, sampling heap after every chunk. */
function stream(name: string, parts: () => Iterable<string>, opts: { maxRecordChars?: number } = {}): PathoOutcome {
  const sink = new SmallSink();
  let peak = heap();
  let chars = 0;
  const out: PathoOutcome = { name, rejects: sink.rejects, processes: sink.processes, peakHeapBytes: 0, inputChars: 0 };
  try {
    const ing = createIngestor({ evidence: 0, fileName: name, sink, maxRecordChars: opts.maxRecordChars });
    let k = 0;
    for (const p of parts()) {
      ing.push(p);
      chars += p.length;
      if ((++k & 7) === 0) peak = Math.max(peak, heap());
    }
    out.stats = ing.end().stats;
  } catch (err) {
    if (!(err instanceof HopscopeError)) throw err;
    out.error = { code: err.code, message: err.message, ...err.location };
  }
  out.peakHeapBytes = Math.max(peak, heap());
  out.inputChars = chars;
  return out;
}

function* repeatChunks(prefix: string, filler: string, count: number, suffix: string): Iterable<string> {
  yield prefix;
  for (let i = 0; i < count; i++) yield filler;
  yield suffix;
}

/** A single quoted CSV field of `mb` MiB between two good rows, streamed in 1 MiB chunks (one reused string). */
export function hugeCsvField(mb: number): PathoOutcome {
  const filler = 'A'.repeat(MiB);
  return stream(
    `csv-field-${mb}MiB`,
    () => repeatChunks('_time,dest,process\n2024-05-01T08:00:00Z,WS1,before\n2024-05-01T08:00:01Z,WS1,"', filler, mb, '"\n2024-05-01T08:00:02Z,WS1,after\n'),
  );
}

/** The same field written to a temp file and read by ingestFile (the real read path, byte offsets). */
export async function hugeCsvFieldFile(mb: number): Promise<PathoOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-fuzz-'));
  const path = join(dir, 'big.csv');
  try {
    const fd = openSync(path, 'w');
    writeSync(fd, '_time,dest,process\n2024-05-01T08:00:00Z,WS1,before\n2024-05-01T08:00:01Z,WS1,"');
    const block = Buffer.alloc(MiB, 'B');
    for (let i = 0; i < mb; i++) writeSync(fd, block);
    writeSync(fd, '"\n2024-05-01T08:00:02Z,WS1,after\n');
    closeSync(fd);
    // Read-only on disk, as evidence should be: a write attempt would fail loudly, and size/mtime must not move.
    chmodSync(path, 0o444);
    const st0 = statSync(path);
    const sink = new SmallSink();
    const out: PathoOutcome = { name: `csv-field-file-${mb}MiB`, rejects: sink.rejects, processes: sink.processes, peakHeapBytes: 0, inputChars: mb * MiB };
    let peak = heap();
    try {
      const r = await ingestFile(path, { evidence: 0, sink, onProgress: () => (peak = Math.max(peak, heap())) });
      out.stats = r.stats;
    } catch (err) {
      if (!(err instanceof HopscopeError)) throw err;
      out.error = { code: err.code, message: err.message, ...err.location };
    }
    out.peakHeapBytes = Math.max(peak, heap());
    const st1 = statSync(path);
    out.evidenceUnchanged = st1.size === st0.size && st1.mtimeMs === st0.mtimeMs;
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A header with `n` columns, known family (`_time,dest,process,...`) or not. */
export function wideHeader(n: number, known: boolean): PathoOutcome {
  const text = wideCsv(n, known);
  return stream(`csv-${n}-columns-${known ? 'known' : 'unknown'}`, () => [text]);
}

/** JSON nested `depth` levels as one NDJSON record / one array element between two good records. */
export function deepNesting(depth: number, kind: 'object' | 'array', container: 'ndjson' | 'array'): PathoOutcome {
  const good = (cmd: string): string => JSON.stringify({ TimeCreated: '2020-10-19 03:30:46.257', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'WS1', Image: 'C:\\a.exe', CommandLine: cmd });
  const deep = deepJson(depth, kind);
  const text = container === 'ndjson' ? `${good('before')}\n{"x":${deep}}\n${good('after')}\n` : `[${good('before')},\n${deep},\n${good('after')}]`;
  return stream(`json-${kind}-depth-${depth}-${container}`, () => chunksOf(text, 65_536));
}

/** XML nested `depth` elements inside an event, between two good events. */
export function deepXml(depth: number): PathoOutcome {
  const text = `<Events>${xmlEvent('before')}\n<Event><System>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</System></Event>\n${xmlEvent('after')}</Events>`;
  return stream(`xml-depth-${depth}`, () => chunksOf(text, 65_536));
}

export function xmlBillionLaughs(): PathoOutcome {
  return stream('xml-billion-laughs', () => [billionLaughs(xmlEvent)]);
}

export function xmlExternalEntity(): PathoOutcome {
  return stream('xml-external-entity', () => [externalEntity(xmlEvent)]);
}

/** An entity reference inside an event (no DOCTYPE): that event is rejected, the others kept. */
export function xmlEntityInEvent(): PathoOutcome {
  return stream('xml-entity-in-event', () => [`<Events>${xmlEvent('before')}\n${xmlEvent('&xxe;')}\n${xmlEvent('after')}</Events>`]);
}

/** `mb` MiB without any newline, in each container's shape. */
export function longLine(mb: number, shape: 'csv' | 'ndjson' | 'xml' | 'csv-row'): PathoOutcome {
  const filler = 'x'.repeat(MiB);
  const prefix = shape === 'csv' ? '' : shape === 'ndjson' ? '{"CommandLine":"' : shape === 'xml' ? `<Events>${xmlEvent('before')}<Event><System>` : '_time,dest,process\n2024-05-01T08:00:00Z,WS1,';
  return stream(`long-line-${shape}-${mb}MiB`, () => repeatChunks(prefix, filler, mb, ''));
}

function* chunksOf(text: string, n: number): Iterable<string> {
  for (let i = 0; i < text.length; i += n) yield text.slice(i, i + n);
}

/** Full garbage collection (exposed on demand), so heapUsed afterwards is live memory, not garbage. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Live heap after a full collection, in bytes. */
export function liveHeapBytes(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
