// An in-memory CaseFs that models what survives power loss (fsync'ed file data, fsync'ed folder entries) and
// can fail or "crash" at any numbered step. Invariant: a crash stops every later step, as a dead process would.

import { basename, dirname } from 'node:path';
import type { CaseFileHandle, CaseFs } from '../../../main/host/case/case-fs.ts';

interface Inode {
  data: Uint8Array;
  durable: Uint8Array;
}
interface Dir {
  live: Map<string, number>;
  durable: Map<string, number>;
  /** Entry changes since the last folder fsync, in order (ino null: removed). */
  pending: Array<{ name: string; ino: number | null }>;
}

export type Fault = { kind: 'crash' } | { kind: 'errno'; code: string; sticky?: boolean };

function errno(code: string, op: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: injected failure in ${op}`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

export class MemCaseFs implements CaseFs {
  private inodes = new Map<number, Inode>();
  private dirs = new Map<string, Dir>();
  private nextIno = 1;
  /** Mutating steps taken so far (create, write, sync, truncate, rename, remove, syncDir, mkdir). */
  steps = 0;
  /** Fail at this step number (1-based); null: never. */
  failAt: number | null = null;
  fault: Fault = { kind: 'crash' };
  /** A failing write first writes half of its bytes (a torn write). */
  tornWrites = true;
  dead = false;
  failures = 0;
  readonly log: string[] = [];

  /** Forget injected faults: the "machine" restarts. */
  restart(): void {
    this.failAt = null;
    this.dead = false;
  }

  /** Folder entry changes not yet fsync'ed, over all folders (what `keepDirOps` indexes). */
  pendingDirOps(): number {
    let n = 0;
    for (const d of this.dirs.values()) n += d.pending.length;
    return n;
  }

  /**
   * Power loss: only fsync'ed data and fsync'ed folder entries remain; optionally half of an unsynced append,
   * and any subset of the unsynced folder changes (`keepDirOps(i)` for the i-th, counted over all folders):
   * file systems may persist metadata changes out of order.
   */
  powerLoss(opts: { tornTail?: boolean; keepDirOps?: (i: number) => boolean } = {}): void {
    let i = 0;
    for (const d of this.dirs.values()) {
      const kept = new Map(d.durable);
      for (const op of d.pending) {
        if (opts.keepDirOps?.(i++)) {
          if (op.ino === null) kept.delete(op.name);
          else kept.set(op.name, op.ino);
        }
      }
      d.durable = kept;
      d.live = new Map(kept);
      d.pending = [];
    }
    for (const ino of this.inodes.values()) {
      const extra = ino.data.byteLength - ino.durable.byteLength;
      const isAppend = extra > 0 && ino.durable.every((b, i) => ino.data[i] === b);
      ino.data = opts.tornTail && isAppend ? ino.data.slice(0, ino.durable.byteLength + Math.ceil(extra / 2)) : ino.durable.slice();
    }
  }

  private injectedNow = false;

  private step(op: string): void {
    this.injectedNow = false;
    if (this.dead) throw new Error(`process is dead (${op})`);
    this.steps++;
    this.log.push(op);
    const sticky = this.fault.kind === 'errno' && this.fault.sticky && this.failAt !== null && this.steps >= this.failAt;
    if (this.steps === this.failAt || sticky) {
      this.failures++;
      this.injectedNow = true;
      if (this.fault.kind === 'crash') {
        this.dead = true;
        throw new Error(`injected crash at step ${this.steps} (${op})`);
      }
      throw errno(this.fault.code, op);
    }
  }

  private dir(path: string): Dir {
    const d = this.dirs.get(path);
    if (!d) throw errno('ENOENT', `no folder ${path}`);
    return d;
  }

  private lookup(path: string): Inode | null {
    const d = this.dirs.get(dirname(path));
    const ino = d?.live.get(basename(path));
    return ino === undefined ? null : this.inodes.get(ino)!;
  }

  async mkdirp(path: string): Promise<void> {
    if (this.dirs.has(path)) return;
    this.step(`mkdir ${path}`);
    // Simplification: folders are created durably (the case protocol never relies on folder creation order).
    for (let p = path; !this.dirs.has(p); p = dirname(p)) {
      this.dirs.set(p, { live: new Map(), durable: new Map(), pending: [] });
      if (dirname(p) === p) break;
    }
  }

  async readFile(path: string): Promise<Uint8Array | null> {
    if (this.dead) throw new Error('process is dead');
    const ino = this.lookup(path);
    return ino ? ino.data.slice() : null;
  }

  async readdir(path: string): Promise<string[]> {
    if (this.dead) throw new Error('process is dead');
    return [...(this.dirs.get(path)?.live.keys() ?? [])].sort();
  }

  private handle(ino: Inode, path: string): CaseFileHandle {
    return {
      write: async (bytes, position) => {
        try {
          this.step(`write ${basename(path)} @${position} +${bytes.byteLength}`);
        } catch (err) {
          if (this.tornWrites && this.injectedNow) {
            writeAt(ino, bytes.slice(0, Math.floor(bytes.byteLength / 2)), position);
          }
          throw err;
        }
        writeAt(ino, bytes, position);
      },
      sync: async () => {
        this.step(`sync ${basename(path)}`);
        ino.durable = ino.data.slice();
      },
      truncate: async (length) => {
        this.step(`truncate ${basename(path)} ${length}`);
        ino.data = ino.data.slice(0, length);
      },
      close: async () => undefined,
    };
  }

  async create(path: string): Promise<CaseFileHandle> {
    const d = this.dir(dirname(path));
    this.step(`create ${basename(path)}`);
    if (d.live.has(basename(path))) throw errno('EEXIST', `create ${path}`);
    const ino: Inode = { data: new Uint8Array(), durable: new Uint8Array() };
    const n = this.nextIno++;
    this.inodes.set(n, ino);
    d.live.set(basename(path), n);
    d.pending.push({ name: basename(path), ino: n });
    return this.handle(ino, path);
  }

  async openForWrite(path: string): Promise<CaseFileHandle> {
    if (this.dead) throw new Error('process is dead');
    const ino = this.lookup(path);
    if (!ino) throw errno('ENOENT', `open ${path}`);
    return this.handle(ino, path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.step(`rename ${basename(from)} -> ${basename(to)}`);
    const a = this.dir(dirname(from));
    const b = this.dir(dirname(to));
    const ino = a.live.get(basename(from));
    if (ino === undefined) throw errno('ENOENT', `rename ${from}`);
    a.live.delete(basename(from));
    b.live.set(basename(to), ino);
    a.pending.push({ name: basename(from), ino: null });
    b.pending.push({ name: basename(to), ino });
  }

  async remove(path: string): Promise<void> {
    this.step(`remove ${basename(path)}`);
    const d = this.dirs.get(dirname(path));
    d?.live.delete(basename(path));
    d?.pending.push({ name: basename(path), ino: null });
  }

  async syncDir(path: string): Promise<void> {
    this.step(`syncDir ${path}`);
    const d = this.dir(path);
    d.durable = new Map(d.live);
    d.pending = [];
  }

  /** Test access to a file's current bytes (as text). */
  text(path: string): string | null {
    const ino = this.lookup(path);
    return ino ? new TextDecoder().decode(ino.data) : null;
  }

  setText(path: string, text: string): void {
    const ino = this.lookup(path);
    if (!ino) throw new Error(`no file ${path}`);
    ino.data = new TextEncoder().encode(text);
    ino.durable = ino.data.slice();
  }
}

function writeAt(ino: Inode, bytes: Uint8Array, position: number): void {
  const end = position + bytes.byteLength;
  const out = new Uint8Array(Math.max(ino.data.byteLength, end));
  out.set(ino.data);
  out.set(bytes, position);
  ino.data = out;
}
