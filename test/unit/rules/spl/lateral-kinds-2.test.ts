// Hopscope's rules for PsExec-family pipes, remote scheduled tasks and executables written to admin shares (issue 14),
// on real-shaped Windows records through the real ingest path, with the benign near misses next to each.
import { describe, expect, it } from 'vitest';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { rule } from './fixtures.ts';
import { events, share5145, sysmon17, task4698 } from '../../detect/movements/fixtures.ts';

const SRV = 'srvdefender01.offsec.lan';
const IP = '10.23.42.22';

function hits(id: string, xml: string[]): number {
  const res = rule(id).run(createMemorySource(events(...xml)));
  expect(res.error).toBeUndefined();
  return res.rows.length;
}

describe('hopscope-psexec-pipes', () => {
  const id = 'hopscope-psexec-pipes';
  it.each([
    ['Sysmon 17 \\PSEXESVC', sysmon17(SRV, 1, '\\PSEXESVC', 'C:\\Windows\\PSEXESVC.exe')],
    ['Sysmon 17 per-client stdin', sysmon17(SRV, 1, '\\PSEXESVC-WKS01-4012-stdin', 'C:\\Windows\\PSEXESVC.exe')],
    ['renamed service (-r)', sysmon17(SRV, 1, '\\updsvc-WKS01-4012-stderr', 'C:\\Windows\\updsvc.exe')],
    ['RemCom (Impacket psexec.py)', sysmon17(SRV, 1, '\\RemCom_communicaton', 'C:\\Windows\\aBcD.exe')],
    ['PAExec', sysmon17(SRV, 1, '\\PAExecIn-4012-WKS01', 'C:\\Windows\\PAExec-4012-WKS01.exe')],
    ['5145 IPC$ pipe from the network', share5145(SRV, 1, { share: 'IPC$', target: 'PSEXESVC-WKS01-4012-stdout', ip: IP, id: '0x1' })],
  ])('%s', (_name, xml) => {
    expect(hits(id, [xml])).toBe(1);
  });
  it('near misses: Windows\' own pipes and ordinary IPC$ access', () => {
    expect(hits(id, [
      sysmon17(SRV, 1, '\\lsass', 'C:\\Windows\\System32\\lsass.exe'),
      sysmon17(SRV, 2, '\\MsFteWds', 'C:\\Windows\\System32\\SearchIndexer.exe'),
      sysmon17(SRV, 3, '\\PSHost.133512345678901234.4012.DefaultAppDomain.powershell', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'),
      share5145(SRV, 4, { share: 'IPC$', target: 'srvsvc', ip: IP, id: '0x1' }),
      share5145(SRV, 5, { share: 'IPC$', target: 'lsarpc', ip: IP, id: '0x1' }),
    ])).toBe(0);
  });
});

describe('hopscope-remote-task', () => {
  const id = 'hopscope-remote-task';
  it('atsvc opened over IPC$ from another address; the atexec task itself', () => {
    expect(hits(id, [share5145(SRV, 1, { share: 'IPC$', target: 'atsvc', ip: IP, id: '0x1' })])).toBe(1);
    expect(hits(id, [task4698(SRV, 2, { name: '\\bouWFQYO', command: 'cmd.exe', args: '/C whoami > %windir%\\Temp\\bouWFQYO.tmp 2>&1', id: '0x5a419bc' })])).toBe(1);
  });
  it('near misses: atsvc from loopback, a task an updater registers', () => {
    expect(hits(id, [
      share5145(SRV, 1, { share: 'IPC$', target: 'atsvc', ip: '127.0.0.1', id: '0x1' }),
      task4698(SRV, 2, { name: '\\GoogleUpdateTaskMachineUA', command: 'C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe', args: '/ua /installsource scheduler', id: '0x3e7' }),
      task4698(SRV, 3, { name: '\\Backup', command: 'cmd.exe', args: '/C C:\\Tools\\backup.bat > C:\\Logs\\backup.log', id: '0x3e7' }),
    ])).toBe(0);
  });
});

describe('hopscope-admin-share-executable-write', () => {
  const id = 'hopscope-admin-share-executable-write';
  it('an executable written to ADMIN$ or C$ from another address', () => {
    expect(hits(id, [
      share5145(SRV, 1, { share: 'ADMIN$', target: 'PSEXESVC.exe', ip: IP, id: '0x1' }),
      share5145(SRV, 2, { share: 'C$', target: 'Users\\Public\\beacon.dll', ip: IP, id: '0x1', access: '%%1537 %%4417' }),
    ])).toBe(2);
  });
  it('near misses: reading an executable, writing a document, loopback, a non-admin share', () => {
    expect(hits(id, [
      share5145(SRV, 1, { share: 'ADMIN$', target: 'PSEXESVC.exe', ip: IP, id: '0x1', access: '%%1538 %%4416' }),
      share5145(SRV, 2, { share: 'C$', target: 'Users\\Public\\report.docx', ip: IP, id: '0x1', access: '%%4417' }),
      share5145(SRV, 3, { share: 'ADMIN$', target: 'Temp\\tool.exe', ip: '127.0.0.1', id: '0x1' }),
      share5145(SRV, 4, { share: 'NETLOGON', target: 'logon.bat', ip: IP, id: '0x1', access: '%%4417' }),
    ])).toBe(0);
  });
});
