// Movement shapes for the movements tests (issue 14): built from the fake's PsExec movement, with overrides.
import type { Movement, MovementResult, MovementStep } from '../../../engine/detect/movements/types.ts';
import { BASE_MS, MOVEMENTS } from '../fake-api.ts';

export const PSEXEC = MOVEMENTS.movements[0]!;
export const HOSTILE = '<img src=x onerror=alert(1)>';

let n = 0;
/** A movement: PsExec's shape with `over` applied; the id is unique unless given. */
export function movement(over: Partial<Movement> = {}): Movement {
  const m: Movement = { ...structuredClone(PSEXEC), id: `mv|test|${n++}`, ...over };
  return m;
}

export function step(host: string, timeMs: number, role: MovementStep['role'], row: number, summary = `${role} on ${host}`): MovementStep {
  return { role, row, evidence: 0, record: row + 1, timeMs, host, kind: role === 'logon' ? 'logon' : 'process_creation', summary };
}

/** WKS-NYC-1001 -> DC01 (PsExec) at +42 s, DC01 -> SRV-FILE-01 (wmiexec) at +100 s, and an RDP from an IP at +20 s. */
export function threeMovements(): MovementResult {
  const first = movement({ id: 'mv-a' });
  const second = movement({
    id: 'mv-b',
    method: 'wmiexec',
    source: 'DC01',
    sourceIp: '10.0.0.5',
    target: 'SRV-FILE-01',
    account: 'CORP\\admin',
    firstMs: BASE_MS + 100_000,
    lastMs: BASE_MS + 102_000,
    steps: [step('SRV-FILE-01', BASE_MS + 100_000, 'logon', 100), step('SRV-FILE-01', BASE_MS + 102_000, 'process', 102)],
    missing: [],
    seenFrom: 'target',
    findingIds: [],
    linkIds: [],
    explanation: 'WmiPrvSE.exe on SRV-FILE-01 started cmd.exe from a network logon from DC01.',
  });
  const third = movement({
    id: 'mv-c',
    method: 'rdp',
    source: null,
    sourceIp: '203.0.113.9',
    source_attribution: { host: null, ip: '203.0.113.9', resolvedBy: null, rows: [20] },
    target: 'WKS-NYC-1002',
    account: null,
    firstMs: BASE_MS + 20_000,
    lastMs: BASE_MS + 20_000,
    steps: [step('WKS-NYC-1002', BASE_MS + 20_000, 'logon', 20)],
    missing: ['rdp'],
    seenFrom: 'target',
    findingIds: [],
    linkIds: [],
    explanation: '4624 type 10 from 203.0.113.9.',
  });
  return {
    // Deliberately out of time order: the view must sort.
    movements: [second, first, third],
    paths: [{ id: 'p1', hosts: ['WKS-NYC-1001', 'DC01', 'SRV-FILE-01'], movementIds: ['mv-a', 'mv-b'], accounts: ['CORP\\alice', 'CORP\\admin'], firstMs: BASE_MS + 42_000, lastMs: BASE_MS + 102_000 }],
    episodes: [
      { id: 'e1', host: 'DC01', firstMs: BASE_MS + 44_000, lastMs: BASE_MS + 45_000, ruleIds: ['psexec-accepteula', 'impacket-lateral-movement-sysmon'], findingIds: ['f1', 'f2'], eventCount: 2, riskSum: 136, riskDistinct: 80 },
    ],
    findingSources: {},
  };
}
