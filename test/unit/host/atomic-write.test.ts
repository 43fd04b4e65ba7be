// The one file writer: a regular file is replaced atomically; a FIFO, character device or socket is never renamed
// over (a rename over /dev/null turned it into a plain file for the whole machine); links, folders and evidence
// follow the rules in main/host/atomic-write.ts. Also `scan --out FIFO` and `scan --out -` end to end.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, link, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replaceFileDurable, resolveOutputTarget, writeOutputFile } from '../../../main/host/atomic-write.ts';
import { nodeCaseFs } from '../../../main/host/case/case-fs.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'dist', 'host', 'cli.js');
const fixture = join(root, 'test', 'unit', 'host', 'fixtures', 'small-cim.csv');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const posix = process.platform !== 'win32';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-write-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Reads everything written to a FIFO until the writer closes it. */
function drain(fifo: string): Promise<string> {
  return new Promise((ok, fail) => {
    let text = '';
    createReadStream(fifo, { encoding: 'utf8' })
      .on('data', (c) => (text += c))
      .on('end', () => ok(text))
      .on('error', fail);
  });
}

describe('writeOutputFile', () => {
  it('creates a new file and replaces a regular file atomically, keeping its mode and leaving no temp file', async () => {
    const dir = join(tmp, 'plain');
    await mkdir(dir);
    const f = join(dir, 'report.json');
    expect(await writeOutputFile(f, '{"a":1}')).toBe('created');
    await chmod(f, 0o640);
    expect(await writeOutputFile(f, '{"a":2}')).toBe('replaced');
    expect(await readFile(f, 'utf8')).toBe('{"a":2}');
    expect((await stat(f)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['report.json']);
  });

  it.skipIf(!posix)('writes into a FIFO in place: the FIFO stays a FIFO', async () => {
    const fifo = join(tmp, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const got = drain(fifo);
    expect(await writeOutputFile(fifo, 'hello fifo\n')).toBe('in-place');
    expect(await got).toBe('hello fifo\n');
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it.skipIf(!isRoot)('writes into a character device in place (mknod c 1 3, a second /dev/null): it stays a device', async () => {
    const dev = join(tmp, 'null');
    execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
    expect(await writeOutputFile(dev, 'x'.repeat(100_000))).toBe('in-place');
    const st = await lstat(dev);
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe((await stat('/dev/null')).rdev);
  });

  it.skipIf(!posix)('writes /dev/null in place and /dev/null stays a character device', async () => {
    expect((await resolveOutputTarget('/dev/null')).kind).toBe('special');
    expect(await writeOutputFile('/dev/null', 'discard me')).toBe('in-place');
    expect((await lstat('/dev/null')).isCharacterDevice()).toBe(true);
  });

  it.skipIf(!posix)('refuses a socket with a clear reason and leaves it in place', async () => {
    const sock = join(tmp, 's.sock');
    const server = createServer().listen(sock);
    await new Promise((ok) => server.once('listening', ok));
    try {
      await expect(writeOutputFile(sock, 'x')).rejects.toThrow(/socket/);
      expect((await lstat(sock)).isSocket()).toBe(true);
    } finally {
      server.close();
    }
  });

  it('refuses a folder', async () => {
    await expect(writeOutputFile(tmp, 'x')).rejects.toThrow(/folder/);
  });

  it.skipIf(!posix)('follows a symlink to a regular file and replaces that file (the link stays a link); a dangling link is refused', async () => {
    const real = join(tmp, 'real.json');
    const ln = join(tmp, 'link.json');
    await writeFile(real, 'old');
    await symlink(real, ln);
    expect(await writeOutputFile(ln, 'new')).toBe('replaced');
    expect((await lstat(ln)).isSymbolicLink()).toBe(true);
    expect(await readFile(real, 'utf8')).toBe('new');
    const dangling = join(tmp, 'dangling.json');
    await symlink(join(tmp, 'nowhere', 'x.json'), dangling);
    await expect(writeOutputFile(dangling, 'x')).rejects.toThrow(/link to nothing/);
  });

  it.skipIf(!posix)('refuses evidence reached through a symlinked folder, a symlink or a hard link; the evidence is untouched', async () => {
    const dir = join(tmp, 'case');
    await mkdir(dir);
    const ev = join(dir, 'ev.xml');
    await writeFile(ev, '<Event/>');
    await symlink(dir, join(tmp, 'case-link'));
    await symlink(ev, join(tmp, 'ev-link.xml'));
    await link(ev, join(tmp, 'ev-hard.xml'));
    for (const target of [join(tmp, 'case-link', 'ev.xml'), join(tmp, 'ev-link.xml'), join(tmp, 'ev-hard.xml'), ev]) {
      await expect(writeOutputFile(target, 'overwritten', { protect: [ev] })).rejects.toMatchObject({ code: 'E_SECURITY' });
    }
    expect(await readFile(ev, 'utf8')).toBe('<Event/>');
  });
});

describe('replaceFileDurable', () => {
  it.skipIf(!posix)('never renames over a FIFO (app files in the user-data folder too)', async () => {
    const dir = join(tmp, 'userdata');
    await mkdir(dir);
    execFileSync('mkfifo', [join(dir, 'settings.json')]);
    await expect(replaceFileDurable(nodeCaseFs, dir, 'settings.json', '{}')).rejects.toThrow(/not a regular file/);
    expect((await lstat(join(dir, 'settings.json'))).isFIFO()).toBe(true);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });
});

describe('scan --out', () => {
  const scan = (args: string[]) => spawnSync(process.execPath, [cli, 'scan', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, INIT_CWD: root } });

  it.skipIf(!posix)('writes the report into a FIFO with a reader attached; the FIFO survives', async () => {
    const fifo = join(tmp, 'scan.fifo');
    execFileSync('mkfifo', [fifo]);
    const got = drain(fifo);
    const child = spawn(process.execPath, [cli, 'scan', '--format', 'json', '--out', fifo, fixture], { cwd: root, env: { ...process.env, INIT_CWD: root } });
    const code = await new Promise<number | null>((ok) => child.on('exit', ok));
    expect(code).toBe(0);
    expect(JSON.parse(await got)).toMatchObject({ schema: expect.stringMatching(/^hopscope\.report/) });
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it('--out - writes the report (and only the report) to standard output', () => {
    const r = scan(['--out', '-', fixture]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: expect.stringMatching(/^hopscope\.report/) });
  });

  it.skipIf(!posix)('--out /dev/null leaves /dev/null a character device', () => {
    const r = scan(['--format', 'json', '--out', '/dev/null', fixture]);
    expect(r.status).toBe(0);
    expect(execFileSync('stat', ['-c', '%F', '/dev/null'], { encoding: 'utf8' }).trim()).toBe('character special file');
  });

  it.skipIf(!posix)('--out through a symlinked folder onto the evidence is refused, exit 2, evidence intact', async () => {
    const dir = join(tmp, 'ev');
    await mkdir(dir);
    const ev = join(dir, 'small.csv');
    await writeFile(ev, await readFile(fixture));
    await symlink(dir, join(tmp, 'ev-link'));
    const r = scan(['--out', join(tmp, 'ev-link', 'small.csv'), ev]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/evidence/);
    expect(await readFile(ev)).toEqual(await readFile(fixture));
  });
});
