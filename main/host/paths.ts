// Where the running host finds the project: resources/, dist/renderer and the per-user data folder.
// Invariant: the same answers from the source tree (tests) and from the bundles in dist/host.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project (or packaged app) root: the nearest ancestor holding resources/ and package.json. */
export function appRoot(): string {
  let dir: string;
  try {
    dir = dirname(fileURLToPath(import.meta.url));
  } catch {
    dir = process.cwd();
  }
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

/** npm sets INIT_CWD to where the user typed the command; plain `node` runs use cwd. */
export function userCwd(): string {
  return process.env['INIT_CWD'] || process.cwd();
}

export function resolveUserPath(p: string): string {
  return resolve(userCwd(), p);
}

/** Per-user data (recent files): $HOPSCOPE_USER_DATA, else XDG config, else ~/.config/hopscope. */
export function defaultUserDataDir(): string {
  const override = process.env['HOPSCOPE_USER_DATA'];
  if (override) return resolve(override);
  const xdg = process.env['XDG_CONFIG_HOME'];
  return join(xdg ? resolve(xdg) : join(homedir(), '.config'), 'hopscope');
}
