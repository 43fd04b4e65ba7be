// Builds the Node bundles (CLI, web host, engine worker) once before the unit suites that spawn them, and says once
// why the shared-data suites skip when ../shared/data is missing (npm test prints that line in its summary instead).
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { sharedDataNotice } from './support/shared-data.mjs';

export default function setup(): void {
  const root = resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--node', '--quiet'], { cwd: root, stdio: 'inherit' });
  const notice = sharedDataNotice(root);
  if (notice && process.env.HOPSCOPE_TEST_ALL !== '1') process.stdout.write(`${notice}\n`);
}
