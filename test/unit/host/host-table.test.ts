// `scan --hosts FILE` and the app's case.setHostTable (issue 14) through the real bundles (dist/, built by
// test/global-setup.ts): a target's 4624 carries the source's address but no WorkstationName, so without the table
// the movement has no source host; with it the source is the table's host, resolved by 'host-table'. The app keeps
// the table in the case and applies it again when the case reopens.

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingsResponse } from '../../../engine/rpc/api.ts';
import { readCase } from '../../../main/host/case-store.ts';
import { logon4624, service7045, share5140, share5145, sysmon1 } from '../detect/movements/fixtures.ts';
import { openCase } from './open-case.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const cli = join(root, 'dist', 'host', 'cli.js');

const SRV = 'srv-sql-02.corp.lan';
const IP = '10.0.0.12';
const LID = '0x1375fbd';
const SYS32 = 'C:\\Windows\\System32\\';

/** PsExec onto SRV as the target logs it, the network logon naming no workstation ('-'), and no pipe naming the source. */
const xml = [
  logon4624(SRV, 2.0, { type: '3', ip: IP, id: LID }),
  share5140(SRV, 2.1, { share: 'ADMIN$', ip: IP, id: LID }),
  share5145(SRV, 2.2, { share: 'ADMIN$', target: 'PSEXESVC.exe', ip: IP, id: LID }),
  service7045(SRV, 2.4, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
  sysmon1(SRV, 2.5, { image: 'C:\\Windows\\PSEXESVC.exe', cmd: 'C:\\Windows\\PSEXESVC.exe', parent: SYS32 + 'services.exe', user: 'NT AUTHORITY\\SYSTEM' }),
];

interface ReportMovement {
  method: string;
  source: string | null;
  source_ip: string | null;
  source_resolved_by: string | null;
  target: string;
}

let tmp: string;
let evidence: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-hosts-'));
  evidence = join(tmp, 'srv-sql-02.xml');
  await writeFile(evidence, `<Events>${xml.join('\n')}</Events>\n`);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const run = (args: string[]) => spawnSync(process.execPath, [cli, 'scan', ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, INIT_CWD: tmp } });

function movements(stdout: string): ReportMovement[] {
  const report = JSON.parse(stdout) as { movements?: ReportMovement[] };
  expect(report.movements).toBeDefined();
  return report.movements!;
}

describe('scan --hosts', () => {
  it('without a table the movement has the address but no source; with one (CSV or JSON) the source is the table\'s host', async () => {
    const without = run(['--format', 'json', evidence]);
    expect(without.status, without.stderr).toBe(0);
    const m0 = movements(without.stdout);
    expect(m0).toHaveLength(1);
    expect(m0[0]).toMatchObject({ method: 'psexec', source: null, source_ip: IP, source_resolved_by: null, target: SRV });

    await writeFile(join(tmp, 'hosts.csv'), `# office\nip,host\n10.0.0.99,OTHER-HOST\n${IP},WKS-NYC-1002\n2001:db8::7,kiosk-7\n`);
    const csv = run(['--format', 'json', '--hosts', 'hosts.csv', evidence]);
    expect(csv.status, csv.stderr).toBe(0);
    expect(movements(csv.stdout)).toEqual([expect.objectContaining({ method: 'psexec', source: 'WKS-NYC-1002', source_ip: IP, source_resolved_by: 'host-table', target: SRV })]);
    // The report records the table it used, so the attribution can be checked and repeated.
    expect((JSON.parse(csv.stdout) as { host_table?: unknown }).host_table).toEqual([
      { ip: '10.0.0.99', host: 'OTHER-HOST' },
      { ip: IP, host: 'WKS-NYC-1002' },
      { ip: '2001:db8::7', host: 'kiosk-7' },
    ].sort((a, b) => (a.ip < b.ip ? -1 : 1)));
    expect((JSON.parse(without.stdout) as { host_table?: unknown }).host_table).toBeUndefined();

    await writeFile(join(tmp, 'hosts.json'), JSON.stringify({ [IP]: 'WKS-NYC-1002' }, null, 2));
    const json = run(['--hosts=hosts.json', '--format', 'json', evidence]);
    expect(json.status, json.stderr).toBe(0);
    expect(movements(json.stdout)[0]).toMatchObject({ source: 'WKS-NYC-1002', source_resolved_by: 'host-table' });

    // The text summary names the source too.
    const text = run(['--hosts', 'hosts.csv', evidence]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('WKS-NYC-1002');
  });

  it('a bad table is a usage error (exit 2) naming the file and line, before any evidence is read', async () => {
    await writeFile(join(tmp, 'bad.csv'), `ip,host\n${IP},WKS-1\n10.0.0.300,WKS-2\n`);
    const bad = run(['--hosts', 'bad.csv', join(tmp, 'no-such-evidence.xml')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`--hosts: "10.0.0.300" is not an IPv4 or IPv6 address (${join(tmp, 'bad.csv')}, line 3)`);
    expect(bad.stdout).toBe('');

    await writeFile(join(tmp, 'hostile.csv'), `${IP},WKS\u001b]0;pwned\u0007\n`);
    const hostile = run(['--hosts', 'hostile.csv', evidence]);
    expect(hostile.status).toBe(2);
    expect(hostile.stderr).toMatch(/may hold only letters.*line 1/);
    expect(hostile.stderr).not.toContain('\u001b]0;');

    const missing = run(['--hosts', 'nope.csv', evidence]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--hosts: cannot read '.*nope\.csv': ENOENT/);

    const folder = run(['--hosts', tmp, evidence]);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toMatch(/is a folder/);

    await writeFile(join(tmp, 'binary.csv'), Buffer.from([0x31, 0x30, 0xff, 0xfe, 0x00, 0x2c, 0x41]));
    const binary = run(['--hosts', 'binary.csv', evidence]);
    expect(binary.status).toBe(2);

    await writeFile(join(tmp, 'huge.csv'), Buffer.alloc(16 * 1024 * 1024 + 1, 0x23));
    const huge = run(['--hosts', 'huge.csv', evidence]);
    expect(huge.status).toBe(2);
    expect(huge.stderr).toMatch(/larger than 16777216 bytes/);

    const twice = run(['--hosts', 'hosts.csv', '--hosts', 'hosts.json', evidence]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/--hosts may be given once/);
  });
});

describe('case.setHostTable in the app', () => {
  it('names the source, is saved in the case journal, applied again on reopen, and [] removes it', async () => {
    const userData = join(tmp, 'userdata');
    const first = await openCase(userData, evidence);
    try {
      const before = (await first.host.call('query.findings', { sort: 'time' })) as FindingsResponse;
      expect(before.movements.movements[0]).toMatchObject({ source: null, sourceIp: IP });
      expect(await first.host.call('case.hostTable', {})).toEqual({ entries: [] });

      await expect(first.host.call('case.setHostTable', { entries: [{ ip: '10.0.0.300', host: 'X' }] })).rejects.toMatchObject({ code: 'E_PROTOCOL', message: expect.stringMatching(/entries\[0\]: "10\.0\.0\.300" is not an IPv4/) });
      const summary = await first.host.call('case.setHostTable', { entries: [{ ip: IP, host: 'WKS-NYC-1002' }, { ip: '2001:DB8::7', host: 'kiosk-7' }] });
      expect(summary).toMatchObject({ events: xml.length });
      const after = (await first.host.call('query.findings', { sort: 'time' })) as FindingsResponse;
      expect(after.movements.movements[0]).toMatchObject({ source: 'WKS-NYC-1002', sourceIp: IP, source_attribution: { resolvedBy: 'host-table' } });
      expect(await first.host.call('case.hostTable', {})).toEqual({ entries: [{ ip: IP, host: 'WKS-NYC-1002' }, { ip: '2001:db8::7', host: 'kiosk-7' }] });
    } finally {
      await first.host.close();
    }

    // Reopened by a new host service (a new app start): the case's table is applied before case-ready.
    const second = await openCase(userData, evidence);
    try {
      const found = (await second.host.call('query.findings', { sort: 'time' })) as FindingsResponse;
      expect(found.movements.movements[0]).toMatchObject({ source: 'WKS-NYC-1002', source_attribution: { resolvedBy: 'host-table' } });
      expect(((await second.host.call('case.hostTable', {})) as { entries: unknown[] }).entries).toHaveLength(2);

      await second.host.call('case.setHostTable', { entries: [] });
      const cleared = (await second.host.call('query.findings', { sort: 'time' })) as FindingsResponse;
      expect(cleared.movements.movements[0]).toMatchObject({ source: null });
      // The rescan keeps what the engine holds (here: no table).
      await second.host.call('case.rescan', {});
      expect(((await second.host.call('query.findings', { sort: 'time' })) as FindingsResponse).movements.movements[0]).toMatchObject({ source: null });
    } finally {
      await second.host.close();
    }
  });

  it('the journal op and the snapshot are validated like the channel', async () => {
    const { parseCaseOp, parseCaseDoc, applyCaseOp, emptyCaseDoc } = await import('../../../main/host/case/case-doc.ts');
    const op = parseCaseOp({ kind: 'hostTable', entries: [{ ip: '2001:DB8::7', host: 'K7' }] });
    expect(op).toEqual({ kind: 'hostTable', entries: [{ ip: '2001:db8::7', host: 'K7' }] });
    const doc = applyCaseOp(emptyCaseDoc(), op);
    expect(doc.hostTable).toEqual([{ ip: '2001:db8::7', host: 'K7' }]);
    expect(parseCaseDoc(JSON.parse(JSON.stringify(doc))).hostTable).toEqual(doc.hostTable);
    expect(applyCaseOp(doc, parseCaseOp({ kind: 'hostTable', entries: [] })).hostTable).toBeUndefined();
    expect(() => parseCaseOp({ kind: 'hostTable', entries: [{ ip: 'x', host: 'K7' }] })).toThrow(expect.objectContaining({ code: 'E_CASE' }));
    expect(() => parseCaseOp({ kind: 'hostTable', entries: [], more: 1 })).toThrow(/not allowed/);
    expect(() => parseCaseDoc({ ...JSON.parse(JSON.stringify(doc)), hostTable: [{ ip: '10.0.0.1', host: 'bad host' }] })).toThrow(/case\.hostTable\[0\]/);
  });
});

// The case folder keeps the table as a journal entry (readCase replays it).
describe('case folder', () => {
  it('readCase replays the hostTable op', async () => {
    const { openCaseStore } = await import('../../../main/host/case-store.ts');
    const dir = join(tmp, 'case-dir');
    const store = await openCaseStore({ dir });
    try {
      await store.apply({ kind: 'hostTable', entries: [{ ip: IP, host: 'WKS-NYC-1002' }] });
    } finally {
      await store.close();
    }
    expect((await readCase(dir)).doc.hostTable).toEqual([{ ip: IP, host: 'WKS-NYC-1002' }]);
  });
});
