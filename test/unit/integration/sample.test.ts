// The bundled demo case gives the findings it was built to show, in both of its formats, through the CLI
// (the app's engine path). Episodes: scripts/make-sample.mjs.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist', 'host', 'cli.js');
const samples = join(root, 'resources', 'samples');

interface Finding { rule_id: string; host: string; bin_start: string; event_count: number; risk_score: number; message: string }
interface Report { evidence: Array<{ events: number; events_by_kind?: Record<string, number>; rejected: number; format: string }>; findings: Finding[]; hosts: Array<{ host: string; events: number; risk_score: number }> }

function scan(file: string): Report {
  const r = spawnSync(process.execPath, [cli, 'scan', '--format', 'json', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`scan exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

const brief = (rep: Report, rule: string) =>
  rep.findings.filter((f) => f.rule_id === rule).map((f) => `${f.host.split('.')[0]} ${f.bin_start} x${f.event_count}`).sort();

describe.each([
  ['Sysmon XML', 'corp-lateral-movement.sysmon.xml'],
  ['Splunk CSV', 'corp-lateral-movement.splunk.csv'],
])('bundled sample (%s)', (_label, file) => {
  const rep = scan(join(samples, file));

  it('ingests all 373 process creations on 10 hosts, rejecting none', () => {
    expect(rep.evidence[0]!.events_by_kind?.['process_creation']).toBe(373);
    // The XML also holds 12 Sysmon network connections (kept, with their kind); the CIM export only process creations.
    expect(rep.evidence[0]!.events).toBe(file.endsWith('.xml') ? 385 : 373);
    expect(rep.evidence[0]!.rejected).toBe(0);
    expect(rep.hosts.filter((h) => h.events > 0)).toHaveLength(10);
  });

  it('PsExec with -accepteula on WKS-NYC-1002 (the PsExec without it on SRV-APP-03 is a near miss)', () => {
    expect(brief(rep, 'psexec-accepteula')).toEqual(['WKS-NYC-1002 2024-05-01T08:14:05Z x1']);
    const f = rep.findings.find((x) => x.rule_id === 'psexec-accepteula')!;
    expect(f.risk_score).toBe(35);
    expect(f.message).toBe('An instance of cmd.exe spawning PsExec64.exe was identified on endpoint WKS-NYC-1002.corp.example by user CORP\\john.smith running the utility for possibly the first time.');
  });

  it('smbexec on DC01: two events in one second', () => {
    expect(brief(rep, 'impacket-smbexec-commandline')).toEqual(['DC01 2024-05-01T08:47:12Z x2']);
    const f = rep.findings.find((x) => x.rule_id === 'impacket-smbexec-commandline')!;
    expect(f.risk_score).toBe(63);
    expect(f.message).toBe('Suspicious command-line parameters on DC01.corp.example may represent lateral movement using smbexec.');
  });

  it('Impacket activity (Sysmon): wmiexec on SRV-SQL-02 in two 1-second bins, and the smbexec services.exe children', () => {
    expect(brief(rep, 'impacket-lateral-movement-sysmon')).toEqual([
      'DC01 2024-05-01T08:47:12Z x2',
      'SRV-SQL-02 2024-05-01T08:31:50Z x2',
      'SRV-SQL-02 2024-05-01T08:31:51Z x1',
    ]);
  });

  it('ranks the attacked hosts first by risk', () => {
    const top = [...rep.hosts].sort((a, b) => b.risk_score - a.risk_score).slice(0, 3).map((h) => h.host.split('.')[0]);
    expect(top).toContain('DC01');
    expect(top).toContain('SRV-SQL-02');
  });
});
