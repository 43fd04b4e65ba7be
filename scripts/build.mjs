#!/usr/bin/env node
// Build: esbuild bundles for the Node side (CLI, browser-mode host, engine worker, Electron shell), then the
// renderer through Vite. Flags: --node (skip the renderer), --quiet. Invariant: outputs only under dist/.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const nodeOnly = args.has('--node');
const log = (...a) => { if (!quiet) console.log(...a); };
const started = performance.now();

// Bundled CommonJS dependencies (ws, papaparse) call require() for Node built-ins; ESM output needs a real one.
const esmBanner = "import { createRequire as __hsCreateRequire } from 'node:module'; const require = __hsCreateRequire(import.meta.url);";

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: quiet ? 'error' : 'warning',
  legalComments: 'none',
};

const nodeTargets = [
  { in: 'main/host/cli.ts', out: 'dist/host/cli.js' },
  { in: 'main/host/web.ts', out: 'dist/host/web.js' },
  { in: 'engine/node/worker.ts', out: 'dist/host/engine-worker.js' },
  { in: 'engine/node/parse-worker.ts', out: 'dist/host/parse-worker.js' },
].filter((t) => existsSync(join(root, t.in)));

const electronTargets = [
  { in: 'main/electron/main.ts', out: 'dist/electron/main.cjs' },
  { in: 'main/electron/preload.ts', out: 'dist/electron/preload.cjs' },
].filter((t) => existsSync(join(root, t.in)));

try {
  await Promise.all([
    ...nodeTargets.map((t) =>
      esbuild({ ...common, entryPoints: [t.in], outfile: t.out, format: 'esm', banner: { js: esmBanner } }),
    ),
    ...electronTargets.map((t) =>
      esbuild({ ...common, entryPoints: [t.in], outfile: t.out, format: 'cjs', external: ['electron'] }),
    ),
  ]);
} catch (err) {
  if (!quiet) console.error(err instanceof Error ? err.message : err);
  console.error('build: node bundles failed');
  process.exit(1);
}
log(`build: ${nodeTargets.length + electronTargets.length} node bundle(s) in ${Math.round(performance.now() - started)} ms`);

// The packaged app checks the workers it ships outside the asar against these hashes (main/electron/worker-integrity.ts);
// the manifest sits beside main.cjs, inside the asar.
if (electronTargets.length && existsSync(join(root, 'dist/host/engine-worker.js')) && existsSync(join(root, 'dist/host/parse-worker.js'))) {
  const sha = (p) => createHash('sha256').update(readFileSync(join(root, p))).digest('hex');
  writeFileSync(
    join(root, 'dist/electron/worker-hashes.json'),
    JSON.stringify({ 'engine-worker.mjs': sha('dist/host/engine-worker.js'), 'parse-worker.mjs': sha('dist/host/parse-worker.js') }, null, 1) + '\n',
  );
}

const viteConfig = join(root, 'renderer', 'vite.config.ts');
if (!nodeOnly) {
  if (!existsSync(viteConfig)) {
    log('build: renderer/vite.config.ts not found, renderer skipped');
  } else {
    const t0 = performance.now();
    try {
      const { build: viteBuild } = await import('vite');
      await viteBuild({ configFile: viteConfig, logLevel: quiet ? 'error' : 'warn' });
    } catch (err) {
      console.error(err instanceof Error ? err.message : err);
      console.error('build: renderer failed');
      process.exit(1);
    }
    log(`build: renderer in ${Math.round(performance.now() - t0)} ms`);
  }
}
