// The few file operations case persistence uses, behind one interface so tests can fail or "crash" any step.
// Invariant: each method is one durable-protocol step (write, fsync, rename, directory fsync ...), nothing more.

import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';

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
  /** Create a new file (fails when it exists), for writing; `mode` defaults to 0o600. */
  create(path: string, mode?: number): Promise<CaseFileHandle>;
  /** Open an existing file for writing at explicit positions (never truncates on open). */
  openForWrite(path: string): Promise<CaseFileHandle>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** fsync a folder so renames and new names in it survive power loss. */
  syncDir(dir: string): Promise<void>;
  /** What holds a name (a link is not followed), so a rename never replaces a device, FIFO or folder. */
  kindOf?(path: string): Promise<'absent' | 'file' | 'directory' | 'other'>;
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
  async create(path, mode = 0o600) {
    return wrap(await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode));
  },
  async openForWrite(path) {
    return wrap(await open(path, 'r+'));
  },
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  async kindOf(path) {
    try {
      const st = await lstat(path);
      return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
      throw err;
    }
  },
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
