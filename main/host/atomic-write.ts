// The one way Hopscope writes a file: reports, exports, events CSV, settings, mappings, case snapshots.
// Invariant: only an absent target or a regular file is replaced atomically (temp -> fsync -> rename -> fsync dir);
// a device, FIFO or socket is opened and written in place, never renamed over; a directory or an evidence file
// (same real path, or same device and inode) is refused before a byte is written.
//
// Symlinks, decided here once: a link is followed to the file it points to, and that file is replaced (the link
// stays a link); a dangling link is refused; a path under /dev/ or /proc/ (e.g. /dev/stdout, /dev/fd/3) is always
// written in place, since it names an open descriptor or a device, not a file to replace.

import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { HopscopeError } from '../../engine/model/errors.ts';
import { nodeCaseFs, type CaseFs } from './case/case-fs.ts';

export type OutputKind = 'absent' | 'file' | 'directory' | 'special';

export interface OutputTarget {
  kind: OutputKind;
  /** Where the bytes go: the path itself, or the file a symlink points to. */
  path: string;
  /** For `special`: what it is (character device, FIFO, socket, block device). */
  what?: string;
}

export interface WriteOutputOptions {
  /** Files that must never be written (evidence): refused when the target is one of them by real path or inode. */
  protect?: readonly string[];
  /** Mode of a newly created file (default 0o644; an existing regular file keeps its mode). */
  mode?: number;
  /** Error code for a failed write (default E_IO). */
  code?: 'E_IO' | 'E_USAGE';
}

function specialKind(st: Stats): string | null {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isBlockDevice()) return 'a block device';
  return null;
}

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EIO';
}

function inPlaceOnly(path: string): boolean {
  return process.platform !== 'win32' && (path.startsWith('/dev/') || path.startsWith('/proc/'));
}

/** What writing to `path` would do, following the symlink rule above. Throws for a dangling link. */
export async function resolveOutputTarget(path: string): Promise<OutputTarget> {
  const abs = resolve(path);
  let l: Stats;
  try {
    l = await lstat(abs);
  } catch (err) {
    if (errno(err) === 'ENOENT') return { kind: 'absent', path: abs };
    throw err;
  }
  if (!l.isSymbolicLink()) {
    if (l.isDirectory()) return { kind: 'directory', path: abs };
    const sp = specialKind(l);
    if (sp) return { kind: 'special', path: abs, what: sp };
    return { kind: inPlaceOnly(abs) ? 'special' : 'file', path: abs, ...(inPlaceOnly(abs) ? { what: 'a file under /dev or /proc' } : {}) };
  }
  let st: Stats;
  try {
    st = await stat(abs);
  } catch (err) {
    if (errno(err) === 'ENOENT') throw new HopscopeError('E_USAGE', `'${path}' is a symbolic link to nothing: name the file itself`, { file: path });
    throw err;
  }
  if (st.isDirectory()) return { kind: 'directory', path: abs };
  const sp = specialKind(st);
  if (sp || inPlaceOnly(abs)) return { kind: 'special', path: abs, what: sp ?? 'an open descriptor under /dev or /proc' };
  return { kind: 'file', path: await realpath(abs) };
}

/** Refuses a target that is one of `protect` (same real path, or the same device and inode: hard links too). */
async function refuseProtected(target: OutputTarget, shown: string, protect: readonly string[]): Promise<void> {
  if (protect.length === 0) return;
  let tst: Stats | null = null;
  try {
    tst = await stat(target.path);
  } catch {
    tst = null;
  }
  // An absent target's folder may itself be reached through a link: compare real folder + name too.
  let realTarget = target.path;
  try {
    realTarget = join(await realpath(dirname(target.path)), basename(target.path));
  } catch {
    /* the folder does not exist: the write fails later with its own error */
  }
  for (const p of protect) {
    let pst: Stats | null = null;
    let preal = resolve(p);
    try {
      pst = await stat(p);
      preal = await realpath(p);
    } catch {
      /* an evidence file that is gone cannot be overwritten; compare the path as given */
    }
    const sameInode = tst !== null && pst !== null && tst.dev === pst.dev && tst.ino === pst.ino;
    if (sameInode || preal === realTarget || resolve(p) === target.path) {
      throw new HopscopeError('E_SECURITY', `refusing to write over evidence: '${shown}' is the evidence file '${p}'`, { file: shown });
    }
  }
}

/**
 * Writes `data` to `path` by the rules above. Returns how: `replaced` (atomic, over a regular file), `created`
 * (atomic, new file) or `in-place` (device, FIFO, socket, /dev/stdout).
 */
export async function writeOutputFile(path: string, data: Uint8Array | string, opts: WriteOutputOptions = {}): Promise<'replaced' | 'created' | 'in-place'> {
  const code = opts.code ?? 'E_IO';
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let target: OutputTarget;
  try {
    target = await resolveOutputTarget(path);
  } catch (err) {
    if (err instanceof HopscopeError) throw err;
    throw new HopscopeError(code, `cannot write '${path}': ${errno(err)}`, { file: path });
  }
  if (target.kind === 'directory') throw new HopscopeError('E_USAGE', `cannot write '${path}': it is a folder; name a file`, { file: path });
  await refuseProtected(target, path, opts.protect ?? []);
  if (target.kind === 'special') {
    await writeInPlace(target.path, bytes, path, code);
    return 'in-place';
  }
  try {
    const existed = target.kind === 'file';
    let mode = opts.mode ?? 0o644;
    if (existed) mode = (await stat(target.path)).mode & 0o7777;
    await replaceFileDurable(nodeCaseFs, dirname(target.path), basename(target.path), bytes, mode);
    return existed ? 'replaced' : 'created';
  } catch (err) {
    if (err instanceof HopscopeError) throw err;
    throw new HopscopeError(code, `cannot write '${path}': ${errno(err)}`, { file: path });
  }
}

/** Opens an existing non-regular file for writing (never created, never truncated) and writes all of `bytes`. */
async function writeInPlace(path: string, bytes: Uint8Array, shown: string, code: 'E_IO' | 'E_USAGE'): Promise<void> {
  let fh;
  try {
    fh = await open(path, constants.O_WRONLY | (inPlaceOnly(path) ? constants.O_APPEND : 0));
  } catch (err) {
    const e = errno(err);
    const why = e === 'ENXIO' ? 'a socket cannot be opened as a file (ENXIO)' : e;
    throw new HopscopeError(code, `cannot write '${shown}': ${why}`, { file: shown });
  }
  try {
    // What was opened is checked, not what was looked at before: a regular file swapped in meanwhile is refused.
    const st = await fh.stat();
    if (st.isDirectory() || (st.isFile() && !inPlaceOnly(path))) {
      throw new HopscopeError(code, `cannot write '${shown}': it changed while being opened`, { file: shown });
    }
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done);
      done += bytesWritten;
    }
  } catch (err) {
    if (err instanceof HopscopeError) throw err;
    throw new HopscopeError(code, `cannot write '${shown}': ${errno(err)}`, { file: shown });
  } finally {
    await fh.close();
  }
}

/**
 * Replace `dir/name` atomically and durably: temp file -> fsync -> rename -> fsync the folder. Refuses when the
 * name is held by something other than a regular file (a rename would destroy a device or FIFO). Every file
 * Hopscope writes goes through here, with the real file system or a test's fault-injecting one.
 */
export async function replaceFileDurable(fs: CaseFs, dir: string, name: string, data: Uint8Array | string, mode?: number): Promise<void> {
  await fs.mkdirp(dir);
  const target = join(dir, name);
  const kind = fs.kindOf ? await fs.kindOf(target) : null;
  if (kind !== null && kind !== 'absent' && kind !== 'file') {
    throw new HopscopeError('E_IO', `cannot replace '${target}': it is ${kind === 'directory' ? 'a folder' : 'not a regular file'}`, { file: target });
  }
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    const h = await fs.create(tmp, mode);
    try {
      await h.write(bytes, 0);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.remove(tmp).catch(() => undefined);
    throw err;
  }
  await fs.syncDir(dir);
}

/** A file written piece by piece by the same rules (`npm run events`: millions of rows never held in memory). */
export interface OutputStream {
  write(chunk: Uint8Array | string): Promise<void>;
  /** Flush and put the file in place (rename over a regular file; close a device). */
  commit(): Promise<'replaced' | 'created' | 'in-place'>;
  /** Give up: the temporary file is removed and the target left as it was. */
  abort(): Promise<void>;
}

/**
 * Opens `path` for a streamed write by writeOutputFile's rules: a regular or absent target gets a temporary file in
 * its folder, renamed over it at commit (an aborted export leaves the old file); a device, FIFO or /dev/stdout is
 * written in place; a folder or an evidence file is refused before a byte is written.
 */
export async function openOutputStream(path: string, opts: WriteOutputOptions = {}): Promise<OutputStream> {
  const code = opts.code ?? 'E_IO';
  const fail = (err: unknown): never => {
    if (err instanceof HopscopeError) throw err;
    throw new HopscopeError(code, `cannot write '${path}': ${errno(err)}`, { file: path });
  };
  let target: OutputTarget;
  try {
    target = await resolveOutputTarget(path);
  } catch (err) {
    return fail(err);
  }
  if (target.kind === 'directory') throw new HopscopeError('E_USAGE', `cannot write '${path}': it is a folder; name a file`, { file: path });
  await refuseProtected(target, path, opts.protect ?? []);
  const enc = new TextEncoder();
  const writeAll = async (fh: Awaited<ReturnType<typeof open>>, chunk: Uint8Array | string): Promise<void> => {
    const bytes = typeof chunk === 'string' ? enc.encode(chunk) : chunk;
    let done = 0;
    while (done < bytes.byteLength) done += (await fh.write(bytes, done, bytes.byteLength - done)).bytesWritten;
  };
  if (target.kind === 'special') {
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(target.path, constants.O_WRONLY | (inPlaceOnly(target.path) ? constants.O_APPEND : 0));
      const st = await fh.stat();
      if (st.isDirectory() || (st.isFile() && !inPlaceOnly(target.path))) {
        await fh.close();
        throw new HopscopeError(code, `cannot write '${path}': it changed while being opened`, { file: path });
      }
    } catch (err) {
      const e = errno(err);
      if (e === 'ENXIO') throw new HopscopeError(code, `cannot write '${path}': a socket cannot be opened as a file (ENXIO)`, { file: path });
      return fail(err);
    }
    return {
      write: (chunk) => writeAll(fh, chunk).catch(fail),
      commit: async () => {
        await fh.close().catch(fail);
        return 'in-place';
      },
      abort: () => fh.close().catch(() => undefined),
    };
  }
  const dir = dirname(target.path);
  const tmp = join(dir, `.${basename(target.path)}.${randomBytes(6).toString('hex')}.tmp`);
  const existed = target.kind === 'file';
  let mode = opts.mode ?? 0o644;
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    if (existed) mode = (await stat(target.path)).mode & 0o7777;
    fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  } catch (err) {
    return fail(err);
  }
  let closed = false;
  const drop = async (): Promise<void> => {
    if (!closed) await fh.close().catch(() => undefined);
    closed = true;
    await nodeCaseFs.remove(tmp).catch(() => undefined);
  };
  return {
    write: (chunk) =>
      writeAll(fh, chunk).catch(async (err: unknown) => {
        await drop();
        return fail(err);
      }),
    commit: async () => {
      try {
        await fh.sync();
        await fh.close();
        closed = true;
        await nodeCaseFs.rename(tmp, target.path);
        await nodeCaseFs.syncDir(dir);
      } catch (err) {
        await drop();
        return fail(err);
      }
      return existed ? 'replaced' : 'created';
    },
    abort: drop,
  };
}
