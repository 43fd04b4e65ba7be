// Annotation persistence: keys ignore order, saves round-trip, concurrent saves never interleave, damage is kept aside.

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChange, emptyDoc } from '../../../engine/case/annotations.ts';
import { caseKey, createAnnotationStore } from '../../../main/host/annotation-store.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-case-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const A = 'a'.repeat(64);
const B = 'B'.repeat(64);
const star = (id: string, atIso: string) => applyChange(emptyDoc(), { op: 'setStar', star: true, target: { kind: 'finding', id }, atIso });

describe('annotation store', () => {
  it('keys an evidence set independently of order and case', () => {
    expect(caseKey([A, B])).toBe(caseKey([B.toLowerCase(), A]));
    expect(caseKey([A])).not.toBe(caseKey([A, B]));
    expect(caseKey([A])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns an empty document for a new case and round-trips a saved one', async () => {
    const store = createAnnotationStore(join(dir, 'cases'));
    const key = caseKey([A]);
    expect(await store.load(key)).toEqual({ findings: {}, events: {} });
    await store.save(key, [{ sha256: A, name: 'a.csv' }], star('f1', '2024-05-01T00:00:00Z'));
    expect((await store.load(key)).findings['f1']!.star).toBe(true);
  });

  it('serialises concurrent saves: the last one wins and no temp files remain', async () => {
    const store = createAnnotationStore(join(dir, 'cases'));
    const key = caseKey([B]);
    await Promise.all(['f1', 'f2', 'f3'].map((id, i) => store.save(key, [], star(id, `2024-05-01T00:00:0${i}Z`))));
    expect(Object.keys((await store.load(key)).findings)).toEqual(['f3']);
    expect((await readdir(join(dir, 'cases'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps a damaged file aside and reports it', async () => {
    const store = createAnnotationStore(join(dir, 'cases'));
    const key = caseKey(['c'.repeat(64)]);
    await writeFile(join(dir, 'cases', `${key}.json`), '{"annotations": {"findings": {"x": {"status": "nope"}}}}');
    await expect(store.load(key)).rejects.toMatchObject({ code: 'E_CASE' });
    const aside = (await readdir(join(dir, 'cases'))).find((f) => f.startsWith(`${key}.damaged-`));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, 'cases', aside!), 'utf8')).toContain('nope');
    expect(await store.load(key)).toEqual({ findings: {}, events: {} });
  });

  it('refuses keys that are not hashes', async () => {
    await expect(createAnnotationStore(dir).load('../../etc/passwd')).rejects.toMatchObject({ code: 'E_CASE' });
  });
});
