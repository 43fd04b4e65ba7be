// Engine worker entry (worker_threads): a thin message pump between the host and the engine session.
// Invariant: every message is validated first; a bad one is answered with E_PROTOCOL and the pump keeps going.
// Cancellation is a message: it flags the call, which checks the flag between chunks.

import { parentPort } from 'node:worker_threads';
import { toErrorInfo } from '../model/errors.ts';
import { parseHostMessage, transferablesOf, type WorkerToHost } from '../rpc/protocol.ts';
import { createEngineHandlers } from './engine-handlers.ts';
import { partialCutsFromEnv } from './partial-cuts.ts';

const port = parentPort;
if (!port) throw new Error('engine worker must run inside worker_threads');

// Partial view while a file is read: cuts at growing intervals (HOPSCOPE_PARTIAL_CUT_RECORDS forces small ones in tests).
const engine = createEngineHandlers(undefined, { partial: partialCutsFromEnv(process.env) });
const cancelled = new Set<number>();
const running = new Set<number>();

function send(msg: WorkerToHost, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

port.on('message', (raw: unknown) => {
  const parsed = parseHostMessage(raw);
  if (!parsed.ok) {
    send({ type: 'error', seq: parsed.seq, error: parsed.error });
    return;
  }
  const msg = parsed.msg;
  if (msg.type === 'cancel') {
    if (running.has(msg.seq)) cancelled.add(msg.seq);
    return;
  }
  const { seq } = msg;
  running.add(seq);
  const t0 = performance.now();
  engine
    .run(msg.method, msg.params, {
      isCancelled: () => cancelled.has(seq),
      progress: (progress) => send({ type: 'progress', seq, progress }),
    })
    .then(
      (result) => {
        try {
          send({ type: 'response', seq, result, timingMs: performance.now() - t0 }, transferablesOf(result));
        } catch (err) {
          send({ type: 'error', seq, error: { code: 'E_INTERNAL', message: `result could not be sent: ${toErrorInfo(err).message}` } });
        }
      },
      (err: unknown) => send({ type: 'error', seq, error: toErrorInfo(err) }),
    )
    .finally(() => {
      running.delete(seq);
      cancelled.delete(seq);
    });
});
