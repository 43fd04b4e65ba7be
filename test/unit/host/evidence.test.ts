// Evidence hashing: known digest, opened read-only (every open() is observed), changes during read reported.

import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const opened: Array<{ path: string; flags: unknown }> = [];
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: (path: string, flags?: unknown, mode?: unknown) => {
      opened.push({ path, flags });
      return (real.open as (...a: unknown[]) => unknown)(path, flags, mode);
    },
  };
});

const { hashEvidence, statEvidence, compareStats } = await import('../../../main/host/evidence.ts');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-evidence-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hashEvidence', () => {
  it('computes the known SHA-256 over several chunks and leaves the file untouched', async () => {
    const file = join(dir, 'abc.txt');
    await writeFile(file, 'abc');
    const before = await stat(file);
    const progress: number[] = [];
    const h = await hashEvidence(file, { chunkBytes: 2, onProgress: (d) => progress.push(d) });
    expect(h.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(h.bytes).toBe(3);
    expect(progress).toEqual([2, 3]);
    expect(h.changed).toBe(false);
    expect(h.warnings).toEqual([]);
    const after = await stat(file);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(await readFile(file, 'utf8')).toBe('abc');
    const mine = opened.filter((o) => o.path === file);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((o) => o.flags === 'r')).toBe(true);
  });

  it('reports a file that grows while it is being read', async () => {
    const file = join(dir, 'grow.log');
    await writeFile(file, 'x'.repeat(10));
    let appended = false;
    const h = await hashEvidence(file, {
      chunkBytes: 4,
      onProgress: () => {
        if (!appended) appendFileSync(file, 'more');
        appended = true;
      },
    });
    expect(h.changed).toBe(true);
    expect(h.warnings.join('\n')).toMatch(/size changed/);
  });

  it('fails with E_IO and the reason for a missing file or a directory', async () => {
    await expect(hashEvidence(join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining("cannot read 'missing.csv': ENOENT") });
    await expect(hashEvidence(dir)).rejects.toMatchObject({ code: 'E_IO' });
    await expect(statEvidence(join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'E_IO' });
  });

  it('compares stats field by field', () => {
    const s = { bytes: 1, mtimeMs: 1, ino: 1, dev: 1 };
    expect(compareStats(s, { ...s })).toEqual([]);
    expect(compareStats(s, { ...s, ino: 2 })[0]).toMatch(/replaced/);
    expect(compareStats(s, { ...s, mtimeMs: 2 })[0]).toMatch(/modification time/);
  });
});
