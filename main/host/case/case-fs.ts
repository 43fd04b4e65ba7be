// The few file operations case persistence uses, behind one interface so tests can fail or "crash" any step.
// Invariant: each method is one durable-protocol step (write, fsync, rename, directory fsync ...), nothing more.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface CaseFileHandle {
  /** Write all of `bytes` at `position`. */
  write(bytes: Uint8Array, position: number): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface CaseFs {
  mkdirp(dir: string): Promise<void>;
  /** File bytes, or null when the file does not exist. */
  readFile(path: string): Promise<Uint8Array | null>;
  /** Names in a folder ([] when it does not exist). */
  readdir(dir: string): Promise<string[]>;
  /** Create a new file (fails when it exists), for writing. */
  create(path: string): Promise<CaseFileHandle>;
  /** Open an existing file for writing at explicit positions (never truncates on open). */
  openForWrite(path: string): Promise<CaseFileHandle>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** fsync a folder so renames and new names in it survive power loss. */
  syncDir(dir: string): Promise<void>;
}

function wrap(fh: FileHandle): CaseFileHandle {
  return {
    async write(bytes, position) {
      let done = 0;
      while (done < bytes.byteLength) {
        const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done, position + done);
        done += bytesWritten;
      }
    },
    sync: () => fh.sync(),
    truncate: (length) => fh.truncate(length),
    close: () => fh.close(),
  };
}

/** The real file system (node:fs/promises). */
export const nodeCaseFs: CaseFs = {
  async mkdirp(dir) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  },
  async readFile(path) {
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  },
  async readdir(dir) {
    try {
      return await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  },
  async create(path) {
    return wrap(await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600));
  },
  async openForWrite(path) {
    return wrap(await open(path, 'r+'));
  },
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  async syncDir(dir) {
    // Windows cannot open a folder for fsync; NTFS journals its metadata, so there is nothing to do there.
    if (process.platform === 'win32') return;
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
};

/** Replace a small file atomically and durably: temp file -> fsync -> rename -> fsync the folder. */
export async function writeFileDurable(fs: CaseFs, dir: string, name: string, text: string): Promise<void> {
  await fs.mkdirp(dir);
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const h = await fs.create(tmp);
    try {
      await h.write(new TextEncoder().encode(text), 0);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, join(dir, name));
  } catch (err) {
    await fs.remove(tmp).catch(() => undefined);
    throw err;
  }
  await fs.syncDir(dir);
}
