// Evidence access: open read-only, stat before and after, stream a SHA-256, notice changes during the read.
// Invariant: evidence is only ever opened with flag 'r'; nothing in Hopscope writes, renames or touches it.

import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { HopscopeError } from '../../engine/model/errors.ts';

export interface EvidenceStat {
  bytes: number;
  mtimeMs: number;
  ino: number;
  dev: number;
}

export interface EvidenceHash {
  sha256: string;
  bytes: number;
  before: EvidenceStat;
  after: EvidenceStat;
  /** True when size, mtime or identity changed while reading: the hash may not match what was parsed. */
  changed: boolean;
  warnings: string[];
}

export interface HashOptions {
  chunkBytes?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  isCancelled?: () => boolean;
  /**
   * The file is opened and stat'ed at once (a file that is gone or unreadable fails now), but read only once this
   * settles (either way): the case job reads it after its parse, on the core the parse no longer needs, and the
   * stat taken at the start then covers the whole parse.
   */
  readAfter?: Promise<unknown>;
}

const READ_ONLY = 'r';

/** The reason text for an unreadable file, e.g. `cannot read 'x.csv': ENOENT: no such file or directory`. */
export function ioError(path: string, err: unknown): HopscopeError {
  const e = err as NodeJS.ErrnoException;
  const reason = e?.code ? `${e.code}: ${describeErrno(e.code)}` : String(e?.message ?? err);
  return new HopscopeError('E_IO', `cannot read '${basename(path)}': ${reason}`, { file: path });
}

function describeErrno(code: string): string {
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EPERM': return 'operation not permitted';
    case 'EISDIR': return 'is a directory';
    case 'EMFILE': return 'too many open files';
    case 'ELOOP': return 'too many symbolic links';
    default: return 'I/O error';
  }
}

function toStat(s: { size: number; mtimeMs: number; ino: number; dev: number }): EvidenceStat {
  return { bytes: s.size, mtimeMs: s.mtimeMs, ino: s.ino, dev: s.dev };
}

/** Stat a path that must be a regular, readable file; throws E_IO with the reason otherwise. */
export async function statEvidence(path: string): Promise<EvidenceStat> {
  let s;
  try {
    s = await stat(path);
  } catch (err) {
    throw ioError(path, err);
  }
  if (!s.isFile()) throw new HopscopeError('E_IO', `cannot read '${basename(path)}': not a regular file`, { file: path });
  return toStat(s);
}

/** Describe how a file changed between two stats; empty when it did not. */
export function compareStats(before: EvidenceStat, after: EvidenceStat): string[] {
  const out: string[] = [];
  if (after.ino !== before.ino || after.dev !== before.dev) out.push('the file was replaced while it was being read');
  if (after.bytes !== before.bytes) out.push(`the file size changed while it was being read (${before.bytes} -> ${after.bytes} bytes)`);
  if (after.mtimeMs !== before.mtimeMs) out.push('the file modification time changed while it was being read');
  return out;
}

/** Stream a SHA-256 of the file through a read-only descriptor and check it did not change meanwhile. */
export async function hashEvidence(path: string, opts: HashOptions = {}): Promise<EvidenceHash> {
  const chunkBytes = opts.chunkBytes ?? 1024 * 1024;
  let fh;
  try {
    fh = await open(path, READ_ONLY);
  } catch (err) {
    throw ioError(path, err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new HopscopeError('E_IO', `cannot read '${basename(path)}': not a regular file`, { file: path });
    const before = toStat(st);
    if (opts.readAfter) await opts.readAfter.then(() => undefined, () => undefined);
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(chunkBytes);
    let done = 0;
    for (;;) {
      if (opts.isCancelled?.()) throw new HopscopeError('E_CANCELLED', 'hashing cancelled', { file: path });
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, 0, chunkBytes, done));
      } catch (err) {
        throw ioError(path, err);
      }
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      done += n;
      opts.onProgress?.(done, before.bytes);
    }
    const afterFd = toStat(await fh.stat());
    let afterPath: EvidenceStat;
    try {
      afterPath = toStat(await stat(path));
    } catch {
      afterPath = { ...afterFd, ino: -1 };
    }
    const warnings = [...new Set([...compareStats(before, afterFd), ...compareStats(before, afterPath)])];
    if (done !== before.bytes && !warnings.some((w) => w.includes('size'))) {
      warnings.push(`read ${done} bytes but the file was ${before.bytes} bytes when opened`);
    }
    return { sha256: hash.digest('hex'), bytes: done, before, after: afterPath, changed: warnings.length > 0, warnings };
  } finally {
    await fh.close();
  }
}
