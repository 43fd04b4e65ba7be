// Evidence files named on the command line (`npm start -- FILE`, `hopscope FILE`).
// Invariant: only positional arguments become paths, resolved against the directory the user typed them in.

import { resolve } from 'node:path';

export interface ArgvContext {
  /** `process.defaultApp`: true when run as `electron <app-path>`, so argv[1] is the app path, not a file. */
  defaultApp: boolean;
  /** Where relative paths are resolved: `INIT_CWD` (set by npm) or the process cwd. */
  cwd: string;
}

export function filesFromArgv(argv: readonly string[], ctx: ArgvContext): string[] {
  const args = argv.slice(ctx.defaultApp ? 2 : 1);
  const out: string[] = [];
  let positionalOnly = false;
  for (const arg of args) {
    if (!positionalOnly && arg === '--') {
      positionalOnly = true;
      continue;
    }
    // Chromium/Electron switches (`--no-sandbox`, `--inspect`, `-psn_0_1234` on macOS) are not files.
    if (!positionalOnly && arg.startsWith('-')) continue;
    if (arg === '' || arg.includes('\0')) continue;
    const abs = resolve(ctx.cwd, arg);
    if (!out.includes(abs)) out.push(abs);
  }
  return out;
}

export function argvCwd(env: NodeJS.ProcessEnv, cwd: string): string {
  return env['INIT_CWD'] && env['INIT_CWD'].length > 0 ? env['INIT_CWD'] : cwd;
}
