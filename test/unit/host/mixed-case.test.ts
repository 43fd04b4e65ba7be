// A case of 200 files of every kind and family opens (issue 13): Windows XML of logons, shares, services, tasks and
// processes; Splunk CIM CSV; CrowdStrike NDJSON; the bundled .evtx, each under its own host. One scan of the folder
// reads every file, keeps every event with its kind, rejects nothing, and finds the movements across the files.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logon4624, service7045, share5145, sysmon1, task4698 } from '../detect/movements/fixtures.ts';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist', 'host', 'cli.js');
let dir: string;
let expectedEvents = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-mixed-'));
  const logs = join(dir, 'collection');
  await mkdir(logs);
  for (let i = 0; i < 200; i++) {
    const host = `SRV-${String(i).padStart(3, '0')}`;
    const sec = i * 600; // each file its own ten minutes: movements never join across files by accident
    switch (i % 4) {
      case 0: {
        const xml = [
          logon4624(host, sec + 1, { type: '3', ip: `10.1.${i >> 8}.${i & 255}`, ws: `WKS-${i}`, id: `0x${(1000 + i).toString(16)}` }),
          share5145(host, sec + 2, { share: 'IPC$', target: 'svcctl', ip: `10.1.${i >> 8}.${i & 255}`, id: `0x${(1000 + i).toString(16)}` }),
          service7045(host, sec + 3, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
          task4698(host, sec + 4, { name: `\\T${i}`, command: 'C:\\Tools\\x.exe', args: '', id: '0x3e7' }),
          sysmon1(host, sec + 5, { image: 'C:\\Windows\\PSEXESVC.exe', cmd: 'C:\\Windows\\PSEXESVC.exe', parent: 'C:\\Windows\\System32\\services.exe' }),
        ];
        await writeFile(join(logs, `${host}-security.xml`), `<Events>\n${xml.join('\n')}\n</Events>\n`);
        expectedEvents += xml.length;
        break;
      }
      case 1: {
        const t = (s: number) => new Date(Date.UTC(2024, 4, 1) + (sec + s) * 1000).toISOString();
        const csv = ['_time,dest,user,parent_process_name,parent_process,process_name,process,process_id,parent_process_id',
          `${t(1)},${host},CORP\\alice,explorer.exe,C:\\Windows\\explorer.exe,cmd.exe,cmd.exe /c whoami,100,10`,
          `${t(2)},${host},CORP\\alice,cmd.exe,cmd.exe /c whoami,notepad.exe,notepad.exe a.txt,101,100`].join('\n');
        await writeFile(join(logs, `${host}-splunk.csv`), csv + '\n');
        expectedEvents += 2;
        break;
      }
      case 2: {
        const ms = Date.UTC(2024, 4, 2) + sec * 1000;
        const rows = [
          { event_simpleName: 'ProcessRollup2', timestamp: String(ms), aid: `a${i}`, ComputerName: host, UserName: 'svc', CommandLine: 'cmd.exe /c whoami', ImageFileName: '\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe' },
          { event_simpleName: 'UserLogon', timestamp: String(ms + 1000), aid: `a${i}`, ComputerName: host, UserName: 'admin', LogonDomain: 'CORP', LogonType: '3', RemoteAddressIP4: '10.0.0.12' },
          { event_simpleName: 'NetworkAcceptIP4', timestamp: String(ms + 2000), aid: `a${i}`, ComputerName: host, LocalAddressIP4: '10.0.0.20', LocalPort: '445', RemoteAddressIP4: '10.0.0.12', RemotePort: '50123', Protocol: '6' },
        ];
        await writeFile(join(logs, `${host}-falcon.json`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
        expectedEvents += rows.length;
        break;
      }
      default:
        // The bundled .evtx under many names: the same records, warned about as the same evidence, still read.
        await copyFile(join(root, 'resources', 'samples', 'corp-lateral-movement.evtx'), join(logs, `${host}.evtx`));

    }
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a case of 200 files of every kind', () => {
  it('opens from its folder: every file read, every event kept with its kind, nothing rejected', () => {
    const r = spawnSync(process.execPath, [cli, 'scan', '--format', 'json', '--out', '-', join(dir, 'collection')], { encoding: 'utf8', maxBuffer: 256 << 20 });
    expect(r.status, r.stderr.slice(0, 2000)).toBe(0);
    const rep = JSON.parse(r.stdout) as { evidence: Array<{ path: string; events: number; rejected: number; events_by_kind?: Record<string, number>; format: string }>; movements?: Array<{ method: string; target: string }> };
    expect(rep.evidence).toHaveLength(200);
    expect(rep.evidence.every((e) => e.rejected === 0 && e.events > 0)).toBe(true);
    const evtxEvents = rep.evidence.filter((e) => e.path.endsWith('.evtx')).reduce((n, e) => n + e.events, 0);
    const others = rep.evidence.filter((e) => !e.path.endsWith('.evtx')).reduce((n, e) => n + e.events, 0);
    expect(others).toBe(expectedEvents);
    expect(evtxEvents).toBe(50 * rep.evidence.find((e) => e.path.endsWith('.evtx'))!.events);
    const kinds = new Set(rep.evidence.flatMap((e) => Object.keys(e.events_by_kind ?? {})));
    for (const k of ['process_creation', 'logon', 'share_access', 'service_install', 'scheduled_task', 'network_connection']) expect(kinds).toContain(k);
    expect(new Set(rep.evidence.map((e) => e.format))).toEqual(new Set(['windows-xml', 'splunk-cim', 'crowdstrike']));
    // Each Windows XML file holds one PsExec movement onto its host.
    const psexecTargets = new Set((rep.movements ?? []).filter((m) => m.method === 'psexec').map((m) => m.target));
    for (let i = 0; i < 200; i += 4) expect(psexecTargets).toContain(`SRV-${String(i).padStart(3, '0')}`);
  }, 240_000);
});
