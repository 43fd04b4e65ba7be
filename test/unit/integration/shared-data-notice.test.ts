// Without ../shared/data the suites over the real captures skip; a run says once why and how to run them
// (test/global-setup.ts for vitest, the summary of npm test).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedDataDir, sharedDataNotice } from '../../support/shared-data.mjs';

const root = resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'hopscope-shared-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('shared-data notice', () => {
  it('names the missing folder, that the suites skip, and how to lay the folders out', () => {
    const repo = join(tmp, 'main');
    mkdirSync(repo);
    const notice = sharedDataNotice(repo)!;
    expect(notice).toContain(join(tmp, 'shared', 'data'));
    expect(notice).toMatch(/skipped/);
    expect(notice).toMatch(/next to a shared\/ folder holding data\//);
    expect(notice).not.toMatch(/\n/);
    mkdirSync(join(tmp, 'shared', 'data'), { recursive: true });
    expect(sharedDataNotice(repo)).toBeNull();
  });

  it('looks where the shared-data suites look, and both runners print it', () => {
    expect(sharedDataDir()).toBe(resolve(root, '../shared/data'));
    expect(readFileSync(join(root, 'test', 'global-setup.ts'), 'utf8')).toContain('sharedDataNotice(root)');
    expect(readFileSync(join(root, 'scripts', 'test-all.mjs'), 'utf8')).toContain('sharedDataNotice(root)');
  });
});
