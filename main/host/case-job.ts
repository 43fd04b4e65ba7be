// The one pipeline that carries evidence files to a detected case, shared by the app (host service) and the CLI:
// reset -> per file (parse in the worker; its hash opened) -> rules and detection || hashes read -> evidence
// metadata -> summary.
// Invariant: each evidence file is opened for its hash as its parse starts and read (read-only) once the parse has
// settled; a cancelled job settles with E_CANCELLED.

import { HopscopeError, toErrorInfo, type ErrorInfo } from '../../engine/model/errors.ts';
import type { CaseSummary, IngestProgress } from '../../engine/rpc/api.ts';
import type { GenericMapping } from '../../engine/formats/types.ts';
import type { DetectResult, IngestFileResult, LoadRulesParams, LoadRulesResult, MappingNeeded } from '../../engine/rpc/protocol.ts';
import type { EngineMethod, EngineParams, EngineResult } from '../../engine/rpc/protocol.ts';
import type { CallOptions, EngineCall, EngineLike } from './engine-client.ts';
import { hashEvidence, statEvidence, type EvidenceHash } from './evidence.ts';
import type { HostTableEntry } from '../../engine/detect/movements/host-table.ts';


export interface CaseInput {
  path: string;
  name: string;
  format?: string;
  /**
   * Set when `path` is not where the evidence lives (a browser-mode upload's temporary copy): the case and its reports
   * then name the file by `name` and this origin, never by `path`.
   */
  origin?: string;
}

export interface EvidenceOutcome {
  input: CaseInput;
  sha256: string;
  bytes: number;
  warnings: string[];
  ingest: IngestFileResult;
}

export interface CaseJobOptions {
  evidence: CaseInput[];
  rules: LoadRulesParams;
  binSpanSec: number;
  /** App: a file that cannot be read or parsed is reported and skipped; CLI: the job fails (exit 1). */
  skipUnreadable?: boolean;
  onProgress?: (p: Omit<IngestProgress, 'jobId'>) => void;
  onEvidenceError?: (input: CaseInput, error: ErrorInfo) => void;
  /** Remembered column mappings by header signature, for files of no known layout. */
  mappings?: Record<string, GenericMapping>;
  /** A file of no known layout without a remembered mapping (skipped in the app; an error in the CLI). */
  onNeedsMapping?: (input: CaseInput, info: MappingNeeded) => void;
  /**
   * Partial view: part of a file has joined the case while it is still being read. The summary counts the events so far;
   * findings are 0 and the rules listed empty until they run. Never called after the job settled.
   */
  onPartial?: (summary: CaseSummary) => void;
  /** Clock corrections of evidence files, by path (store/clock.ts): applied before the rules run. */
  clock?: Array<{ path: string; offsetMs: number; field?: string }>;
  /** The analyst's IP -> host table for movements (`scan --hosts`): handed to the engine before the rules run. */
  hostTable?: HostTableEntry[];
}

export interface CaseJobResult {
  summary: CaseSummary | null;
  evidence: EvidenceOutcome[];
  rules: LoadRulesResult;
  detect: DetectResult;
}

export interface CaseJob {
  readonly promise: Promise<CaseJobResult>;
  cancel(): void;
}

export function runCaseJob(engine: EngineLike, opts: CaseJobOptions): CaseJob {
  let cancelled = false;
  const active = new Set<EngineCall<unknown>>();
  const track = <R>(c: EngineCall<R>): Promise<R> => {
    active.add(c as EngineCall<unknown>);
    return c.promise.finally(() => active.delete(c as EngineCall<unknown>));
  };
  const checkCancelled = (): void => {
    if (cancelled) throw new HopscopeError('E_CANCELLED', 'opening the case was cancelled');
  };
  /** Every engine call checks first: a cancelled job must not touch the case the next job is building. */
  const call = <M extends EngineMethod>(method: M, params: EngineParams<M>, callOpts?: CallOptions): Promise<EngineResult<M>> => {
    checkCancelled();
    return track(engine.call(method, params, callOpts));
  };

  // Partial summaries: one summary query at a time (queries do not wait for the ingest); a cut while one is
  // in flight asks again once it is answered, so a burst of cuts costs two queries.
  let settled = false;
  let jobDone = false;
  let partialInFlight = false;
  let partialAgain = false;
  const partial = (): void => {
    if (!opts.onPartial || settled || cancelled) return;
    if (partialInFlight) {
      partialAgain = true;
      return;
    }
    partialInFlight = true;
    engine
      .call('summary', {})
      .promise.then((s) => {
        if (s && !settled && !cancelled) opts.onPartial?.({ ...s, rules: [], ruleIssues: [], findings: 0 });
      })
      .catch(() => undefined)
      .finally(() => {
        partialInFlight = false;
        if (partialAgain) {
          partialAgain = false;
          partial();
        }
      });
  };

  const run = async (): Promise<CaseJobResult> => {
    const started = performance.now();
    const sizes: number[] = [];
    for (const ev of opts.evidence) {
      try {
        sizes.push((await statEvidence(ev.path)).bytes);
      } catch (err) {
        if (!opts.skipUnreadable) throw err;
        sizes.push(-1);
        opts.onEvidenceError?.(ev, toErrorInfo(err));
      }
    }
    const bytesTotal = sizes.reduce((a, b) => a + Math.max(0, b), 0);
    let bytesBefore = 0;
    let recordsBefore = 0;
    let rejectedBefore = 0;
    const progress = (phase: IngestProgress['phase'], bytesDone: number, records: number, rejected: number, file?: string): void => {
      const sec = (performance.now() - started) / 1000;
      opts.onProgress?.({ phase, bytesDone, bytesTotal, records, rejected, rate: sec > 0 ? bytesDone / sec : 0, ...(file ? { file } : {}) });
    };

    await call('reset', {});
    const outcomes: EvidenceOutcome[] = [];
    const hashed: Array<{ evidence: number; input: CaseInput; ingest: IngestFileResult; hashing: Promise<EvidenceHash> }> = [];
    let index = 0;
    for (let i = 0; i < opts.evidence.length; i++) {
      checkCancelled();
      const input = opts.evidence[i]!;
      if (sizes[i]! < 0) continue;
      const evidence = index;
      checkCancelled();
      const ingestCall = engine.call(
        'ingestFile',
        {
          path: input.path,
          evidence,
          name: input.name,
          ...(input.format ? { format: input.format } : {}),
          ...(opts.mappings && Object.keys(opts.mappings).length ? { mappings: opts.mappings } : {}),
        },
        {
          onProgress: (p) => {
            progress('parsing', bytesBefore + p.bytesDone, recordsBefore + p.records, rejectedBefore + p.rejected, input.name);
            if (p.partial) partial();
          },
        },
      );
      // The hash opens the file now, so a file that vanished or cannot be read stops the parse at once, and its stat
      // then covers the whole parse; it reads once the parse has settled: on two cores a hash beside the parse
      // slowed it (and a partial view) by half its CPU time, where after it, it shares the single-threaded rules and
      // links phase with nothing. It stops early when the parse gives up on the file.
      let stopHash = false;
      const hashing = hashEvidence(input.path, { isCancelled: () => cancelled || stopHash || jobDone, readAfter: ingestCall.promise });
      hashing.catch(() => ingestCall.cancel());
      const skip = (err: unknown): void => {
        // A file that cannot be read or understood is skipped (and reported); a dead engine or a cancel ends the job.
        const code = err instanceof HopscopeError ? err.code : 'E_INTERNAL';
        if (!opts.skipUnreadable || code === 'E_CANCELLED' || code === 'E_WORKER' || code === 'E_PROTOCOL') throw err;
        opts.onEvidenceError?.(input, toErrorInfo(err));
      };
      let ingest: IngestFileResult;
      try {
        ingest = await track(ingestCall);
      } catch (err) {
        stopHash = true;
        await hashing.catch(() => undefined);
        checkCancelled();
        skip(err);
        continue;
      }
      if (ingest.cancelled) {
        stopHash = true;
        checkCancelled();
        // Not the job's cancel: the hash failed and stopped the parse, so nothing was added. Say why.
        skip(await hashing.then(() => new HopscopeError('E_IO', `reading '${input.name}' was interrupted`), (e: unknown) => e));
        continue;
      }
      if (ingest.needsMapping) {
        stopHash = true;
        await hashing.catch(() => undefined);
        // The engine's reason already names the file: attach the path without writing it into the message again.
        // The columns ride along so the CLI can show a --mapping for them (scan-text.ts mappingHint).
        if (!opts.skipUnreadable) throw Object.assign(HopscopeError.fromInfo({ code: 'E_FORMAT', message: ingest.formatReason, location: { file: input.path } }), { needsMapping: ingest.needsMapping });
        opts.onNeedsMapping?.(input, ingest.needsMapping);
        continue;
      }
      // Recorded once the hash is read, while the next file parses or the rules run (below).
      hashed.push({ evidence, input, ingest, hashing });
      index++;
      bytesBefore += Math.max(0, sizes[i]!);
      recordsBefore += ingest.stats.records;
      rejectedBefore += ingest.stats.rejected;
      progress('indexing', bytesBefore, recordsBefore, rejectedBefore, input.name);
    }
    checkCancelled();
    progress('rules', bytesBefore, recordsBefore, rejectedBefore);
    if (opts.clock?.length) {
      const corrections = opts.clock.flatMap((c) =>
        hashed.filter((h) => h.input.path === c.path).map((h) => ({ evidence: h.evidence, offsetMs: c.offsetMs, ...(c.field !== undefined ? { field: c.field } : {}) })),
      );
      if (corrections.length) await call('clock', { corrections });
    }
    if (opts.hostTable?.length) await call('hostTable', { entries: opts.hostTable });
    // Rules and links run in the engine while the last hashes are read here.
    const rulesCall = call('loadRules', opts.rules);
    const detectCall = rulesCall.then(() => call('detect', { binSpanSec: opts.binSpanSec }));
    detectCall.catch(() => undefined);
    for (const h of hashed) {
      let hash;
      try {
        hash = await h.hashing;
      } catch (err) {
        for (const c of active) c.cancel();
        checkCancelled();
        // The events are in the case already; without their file's hash the case cannot vouch for them.
        throw new HopscopeError('E_IO', `${toErrorInfo(err).message} (after parsing it; the case cannot record its SHA-256)`, { file: h.input.path });
      }
      const warnings = [...(h.ingest.warnings ?? []), ...hash.warnings];
      // A file that gave nothing at all is most likely not the export the analyst meant: say so rather than show an
      // empty lane set without a word.
      if (h.ingest.stats.records === 0) {
        warnings.push(hash.bytes === 0 ? 'the file is empty' : `no records found in it (read as ${h.ingest.format}: ${h.ingest.formatReason})`);
      }
      await call('evidenceMeta', {
        evidence: h.evidence,
        sha256: hash.sha256,
        bytes: hash.bytes,
        path: h.input.origin !== undefined ? h.input.name : h.input.path,
        ...(h.input.origin !== undefined ? { origin: h.input.origin } : {}),
        addedAt: new Date().toISOString(),
        ...(warnings.length ? { warnings } : {}),
      });
      outcomes.push({ input: h.input, sha256: hash.sha256, bytes: hash.bytes, warnings, ingest: h.ingest });
    }
    const rules = await rulesCall;
    const detect = await detectCall;
    const summary = await call('summary', {});
    settled = true;
    checkCancelled();
    progress('done', bytesBefore, recordsBefore, rejectedBefore);
    return { summary, evidence: outcomes, rules, detect };
  };

  return {
    promise: run().finally(() => {
      settled = true;
      // A job that failed on a later file stops the hashes still reading earlier ones.
      jobDone = true;
    }),
    cancel(): void {
      cancelled = true;
      for (const c of active) c.cancel();
    },
  };
}
