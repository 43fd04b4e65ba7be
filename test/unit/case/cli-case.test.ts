// `hopscope scan --case DIR`: the case's annotations appear in every report format, the case folder is only
// read (even with a torn journal tail), and a folder without a case is a usage error (exit 2).

import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScanArgs } from '../../../main/host/cli-args.ts';
import { JOURNAL_FILE, openCaseStore } from '../../../main/host/case-store.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
// Built once by test/global-setup.ts.
const cli = join(root, 'dist', 'host', 'cli.js');
const fixture = join(root, 'test', 'unit', 'host', 'fixtures', 'small-cim.csv');
const sigma = join(root, 'test', 'unit', 'host', 'fixtures', 'psexec-accepteula.yml');
const run = (args: string[]) => spawnSync(process.execPath, [cli, 'scan', '--no-builtin', '--sigma', sigma, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, INIT_CWD: root } });

let tmp: string;
let caseDir: string;
let findingId: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-cli-case-'));
  const plain = run([fixture, '--format', 'json']);
  expect(plain.status).toBe(0);
  const report = JSON.parse(plain.stdout) as { findings: Array<{ id: string }>; annotations?: unknown };
  expect(report.annotations).toBeUndefined();
  findingId = report.findings[0]!.id;
  caseDir = join(tmp, 'case');
  const store = await openCaseStore({ dir: caseDir, compactEvery: 2 });
  const target = { kind: 'finding', id: findingId } as const;
  await store.apply({ kind: 'annotate', changes: [{ op: 'setStatus', target, atIso: '2024-05-02T10:00:00Z', status: 'confirmed-malicious' }] });
  await store.apply({ kind: 'annotate', changes: [{ op: 'addTag', target, atIso: '2024-05-02T10:00:01Z', tag: 'psexec' }] });
  await store.apply({ kind: 'annotate', changes: [{ op: 'addComment', target, atIso: '2024-05-02T10:00:02Z', author: 'ana', text: '<b>seen</b> =1+1' }] });
  await store.close();
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('scan --case', () => {
  it('parses --case as a folder path and refuses an evidence file as the case', () => {
    expect(parseScanArgs(['--case', '/cases/x', 'a.csv']).caseDir).toBe('/cases/x');
    expect(() => parseScanArgs(['--case', '/e/a.csv', '/e/a.csv'])).toThrow(/case folder/);
  });

  it('includes the annotations in JSON, CSV and HTML reports and leaves the case untouched', async () => {
    const before = await Promise.all((await readdir(caseDir)).sort().map(async (n) => [n, await readFile(join(caseDir, n), 'utf8')]));
    const json = run([fixture, '--case', caseDir, '--format', 'json']);
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as { annotations: { findings: Record<string, { status: string; tags: string[]; comments: Array<{ text: string }> }> } };
    expect(report.annotations.findings[findingId]).toMatchObject({ status: 'confirmed-malicious', tags: ['psexec'], comments: [{ text: '<b>seen</b> =1+1' }] });
    const csv = run([fixture, '--case', caseDir, '--format', 'csv']);
    expect(csv.stdout.split(/\r?\n/)[0]).toContain('status,starred,tags,comments');
    expect(csv.stdout).toContain('confirmed-malicious,false,psexec,');
    const html = run([fixture, '--case', caseDir, '--format', 'html']);
    expect(html.stdout).toContain('&lt;b&gt;seen&lt;/b&gt; =1+1');
    const after = await Promise.all((await readdir(caseDir)).sort().map(async (n) => [n, await readFile(join(caseDir, n), 'utf8')]));
    expect(after).toEqual(before);
  });

  it('reads past a torn journal tail with a warning and does not repair it', async () => {
    await appendFile(join(caseDir, JOURNAL_FILE), '{"seq":9,"sum":"x');
    const journal = await readFile(join(caseDir, JOURNAL_FILE), 'utf8');
    const r = run([fixture, '--case', caseDir, '--format', 'json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('1 unreadable journal line');
    expect((JSON.parse(r.stdout) as { annotations: { findings: Record<string, unknown> } }).annotations.findings[findingId]).toBeDefined();
    expect(await readFile(join(caseDir, JOURNAL_FILE), 'utf8')).toBe(journal);
  });

  it('warns when the case was made for other evidence', async () => {
    const other = join(tmp, 'other-case');
    const store = await openCaseStore({ dir: other });
    await store.apply({ kind: 'evidence', evidence: [{ path: '/elsewhere/x.csv', name: 'x.csv', bytes: 1, sha256: 'f'.repeat(64), format: 'cim-csv', addedAt: '2024-05-01T00:00:00Z' }] });
    await store.close();
    const r = run([fixture, '--case', other, '--format', 'json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('made for other evidence');
    expect(run([fixture, '--case', caseDir, '--format', 'json']).stderr).not.toContain('other evidence');
  });

  it('a folder without a case is a usage error', () => {
    const r = run([fixture, '--case', join(tmp, 'nothing-here'), '--format', 'json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--case: no case in');
    expect(r.stdout).toBe('');
  });
});
