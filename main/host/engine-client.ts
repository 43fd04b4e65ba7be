// Host side of the engine worker: typed calls as promises, progress callbacks, cancellation, crash detection.
// Invariant: every pending call settles exactly once — with its result, its error, or E_WORKER when the
// worker dies; a dead worker is replaced (empty) on the next call, so the app can retry.

import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HopscopeError, type ErrorInfo } from '../../engine/model/errors.ts';
import {
  parseWorkerMessage,
  type EngineMethod,
  type EngineParams,
  type EngineResult,
  type HostToWorker,
  type WorkerProgress,
} from '../../engine/rpc/protocol.ts';

export interface EngineCall<R> {
  readonly promise: Promise<R>;
  /** Ask the worker to stop this call between chunks; the promise then rejects with E_CANCELLED. */
  cancel(): void;
}

export interface CallOptions {
  onProgress?: (p: WorkerProgress) => void;
}

/** What the host needs from an engine: the real worker client, or an in-process fake in tests. */
export interface EngineLike {
  call<M extends EngineMethod>(method: M, params: EngineParams<M>, opts?: CallOptions): EngineCall<EngineResult<M>>;
  /** Listen for worker crashes (the case in the worker is gone). */
  onCrash(listener: (error: ErrorInfo) => void): () => void;
  close(): Promise<void>;
}

export interface EngineClientOptions {
  /** The bundled worker (dist/host/engine-worker.js); found next to this bundle or under dist/ by default. */
  workerPath?: string;
  /** V8 heap limit of the worker in MB; default half the machine's memory (1..16 GB), since multi-GB logs need room. */
  maxOldGenerationSizeMb?: number;
}

interface Pending {
  method: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (p: WorkerProgress) => void;
}

const WORKER_FILE = 'engine-worker.js';

/** Locate the worker bundle: next to the running bundle (dist/host), else dist/host under the project root. */
export function defaultWorkerPath(): string {
  const candidates: string[] = [];
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    candidates.push(join(here, WORKER_FILE), resolve(here, '..', '..', 'dist', 'host', WORKER_FILE), resolve(here, '..', 'host', WORKER_FILE));
  } catch {
    // CommonJS bundles (Electron main) have no import.meta.url; they pass workerPath or rely on cwd.
  }
  candidates.push(resolve(process.cwd(), 'dist', 'host', WORKER_FILE));
  return candidates.find((p) => existsSync(p)) ?? candidates[candidates.length - 1]!;
}

function defaultHeapMb(): number {
  const half = Math.floor(totalmem() / (2 * 1024 * 1024));
  return Math.max(1024, Math.min(16_384, half));
}

export function createEngineClient(opts: EngineClientOptions = {}): EngineLike {
  const workerPath = opts.workerPath ?? defaultWorkerPath();
  const pending = new Map<number, Pending>();
  const crashListeners = new Set<(e: ErrorInfo) => void>();
  let worker: Worker | null = null;
  let nextSeq = 1;
  let closing = false;

  function failAll(error: HopscopeError): void {
    const all = [...pending.values()];
    pending.clear();
    for (const p of all) p.reject(error);
  }

  function crashed(w: Worker, why: string): void {
    if (worker !== w) return;
    worker = null;
    const err = new HopscopeError('E_WORKER', `engine worker stopped: ${why}`);
    failAll(err);
    if (!closing) for (const l of crashListeners) l(err.toInfo());
  }

  function start(): Worker {
    if (!existsSync(workerPath)) {
      throw new HopscopeError('E_WORKER', `engine worker not found at ${workerPath} (run the build first)`);
    }
    const w = new Worker(workerPath, {
      resourceLimits: { maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb ?? defaultHeapMb() },
      // Anything the worker prints goes to stderr: stdout belongs to the CLI's report.
      stdout: true,
      stderr: false,
    });
    w.stdout.pipe(process.stderr, { end: false });
    w.on('message', (raw: unknown) => {
      const parsed = parseWorkerMessage(raw);
      if (!parsed.ok) {
        const p = pending.get(parsed.seq);
        if (p) {
          pending.delete(parsed.seq);
          p.reject(new HopscopeError('E_PROTOCOL', `worker answered ${p.method} with a malformed message: ${parsed.error.message}`));
        }
        return;
      }
      const msg = parsed.msg;
      const p = pending.get(msg.seq);
      if (!p) return;
      switch (msg.type) {
        case 'progress':
          p.onProgress?.(msg.progress);
          break;
        case 'response':
          pending.delete(msg.seq);
          p.resolve(msg.result);
          break;
        case 'error':
          pending.delete(msg.seq);
          p.reject(HopscopeError.fromInfo(msg.error));
          break;
      }
    });
    w.on('error', (err) => crashed(w, err instanceof Error ? err.message : String(err)));
    w.on('messageerror', () => crashed(w, 'a message could not be deserialised'));
    w.on('exit', (code) => crashed(w, `exit code ${code}`));
    return w;
  }

  function post(msg: HostToWorker): void {
    if (!worker) worker = start();
    worker.postMessage(msg);
  }

  return {
    call<M extends EngineMethod>(method: M, params: EngineParams<M>, callOpts: CallOptions = {}): EngineCall<EngineResult<M>> {
      const seq = nextSeq++;
      let settled = false;
      const promise = new Promise<EngineResult<M>>((resolvePromise, rejectPromise) => {
        if (closing) return rejectPromise(new HopscopeError('E_WORKER', 'engine is shut down'));
        pending.set(seq, {
          method,
          resolve: (v) => {
            settled = true;
            resolvePromise(v as EngineResult<M>);
          },
          reject: (e) => {
            settled = true;
            rejectPromise(e);
          },
          onProgress: callOpts.onProgress,
        });
        try {
          post({ type: 'request', seq, method, params });
        } catch (err) {
          pending.delete(seq);
          settled = true;
          rejectPromise(err);
        }
      });
      return {
        promise,
        cancel(): void {
          if (!settled && worker) worker.postMessage({ type: 'cancel', seq } satisfies HostToWorker);
        },
      };
    },
    onCrash(listener) {
      crashListeners.add(listener);
      return () => crashListeners.delete(listener);
    },
    async close(): Promise<void> {
      closing = true;
      const w = worker;
      worker = null;
      failAll(new HopscopeError('E_WORKER', 'engine is shut down'));
      if (w) await w.terminate();
    },
  };
}
