// Parse worker entry (worker_threads, spawned by the engine worker): parses one byte range of a file into a
// segment and transfers it back. Invariant: it only reads the file; a `cancel` message stops it between chunks.

import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../model/errors.ts';
import { transferables } from '../store/segment.ts';
import { ingestRange, type RangeJob } from './parallel-ingest.ts';
import { collectGarbage } from './gc.ts';
import { packDictionaries } from './segment-pack.ts';

const port = parentPort;
if (!port) throw new Error('parse worker must run inside worker_threads');

const PROGRESS_INTERVAL_MS = 100;
/** Packed bytes between two garbage collections while packing (a few per large range). */
const PACK_RELEASE_BYTES = 32 << 20;
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
    // The parse's garbage goes first, then the dictionary strings in slices as they are packed: measured on a 1 GB
    // CSV, the end of this worker (its strings beside their packed bytes) was the peak of the whole ingest.
    collectGarbage();
    const packed = packDictionaries(result.segment, { everyBytes: PACK_RELEASE_BYTES, release: collectGarbage });
    const transfer = transferables(result.segment);
    if (packed) transfer.push(...packed.chunks.map((b) => b.buffer as ArrayBuffer), packed.lengths.buffer as ArrayBuffer, packed.counts.buffer as ArrayBuffer);
    port.postMessage({ type: 'done', result, packed }, transfer);
    port.removeAllListeners('message');
  },
  (err: unknown) => {
    port.postMessage({ type: 'error', error: toErrorInfo(err) });
    port.removeAllListeners('message');
  },
);
