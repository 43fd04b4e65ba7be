// A folder given as evidence (a KAPE `C/Windows/System32/winevt/Logs`, a collection's output) opens as one case of
// the log files in it. Invariant: only regular files are taken; what is passed over (links, other files, depth and
// count limits) is returned with the reason, never dropped without a word; the order is stable (sorted paths).

import { lstat, readdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { HopscopeError } from '../../engine/model/errors.ts';

/** Extensions taken from a folder (a file named directly is always taken, whatever its name). */
export const LOG_EXTENSIONS: ReadonlySet<string> = new Set(['.evtx', '.xml', '.csv', '.tsv', '.json', '.jsonl', '.ndjson', '.log', '.txt']);
/** Folder levels walked below the folder given. */
export const MAX_FOLDER_DEPTH = 8;
/** Files taken from one folder at most. */
export const MAX_FOLDER_FILES = 5000;

export interface FolderSkip {
  path: string;
  reason: string;
}

export interface ExpandedEvidence {
  files: string[];
  skipped: FolderSkip[];
}

/**
 * Each path that is a folder becomes the log files below it (sorted); each other path stays as given. Symbolic
 * links inside a folder are not followed (a link loop or a link out of the collection is passed over, and said).
 */
export async function expandEvidencePaths(paths: readonly string[]): Promise<ExpandedEvidence> {
  const files: string[] = [];
  const skipped: FolderSkip[] = [];
  for (const given of paths) {
    const abs = resolve(given);
    let isDir = false;
    try {
      isDir = (await lstat(abs)).isDirectory();
    } catch {
      isDir = false; // the file's own open reports what is wrong with it
    }
    if (!isDir) {
      files.push(abs);
      continue;
    }
    const found: string[] = [];
    await walk(abs, 0, found, skipped);
    if (found.length > MAX_FOLDER_FILES) {
      skipped.push({ path: abs, reason: `${found.length - MAX_FOLDER_FILES} more log file(s) past the first ${MAX_FOLDER_FILES}: open a smaller folder` });
      found.length = MAX_FOLDER_FILES;
    }
    if (found.length === 0) throw new HopscopeError('E_USAGE', `the folder holds no log files (${[...LOG_EXTENSIONS].join(' ')})`, { file: abs });
    files.push(...found);
  }
  return { files: [...new Set(files)], skipped };
}

async function walk(dir: string, depth: number, found: string[], skipped: FolderSkip[]): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    skipped.push({ path: dir, reason: `cannot list the folder: ${(err as NodeJS.ErrnoException).code ?? 'EIO'}` });
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    let st;
    try {
      st = await lstat(p);
    } catch (err) {
      skipped.push({ path: p, reason: (err as NodeJS.ErrnoException).code ?? 'EIO' });
      continue;
    }
    if (st.isSymbolicLink()) {
      skipped.push({ path: p, reason: 'a symbolic link (not followed inside a folder; name its target to open it)' });
    } else if (st.isDirectory()) {
      if (depth + 1 > MAX_FOLDER_DEPTH) skipped.push({ path: p, reason: `deeper than ${MAX_FOLDER_DEPTH} folder levels` });
      else await walk(p, depth + 1, found, skipped);
    } else if (!st.isFile()) {
      skipped.push({ path: p, reason: 'not a regular file' });
    } else if (!LOG_EXTENSIONS.has(extname(name).toLowerCase())) {
      skipped.push({ path: p, reason: `not a log file by its name (${extname(name) || 'no extension'})` });
    } else if (found.length <= MAX_FOLDER_FILES) {
      found.push(p);
    }
  }
}
