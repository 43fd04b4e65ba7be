// Reopening a case: evidence re-hashed (ok / changed / missing), relocation only to identical content, the case
// per evidence set with its rule set and settings, recent cases and the analyst's settings persisted.

import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleMeta } from '../../../engine/rules/types.ts';
import { caseKey, createCaseService, ruleRefs } from '../../../main/host/case-service.ts';
import { relocateEvidence, verifyEvidence } from '../../../main/host/case/evidence-check.ts';
import { loadRecentCases, rememberCase } from '../../../main/host/case/recent-cases.ts';
import { loadUserSettings } from '../../../main/host/case/user-settings.ts';
import { openCaseStore, readCase } from '../../../main/host/case-store.ts';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const RULE: RuleMeta = { id: 'psexec-accepteula', title: 'PsExec', language: 'spl', source: '/rules/psexec.yml', version: '2', riskScore: 70, techniques: ['T1569.002'] };

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-case-svc-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('evidence verification and relocation', () => {
  it('reports ok, changed and missing, and relocates only to a file with the recorded hash', async () => {
    const a = join(tmp, 'a.csv');
    const b = join(tmp, 'b.csv');
    await writeFile(a, 'time,host\n1,WS1\n');
    await writeFile(b, 'time,host\n2,DC1\n');
    const store = await openCaseStore({ dir: join(tmp, 'verify-case') });
    await store.apply({
      kind: 'evidence',
      evidence: [
        { path: a, name: 'a.csv', bytes: 16, sha256: sha('time,host\n1,WS1\n'), format: 'cim-csv', addedAt: '2024-05-01T00:00:00Z' },
        { path: b, name: 'b.csv', bytes: 16, sha256: sha('time,host\n2,DC1\n'), format: 'cim-csv', addedAt: '2024-05-01T00:00:00Z' },
      ],
    });
    expect((await verifyEvidence(store.doc)).map((c) => c.status)).toEqual(['ok', 'ok']);

    await writeFile(a, 'time,host\n1,WS9\n');
    const moved = join(tmp, 'moved-b.csv');
    await copyFile(b, moved);
    await unlink(b);
    const checks = await verifyEvidence(store.doc);
    expect(checks[0]).toMatchObject({ status: 'changed', actualSha256: sha('time,host\n1,WS9\n') });
    expect(checks[1]).toMatchObject({ status: 'missing', path: b });
    expect(checks[1]!.reason).toContain('ENOENT');

    await expect(relocateEvidence(store, b, a)).rejects.toMatchObject({ code: 'E_CASE', message: expect.stringContaining('is not the evidence') });
    await expect(relocateEvidence(store, join(tmp, 'never.csv'), moved)).rejects.toMatchObject({ code: 'E_CASE' });
    await expect(relocateEvidence(store, b, join(tmp, 'nope.csv'))).rejects.toMatchObject({ code: 'E_CASE' });
    expect(store.doc.evidence[1]!.path).toBe(b);
    expect(await relocateEvidence(store, b, moved)).toMatchObject({ status: 'ok', path: moved });
    expect(store.doc.evidence[1]!.path).toBe(moved);
    await store.close();
    // The relocation is part of the case: a reopen finds the file at its new place.
    const again = await readCase(join(tmp, 'verify-case'));
    expect(again.doc.evidence[1]!.path).toBe(moved);
    expect((await verifyEvidence(again.doc)).map((c) => c.status)).toEqual(['changed', 'ok']);
  });
});

describe('case service', () => {
  it('keys a case by its evidence contents, records evidence, rules and settings, and restores annotations', async () => {
    const ev = join(tmp, 'ev.csv');
    await writeFile(ev, 'x\n');
    const ud = join(tmp, 'ud');
    const svc = createCaseService({ userDataDir: ud });
    await expect(svc.annotate([])).rejects.toMatchObject({ code: 'E_USAGE' });
    const evidence = [{ path: ev, name: 'ev.csv', bytes: 2, sha256: sha('x\n'), format: 'cim-csv' }];
    const params = { files: [{ path: '/rules/psexec.yml', text: 'id: psexec-accepteula' }], macros: [], sigmaFiles: [] };
    const store = await svc.openForEvidence(evidence, { rules: [RULE], params }, 5);
    expect(store.dir).toBe(join(ud, 'cases', caseKey([sha('x\n')])));
    expect(store.doc.evidence).toMatchObject([{ path: ev, sha256: sha('x\n'), format: 'cim-csv', bytes: 2 }]);
    expect(store.doc.rules).toEqual([{ id: 'psexec-accepteula', version: '2', sha256: sha('id: psexec-accepteula'), source: '/rules/psexec.yml' }]);
    expect(store.doc.ruleSetSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(store.doc.settings.binSpanSec).toBe(5);
    await svc.annotate([{ op: 'addComment', target: { kind: 'finding', id: 'f1' }, atIso: '2024-05-01T00:00:00Z', author: 'ana', text: 'hi' }]);
    // An event named by evidence hash and record number lands under its stable key.
    const doc = await svc.annotate([{ op: 'setStar', target: { kind: 'event', sha256: sha('x\n').toUpperCase(), record: 3 } as never, atIso: '2024-05-01T00:00:00Z', star: true }]);
    expect(doc.events[`${sha('x\n')}:3`]!.star).toBe(true);
    await expect(svc.annotate([{ op: 'setStar', target: { kind: 'event', sha256: 'zz', record: 3 } as never, atIso: '2024-05-01T00:00:00Z', star: true }])).rejects.toMatchObject({ code: 'E_CASE' });
    const seq = store.seq;
    // Reopening the same evidence with the same rules adds no journal line and finds the comment.
    const again = await svc.openForEvidence(evidence, { rules: [RULE], params }, 5);
    expect(again.seq).toBe(seq);
    expect(svc.annotations().findings['f1']!.comments[0]!.text).toBe('hi');
    expect(await svc.verify()).toMatchObject([{ status: 'ok' }]);
    const recent = await svc.recent();
    expect(recent).toHaveLength(1);
    expect(recent[0]).toMatchObject({ dir: store.dir, name: 'ev.csv', evidence: [{ name: 'ev.csv', sha256: sha('x\n') }] });
    const inspected = await svc.inspect(recent[0]!.dir);
    expect(inspected.checks).toMatchObject([{ status: 'ok' }]);
    expect(inspected.doc.annotations.findings['f1']).toBeDefined();
    await svc.close();
  });

  it('keeps the analyst settings in the user-data folder and mirrors span and zone into the open case', async () => {
    const ud = join(tmp, 'ud-settings');
    const svc = createCaseService({ userDataDir: ud });
    expect(await svc.settings()).toEqual({ analyst: '', binSpanSec: 1, timeZone: 'UTC', fromCase: false });
    await expect(svc.setSettings({ timeZone: 'Nowhere/Town' })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.setSettings({ analyst: 'a\u0000b' })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(svc.setSettings({ colour: 'red' })).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(await svc.setSettings({ analyst: ' Ana ', timeZone: 'Europe/Berlin' })).toEqual({ analyst: 'Ana', binSpanSec: 1, timeZone: 'Europe/Berlin', fromCase: false });
    expect(await loadUserSettings(ud)).toEqual({ analyst: 'Ana', binSpanSec: 1, timeZone: 'Europe/Berlin' });
    const ev = join(tmp, 'ev2.csv');
    await writeFile(ev, 'y\n');
    const store = await svc.openForEvidence([{ path: ev, name: 'ev2.csv', bytes: 2, sha256: sha('y\n'), format: 'cim-csv' }], { rules: [] }, 2);
    expect(store.doc.settings).toEqual({ binSpanSec: 2, timeZone: 'Europe/Berlin' });
    expect(await svc.setSettings({ binSpanSec: 10 })).toMatchObject({ binSpanSec: 10, fromCase: true });
    expect(store.doc.settings.binSpanSec).toBe(10);
    expect((await loadUserSettings(ud)).binSpanSec).toBe(10);
    await svc.close();
    // A damaged settings file reads as defaults field by field.
    await writeFile(join(ud, 'settings.json'), '{"analyst": 7, "timeZone": "Asia/Tokyo"}');
    expect(await loadUserSettings(ud)).toEqual({ analyst: '', binSpanSec: 1, timeZone: 'Asia/Tokyo' });
  });

  it('a case that fails while being set up is closed again, lock released', async () => {
    const svc = createCaseService({ userDataDir: join(tmp, 'ud-fail') });
    const bad = [{ path: join(tmp, 'x.csv'), name: 'x.csv', bytes: 1, sha256: 'not-a-hash', format: 'cim-csv' }];
    await expect(svc.openForEvidence(bad, { rules: [] }, 1)).rejects.toMatchObject({ code: 'E_CASE', message: expect.stringContaining('SHA-256') });
    // A second attempt reaches the same validation, not "already open".
    await expect(svc.openForEvidence(bad, { rules: [] }, 1)).rejects.toMatchObject({ code: 'E_CASE', message: expect.stringContaining('SHA-256') });
    expect(svc.current).toBeNull();
  });

  it('records the rule set with a hash of each rule text even when the rule carries none', () => {
    const sigma: RuleMeta = { ...RULE, id: 'b-sigma', language: 'sigma', source: '/s/x.yml', version: undefined };
    const r = ruleRefs([RULE, sigma], { files: [], macros: [], sigmaFiles: [{ path: '/s/x.yml', text: 'title: x' }] });
    expect(r.rules.map((x) => [x.id, x.sha256])).toEqual([['b-sigma', sha('title: x')], ['psexec-accepteula', null]]);
    const r2 = ruleRefs([RULE, sigma], { files: [], macros: [], sigmaFiles: [{ path: '/s/x.yml', text: 'title: y' }] });
    expect(r2.ruleSetSha256).not.toBe(r.ruleSetSha256);
  });
});

describe('recent cases', () => {
  it('keeps the most recent first, one entry per folder, and survives a damaged file', async () => {
    const ud = join(tmp, 'ud-recent');
    const one = await rememberCase(ud, { dir: '/c/1', name: 'one', evidence: [] });
    await rememberCase(ud, { dir: '/c/2', name: 'two', evidence: [] });
    const again = await rememberCase(ud, { dir: '/c/1', name: 'one', evidence: [] });
    expect(again.id).toBe(one.id);
    expect((await loadRecentCases(ud)).map((r) => r.dir)).toEqual(['/c/1', '/c/2']);
    expect(await readFile(join(ud, 'recent-cases.json'), 'utf8')).toContain('"dir": "/c/1"');
    await writeFile(join(ud, 'recent-cases.json'), '[{"id": 1}, {"id":"x","dir":"/c/3","name":"n","openedAt":"t","evidence":[]}');
    expect(await loadRecentCases(ud)).toEqual([]);
    await rememberCase(ud, { dir: '/c/4', name: 'four', evidence: [] });
    expect((await loadRecentCases(ud)).map((r) => r.dir)).toEqual(['/c/4']);
  });
});
