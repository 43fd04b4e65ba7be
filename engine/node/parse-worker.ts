// Parse worker entry (worker_threads, spawned by the engine worker): parses one byte range of a file into a
// segment and transfers it back. Invariant: it only reads the file; a `cancel` message stops it between chunks.

import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../model/errors.ts';
import { transferables } from '../store/segment.ts';
import { ingestRange, type RangeJob } from './parallel-ingest.ts';

const port = parentPort;
if (!port) throw new Error('parse worker must run inside worker_threads');

const PROGRESS_INTERVAL_MS = 100;
let cancelled = false;
port.on('message', (msg: unknown) => {
  if ((msg as { type?: unknown } | null)?.type === 'cancel') cancelled = true;
});

let last = -Infinity;
ingestRange(workerData as RangeJob, {
  isCancelled: () => cancelled,
  onProgress: (bytes, records, rejected) => {
    const now = performance.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    port.postMessage({ type: 'progress', bytes, records, rejected });
  },
}).then(
  (result) => {
    port.postMessage({ type: 'done', result }, transferables(result.segment));
    port.removeAllListeners('message');
  },
  (err: unknown) => {
    port.postMessage({ type: 'error', error: toErrorInfo(err) });
    port.removeAllListeners('message');
  },
);
