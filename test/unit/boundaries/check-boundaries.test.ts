// The layer boundary check must fail on each kind of crossing it exists to stop (and pass a clean tree).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, '../../../scripts/check-boundaries.mjs');

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-boundaries-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

function check(files: Record<string, string>) {
  const r = spawnSync('node', [script, tree(files)], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const clean = {
  'engine/model/a.ts': "export const a = 1;\n",
  'engine/rules/b.ts': "import { a } from '../model/a.ts';\nimport YAML from 'yaml';\nexport const b = a + YAML.parse('1');\n",
  'engine/ingest/i.ts': "import { b } from '../rules/../formats/f.ts';\nexport const i = b;\n",
  'engine/formats/f.ts': "import { a } from '../model/a.ts';\nexport const b = a;\n",
  'engine/session.ts': "import { q } from './session/q.ts';\nexport type S = typeof q;\n",
  'engine/session/q.ts': "import { b } from '../formats/f.ts';\nexport const q = b;\n",
  'engine/case/c.ts': "export const c = 1;\n",
  'engine/node/io.ts': "import { readFileSync } from 'node:fs';\nimport { a } from '../model/a.ts';\nexport const c = () => readFileSync('x') && a;\n",
  'main/host/h.ts': "import { createServer } from 'node:http';\nimport { a } from '../../engine/model/a.ts';\nexport const h = [createServer, a];\n",
  'main/electron/e.ts': "import { app } from 'electron';\nimport { h } from '../host/h.ts';\nexport const e = [app, h];\n",
  'renderer/r.ts': "import type { A } from '../engine/model/a.ts';\nimport { mount } from 'svelte';\nexport const r: A | null = null; void mount;\n",
};

describe('check-boundaries', () => {
  it('passes a tree that respects every layer', () => {
    const r = check(clean);
    expect(r.out).toContain('boundary check: ok');
    expect(r.status).toBe(0);
  });

  it.each([
    ['the pure engine using a Node built-in', 'engine/model/x.ts', "import { readFileSync } from 'node:fs';\n", 'must not use Node built-ins'],
    ['the pure engine using a bare Node built-in', 'engine/rules/x.ts', "import path from 'path';\n", 'must not use Node built-ins'],
    ['the pure engine importing its Node adapter', 'engine/rules/x.ts', "import { c } from '../node/io.ts';\n", 'Node adapter'],
    ['the engine importing main', 'engine/rules/x.ts', "import { h } from '../../main/host/h.ts';\n", 'must not import main/host/h.ts'],
    ['the host importing electron', 'main/host/x.ts', "import { app } from 'electron';\n", 'only main/electron may import electron'],
    ['the host importing the electron shell', 'main/host/x.ts', "import { e } from '../electron/e.ts';\n", 'must not import main/electron'],
    ['the renderer importing engine runtime code', 'renderer/x.ts', "import { a } from '../engine/model/a.ts';\n", "for types only"],
    ['the renderer using Node', 'renderer/x.ts', "import { readFileSync } from 'node:fs';\n", 'must not use Node built-ins'],
    ['the renderer importing the host', 'renderer/x.ts', "import { h } from '../main/host/h.ts';\n", 'must not import main/host/h.ts'],
    ['the renderer requiring electron dynamically', 'renderer/x.ts', "const e = require('electron');\n", 'only main/electron may import electron'],
    ['an undeclared package in the engine', 'engine/rules/x.ts', "import left from 'left-pad';\n", "must not depend on package 'left-pad'"],
    ['a Node-only package in the engine', 'engine/rules/x.ts', "import { WebSocket } from 'ws';\n", "must not depend on package 'ws'"],
    ['a mapper importing the ingest layer above it', 'engine/formats/x.ts', "import { i } from '../ingest/i.ts';\n", 'engine/formats must not import engine/ingest'],
    ['a query helper importing the session that calls it', 'engine/session/x.ts', "import type { S } from '../session.ts';\n", 'engine/session must not import engine/session.ts'],
    ['two engine folders of one rank importing each other', 'engine/store/x.ts', "import { c } from '../case/c.ts';\n", 'engine/store must not import engine/case'],
    ['an engine folder with no place in the layer order', 'engine/misc/x.ts', "import { a } from '../model/a.ts';\n", 'engine/misc has no place'],
    ['a dynamic import of Node in a Svelte component', 'renderer/X.svelte', "<script lang=\"ts\">\n  const fs = import('node:fs');\n</script>\n", 'must not use Node built-ins'],
  ])('fails on %s', (_label, file, text, why) => {
    const r = check({ ...clean, [file]: text });
    expect(r.status).toBe(1);
    expect(r.out).toContain(why);
    expect(r.out).toContain(file);
  });
});
