// `hopscope events` end to end through the built CLI (issue 13): every event of real-shaped Windows records and the
// bundled EVTX sample, as CSV and NDJSON, with filter and kinds; a bad filter writes nothing; --out never replaces
// evidence; exit codes.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logon4624, service7045, share5145, sysmon1 } from '../detect/movements/fixtures.ts';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist', 'host', 'cli.js');
const run = (args: string[]) => spawnSync(process.execPath, [cli, 'events', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

let dir: string;
let evidence: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-events-'));
  evidence = join(dir, 'security.xml');
  const xml = [
    logon4624('SRV-1', 1, { type: '3', ip: '10.0.0.5', ws: 'WKS01', id: '0x11' }),
    share5145('SRV-1', 2, { share: 'IPC$', target: 'svcctl', ip: '10.0.0.5', id: '0x11' }),
    service7045('SRV-1', 3, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
    sysmon1('SRV-1', 4, { image: 'C:\\Windows\\PSEXESVC.exe', cmd: '@SUM(1+1)*cmd|calc', parent: 'C:\\Windows\\System32\\services.exe' }),
  ];
  await writeFile(evidence, `<Events>\n${xml.join('\n')}\n</Events>\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hopscope events', () => {
  it('CSV to stdout: every event in time order with kind, locator and fields, formula-safe, BOM', () => {
    const r = run([evidence]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.charCodeAt(0)).toBe(0xfeff);
    const [header, ...rows] = Papa.parse<string[]>(r.stdout.slice(1), { skipEmptyLines: true }).data;
    const col = (row: string[], name: string) => row[header!.indexOf(name)];
    expect(rows.map((x) => col(x, 'kind'))).toEqual(['logon', 'share_access', 'service_install', 'process_creation']);
    expect(rows.map((x) => col(x, 'record'))).toEqual(['1', '2', '3', '4']);
    expect(new Set(rows.map((x) => col(x, 'evidence_file')))).toEqual(new Set(['security.xml']));
    expect(col(rows[0]!, 'evidence_sha256')).toMatch(/^[0-9a-f]{64}$/);
    expect(col(rows[2]!, 'service_name')).toBe('PSEXESVC');
    expect(col(rows[3]!, 'process')).toBe("'@SUM(1+1)*cmd|calc");
  });

  it('NDJSON with --kind and --filter to a file; a bad filter or kind writes nothing and exits 2', async () => {
    const out = join(dir, 'out.ndjson');
    const r = run(['--kind', 'logon,service_install', '--filter', 'dest:SRV-1', '--out', out, evidence]);
    expect(r.status, r.stderr).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; original: Record<string, string> });
    expect(lines.map((l) => l.kind)).toEqual(['logon', 'service_install']);
    expect(lines[0]!.original['IpAddress']).toBe('10.0.0.5');
    const before = (await stat(out)).mtimeMs;
    const bad = run(['--filter', 'dest:(', '--out', out, evidence]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/filter/i);
    expect((await stat(out)).mtimeMs).toBe(before);
    expect(run(['--kind', 'nonsense', evidence]).status).toBe(2);
  });

  it('refuses to write over the evidence', async () => {
    const copy = join(dir, 'copy.xml');
    await writeFile(copy, await readFile(evidence));
    const r = run(['--out', copy, copy]);
    expect(r.status).toBe(2);
    expect(await readFile(copy, 'utf8')).toBe(await readFile(evidence, 'utf8'));
  });

  it('converts the bundled .evtx sample: as many events as the scan reads, each with its byte offset', () => {
    const sample = join(root, 'resources', 'samples', 'corp-lateral-movement.evtx');
    const r = run(['--format', 'ndjson', sample]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { evidence: { byte_offset?: number; record: number } });
    const scan = spawnSync(process.execPath, [cli, 'scan', '--format', 'json', '--out', '-', sample], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const events = (JSON.parse(scan.stdout) as { evidence: Array<{ events: number }> }).evidence[0]!.events;
    expect(lines).toHaveLength(events);
    expect(lines.every((l) => typeof l.evidence.byte_offset === 'number' && l.evidence.byte_offset > 0)).toBe(true);
  });
});
