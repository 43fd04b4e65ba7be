// The words for a movement (issue 14): 'from HOST (IP) as ACCOUNT' with any part missing, the list line, paths.
import { describe, expect, it } from 'vitest';
import { attributionText, findingAttribution, inTimeOrder, movementLine, movementsOr, pathLine, sourceText } from '../../../renderer/movements/movement-text.ts';
import { BASE_MS } from '../fake-api.ts';
import { PSEXEC, movement, threeMovements } from './fixtures.ts';

describe('movement text', () => {
  it("says 'from HOST (IP) as ACCOUNT', leaving out what is not known", () => {
    expect(attributionText(PSEXEC)).toBe('from WKS-NYC-1001 (10.0.0.12) as CORP\\alice');
    expect(attributionText({ source: 'WKS-NYC-1001', sourceIp: null, account: 'CORP\\alice' })).toBe('from WKS-NYC-1001 as CORP\\alice');
    expect(attributionText({ source: null, sourceIp: '10.0.0.12', account: 'CORP\\alice' })).toBe('from 10.0.0.12 as CORP\\alice');
    expect(attributionText({ source: 'WKS-NYC-1001', sourceIp: '10.0.0.12', account: null })).toBe('from WKS-NYC-1001 (10.0.0.12)');
    expect(attributionText({ source: null, sourceIp: null, account: null })).toBe('from unknown source');
    expect(attributionText({ source: '', sourceIp: '', account: '' })).toBe('from unknown source');
    expect(sourceText({ source: null, sourceIp: null })).toBe('unknown source');
  });

  it('lists a movement with source, target, account, method, span, steps and what is missing', () => {
    expect(movementLine(PSEXEC)).toBe('WKS-NYC-1001 (10.0.0.12) -> DC01 as CORP\\alice by PsExec, 2024-03-05T14:00:42.000Z..2024-03-05T14:00:45.000Z, 3 steps, missing: service-install');
    const one = movement({ source: null, sourceIp: null, account: null, lastMs: PSEXEC.firstMs, steps: PSEXEC.steps.slice(0, 1), missing: [], method: 'pass-the-hash' });
    expect(movementLine(one)).toBe('unknown source -> DC01 as unknown account by pass-the-hash, 2024-03-05T14:00:42.000Z, 1 step');
  });

  it('puts movements in time order, then target, then id', () => {
    const t = BASE_MS;
    const mv = [movement({ id: 'b', firstMs: t, target: 'B' }), movement({ id: 'a2', firstMs: t, target: 'A' }), movement({ id: 'a1', firstMs: t, target: 'A' }), movement({ id: 'z', firstMs: t - 1, target: 'Z' })];
    expect(inTimeOrder(mv).map((m) => m.id)).toEqual(['z', 'a1', 'a2', 'b']);
    expect(mv.map((m) => m.id)).toEqual(['b', 'a2', 'a1', 'z']);
  });

  it('writes a path with the accounts carried along', () => {
    expect(pathLine(threeMovements().paths[0]!)).toBe('WKS-NYC-1001 -> DC01 -> SRV-FILE-01 as CORP\\alice, CORP\\admin, 2024-03-05T14:00:42.000Z..2024-03-05T14:01:42.000Z');
    expect(pathLine({ id: 'p', hosts: ['A', 'B', 'C'], movementIds: ['1', '2'], accounts: [null, 'X'], firstMs: BASE_MS, lastMs: BASE_MS })).toBe('A -> B -> C as unknown account, X, 2024-03-05T14:00:00.000Z');
  });

  it('maps findings to the movement findingSources names, skipping ids of no movement; an old answer is empty', () => {
    const res = { ...threeMovements(), findingSources: { f1: 'mv-a', f2: 'mv-gone' } };
    const at = findingAttribution(res);
    expect([...at.keys()]).toEqual(['f1']);
    expect(at.get('f1')!.id).toBe('mv-a');
    expect(findingAttribution(undefined).size).toBe(0);
    expect(movementsOr({})).toEqual({ movements: [], paths: [], episodes: [], findingSources: {} });
    expect(movementsOr({ movements: { movements: null } as never })).toEqual({ movements: [], paths: [], episodes: [], findingSources: {} });
  });
});
