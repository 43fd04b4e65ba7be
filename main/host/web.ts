// Entry for `npm run web [-- FILE...] [--open]`: the host service plus the browser-mode server; prints the URL.
// Invariant: binds 127.0.0.1 only; opens a browser only when asked (--open), never by default.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHostService } from './host-service.ts';
import { appRoot, defaultUserDataDir, resolveUserPath } from './paths.ts';
import { startWebServer } from './web-server.ts';

const USAGE = `usage: npm run web [-- [--open] [--port N] FILE...]
  FILE      evidence files to offer in the app (read-only)
  --open    open the app URL in the default browser
  --port N  listen on port N (default: a random free port)`;

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => console.error(`could not open a browser; open ${url} yourself`));
    child.unref();
  } catch {
    console.error(`could not open a browser; open ${url} yourself`);
  }
}

async function main(argv: string[]): Promise<number> {
  const files: string[] = [];
  let open = false;
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--open') open = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else if (a === '--port') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        console.error(`--port needs a port number\n${USAGE}`);
        return 2;
      }
      port = n;
    } else if (a === '--') continue;
    else if (a.startsWith('--')) {
      console.error(`unknown option ${a}\n${USAGE}`);
      return 2;
    } else files.push(resolveUserPath(a));
  }
  const root = appRoot();
  const host = createHostService({
    mode: 'browser',
    resourcesDir: join(root, 'resources'),
    userDataDir: defaultUserDataDir(),
    preopened: files,
  });
  host.subscribe((p) => {
    if (p.type === 'error') console.error(`error: ${p.error.message}`);
  });
  await host.ready;
  const rendererDir = join(root, 'dist', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) console.error('warning: the renderer is not built (dist/renderer); run `npm run build` first');
  const server = await startWebServer({ host, rendererDir });
  console.log(`Hopscope is running at ${server.url}`);
  console.log('Keep this terminal open; press Ctrl+C to stop.');
  if (open) openBrowser(server.url);
  const stop = (): void => {
    void Promise.allSettled([server.close(), host.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
