// Splits rule files into `rules.add` requests that stay under the browser-mode server's 1 MiB message limit
// (Electron's IPC has none, but one path for both keeps them alike). Sizes are the files' JSON-encoded UTF-8 bytes,
// what the socket counts: a Sigma rule full of `\` paths grows when encoded. A file that cannot fit one message is
// refused in the page (`oversized`), before the socket would drop the connection.
import type { RuleFileUpload } from '../../engine/rpc/api.ts';

/** Encoded bytes one `rules.add` message may carry: the socket's 1 MiB less room for the request's envelope. */
export const RULE_MESSAGE_BYTES = 1024 * 1024 - 16 * 1024;
export const RULE_BATCH_FILES = 200;

const encoder = new TextEncoder();

/** What `file` adds to a request message. */
export function encodedSize(file: RuleFileUpload): number {
  return encoder.encode(JSON.stringify(file)).length + 1;
}

/** The first file that cannot travel in a message of its own, or null. */
export function oversized(files: readonly RuleFileUpload[], maxBytes = RULE_MESSAGE_BYTES): RuleFileUpload | null {
  return files.find((f) => encodedSize(f) > maxBytes) ?? null;
}

/** `files` in order, in batches of at most `maxBytes` encoded and `maxFiles` files (a file alone may fill one). */
export function ruleBatches(files: readonly RuleFileUpload[], maxBytes = RULE_MESSAGE_BYTES, maxFiles = RULE_BATCH_FILES): RuleFileUpload[][] {
  const out: RuleFileUpload[][] = [];
  let cur: RuleFileUpload[] = [];
  let bytes = 0;
  for (const f of files) {
    const size = encodedSize(f);
    if (cur.length > 0 && (bytes + size > maxBytes || cur.length >= maxFiles)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(f);
    bytes += size;
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
