// `--rules` takes Sigma files and folders as well as SPL rule packs, told apart by content.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectRuleFiles, looksLikeSigma } from '../../../main/host/rule-files.ts';
import { loadRulePack } from '../../../engine/rules/pack.ts';
import { loadSigmaRules } from '../../../engine/rules/sigma/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hopscope-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIGMA = `title: PsExec service pipe
id: 9d3c5f7e-0000-4000-8000-000000000017
logsource:
    product: windows
    category: pipe_created
detection:
    selection:
        PipeName|startswith: '\\PSEXESVC'
    condition: selection
level: high
`;
const SPL = `id: my-rule
title: My rule
language: spl
search: |-
  process_name=cmd.exe
risk_score: 10
`;

describe('--rules with Sigma content', () => {
  it('tells Sigma from SPL rule-pack YAML by content', () => {
    expect(looksLikeSigma(SIGMA)).toBe(true);
    expect(looksLikeSigma(SPL)).toBe(false);
    expect(looksLikeSigma('title: x\nlanguage: spl\ndetection: y\n')).toBe(false);
    expect(looksLikeSigma('just: yaml\n')).toBe(false);
  });

  it('a folder given to --rules loads its Sigma rules as Sigma and its SPL rules as SPL, no "missing language" issue', async () => {
    mkdirSync(join(dir, 'pack', 'sigma-sub'), { recursive: true });
    writeFileSync(join(dir, 'pack', 'sigma-sub', 'pipe.yml'), SIGMA);
    writeFileSync(join(dir, 'pack', 'mine.yml'), SPL);
    const params = await collectRuleFiles({ rulePaths: [join(dir, 'pack')] });
    expect(params.sigmaFiles.map((f) => f.path)).toEqual([join(dir, 'pack', 'sigma-sub', 'pipe.yml')]);
    expect(params.files.map((f) => f.path)).toEqual([join(dir, 'pack', 'mine.yml')]);
    const spl = loadRulePack(params.files, params.macros);
    const sigma = loadSigmaRules(params.sigmaFiles);
    expect(spl.rules.map((r) => r.meta.id)).toEqual(['my-rule']);
    expect(sigma.rules.map((r) => r.meta.id)).toEqual(['9d3c5f7e-0000-4000-8000-000000000017']);
    expect([...spl.issues, ...sigma.issues].filter((i) => i.severity !== 'warning')).toEqual([]);
  });
});
