// The seed rules on real public captures (../shared/data), through the same path as the app: the CLI
// scan drives the engine worker (ingest -> store -> rules -> detect). Expectations: ../shared/data/README.md.
// Skipped when ../shared is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const DATA = resolve(root, '../shared/data');
const cli = join(root, 'dist', 'host', 'cli.js');

interface Report {
  evidence: Array<{ path: string; events: number; events_by_kind?: Record<string, number>; rejected: number; format: string; warnings?: string[] }>;
  findings: Array<{ rule_id: string; host: string; bin_start: string; event_count: number; risk_score: number; message: string }>;
  hosts: Array<{ host: string; events: number }>;
  rules: Array<{ id: string }>;
}

function scan(files: string[], extra: string[] = []): Report {
  const r = spawnSync(process.execPath, [cli, 'scan', '--format', 'json', ...extra, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`scan exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

const SEEDS = ['impacket-smbexec-commandline', 'impacket-lateral-movement-sysmon', 'psexec-accepteula'] as const;
const byRule = (rep: Report, id: string) => rep.findings.filter((f) => f.rule_id === id);
/** Process creations of the case (every other event is kept too, with its kind: events_by_kind). */
const events = (rep: Report) => rep.evidence.reduce((n, e) => n + (e.events_by_kind?.['process_creation'] ?? 0), 0);
const ds = (name: string) => join(DATA, name);
const files = (dir: string, ext: string) => readdirSync(ds(dir)).filter((f) => f.endsWith(ext)).map((f) => join(ds(dir), f)).sort();

describe.skipIf(!existsSync(DATA))('seed rules on ../shared/data', () => {
  it('loads the three seeds', () => {
    const rep = scan([files('evtxattack-impacket-wmiexec', '.xml')[0]!]);
    for (const id of SEEDS) expect(rep.rules.map((r) => r.id)).toContain(id);
  });

  // ../shared/data/README.md expects 1 finding at 03:30:46 from TimeCreated, which it takes for UTC. It is not: the
  // capture's TimeCreated is local time (UTC-4) without zone, 4 h behind Sysmon's UtcTime on all 241 Sysmon records.
  // With the event's own clock first (issue 15) the Sysmon event sits at 07:30:46 UTC and the 4688 (TimeCreated
  // only) at 03:30:46, and the file is warned about with the correction offered; once the analyst takes it
  // (TimeCreated +04:00:00), both events meet to the millisecond: the README's 2 events in 1 finding, at 07:30:46Z.
  it('otrf-psexec-accepteula: 8 process creations, PsExec accepteula = 2 events (Sysmon 1 + 4688) in 1 finding once the local-time TimeCreated is corrected', () => {
    const [file] = files('otrf-psexec-accepteula', '.json');
    const raw = scan([file!]);
    // Every Sysmon record carrying both fields (241 once every Windows event is kept; the 4 process creations at least).
    expect(raw.evidence[0]!.warnings).toContainEqual(expect.stringMatching(/^time fields disagree: TimeCreated is 4 h behind UtcTime \(-04:00:00\) on (\d+) of \1 record.*TimeCreated \+04:00:00\.$/));
    expect(byRule(raw, 'psexec-accepteula').map((f) => [f.bin_start, f.event_count])).toEqual([['2020-10-19T03:30:46Z', 1], ['2020-10-19T07:30:46Z', 1]]);
    const rep = scan([file!], ['--clock', `${file}=+04:00:00@TimeCreated`]);
    expect(events(rep)).toBe(8);
    expect(byRule(rep, 'impacket-smbexec-commandline')).toHaveLength(0);
    expect(byRule(rep, 'impacket-lateral-movement-sysmon')).toHaveLength(0);
    const ps = byRule(rep, 'psexec-accepteula');
    expect(ps).toHaveLength(1);
    expect(ps[0]!.event_count).toBe(2);
    expect(ps[0]!.host).toMatch(/^WORKSTATION5/i);
    expect(ps[0]!.bin_start).toBe('2020-10-19T07:30:46Z');
    expect(ps[0]!.risk_score).toBe(35);
    expect(ps[0]!.message).toMatch(/spawning PsExec\.exe was identified on endpoint WORKSTATION5/i);
  });

  it('otrf-empire-psexec-negative: 13 process creations over 2 hosts, no seed fires', () => {
    const rep = scan(files('otrf-empire-psexec-negative', '.json'));
    expect(events(rep)).toBe(13);
    // The 13 process creations are on 2 hosts; the capture's other events (network, registry, logons ...) add
    // WORKSTATION5 and the short-named WORKSTATION6 of its NXLog records.
    expect(rep.hosts.filter((h) => h.events > 0).map((h) => h.host).sort()).toEqual(
      ['MORDORDC.theshire.local', 'WORKSTATION5.theshire.local', 'WORKSTATION6', 'WORKSTATION6.theshire.local'],
    );
    for (const id of SEEDS) expect(byRule(rep, id)).toHaveLength(0);
  });

  it('evtxattack-impacket-wmiexec: Impacket activity = 3 events, 1 finding on IEWIN7 at 20:32:51Z', () => {
    const rep = scan(files('evtxattack-impacket-wmiexec', '.xml'));
    expect(events(rep)).toBe(4);
    const f = byRule(rep, 'impacket-lateral-movement-sysmon');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ host: 'IEWIN7', bin_start: '2019-04-30T20:32:51Z', event_count: 3 });
    expect(byRule(rep, 'impacket-smbexec-commandline')).toHaveLength(0);
    expect(byRule(rep, 'psexec-accepteula')).toHaveLength(0);
  });

  it('evtxattack-impacket-dcomexec-mmc: the seed misses the quoted cmd.exe path', () => {
    const rep = scan(files('evtxattack-impacket-dcomexec-mmc', '.xml'));
    expect(events(rep)).toBe(5);
    for (const id of SEEDS) expect(byRule(rep, id)).toHaveLength(0);
  });

  it('evtxattack-art-background: 511 process creations, no seed fires (procdump -accepteula is a near miss)', () => {
    const rep = scan(files('evtxattack-art-background', '.xml'));
    expect(events(rep)).toBe(511);
    for (const id of SEEDS) expect(byRule(rep, id)).toHaveLength(0);
  });

  it('mdecrevoisier-impacket-psexec: 30 process creations over 7 files, no seed fires', () => {
    const rep = scan(files('mdecrevoisier-impacket-psexec', '.xml'));
    expect(rep.evidence).toHaveLength(7);
    expect(events(rep)).toBe(30);
    for (const id of SEEDS) expect(byRule(rep, id)).toHaveLength(0);
  });
});
