#!/usr/bin/env node
// Layer boundary check (fails CI): which folder may import what. No exemption lists: a file that needs
// another runtime belongs in another folder. See ARCHITECTURE.md "Boundaries".
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), '..'));
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** npm packages by the runtime they need: pure ones run anywhere. */
const PURE_PACKAGES = new Set(['papaparse', 'yaml', 're2js', '@eslint-community/regexpp']);
const DOM_PACKAGES = new Set(['svelte']);
const NODE_PACKAGES = new Set(['ws']);

const LAYERS = [
  { name: 'engine/node', dir: 'engine/node', node: true, packages: [PURE_PACKAGES], mayImport: ['engine'] },
  { name: 'engine', dir: 'engine', node: false, packages: [PURE_PACKAGES], mayImport: ['engine'] },
  { name: 'main/electron', dir: 'main/electron', node: true, electron: true, packages: [PURE_PACKAGES, NODE_PACKAGES], mayImport: ['main', 'engine'] },
  { name: 'main', dir: 'main', node: true, packages: [PURE_PACKAGES, NODE_PACKAGES], mayImport: ['main/host', 'main/cli', 'engine'], forbid: ['main/electron'] },
  { name: 'renderer', dir: 'renderer', node: false, packages: [DOM_PACKAGES], mayImport: ['renderer'], typeOnly: ['engine'] },
];

/**
 * The pure engine's own layers, lowest first (ARCHITECTURE.md "Engine layers"): a folder (or a file directly under
 * engine/) may import its own folder and folders of a lower rank, never one of its rank or above, so the engine's
 * layers flow down. engine/node, the Node adapter, sits above all of them (its own LAYERS entry).
 */
const ENGINE_ORDER = [
  ['model'],
  ['xml', 'store', 'case'],
  ['formats'],
  ['ingest', 'rules'],
  ['detect'],
  ['export', 'rpc'],
  ['query'],
  ['session'],
  ['session.ts'],
];
const ENGINE_RANK = new Map(ENGINE_ORDER.flatMap((units, rank) => units.map((u) => [u, rank])));

/** `engine/detect/run.ts` -> `detect`, `engine/session.ts` -> `session.ts`; null outside the pure engine. */
function engineUnit(rel) {
  const parts = rel.replace(/\.(ts|mts|cts|js|mjs)$/, '').split('/');
  if (parts[0] !== 'engine' || parts[1] === 'node' || parts.length < 2) return null;
  return parts.length === 2 ? parts[1] + '.ts' : parts[1];
}

function layerOf(rel) {
  return LAYERS.find((l) => rel === l.dir || rel.startsWith(l.dir + '/'));
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|mts|cts|js|mjs|svelte)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

const IMPORT_RE = /(^|[^.\w$])(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|(^|[^.\w$])(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;

function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
}

const violations = [];
for (const layer of LAYERS) {
  const abs = join(root, layer.dir);
  let files;
  try { files = [...walk(abs)]; } catch { continue; }
  for (const file of files) {
    const rel = relative(root, file).split(sep).join('/');
    if (layerOf(rel) !== layer) continue;
    // Build configuration (vite.config.ts ...) runs under Node at build time and is never bundled into a layer.
    if (/\.config\.(ts|mts|js|mjs|cjs)$/.test(rel)) continue;
    let src = readFileSync(file, 'utf8');
    if (file.endsWith('.svelte')) src = [...src.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
    src = stripComments(src);
    const lines = src.split('\n');
    for (const m of src.matchAll(IMPORT_RE)) {
      const spec = m[5] ?? m[7];
      const typeOnly = Boolean(m[3]) && m[2] === 'import';
      const line = src.slice(0, m.index).split('\n').length;
      const where = `${rel}:${line}`;
      const fail = (why) => violations.push(`${where}: ${why} (imports '${spec}')`);
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec)).split(sep).join('/');
        if (layer.forbid?.some((f) => target === f || target.startsWith(f + '/'))) { fail(`${layer.name} must not import ${target}`); continue; }
        const allowed = layer.mayImport.some((p) => target === p || target.startsWith(p + '/') || target.startsWith(p + '.'));
        const typeAllowed = layer.typeOnly?.some((p) => target.startsWith(p + '/'));
        if (typeAllowed && !allowed) {
          if (!typeOnly) fail(`${layer.name} may import ${target} for types only (use 'import type')`);
          else if (target.startsWith('engine/node')) fail(`${layer.name} must not import the engine's Node adapter`);
          continue;
        }
        if (!allowed) fail(`${layer.name} must not import ${target}`);
        if (layer.name === 'engine' && target.startsWith('engine/node')) fail('the pure engine must not import its Node adapter');
        else if (layer.name === 'engine' && allowed) {
          const from = engineUnit(rel);
          const to = engineUnit(target);
          if (from && to && from !== to) {
            const rf = ENGINE_RANK.get(from);
            const rt = ENGINE_RANK.get(to);
            if (rf === undefined) fail(`engine/${from} has no place in the engine's layer order (add it to ENGINE_ORDER in check-boundaries.mjs and ARCHITECTURE.md)`);
            else if (rt === undefined) fail(`engine/${to} has no place in the engine's layer order (add it to ENGINE_ORDER in check-boundaries.mjs and ARCHITECTURE.md)`);
            else if (rt >= rf) fail(`engine/${from} must not import engine/${to} (engine layers flow down: ${ENGINE_ORDER.map((u) => u.join(' ')).join(' < ')})`);
          }
        }
        continue;
      }
      if (spec === 'electron' || spec.startsWith('electron/')) {
        if (!layer.electron) fail('only main/electron may import electron');
        continue;
      }
      if (NODE_BUILTINS.has(spec)) {
        if (!layer.node) fail(`${layer.name} must not use Node built-ins`);
        continue;
      }
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!layer.packages.some((set) => set.has(pkg))) fail(`${layer.name} must not depend on package '${pkg}' (declare its runtime in check-boundaries.mjs)`);
      void lines;
    }
  }
}

if (violations.length) {
  console.error(`boundary check: ${violations.length} violation(s)`);
  for (const v of violations) console.error('  ' + v);
  process.exit(1);
}
console.log('boundary check: ok');
