// Runs range jobs (parallel-ingest.ts) in parse workers: one worker thread per job, started from the bundle next
// to the engine worker's. Invariant: every worker is gone when its job settles (done, failed or cancelled).

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { HopscopeError, type ErrorInfo } from '../model/errors.ts';
import type { RangeHooks, RangeJob, RangeResult, RangeRunner } from './parallel-ingest.ts';
import { unpackDictionaries, type PackedDictionaries } from './segment-pack.ts';

/** Next to the engine worker bundle: `.js` under dist/host, `.mjs` in the packaged app (electron-builder.config.cjs). */
const PARSE_WORKER_FILES = ['parse-worker.js', 'parse-worker.mjs'];
const CANCEL_POLL_MS = 50;

/** The parse worker bundle next to this one (dist/host), or null when running from sources (tests). */
export function parseWorkerPath(): string | null {
  for (const file of PARSE_WORKER_FILES) {
    try {
      const p = fileURLToPath(new URL(`./${file}`, import.meta.url));
      if (existsSync(p)) return p;
    } catch {
      return null;
    }
  }
  return null;
}

/** Ranges worth parsing at once on this machine; HOPSCOPE_PARSE_WORKERS overrides it (1 = sequential, for measuring). */
export function parseParallelism(): number {
  const forced = Number(process.env['HOPSCOPE_PARSE_WORKERS']);
  if (Number.isInteger(forced) && forced >= 1) return Math.min(forced, 16);
  return Math.max(1, Math.min(4, availableParallelism()));
}

type FromWorker =
  | { type: 'progress'; bytes: number; records: number; rejected: number }
  | { type: 'done'; result: RangeResult; packed: PackedDictionaries | null }
  | { type: 'error'; error: ErrorInfo };

export function workerRangeRunner(path: string): RangeRunner {
  return (job: RangeJob, hooks: RangeHooks) =>
    new Promise<RangeResult>((resolve, reject) => {
      const heapMb = Math.ceil(getHeapStatistics().heap_size_limit / (1 << 20));
      const w = new Worker(path, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: heapMb }, stdout: false, stderr: false });
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        void w.terminate();
        fn();
      };
      // Cancellation is a message; the worker checks it between chunks.
      const poll = setInterval(() => {
        if (hooks.isCancelled?.()) w.postMessage({ type: 'cancel' });
      }, CANCEL_POLL_MS);
      w.on('message', (msg: FromWorker) => {
        if (msg.type === 'progress') hooks.onProgress?.(msg.bytes, msg.records, msg.rejected);
        else if (msg.type === 'done') {
          if (settled) return;
          settled = true;
          clearInterval(poll);
          // Unpack only once the worker is gone: its heap (its own copy of every dictionary string, and the
          // garbage of its parse) is freed first instead of peaking beside the unpacked copy.
          const unpack = (): void => {
            try {
              if (msg.packed) unpackDictionaries(msg.result.segment, msg.packed);
              resolve(msg.result);
            } catch (err) {
              reject(err);
            }
          };
          w.terminate().then(unpack, unpack);
        }
        else if (msg.type === 'error') finish(() => reject(HopscopeError.fromInfo(msg.error)));
      });
      w.on('error', (err) => finish(() => reject(new HopscopeError('E_WORKER', `parse worker failed: ${err.message}`))));
      w.on('exit', (code) => finish(() => reject(new HopscopeError('E_WORKER', `parse worker exited (${code}) without a result`))));
    });
}
