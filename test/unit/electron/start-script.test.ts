// `npm start` (scripts/start.mjs): finds an installed Electron binary and never downloads one; without it, the message
// README promises (browser mode, headless scan, and how to install the runtime where downloads are possible).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without declarations
import { electronBinary, MISSING_ELECTRON_MESSAGE } from '../../../scripts/start.mjs';

const root = resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'hopscope-start-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm start without Electron', () => {
  it('finds no binary in a package folder without path.txt or without the runtime it names', () => {
    const pkg = join(tmp, 'electron');
    mkdirSync(pkg);
    expect((electronBinary as (d: string, e: object) => string | null)(pkg, {})).toBeNull();
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    expect((electronBinary as (d: string, e: object) => string | null)(pkg, {})).toBeNull();
    mkdirSync(join(pkg, 'dist'));
    writeFileSync(join(pkg, 'dist', 'electron'), '');
    expect((electronBinary as (d: string, e: object) => string | null)(pkg, {})).toBe(join(pkg, 'dist', 'electron'));
  });

  it('says it never downloads and points to npm run web, npm run scan and npx install-electron', () => {
    const msg = MISSING_ELECTRON_MESSAGE as string;
    expect(msg).toMatch(/never downloads/);
    expect(msg).toContain('npm run web');
    expect(msg).toContain('npm run scan');
    expect(msg).toContain('npx install-electron');
  });

  it('README tells the same story (no download on first launch; npx install-electron)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/fetched on first launch|downloaded the first time the app starts/);
    expect(readme).toContain('npx install-electron');
  });

  it.skipIf((electronBinary as () => string | null)() !== null)('run as the script (also through a symlink), prints the message and exits 1', () => {
    const link = join(tmp, 'repo-link');
    symlinkSync(root, link);
    for (const script of [join(root, 'scripts', 'start.mjs'), join(link, 'scripts', 'start.mjs')]) {
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(MISSING_ELECTRON_MESSAGE);
    }
  });

  it('importing the script does not run it', () => {
    // The import above would have exited the test process; the script itself still runs as before.
    const r = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(join(root, 'scripts', 'start.mjs'))}).then(() => console.log('imported'))`], { encoding: 'utf8' });
    expect(r.stdout).toContain('imported');
  });
});
