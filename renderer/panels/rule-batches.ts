// Splits rule files into `rules.add` requests that stay under the browser-mode server's 1 MiB message limit
// (Electron's IPC has none, but one path for both keeps them alike). A single file over the limit goes alone:
// the host refuses it with a clear error rather than the socket dropping the connection.
import type { RuleFileUpload } from '../../engine/rpc/api.ts';

/** JSON text of a batch stays under this (the socket allows 1 MiB a message; escapes can double a character). */
export const RULE_BATCH_CHARS = 400_000;
export const RULE_BATCH_FILES = 200;
/** The host's limit for one file (RULE_FILE_MAX_CHARS in engine/rpc/validate.ts; the renderer imports engine types only). */
export const RULE_FILE_MAX_CHARS = 1024 * 1024;

export function ruleBatches(files: readonly RuleFileUpload[], maxChars = RULE_BATCH_CHARS, maxFiles = RULE_BATCH_FILES): RuleFileUpload[][] {
  const out: RuleFileUpload[][] = [];
  let cur: RuleFileUpload[] = [];
  let chars = 0;
  for (const f of files) {
    const size = f.name.length + f.text.length + 32;
    if (cur.length > 0 && (chars + size > maxChars || cur.length >= maxFiles)) {
      out.push(cur);
      cur = [];
      chars = 0;
    }
    cur.push(f);
    chars += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** A picked file's text (FileReader: what every browser and Electron's renderer have). */
export function readFileText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(typeof r.result === 'string' ? r.result : '');
    r.onerror = () => reject(r.error ?? new Error('the file could not be read'));
    r.readAsText(file);
  });
}
