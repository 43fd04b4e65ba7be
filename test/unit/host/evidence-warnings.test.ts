// A file's read warnings reach the app once: in the case summary's evidence (a warning the reopened case keeps),
// not also as an error push.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from './open-case.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-warnings-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('evidence read warnings', () => {
  it('come in the summary of the case, once, and are not pushed as errors', async () => {
    const file = join(tmp, 'header-only.csv');
    await writeFile(file, '_time,dest,process\r\n');
    const { host, pushes, summary } = await openCase(join(tmp, 'user'), file);
    try {
      expect(summary.evidence.map((e) => [e.name, e.warnings])).toEqual([['header-only.csv', [expect.stringMatching(/^no records found in it \(read as splunk-cim: /)]]]);
      expect(pushes.filter((p) => p.type === 'error')).toEqual([]);
    } finally {
      await host.close();
    }
  });
});
