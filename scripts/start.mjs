#!/usr/bin/env node
// `npm start`: build everything, then launch Electron on this folder, passing arguments through.
// Invariant: never triggers Electron's own binary download; without an installed binary it says so and exits 1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const passThrough = process.argv.slice(2);

/** The installed Electron executable, found the way electron/index.js does, minus its download fallback. */
function electronBinary() {
  const pkgDir = join(root, 'node_modules', 'electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const rel = readFileSync(pathFile, 'utf8').trim();
  const exe = override ? join(override, rel) : join(pkgDir, 'dist', rel);
  return existsSync(exe) ? exe : null;
}

const exe = electronBinary();
if (!exe) {
  console.error(
    'start: the Electron binary is not installed (node_modules/electron has no downloaded runtime).\n' +
      'Run Hopscope in your browser instead:  npm run web [-- FILE...]\n' +
      'or install Electron where downloads are possible (npx install-electron).',
  );
  process.exit(1);
}

const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
if (b.status !== 0) process.exit(b.status ?? 1);

const child = spawn(exe, ['.', ...passThrough], { stdio: 'inherit', cwd: root, env: { ...process.env, INIT_CWD: process.env.INIT_CWD ?? process.cwd() } });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
