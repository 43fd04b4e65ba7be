// A case whose journal was damaged opens with every intact note and tells the analyst what was lost (issue 16,
// item 6): the host pushes an E_CASE notice naming what was recovered, what is missing and where the old journal is.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, openCaseStore } from '../../../main/host/case-store.ts';
import { openCase } from './open-case.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-journal-damage-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('opening a case with a damaged journal', () => {
  it('keeps the notes after the damaged line and pushes what was lost', async () => {
    const user = join(tmp, 'user');
    const first = await openCase(user);
    await first.host.close();
    const [key] = await readdir(join(user, 'cases'));
    const dir = join(user, 'cases', key!);
    const store = await openCaseStore({ dir, lock: true });
    for (let i = 0; i < 5; i++) {
      await store.apply({ kind: 'annotate', changes: [{ op: 'addComment', target: { kind: 'finding', id: `r|H${i}|1714550400000` }, atIso: '2024-05-01T09:00:00Z', author: 'ana', text: `note ${i}` }] });
    }
    await store.close();
    const lines = (await readFile(join(dir, JOURNAL_FILE), 'utf8')).split('\n');
    const at = lines.findIndex((l) => l.includes('note 2'));
    lines[at] = lines[at]!.replace('note 2', 'note #');
    await writeFile(join(dir, JOURNAL_FILE), lines.join('\n'));

    const again = await openCase(user);
    try {
      const notice = again.pushes.find((p) => p.type === 'error' && p.error.code === 'E_CASE');
      expect(notice, JSON.stringify(again.pushes.map((p) => p.type))).toBeDefined();
      if (notice?.type !== 'error') throw new Error('no notice');
      expect(notice.error.message).toMatch(/journal was damaged: .*recovered; 1 unreadable line\(s\) skipped; 1 change\(s\) missing/);
      expect(notice.error.location?.file).toMatch(/journal\.damaged-\d+\.ndjson$/);
      const notes = (await again.host.call('case.annotations', {})) as { findings: Record<string, { comments: Array<{ text: string }> }> };
      const texts = Object.values(notes.findings).flatMap((a) => a.comments.map((c) => c.text)).sort();
      expect(texts).toEqual(['note 0', 'note 1', 'note 3', 'note 4']);
    } finally {
      await again.host.close();
    }
  }, 60_000);
});
