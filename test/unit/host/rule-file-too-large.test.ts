// One oversized rule file is one listed rule issue, like every other bad rule (issue 16, item 5): reading the rule
// folders never throws for it, the engine lists it with its file, and the other rules load and run.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRulePack } from '../../../engine/rules/pack.ts';
import { loadSigmaRules } from '../../../engine/rules/sigma/index.ts';
import { parseHostMessage } from '../../../engine/rpc/protocol.ts';
import { EngineSession } from '../../../engine/session.ts';
import { collectRuleFiles } from '../../../main/host/rule-files.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-bigrule-'));
  await mkdir(join(dir, 'rules'), { recursive: true });
  await mkdir(join(dir, 'sigma'), { recursive: true });
  await writeFile(join(dir, 'rules', 'ok.yml'), 'id: ok\ntitle: ok\nlanguage: spl\nrisk_score: 1\nsearch: process=*\n');
  await writeFile(join(dir, 'rules', 'huge.yml'), 'id: huge\ntitle: huge\nlanguage: spl\nrisk_score: 1\nsearch: process=*\n# ' + 'x'.repeat(5 * 1024 * 1024) + '\n');
  await writeFile(join(dir, 'rules', 'huge.conf'), '[m]\ndefinition = ' + 'y'.repeat(5 * 1024 * 1024) + '\n');
  await writeFile(join(dir, 'sigma', 'huge.yml'), 'title: t\n# ' + 'z'.repeat(5 * 1024 * 1024) + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a rule file over the size limit', () => {
  it('is handed on as refused, not thrown, and becomes one located issue each while the other rules load', async () => {
    const params = await collectRuleFiles({ rulePaths: [join(dir, 'rules')], sigmaPaths: [join(dir, 'sigma')] });
    expect(params.files.find((f) => f.path.endsWith('huge.yml'))).toMatchObject({ text: '', refused: expect.stringMatching(/too large/) });
    // It crosses the host -> engine worker boundary.
    expect(parseHostMessage({ type: 'request', seq: 1, method: 'loadRules', params })).toMatchObject({ ok: true });
    const s = new EngineSession({ loadRulePack, loadSigmaRules });
    const res = s.loadRules(params);
    expect(res.rules.map((r) => r.id)).toEqual(['ok']);
    const big = res.issues.filter((i) => /too large/.test(i.message));
    expect(big.map((i) => i.source.slice(dir.length))).toEqual(['/rules/huge.yml', '/rules/huge.conf', '/sigma/huge.yml'].map((p) => p.replace(/\//g, sep)));
    for (const i of big) expect(i).toMatchObject({ severity: 'error', code: 'E_RULE_PARSE', location: { file: i.source } });
  });
});
