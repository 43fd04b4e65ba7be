// A Sigma correlation rule through the CLI scan the analyst runs (issue 14): base rule and correlation in one file
// beside a real-shaped Security log (a network logon, then PsExec's service on the same host within the window, and
// the same pair too far apart on another host). Uses the bundles test/global-setup.ts builds.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logon4624, service7045, share5145 } from '../detect/movements/fixtures.ts';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist', 'host', 'cli.js');

const RULES = `title: Network logon
id: 22222222-0000-0000-0000-000000000001
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
title: PsExec service installed
id: 22222222-0000-0000-0000-000000000002
name: psexec_service
logsource:
    product: windows
    service: system
detection:
    selection:
        EventID: 7045
        ServiceName: PSEXESVC
    condition: selection
---
title: Network logon then PsExec service on one host
id: 22222222-0000-0000-0000-0000000000c1
correlation:
    type: temporal_ordered
    rules:
        - network_logon
        - psexec_service
    group-by:
        - Computer
    timespan: 1m
level: high
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-corr-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Sigma correlation through scan', () => {
  it('fires on the ordered pair within the window on one host, not on the pair 10 min apart; the bases give no findings of their own', async () => {
    const xml = [
      logon4624('SRV-1', 1, { type: '3', ip: '10.0.0.5', ws: 'WKS01', id: '0x11' }),
      share5145('SRV-1', 1.5, { share: 'IPC$', target: 'svcctl', ip: '10.0.0.5', id: '0x11' }),
      service7045('SRV-1', 3, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
      logon4624('SRV-2', 5, { type: '3', ip: '10.0.0.5', ws: 'WKS01', id: '0x12' }),
      service7045('SRV-2', 605, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
    ].join('\n');
    const evidence = join(dir, 'security.xml');
    const rules = join(dir, 'corr.yml');
    await writeFile(evidence, `<Events>\n${xml}\n</Events>\n`);
    await writeFile(rules, RULES);
    const r = spawnSync(process.execPath, [cli, 'scan', '--no-builtin', '--sigma', rules, '--format', 'json', '--out', '-', evidence], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { findings: Array<{ rule_id: string; host: string; event_count: number }>; rules: Array<{ id: string }> };
    expect(rep.rules.map((x) => x.id)).toContain('22222222-0000-0000-0000-0000000000c1');
    // The logon (second 1) and the service (second 3) fall in two 1-second bins of SRV-1: two findings, two events.
    expect(rep.findings.map((f) => [f.rule_id, f.host, f.event_count])).toEqual([
      ['22222222-0000-0000-0000-0000000000c1', 'SRV-1', 1],
      ['22222222-0000-0000-0000-0000000000c1', 'SRV-1', 1],
    ]);
  });
});
