// The engine and parse workers ship outside the asar (worker threads cannot load from inside it), so asar integrity
// does not cover them. The build records their SHA-256 in dist/electron/worker-hashes.json, which ships inside the asar
// (covered by its integrity); the packaged app checks the files against it before the host starts any worker.
// Invariant: a worker file that is missing, unreadable or different from what was built stops the app at start.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Name of the manifest beside main.cjs (inside the asar). */
export const WORKER_HASHES_FILE = 'worker-hashes.json';
/** Worker files under `<resources>/engine`, as electron-builder.config.cjs places them. */
export const WORKER_FILES = ['engine-worker.mjs', 'parse-worker.mjs'] as const;

export function sha256File(path: string, read: (p: string) => Uint8Array = readFileSync): string {
  return createHash('sha256').update(read(path)).digest('hex');
}

/**
 * Why the workers in `engineDir` cannot be trusted, or null when each matches the manifest at `manifestPath`.
 * `read` is injectable for tests.
 */
export function verifyWorkerFiles(engineDir: string, manifestPath: string, read: (p: string) => Uint8Array = readFileSync): string | null {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(new TextDecoder().decode(read(manifestPath))) as Record<string, unknown>;
  } catch (err) {
    return `the worker manifest ${manifestPath} cannot be read (${err instanceof Error ? err.message : String(err)})`;
  }
  for (const name of WORKER_FILES) {
    const want = manifest[name];
    if (typeof want !== 'string' || !/^[0-9a-f]{64}$/.test(want)) return `the worker manifest has no SHA-256 for ${name}`;
    let got: string;
    try {
      got = sha256File(join(engineDir, name), read);
    } catch (err) {
      return `${join(engineDir, name)} cannot be read (${err instanceof Error ? err.message : String(err)})`;
    }
    if (got !== want) return `${join(engineDir, name)} is not the file this Hopscope was built with (SHA-256 ${got}, expected ${want}); reinstall Hopscope`;
  }
  return null;
}
