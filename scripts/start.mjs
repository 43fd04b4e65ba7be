#!/usr/bin/env node
// `npm start`: build everything, then launch Electron on this folder, passing arguments through.
// Invariant: never triggers Electron's own binary download; without an installed binary it says so and exits 1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The installed Electron executable in `pkgDir` (node_modules/electron), found the way electron/index.js does, minus
 * its download fallback; null when there is none.
 */
export function electronBinary(pkgDir = join(root, 'node_modules', 'electron'), env = process.env) {
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const rel = readFileSync(pathFile, 'utf8').trim();
  const exe = override ? join(override, rel) : join(pkgDir, 'dist', rel);
  return existsSync(exe) ? exe : null;
}

/** What `npm start` prints when there is no Electron binary (README "Set up, run, test" says the same). */
export const MISSING_ELECTRON_MESSAGE =
  'start: the Electron binary is not installed (node_modules/electron has no runtime), and npm start never downloads it.\n' +
  'Run Hopscope in your browser instead:  npm run web [-- FILE...]\n' +
  'or scan headless:                      npm run scan -- FILE...\n' +
  'To install the desktop runtime, run once on a machine with internet access (Node >= 22.12):  npx install-electron';

function main() {
  const exe = electronBinary();
  if (!exe) {
    console.error(MISSING_ELECTRON_MESSAGE);
    process.exit(1);
  }

  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  if (b.status !== 0) process.exit(b.status ?? 1);

  const child = spawn(exe, ['.', ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, env: { ...process.env, INIT_CWD: process.env.INIT_CWD ?? process.cwd() } });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}

// Run only as the script, so tests can import the lookup and the message.
// Real paths on both sides: Node runs the main module from its real path, argv[1] may name it through a symlink.
const real = (p) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};
if (process.argv[1] && real(process.argv[1]) === real(fileURLToPath(import.meta.url))) main();
