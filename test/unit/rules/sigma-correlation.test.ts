// Sigma v2 correlation rules: event_count, value_count, temporal_ordered over real-shaped logon and
// service events, with near misses (window too wide, wrong order, other host) and located load errors.

import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, CanonicalField } from '../../../engine/model/fields.ts';
import { createMemorySource } from '../../../engine/store/memory-view.ts';
import { loadSigmaRules } from '../../../engine/rules/sigma/index.ts';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
let rec = 0;
function ev(sec: number, fields: Partial<Record<CanonicalField, string>>, original: Record<string, string> = {}): CanonicalEvent {
  rec++;
  return { timeMs: T0 + sec * 1000, fields, original, source: 'security', locator: { evidence: 0, record: rec, line: rec, byteOffset: 0 } };
}

const failed = (sec: number, user: string, host = 'DC01'): CanonicalEvent => ev(sec, { dest: host, user }, { EventID: '4625', TargetUserName: user, Channel: 'Security' });
const logon = (sec: number, host: string, ip: string, type = '3'): CanonicalEvent => ev(sec, { dest: host }, { EventID: '4624', LogonType: type, IpAddress: ip, Channel: 'Security', Computer: host });
const service = (sec: number, host: string): CanonicalEvent => ev(sec, { dest: host }, { EventID: '7045', ServiceName: 'BTOBTO', Channel: 'System', Computer: host });

const BASES = `title: Failed logon
id: 11111111-0000-0000-0000-000000000001
name: failed_logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4625
    condition: selection
level: low
---
title: Network logon
id: 11111111-0000-0000-0000-000000000002
name: network_logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4624
        LogonType: 3
    condition: selection
---
title: Service installed
id: 11111111-0000-0000-0000-000000000003
name: service_install
logsource:
    product: windows
    service: system
detection:
    selection:
        EventID: 7045
    condition: selection
`;

function load(corr: string, extra = '') {
  return loadSigmaRules([{ path: 'corr.yml', text: `${BASES}${extra}---\n${corr}` }]);
}

const EVENT_COUNT = `title: Many failed logons
id: 22222222-0000-0000-0000-000000000001
correlation:
    type: event_count
    rules:
        - failed_logon
    group-by:
        - TargetUserName
    timespan: 5m
    condition:
        gte: 5
level: high
`;

const VALUE_COUNT = `title: One source to many hosts
id: 22222222-0000-0000-0000-000000000002
correlation:
    type: value_count
    rules:
        - 11111111-0000-0000-0000-000000000002
    group-by:
        - IpAddress
    timespan: 10m
    condition:
        field: Computer
        gte: 3
level: high
`;

const ORDERED = `title: Remote service execution
id: 22222222-0000-0000-0000-000000000003
correlation:
    type: temporal_ordered
    rules:
        - network_logon
        - service_install
    group-by:
        - host
    aliases:
        host:
            network_logon: Computer
            service_install: Computer
    timespan: 1m
level: critical
`;

function run(corr: string, events: CanonicalEvent[]) {
  const set = load(corr);
  expect(set.issues).toEqual([]);
  const rule = set.rules.find((r) => r.meta.id.startsWith('22222222'))!;
  const source = createMemorySource(events);
  const res = rule.run(source);
  expect(res.error).toBeUndefined();
  return { set, rule, source, rows: Array.from(res.rows) };
}

describe('Sigma correlation rules', () => {
  it('event_count: five failed logons of one user within 5 min fire, with every event of the window', () => {
    const events = [0, 30, 60, 90, 120].map((s) => failed(s, 'alice'));
    events.push(failed(10, 'bob'), failed(20, 'bob'));
    const { rows, rule, source, set } = run(EVENT_COUNT, events);
    expect(rows).toEqual([0, 1, 2, 3, 4]);
    // generate: false by default: the base rules are not findings on their own
    expect(set.rules.map((r) => r.meta.id)).not.toContain('11111111-0000-0000-0000-000000000001');
    const ex = rule.explain(source, 2);
    expect(ex.matched).toBe(true);
    expect(ex.steps[0]!.fields).toMatchObject({ TargetUserName: 'alice', count: '5' });
    expect(rule.explain(source, 5).matched).toBe(false);
  });

  it('event_count near miss: five failed logons spread over more than 5 min do not fire', () => {
    const { rows } = run(EVENT_COUNT, [0, 80, 160, 240, 320].map((s) => failed(s, 'alice')));
    expect(rows).toEqual([]);
  });

  it('value_count: one source IP logging on to three hosts in 10 min fires; two hosts do not', () => {
    const hit = run(VALUE_COUNT, [logon(0, 'SRV1', '10.0.0.5'), logon(60, 'SRV2', '10.0.0.5'), logon(61, 'SRV2', '10.0.0.5'), logon(120, 'SRV3', '10.0.0.5'), logon(5, 'SRV1', '10.0.0.9')]);
    expect(hit.rows).toEqual([0, 1, 2, 3]);
    const miss = run(VALUE_COUNT, [logon(0, 'SRV1', '10.0.0.5'), logon(60, 'SRV2', '10.0.0.5'), logon(61, 'SRV2', '10.0.0.5')]);
    expect(miss.rows).toEqual([]);
  });

  it('temporal_ordered: a type 3 logon then a 7045 on the same host within 1 min (remote service exec)', () => {
    const { rows, rule, source } = run(ORDERED, [logon(0, 'SRV1', '10.0.0.5'), service(20, 'SRV1'), service(25, 'SRV2')]);
    expect(rows).toEqual([0, 1]);
    expect(rule.explain(source, 1).steps[0]!.fields).toMatchObject({ host: 'SRV1', rules: expect.stringContaining('11111111-0000-0000-0000-000000000003') });
  });

  it('temporal_ordered near misses: service before the logon, outside the window, type 10 logon', () => {
    expect(run(ORDERED, [service(0, 'SRV1'), logon(10, 'SRV1', '10.0.0.5')]).rows).toEqual([]);
    expect(run(ORDERED, [logon(0, 'SRV1', '10.0.0.5'), service(61, 'SRV1')]).rows).toEqual([]);
    expect(run(ORDERED, [logon(0, 'SRV1', '10.0.0.5', '10'), service(5, 'SRV1')]).rows).toEqual([]);
  });

  it('temporal (any order) fires with the service first; generate: true keeps the base rules', () => {
    const corr = ORDERED.replace('temporal_ordered', 'temporal').replace('timespan: 1m', 'timespan: 1m\n    generate: true');
    const { rows, set } = run(corr, [service(0, 'SRV1'), logon(10, 'SRV1', '10.0.0.5')]);
    expect(rows).toEqual([0, 1]);
    expect(set.rules.map((r) => r.meta.id)).toContain('11111111-0000-0000-0000-000000000002');
  });

  it('nested: a correlation over a correlation', () => {
    const nested = `${EVENT_COUNT}---
title: Brute force waves
id: 22222222-0000-0000-0000-000000000009
correlation:
    type: event_count
    rules:
        - 22222222-0000-0000-0000-000000000001
    timespan: 1h
    condition:
        gte: 1
`;
    const set = load(nested);
    expect(set.issues).toEqual([]);
    const r = set.rules.find((x) => x.meta.id === '22222222-0000-0000-0000-000000000009')!;
    expect(Array.from(r.run(createMemorySource([0, 1, 2, 3, 4].map((s) => failed(s, 'alice')))).rows)).toEqual([0, 1, 2, 3, 4]);
  });

  it('located load errors: unknown rule, bad timespan, cycle', () => {
    const bad = load(EVENT_COUNT.replace('- failed_logon', '- no_such_rule'));
    expect(bad.issues[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('unknown rule no_such_rule'), location: { file: 'corr.yml', line: expect.any(Number) } });
    const ts = load(EVENT_COUNT.replace('timespan: 5m', 'timespan: 5 minutes'));
    expect(ts.issues[0]!.message).toContain('bad or missing timespan');
    const cyc = loadSigmaRules([{ path: 'c.yml', text: `title: A
name: a
correlation:
    type: event_count
    rules: [b]
    timespan: 1m
    condition: {gte: 1}
---
title: B
name: b
correlation:
    type: event_count
    rules: [a]
    timespan: 1m
    condition: {gte: 1}
` }]);
    expect(cyc.rules).toEqual([]);
    expect(cyc.issues.map((i) => i.message).join()).toContain('cycle');
  });

  it('hostile input: 200,000 hits with crafted group values stay fast and linear', () => {
    const events: CanonicalEvent[] = [];
    for (let i = 0; i < 200_000; i++) events.push(failed(i % 300, i % 2 ? 'x'.repeat(10_000) : `u${i % 1000}`));
    const source = createMemorySource(events);
    const rule = load(EVENT_COUNT).rules.find((r) => r.meta.id.startsWith('22222222'))!;
    const t = Date.now();
    const rows = rule.run(source).rows;
    expect(rows.length).toBe(200_000);
    expect(Date.now() - t).toBeLessThan(20_000);
  });
});
