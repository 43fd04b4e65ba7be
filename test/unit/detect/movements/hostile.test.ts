// Hostile shapes for the movement builder (issue 14): many movements among a few hosts (paths must stay bounded, not
// explode combinatorially), a flood of anchors, names built to collide; deterministic and bounded output.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../../engine/model/fields.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { buildMovements } from '../../../../engine/detect/movements/build.ts';

const T0 = Date.UTC(2024, 0, 1);
let rec = 0;
function rdp(host: string, fromIp: string, sec: number): CanonicalEvent {
  rec++;
  return {
    timeMs: T0 + sec * 1000,
    kind: 'logon',
    fields: { dest: host, EventCode: '4624', logon_type: '10', src_ip: fromIp, src: ipHost(fromIp), user: 'CORP\\admin', logon_id: `0x${rec.toString(16)}` },
    original: { EventID: '4624', LogonType: '10', IpAddress: fromIp, WorkstationName: ipHost(fromIp) },
    source: 'security',
    locator: { evidence: 0, record: rec, line: rec, byteOffset: 0 },
  };
}
const HOSTS = ['A', 'B', 'C', 'D'];
const ipOf = (h: string) => `10.0.0.${HOSTS.indexOf(h) + 1}`;
const ipHost = (ip: string) => HOSTS[Number(ip.split('.')[3]) - 1]!;

describe('movement builder on hostile shapes', () => {
  it('6,000 RDP movements among four hosts: every one kept, paths capped at 1,000, deterministic', () => {
    const events: CanonicalEvent[] = [];
    for (let i = 0; i < 6000; i++) {
      const to = HOSTS[i % 4]!;
      const from = HOSTS[(i + 1 + (i % 3)) % 4]!;
      events.push(rdp(to, ipOf(from), i * 400)); // 400 s apart: each logon its own movement
    }
    const run = () => buildMovements(createMemorySource(events), [], [], { locate: (row) => ({ evidence: 0, record: row + 1 }) });
    const r = run();
    expect(r.movements).toHaveLength(6000);
    expect(r.movements.every((m) => m.method === 'rdp' && m.source !== null && m.source !== m.target)).toBe(true);
    expect(r.paths.length).toBeGreaterThan(0);
    expect(r.paths.length).toBeLessThanOrEqual(1000);
    expect(r.paths.every((p) => p.hosts.length >= 3 && p.hosts.length <= 11)).toBe(true);
    expect(JSON.stringify(run().paths.slice(0, 5))).toBe(JSON.stringify(r.paths.slice(0, 5)));
  });

  it('names that only look alike do not join: 10.0.0.5 is not host "10", a.x.local is not a.y.local', () => {
    const ev = (host: string, ip: string, ws: string, sec: number): CanonicalEvent => ({ ...rdp(host, ip, sec), fields: { ...rdp(host, ip, sec).fields, src: ws } });
    const r = buildMovements(createMemorySource([ev('a.y.local', '10.0.0.5', 'a.x.local', 1), ev('10', '10.0.0.6', 'WKS', 2)]), [], [], { locate: (row) => ({ evidence: 0, record: row + 1 }) });
    expect(r.movements.map((m) => [m.source, m.target])).toEqual([['a.x.local', 'a.y.local'], ['WKS', '10']]);
    expect(r.paths).toEqual([]);
  });
});
