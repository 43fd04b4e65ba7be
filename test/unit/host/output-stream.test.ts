// Streamed writes (`npm run events`) by the one writer's rules: a regular file is replaced only at commit, an aborted
// write leaves the old file and no temporary behind, /dev/null stays a device, evidence and folders are refused.
import { lstat, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOutputStream } from '../../../main/host/atomic-write.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-stream-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('openOutputStream', () => {
  it('writes a new file in pieces and puts it in place at commit', async () => {
    const p = join(tmp, 'new.csv');
    const out = await openOutputStream(p);
    await out.write('a,b\r\n');
    await out.write(new TextEncoder().encode('1,2\r\n'));
    await expect(lstat(p)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await out.commit()).toBe('created');
    expect(await readFile(p, 'utf8')).toBe('a,b\r\n1,2\r\n');
    expect((await readdir(tmp)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the old file until commit, and untouched after abort', async () => {
    const p = join(tmp, 'old.csv');
    await writeFile(p, 'old');
    const out = await openOutputStream(p);
    await out.write('new contents');
    expect(await readFile(p, 'utf8')).toBe('old');
    await out.abort();
    expect(await readFile(p, 'utf8')).toBe('old');
    expect((await readdir(tmp)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const again = await openOutputStream(p);
    await again.write('new');
    expect(await again.commit()).toBe('replaced');
    expect(await readFile(p, 'utf8')).toBe('new');
  });

  it.skipIf(process.platform === 'win32')('writes /dev/null in place: it stays a character device', async () => {
    const out = await openOutputStream('/dev/null');
    await out.write('x'.repeat(1000));
    expect(await out.commit()).toBe('in-place');
    expect((await lstat('/dev/null')).isCharacterDevice()).toBe(true);
  });

  it('refuses a folder and an evidence file before writing', async () => {
    await expect(openOutputStream(tmp)).rejects.toMatchObject({ code: 'E_USAGE' });
    const ev = join(tmp, 'evidence.evtx');
    await writeFile(ev, 'ElfFile');
    await expect(openOutputStream(ev, { protect: [ev] })).rejects.toMatchObject({ code: 'E_SECURITY' });
    expect(await readFile(ev, 'utf8')).toBe('ElfFile');
  });
});
