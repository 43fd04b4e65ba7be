// Finding ids do not grow with log text (issue 16, item 8): a host (or rule id) over 200 characters is hashed in the
// id, ordinary ids are unchanged, and a 100,000-character host can still be queried, annotated and explained.
import { describe, expect, it } from 'vitest';
import { detect, findingId, ID_PART_MAX } from '../../../engine/detect/run.ts';
import type { CanonicalEvent, CanonicalField } from '../../../engine/model/fields.ts';
import { loadRulePack } from '../../../engine/rules/pack.ts';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import { createMemorySource } from '../../../engine/store/memory-view.ts';

let rec = 0;
function ev(fields: Partial<Record<CanonicalField, string>>): CanonicalEvent {
  rec++;
  return { timeMs: 1_714_550_400_000 + rec * 10, fields, original: {}, source: 'sysmon', locator: { evidence: 0, record: rec, line: rec, byteOffset: 0 } };
}

describe('finding ids', () => {
  it('keep ordinary ids as they were and hash long hosts', () => {
    expect(findingId('psexec', 'WS1', 1714550400000)).toBe('psexec|WS1|1714550400000');
    const h = 'A'.repeat(ID_PART_MAX);
    expect(findingId('r', h, 0)).toBe(`r|${h}|0`);
    const long = findingId('r', h + 'B', 0);
    expect(long).toMatch(/^r\|#[0-9a-f]{32}\|0$/);
    expect(findingId('r', h + 'C', 0)).not.toBe(long);
  });

  it('a 100,000-character host: the finding id stays short and every request on it validates (was: id > 1,024, hosts > 512 refused)', () => {
    const host = 'H'.repeat(100_000) + '\u202e';
    const set = loadRulePack([{ path: 'u/r.yml', text: 'id: r\ntitle: r\nlanguage: spl\nrisk_score: 10\nsearch: process_name="cmd.exe"\n' }], []);
    const res = detect(createMemorySource([ev({ dest: host, process_name: 'cmd.exe', process: 'cmd.exe /c x' })]), set.rules, { links: false });
    const f = res.findings[0]!;
    expect(f.host).toBe(host);
    expect(f.id.length).toBeLessThan(100);
    const ok = (channel: string, payload: unknown): void => {
      const v = validateRequest(channel, payload);
      expect(v, channel).toMatchObject({ ok: true });
    };
    ok('query.rows', { offset: 0, limit: 10, hosts: [host] });
    ok('query.explain', { ruleId: 'r', findingId: f.id });
    ok('case.export', { format: 'json', findingIds: [f.id] });
  });
});
