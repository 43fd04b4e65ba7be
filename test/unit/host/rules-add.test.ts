// Adding rule files from the app (rules.add, then case.rescan with reloadRules), through the real engine worker:
// the files land in the user's rule folders, the new rules run on the open case, switched-off rules stay off, the
// case records the new rule set, and a later case finds the files by itself. Names are checked before anything is
// written.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from './open-case.ts';
import { readCase } from '../../../main/host/case-store.ts';
import type { CaseSummary } from '../../../engine/rpc/api.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SIGMA_ID = '11111111-2222-3333-4444-555555555555';
const sigmaText = (id = SIGMA_ID): Promise<string> => readFile(join(here, 'fixtures', 'psexec-accepteula.yml'), 'utf8').then((t) => t.replace(SIGMA_ID, id));
const SPL_RULE = [
  'id: lab-whoami',
  'title: whoami run through cmd.exe',
  'language: spl',
  'version: 1',
  'risk_score: 20',
  'search: |-',
  '  | tstats count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process=*whoami* by Processes.dest Processes.process_name | `drop_dm_object_name(Processes)`',
  '',
].join('\n');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-rules-add-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});


describe('rules.add and case.rescan { reloadRules }', () => {
  it('saves Sigma and SPL files where every case finds them, runs them now, and keeps switched-off rules off', async () => {
    const userData = join(tmp, 'user-1');
    const { host, summary } = await openCase(userData);
    try {
      expect(summary.rules.map((r) => r.id)).not.toContain(SIGMA_ID);
      // The analyst switches a built-in rule off first: adding files must not switch it back on.
      const off = summary.rules[0]!.id;
      await host.call('case.rescan', { enabledRuleIds: summary.rules.slice(1).map((r) => r.id) });

      const added = await host.call('rules.add', { files: [{ name: 'psexec accepteula (lab).yml', text: await sigmaText() }, { name: 'lab-whoami.yml', text: SPL_RULE }] });
      expect(added).toEqual({ added: [{ name: 'psexec accepteula (lab).yml', kind: 'sigma' }, { name: 'lab-whoami.yml', kind: 'spl' }] });
      expect(await readdir(join(userData, 'sigma'))).toEqual(['psexec accepteula (lab).yml']);
      expect(await readdir(join(userData, 'rules'))).toEqual(['lab-whoami.yml']);

      const after = (await host.call('case.rescan', { reloadRules: true })) as CaseSummary;
      const byId = new Map(after.rules.map((r) => [r.id, r]));
      expect(byId.get(SIGMA_ID)).toMatchObject({ language: 'sigma', enabled: true });
      expect(byId.get('lab-whoami')).toMatchObject({ language: 'spl', enabled: true });
      expect(byId.get(off)?.enabled).toBe(false);
      expect(after.ruleIssues).toEqual([]);
      const found = (await host.call('query.findings', {})) as { findings: Array<{ ruleId: string; host: string }> };
      expect(found.findings.filter((f) => f.ruleId === SIGMA_ID).map((f) => f.host)).toEqual(['WKS-1']);
      expect(found.findings.some((f) => f.ruleId === 'lab-whoami')).toBe(true);
      expect(found.findings.some((f) => f.ruleId === off)).toBe(false);
      // The case records the rule set it now runs, with the added files' hashes.
      const [folder] = await readdir(join(userData, 'cases'));
      const saved = await readCase(join(userData, 'cases', folder!));
      const recorded = new Map(saved.doc.rules.map((r) => [r.id, r]));
      expect(recorded.get(SIGMA_ID)).toMatchObject({ source: expect.stringContaining('psexec accepteula (lab).yml'), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(recorded.has('lab-whoami')).toBe(true);
    } finally {
      await host.close();
    }

    // A later case (a new host process) runs the saved rules without being told.
    const again = await openCase(userData);
    try {
      expect(again.summary.rules.map((r) => r.id)).toEqual(expect.arrayContaining([SIGMA_ID, 'lab-whoami']));
    } finally {
      await again.host.close();
    }
  });

  it('saves a file once, renames a different file of the same name, and writes nothing for a refused name', async () => {
    const userData = join(tmp, 'user-2');
    const { host } = await openCase(userData);
    try {
      const one = { name: 'lab.yml', text: await sigmaText() };
      expect(await host.call('rules.add', { files: [one] })).toEqual({ added: [{ name: 'lab.yml', kind: 'sigma' }] });
      expect(await host.call('rules.add', { files: [one] })).toEqual({ added: [{ name: 'lab.yml', kind: 'sigma' }] });
      const other = { name: 'lab.yml', text: await sigmaText('22222222-2222-3333-4444-555555555555') };
      expect(await host.call('rules.add', { files: [other] })).toEqual({ added: [{ name: 'lab-2.yml', kind: 'sigma' }] });
      expect((await readdir(join(userData, 'sigma'))).sort()).toEqual(['lab-2.yml', 'lab.yml']);

      // Requests at the same moment: each different text gets its own name, none overwrites another.
      const texts = await Promise.all(['33333333', '44444444', '55555555'].map((p) => sigmaText(`${p}-2222-3333-4444-555555555555`)));
      const names = await Promise.all(texts.map((text) => host.call('rules.add', { files: [{ name: 'race.yml', text }] })));
      expect(names.map((n) => (n as { added: Array<{ name: string }> }).added[0]!.name).sort()).toEqual(['race-2.yml', 'race-3.yml', 'race.yml']);
      const saved = await Promise.all(['race.yml', 'race-2.yml', 'race-3.yml'].map((n) => readFile(join(userData, 'sigma', n), 'utf8')));
      expect(new Set(saved)).toEqual(new Set(texts));
      for (const n of ['race.yml', 'race-2.yml', 'race-3.yml']) await rm(join(userData, 'sigma', n));

      for (const name of ['../escape.yml', 'sub/dir.yml', '.hidden.yml', 'rule.exe', 'C:\\x.yml', '']) {
        await expect(host.call('rules.add', { files: [{ name: 'fine.yml', text: one.text }, { name, text: one.text }] })).rejects.toMatchObject({ code: 'E_USAGE' });
      }
      await expect(host.call('rules.add', { files: [] })).rejects.toMatchObject({ code: 'E_USAGE' });
      await expect(host.call('rules.add', { files: [{ name: 'x.yml' }] } as never)).rejects.toMatchObject({ code: 'E_PROTOCOL' });
      await expect(host.call('rules.add', { files: [{ name: 'x.yml', text: 'a'.repeat(1024 * 1024 + 1) }] })).rejects.toMatchObject({ code: 'E_PROTOCOL' });
      // Nothing of the refused requests was written, not even their acceptable first file.
      expect((await readdir(join(userData, 'sigma'))).sort()).toEqual(['lab-2.yml', 'lab.yml']);
      expect(await readdir(userData)).not.toContain('escape.yml');
      expect(await readdir(tmp)).not.toContain('escape.yml');
    } finally {
      await host.close();
    }
  });

  it('reports a file that is no usable rule as a rule issue of the case, and still runs the rest', async () => {
    const userData = join(tmp, 'user-3');
    const { host } = await openCase(userData);
    try {
      await host.call('rules.add', { files: [{ name: 'notes.yml', text: 'title: not a rule\nfoo: [1, 2]\n' }] });
      const after = (await host.call('case.rescan', { reloadRules: true })) as CaseSummary;
      expect(after.ruleIssues.some((i) => i.source.endsWith('notes.yml'))).toBe(true);
      expect(after.rules.length).toBeGreaterThanOrEqual(6);
    } finally {
      await host.close();
    }
  });
});
