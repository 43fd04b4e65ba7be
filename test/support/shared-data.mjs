// Where the suites over the real captures look for them (../shared/data beside the repository), and the one line a
// test run prints when that folder is missing, so their skips come with a reason and a way to run them.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `<repo>/../shared/data`, the folder every shared-data suite reads. */
export function sharedDataDir(root = REPO_ROOT) {
  return resolve(root, '..', 'shared', 'data');
}

/** The notice for a run without the shared captures, or null when they are there. */
export function sharedDataNotice(root = REPO_ROOT) {
  const dir = sharedDataDir(root);
  if (existsSync(dir)) return null;
  return (
    `shared data: ${dir} not found, so the suites over the real captures (real-data, seed and SigmaHQ rules on ` +
    `shared data) are skipped; to run them, put this repository next to a shared/ folder holding ` +
    `data/ (otrf-psexec-accepteula/, sigma/, ...), e.g. DIR/hopscope beside DIR/shared/data`
  );
}
