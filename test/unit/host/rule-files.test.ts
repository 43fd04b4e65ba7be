// Rule sources from disk: built-in packs, macros and Sigma are told apart, ordered stably, named without
// install paths; a missing user path is a usage error naming it.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRuleFiles } from '../../../main/host/rule-files.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-rules-'));
  await mkdir(join(dir, 'rules', 'builtin'), { recursive: true });
  await mkdir(join(dir, 'rules', 'sigma'), { recursive: true });
  await mkdir(join(dir, 'user', 'nested'), { recursive: true });
  await writeFile(join(dir, 'rules', 'builtin', 'b.yml'), 'id: b');
  await writeFile(join(dir, 'rules', 'builtin', 'a.yml'), 'id: a');
  await writeFile(join(dir, 'rules', 'builtin', 'README.md'), 'not a rule');
  await writeFile(join(dir, 'rules', 'macros.conf'), '[m]\ndefinition = x');
  await writeFile(join(dir, 'rules', 'sigma', 's.yml'), 'title: s');
  await writeFile(join(dir, 'user', 'nested', 'u.yaml'), 'id: u');
  await writeFile(join(dir, 'user', 'my.conf'), '[n]\ndefinition = y');
  await writeFile(join(dir, 'user', '.hidden.yml'), 'id: hidden');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('collectRuleFiles', () => {
  it('classifies built-in rule packs, macros and Sigma, sorted, with builtin: names', async () => {
    const r = await collectRuleFiles({ builtinDir: join(dir, 'rules') });
    expect(r.files.map((f) => f.path)).toEqual(['builtin:a.yml', 'builtin:b.yml']);
    expect(r.macros.map((f) => f.path)).toEqual(['builtin:macros.conf']);
    expect(r.sigmaFiles.map((f) => f.path)).toEqual(['builtin:sigma/s.yml']);
    expect(r.files[0]!.text).toBe('id: a');
    expect(r.enabledIds).toBeUndefined();
  });

  it('adds user folders recursively, skipping hidden files, and Sigma paths', async () => {
    const r = await collectRuleFiles({ rulePaths: [join(dir, 'user')], sigmaPaths: [join(dir, 'rules', 'sigma', 's.yml')] });
    expect(r.files.map((f) => f.path)).toEqual([join(dir, 'user', 'nested', 'u.yaml')]);
    expect(r.macros.map((f) => f.path)).toEqual([join(dir, 'user', 'my.conf')]);
    expect(r.sigmaFiles).toHaveLength(1);
  });

  it('tolerates a missing built-in folder but refuses a missing user path', async () => {
    expect((await collectRuleFiles({ builtinDir: join(dir, 'nope') })).files).toEqual([]);
    await expect(collectRuleFiles({ rulePaths: [join(dir, 'nope')] })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining('nope') });
  });
});
