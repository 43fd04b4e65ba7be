// Builds the Node bundles (CLI, web host, engine worker) once before the unit suites that spawn them.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--node', '--quiet'], { cwd: root, stdio: 'inherit' });
}
