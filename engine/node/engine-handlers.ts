// The engine worker's method table: each protocol method mapped onto the session, plus file ingest into a
// SegmentBuilder. Invariant: mutating methods run one at a time in arrival order; queries never wait for them.

import { open } from 'node:fs/promises';
import { sniffContainer, UnknownFormatError } from '../ingest/ingestor.ts';
import type { RecordSink } from '../model/sink.ts';
import type { FormatId, GenericMapping } from '../formats/types.ts';
import { HopscopeError } from '../model/errors.ts';
import type { EngineMethod, EngineParams, EngineResult, IngestFileResult, WorkerProgress } from '../rpc/protocol.ts';
import { loadRulePack } from '../rules/pack.ts';
import { compileRegex } from '../rules/regex/index.ts';
import { loadSigmaRules } from '../rules/sigma/index.ts';
import { eventDetails, processTree } from '../query/details.ts';
import { rows } from '../query/rows.ts';
import { timeline } from '../query/timeline.ts';
import { EngineSession } from '../session.ts';
import type { RawFormat, Segment } from '../store/segment.ts';
import { SegmentBuilder } from '../store/builder.ts';
import { ingestFile } from './ingest-file.ts';
import { isEvtxHead } from './evtx-file.ts';
import { CuttingSink, type CutCounts, type PartialCutOptions } from './partial-cuts.ts';
import { parallelIngest, reserveByEstimate, type RangeRunner } from './parallel-ingest.ts';
import { parseParallelism, parseWorkerPath, workerRangeRunner } from './parse-pool.ts';
import { collectGarbage } from './gc.ts';

/** Files from this size on get a full GC after their parse (it costs ~0.1-0.2 s, once per file). */
const GC_AFTER_BYTES = 256 << 20;

export interface CallContext {
  isCancelled(): boolean;
  progress(p: WorkerProgress): void;
}

type Handler<M extends EngineMethod> = (params: EngineParams<M>, ctx: CallContext) => EngineResult<M> | Promise<EngineResult<M>>;

const MUTATING: ReadonlySet<EngineMethod> = new Set<EngineMethod>(['ingestFile', 'evidenceMeta', 'clock', 'hostTable', 'annotations', 'loadRules', 'detect', 'reset']);
const PEEK_BYTES = 64 * 1024;
const PROGRESS_INTERVAL_MS = 100;

/** CSV records are re-serialised as CSV lines, everything else as JSON; the container decides (XML brings its own text). */
async function rawFormatOf(path: string): Promise<RawFormat> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new HopscopeError('E_IO', `cannot open evidence file: ${(err as Error).message}`, { file: path });
  }
  try {
    const buf = Buffer.alloc(PEEK_BYTES);
    const { bytesRead } = await fh.read(buf, 0, PEEK_BYTES, 0);
    const head = buf.subarray(0, bytesRead);
    // EVTX records always bring their own text (XML), like event XML.
    if (isEvtxHead(head)) return 'json';
    const utf16 = head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff));
    const text = new TextDecoder(utf16 ? (head[0] === 0xff ? 'utf-16le' : 'utf-16be') : 'utf-8').decode(head);
    const sniff = sniffContainer(text, true);
    return sniff?.container === 'csv' ? 'csv' : 'json';
  } finally {
    await fh.close();
  }
}

/** The session with every engine layer wired in. */
export function createWiredSession(): EngineSession {
  return new EngineSession({
    loadRulePack: (files, macros) => loadRulePack(files, macros),
    loadSigmaRules: (files) => loadSigmaRules(files, { compileRegex }),
    queries: {
      timeline: (store, req, ctx) => timeline(store, req, ctx.findings, ctx.annotations),
      rows: (store, req, ctx) => rows(store, req, { findings: ctx.findings, ...(ctx.annotations ? { annotations: ctx.annotations } : {}) }),
      eventDetails,
      processTree,
    },
  });
}

export interface EngineHandlerOptions {
  /** Parallel CSV ingest: where ranges run (default: parse workers when their bundle exists), how many, from what size. */
  parallel?: { runRange: RangeRunner; parts?: number; minBytes?: number; minPartBytes?: number } | false;
  /** Partial view: cut a file's segment as it parses and add each cut to the session at once (default off; the worker sets it). */
  partial?: PartialCutOptions | false;
}

function defaultParallel(): EngineHandlerOptions['parallel'] {
  const path = parseWorkerPath();
  return path ? { runRange: workerRangeRunner(path) } : false;
}

export function createEngineHandlers(session = createWiredSession(), opts: EngineHandlerOptions = {}) {
  const parallel = opts.parallel ?? defaultParallel();
  const partial = opts.partial ?? false;
  let chain: Promise<unknown> = Promise.resolve();

  const handlers: { [M in EngineMethod]: Handler<M> } = {
    async ingestFile(p, ctx) {
      const started = performance.now();
      const rawFormat = await rawFormatOf(p.path);
      let bytesTotal = 0;
      try {
        const st = await open(p.path, 'r').then(async (fh) => {
          try {
            return await fh.stat();
          } finally {
            await fh.close();
          }
        });
        bytesTotal = st.size;
      } catch {
        bytesTotal = 0;
      }
      const empty = (formatReason: string, extra: Partial<IngestFileResult> = {}): IngestFileResult => ({
        evidence: p.evidence,
        stats: { records: 0, appended: 0, rejected: 0, nonProcess: 0, rejectedByReason: {}, invalidBytesReplaced: 0, assumedUtc: false },
        format: p.format ?? 'unknown',
        formatReason,
        encoding: 'unknown',
        totalRows: session.rowCount,
        cancelled: false,
        ...extra,
      });
      // Partial view: each cut segment goes into the case at once (queries see it; rules run at the end), and the
      // host hears of it through a progress message flagged partial. A failed or cancelled ingest rolls them back.
      const mark = session.mark();
      let lastProgress: WorkerProgress = { phase: 'parsing', bytesDone: 0, bytesTotal, records: 0, rejected: 0, rate: 0 };
      const counts: CutCounts = { appended: 0, rejected: 0, nonProcess: 0, rejectedByReason: {} };
      /** The log family as soon as the reader decided it, so a partial view names it. */
      let partialFormat: string | null = null;
      const onFormat = (f: FormatId): void => {
        partialFormat = f;
      };
      const partialInfo = () => ({
        evidence: p.evidence,
        name: p.name,
        format: partialFormat ?? p.format ?? 'unknown',
        formatReason: 'still reading',
        encoding: 'unknown',
        stats: { records: counts.appended + counts.rejected + counts.nonProcess, appended: counts.appended, rejected: counts.rejected, nonProcess: counts.nonProcess, rejectedByReason: { ...counts.rejectedByReason }, invalidBytesReplaced: 0, assumedUtc: false },
      });
      const addPartial = (seg: Segment): void => {
        for (const st of seg.stats) {
          counts.appended += st.appended;
          counts.rejected += st.rejected;
          counts.nonProcess += st.nonProcess;
          for (const [k, n] of Object.entries(st.rejectedByReason)) {
            Object.defineProperty(counts.rejectedByReason, k, { value: (counts.rejectedByReason[k] ?? 0) + n, writable: true, enumerable: true, configurable: true });
          }
        }
        session.addSegments([seg], partialInfo());
        ctx.progress({ ...lastProgress, partial: true });
      };
      const progressReporter = () => {
        let lastReport = -Infinity;
        return (bytesDone: number, records: number, rejected: number): void => {
          const now = performance.now();
          const sec = (now - started) / 1000;
          lastProgress = { phase: 'parsing', bytesDone, bytesTotal, records, rejected, rate: sec > 0 ? bytesDone / sec : 0 };
          if (now - lastReport < PROGRESS_INTERVAL_MS) return;
          lastReport = now;
          ctx.progress(lastProgress);
        };
      };
      /** One pass over the file into a fresh builder (a second pass only when a remembered mapping applies). */
      const attempt = async (mapping?: GenericMapping) => {
        session.rollback(mark);
        Object.assign(counts, { appended: 0, rejected: 0, nonProcess: 0, rejectedByReason: {} });
        partialFormat = null;
        const builderOpts = { evidence: p.evidence, evidenceName: p.name, rawFormat };
        const cutting: CuttingSink | null = partial ? new CuttingSink(builderOpts, partial, addPartial) : null;
        const builder: RecordSink & { finish(): Segment } = cutting ?? new SegmentBuilder(builderOpts);
        const report = progressReporter();
        // A builder that is cut as it goes is never reserved for the whole file.
        const reserve = builder instanceof SegmentBuilder ? reserveByEstimate(builder, bytesTotal) : () => undefined;
        // Count rejections on the way through so progress can show them while parsing.
        let rejected = 0;
        const sink: RecordSink = {
          append: (rec) => builder.append(rec),
          reject: (rej) => {
            rejected++;
            builder.reject(rej);
          },
          nonProcess: (kind, record) => builder.nonProcess(kind, record),
        };
        const res = await ingestFile(p.path, {
          evidence: p.evidence,
          fileName: p.name,
          ...(mapping ? { format: 'generic' as FormatId, mapping } : p.format ? { format: p.format as FormatId } : {}),
          sink,
          isCancelled: ctx.isCancelled,
          onFormat,
          onProgress: (bytesDone, records) => {
            reserve(bytesDone, records);
            report(bytesDone, records, rejected);
            cutting?.tick();
          },
        });
        return { res, builder };
      };
      let out: { res: { stats: IngestFileResult['stats']; detected: { format: string; reason: string }; encoding: string; bytes: number; warnings?: string[] }; segments: Segment[] } | null = null;
      try {
        // A large CSV, NDJSON or event XML file of a known layout is cut into ranges parsed at once; null means "parse it sequentially".
        if (parallel && p.format !== 'generic') {
          const par = await parallelIngest({
            path: p.path,
            evidence: p.evidence,
            name: p.name,
            rawFormat,
            ...(p.format ? { format: p.format as FormatId } : {}),
            parts: parallel.parts ?? parseParallelism(),
            ...(parallel.minBytes !== undefined ? { minBytes: parallel.minBytes } : {}),
            ...(parallel.minPartBytes !== undefined ? { minPartBytes: parallel.minPartBytes } : {}),
            runRange: parallel.runRange,
            isCancelled: ctx.isCancelled,
            onProgress: progressReporter(),
            ...(partial ? { firstRangeCuts: { options: partial, onSegment: addPartial, onFormat } } : {}),
          });
          if (par) out = { res: par, segments: par.segments };
          // Back to sequential: whatever the first range added goes again.
          else {
            session.rollback(mark);
            Object.assign(counts, { appended: 0, rejected: 0, nonProcess: 0, rejectedByReason: {} });
          }
        }
        if (!out) {
          let seq;
          try {
            seq = await attempt();
          } catch (err) {
            if (!(err instanceof UnknownFormatError)) throw err;
            // `*` is the CLI's --mapping: one mapping for any unknown layout.
            const has = (k: string): boolean => p.mappings !== undefined && Object.prototype.hasOwnProperty.call(p.mappings, k);
            const remembered = has(err.signature) ? p.mappings![err.signature] : has('*') ? p.mappings!['*'] : undefined;
            if (!remembered) {
              session.rollback(mark);
              return empty(err.message, {
                format: 'generic',
                needsMapping: { signature: err.signature, container: err.container, columns: err.columns.slice(0, 2000) },
              });
            }
            seq = await attempt(remembered);
          }
          out = { res: seq.res, segments: [seq.builder.finish()] };
        }
      } catch (err) {
        session.rollback(mark);
        if (err instanceof HopscopeError && err.code === 'E_CANCELLED') return empty('cancelled', { cancelled: true });
        throw err;
      }
      const { res, segments } = out;
      // Large files only: the parse's garbage goes before the case's indexes are built on top of it.
      if (res.bytes >= GC_AFTER_BYTES) collectGarbage();
      ctx.progress({ phase: 'indexing', bytesDone: res.bytes, bytesTotal: Math.max(bytesTotal, res.bytes), records: res.stats.records, rejected: res.stats.rejected, rate: 0 });
      const info = {
        evidence: p.evidence,
        name: p.name,
        format: res.detected.format,
        formatReason: res.detected.reason,
        encoding: res.encoding,
        stats: res.stats,
      };
      session.addSegments(segments, info);
      return {
        evidence: p.evidence, stats: res.stats, format: info.format, formatReason: info.formatReason, encoding: info.encoding, totalRows: session.rowCount, cancelled: false,
        ...(res.warnings?.length ? { warnings: res.warnings } : {}),
      };
    },
    clock: (p) => session.setClockCorrections(p.corrections),
    hostTable: (p) => session.setHostTable(p.entries),
    evidenceMeta(p) {
      session.setEvidenceMeta(p);
      return { ok: true };
    },
    annotations(p) {
      session.setAnnotations(p.doc);
      return { ok: true };
    },
    eventKeys: (p) => session.eventKeys(p.scope, p.max),
    eventsCsv: (p) => session.eventsCsv(p.scope, p.columns, p.max),
    eventsChunk: (p) => session.eventsChunk(p.scope, p.format, p.offset, p.limit, p.header),
    loadRules: (p) => session.loadRules(p),
    detect(p, ctx) {
      return session.runDetection({ binSpanSec: p.binSpanSec, isCancelled: ctx.isCancelled });
    },
    summary: () => session.summary(),
    timeline: (p) => session.timeline(p),
    rows: (p) => session.rows(p),
    event: (p) => session.event(p.row),
    processTree: (p) => session.processTree(p.row),
    findings: (p) => session.findings(p.sort),
    explain: (p) => session.explain(p),
    report(p) {
      const text = session.report(p.format, Date.now(), p.annotations, p.findingIds);
      const bytes = new TextEncoder().encode(text);
      // A fresh, exactly-sized buffer so it can be transferred without dragging a larger pool along.
      const out = new ArrayBuffer(bytes.byteLength);
      new Uint8Array(out).set(bytes);
      return { format: p.format, bytes: out };
    },
    reset() {
      session.reset();
      return { ok: true };
    },
  };

  return {
    session,
    run<M extends EngineMethod>(method: M, params: EngineParams<M>, ctx: CallContext): Promise<EngineResult<M>> {
      const h = handlers[method] as Handler<M>;
      if (!MUTATING.has(method)) return Promise.resolve().then(() => h(params, ctx));
      const next = chain.then(() => h(params, ctx));
      chain = next.catch(() => undefined);
      return next;
    },
  };
}
