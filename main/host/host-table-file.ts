// `scan --hosts FILE`: the analyst's IP -> host table read from a file (CSV `ip,host` lines or a JSON object; the
// format and its checks are engine/detect/movements/host-table.ts). Invariant: at most HOST_TABLE_MAX_BYTES are
// read whatever the file claims (a FIFO or a growing file cannot make it read more), and every refusal is E_USAGE
// naming the file (and the line, for what is in it).

import { open } from 'node:fs/promises';
import { HopscopeError } from '../../engine/model/errors.ts';
import { HOST_TABLE_MAX_BYTES, parseHostTableText, type HostTableEntry } from '../../engine/detect/movements/host-table.ts';

export async function readHostTableFile(path: string, what = '--hosts'): Promise<HostTableEntry[]> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new HopscopeError('E_USAGE', `${what}: cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: path });
  }
  let bytes: Uint8Array;
  try {
    if ((await fh.stat()).isDirectory()) throw new HopscopeError('E_USAGE', `${what}: '${path}' is a folder, not a host table file`, { file: path });
    const buf = Buffer.alloc(HOST_TABLE_MAX_BYTES + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > HOST_TABLE_MAX_BYTES) throw new HopscopeError('E_USAGE', `${what}: '${path}' is larger than ${HOST_TABLE_MAX_BYTES} bytes`, { file: path });
    }
    bytes = buf.subarray(0, n);
  } catch (err) {
    if (err instanceof HopscopeError) throw err;
    throw new HopscopeError('E_USAGE', `${what}: cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: path });
  } finally {
    await fh.close();
  }
  // UTF-8 (with or without BOM), or UTF-16 with its BOM (PowerShell's Out-File); anything else is refused, not guessed.
  const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  let text: string;
  try {
    text = new TextDecoder(utf16 ? (bytes[0] === 0xff ? 'utf-16le' : 'utf-16be') : 'utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HopscopeError('E_USAGE', `${what}: '${path}' is not UTF-8 or UTF-16 text`, { file: path });
  }
  return parseHostTableText(text, path, what);
}
