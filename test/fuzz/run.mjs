#!/usr/bin/env node
// `npm run fuzz`: bundles test/fuzz/targets.ts (the code the vitest fuzz suites use) and runs every target with
// large iteration counts; prints inputs tried per target and each failure with the seed that replays it.
// Exits 1 on any failure. Flags: --long, --iterations N, --seed S, --only TEXT, --mib N, --replay TARGET SEED.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

const envN = Number(process.env.HOPSCOPE_FUZZ_ITERATIONS);
const iterations = Number(value('--iterations')) || (Number.isInteger(envN) && envN > 0 ? envN : flag('--long') ? 10_000 : 300);
const envSeed = Number(process.env.HOPSCOPE_FUZZ_SEED);
const seed = value('--seed') !== undefined ? Number(value('--seed')) : Number.isInteger(envSeed) ? envSeed : 0x5eed;
const mib = Number(value('--mib')) || (flag('--long') ? 200 : 40);
const only = value('--only');

const outDir = join(root, 'dist', 'fuzz');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'targets.mjs');
await build({
  absWorkingDir: root,
  entryPoints: [join(root, 'test', 'fuzz', 'targets.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'error',
});
const mod = await import(pathToFileURL(outfile).href);

if (flag('--replay')) {
  const i = argv.indexOf('--replay');
  console.log(mod.replay(argv[i + 1], Number(argv[i + 2])));
  process.exit(0);
}

// The yaml library warns on stderr about odd keys in mutated rule files, thousands of times: not a finding.
process.removeAllListeners('warning');
const log = (line) => console.log(line);
console.log(`fuzz: ${iterations} iterations per target (readers on shared captures: ${Math.ceil(iterations / 5)}; protocol: ${iterations * 10}), base seed ${seed}, pathological ${mib} MiB`);
const started = performance.now();
let tried = 0;
const failures = [];
for (const t of mod.targets({ iterations, seed, only, pathologicalMiB: mib, log })) {
  const t0 = performance.now();
  let res;
  try {
    res = await t.run();
  } catch (err) {
    res = { target: t.name, tried: 0, refused: 0, failures: [{ target: t.name, seed: -1, message: `target threw: ${err?.stack ?? err}` }] };
  }
  tried += res.tried;
  failures.push(...res.failures);
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${res.failures.length ? 'FAIL' : 'ok  '} ${t.name.padEnd(70)} tried ${String(res.tried).padStart(7)}  refused ${String(res.refused).padStart(7)}  ${secs} s`);
}
for (const f of failures) {
  console.log(`\nFAILURE ${f.target} seed ${f.seed}\n  ${f.message.split('\n').join('\n  ')}`);
  if (f.sample) console.log(`  input starts: ${f.sample.slice(0, 300)}`);
  if (f.seed >= 0) console.log(`  replay: node test/fuzz/run.mjs --replay ${f.target} ${f.seed}`);
}
console.log(`\nfuzz: ${tried} inputs, ${failures.length} failure(s), ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(failures.length ? 1 : 0);
