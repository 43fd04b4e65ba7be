// Ingest over the real public captures in ../shared/data (skipped when absent): counts, hosts and field
// values from data/README.md and the SOURCE.txt files beside each capture.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CollectingSink, ingestText, type IngestTextResult } from '../../../engine/ingest/index.ts';
import { ingestFile } from '../../../engine/node/ingest-file.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SHARED = resolve(REPO, '../shared/data');

/** The process creations of a file (every other event is kept too, with its kind). */
function load(rel: string, chunkChars = 64 * 1024): IngestTextResult & { all: IngestTextResult['events'] } {
  const r = ingestText(readFileSync(resolve(SHARED, rel), 'utf8'), { fileName: rel, chunkChars });
  return { ...r, all: r.events, events: r.events.filter((e) => e.kind === 'process_creation') };
}

function kinds(events: IngestTextResult['events']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.kind!] = (out[e.kind!] ?? 0) + 1;
  return out;
}

const MDEC = [
  'atexec_4688_global', 'dcomexec_4688', 'psexec64_as_system_sysmon', 'psexec_target_4688',
  'smbexec_sysmon1_child', 'wmiexec_4688_global', 'wmiexec_4688_noparent',
];

describe.skipIf(!existsSync(SHARED))('real captures', () => {
  it('otrf-psexec-accepteula: 8 process creations on WORKSTATION5 (4 Sysmon, 4 x 4688)', () => {
    const r = load('otrf-psexec-accepteula/cmd_psexec_lsa_secrets_dump_2020-10-1903305471.json');
    expect(r.detected.format).toBe('windows-flat');
    expect(r.events.length).toBe(8);
    expect(r.stats.records).toBe(286);
    expect(r.stats.rejected).toBe(0);
    expect(new Set(r.events.map((e) => e.fields.dest))).toEqual(new Set(['WORKSTATION5']));
    expect(r.events.filter((e) => e.source === 'sysmon')).toHaveLength(4);
    expect(r.events.filter((e) => e.source === 'security-4688')).toHaveLength(4);
    const psexec = r.events.filter((e) => e.fields.process?.toLowerCase().includes('accepteula'));
    const s1 = psexec.find((e) => e.source === 'sysmon')!;
    expect(s1.fields.original_file_name).toBe('psexec.c');
    expect(s1.fields.process_name).toBe('PsExec.exe');
    expect(s1.fields.EventCode).toBe('1');
    const sec = psexec.find((e) => e.source === 'security-4688')!;
    expect(sec.fields.process_name).toBe('PsExec.exe');
    expect(sec.fields.process_id).toBe(String(0x1c58));
    expect(sec.fields.parent_process_id).toBe(String(0x850));
    expect(sec.fields.user).toBe('WORKSTATION5\\wardog');
    expect(sec.fields.parent_process).toBeUndefined();
    expect(sec.fields.EventCode).toBe('4688');
    // Sysmon's own UtcTime is the event's time (formats/time-fields.ts). This capture's TimeCreated is local time
    // (UTC-4) written without zone, 4 h behind UtcTime on every Sysmon record, so the 4688 (TimeCreated only) sits
    // 4 h earlier until the analyst takes the offered clock correction (issue 15; shared-data.test.ts).
    expect(new Date(Math.floor(s1.timeMs / 1000) * 1000).toISOString()).toBe('2020-10-19T07:30:46.000Z');
    expect(Math.floor(sec.timeMs / 1000)).toBe(Math.floor(s1.timeMs / 1000) - 4 * 3600);
  });

  it('otrf-empire-psexec-negative: 13 over 2 hosts, lower-case Channel included', () => {
    const r = load('otrf-empire-psexec-negative/empire_psexec_dcerpc_tcp_svcctl_2020-09-20121608.json');
    expect(r.events.length).toBe(13);
    const byHost = new Map<string, number>();
    for (const e of r.events) byHost.set(e.fields.dest!, (byHost.get(e.fields.dest!) ?? 0) + 1);
    expect(Object.fromEntries(byHost)).toEqual({ 'WORKSTATION6.theshire.local': 12, 'MORDORDC.theshire.local': 1 });
    expect(r.events.filter((e) => e.source === 'sysmon')).toHaveLength(6);
    expect(r.events.filter((e) => e.source === 'security-4688')).toHaveLength(7);
    expect(r.stats.nonProcess + r.stats.appended + r.stats.rejected).toBe(r.stats.records);
    expect(r.stats.nonProcess).toBe(0);
    expect(r.all).toHaveLength(r.stats.appended);
  });

  it('evtxattack-impacket-wmiexec: 4 on IEWIN7, cmd.exe command line XML-decoded', () => {
    const r = load('evtxattack-impacket-wmiexec/LM_wmiexec_impacket_sysmon_whoami.xml', 777);
    expect(r.detected.format).toBe('windows-xml');
    expect(r.events.length).toBe(4);
    expect(r.stats.nonProcess).toBe(0);
    expect(kinds(r.all)).toEqual({ process_creation: 4, network_connection: 3 });
    const net = r.all.find((e) => e.kind === 'network_connection')!;
    expect(net.fields.dest_port).toMatch(/^\d+$/);
    expect(net.fields.src_ip).toBeTruthy();
    expect(r.events.every((e) => e.fields.dest === 'IEWIN7')).toBe(true);
    const cmd = r.events.find((e) => e.fields.process?.startsWith('cmd.exe /Q /c cd \\ 1>'))!;
    expect(cmd.fields.process).toBe('cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1556656369.7 2>&1');
    expect(cmd.fields.parent_process_name).toBe('WmiPrvSE.exe');
    expect(cmd.fields.original_file_name).toBeUndefined();
    expect(cmd.original['Provider_Name']).toBe('Microsoft-Windows-Sysmon');
    expect(cmd.original['TimeCreated_SystemTime']).toBe('2019-04-30T20:32:51.168589000Z');
    // Sysmon's UtcTime (ms) is the event's time; the SystemTime beside it keeps its 9 digits as an original field.
    expect(cmd.timeMs).toBe(Date.UTC(2019, 3, 30, 20, 32, 51, 168));
    expect(cmd.raw?.startsWith('<Event')).toBe(true);
    expect(cmd.raw).toContain('2&gt;&amp;1');
  });

  it('evtxattack-impacket-dcomexec-mmc: 5 on IEWIN7 with the quoted cmd.exe path', () => {
    const r = load('evtxattack-impacket-dcomexec-mmc/LM_impacket_docmexec_mmc_sysmon_01.xml');
    expect(r.events.length).toBe(5);
    const quoted = r.events.filter((e) => e.fields.process?.startsWith('"C:\\Windows\\System32\\cmd.exe" /Q /c'));
    expect(quoted.length).toBe(3);
    expect(quoted.every((e) => e.fields.parent_process_name === 'mmc.exe')).toBe(true);
  });

  it('evtxattack-art-background: 511 Sysmon EID 1 on MSEDGEWIN10', () => {
    const r = load('evtxattack-art-background/PanacheSysmon_vs_AtomicRedTeam01.xml');
    expect(r.events.length).toBe(511);
    expect(r.stats.records).toBe(565);
    expect(new Set(r.events.map((e) => e.fields.dest))).toEqual(new Set(['MSEDGEWIN10']));
    expect(r.events.filter((e) => e.fields.process_name?.toLowerCase() === 'ping.exe')).toHaveLength(254);
    expect(r.events.some((e) => e.fields.process === '"C:\\Windows\\system32\\cmd.exe" /c "procdump.exe -accepteula -ma lsass.exe lsass_dump.dmp"')).toBe(true);
  });

  it('mdecrevoisier-impacket-psexec: 30 over the 7 files (27 x 4688, 3 x Sysmon 1)', () => {
    const per = MDEC.map((n) => load(`mdecrevoisier-impacket-psexec/${n}.xml`));
    expect(per.map((r) => r.events.length)).toEqual([3, 3, 2, 11, 1, 6, 4]);
    expect(per.map((r) => r.stats.appended)).toEqual([12, 12, 15, 30, 1, 97, 1023]);
    expect(per.map((r) => r.stats.records)).toEqual([12, 12, 15, 30, 1, 97, 1023]);
    expect(kinds(per[MDEC.indexOf('psexec_target_4688')]!.all)).toEqual({ logon: 5, other: 2, process_creation: 11, service_install: 1, share_access: 11 });
    expect(kinds(per[MDEC.indexOf('psexec64_as_system_sysmon')]!.all)).toEqual({ process_creation: 2, file: 1, registry: 3, pipe: 8, dns_query: 1 });
    expect(kinds(per[MDEC.indexOf('atexec_4688_global')]!.all)).toEqual({ logon: 3, process_creation: 3, scheduled_task: 2, share_access: 4 });
    const all = per.flatMap((r) => r.events);
    expect(all.filter((e) => e.source === 'security-4688')).toHaveLength(27);
    expect(all.filter((e) => e.source === 'sysmon')).toHaveLength(3);

    // Parent-less 4688 v1 imports with an empty parent.
    const noParent = per[MDEC.indexOf('wmiexec_4688_noparent')]!.events;
    expect(noParent).toHaveLength(4);
    for (const e of noParent) {
      expect(e.fields.parent_process_path).toBeUndefined();
      expect(e.fields.parent_process_name).toBeUndefined();
      expect(e.fields.process_path).toBeTruthy();
    }
    // smbexec's first stage survives only as the parent command line of the child cmd.exe.
    const child = per[MDEC.indexOf('smbexec_sysmon1_child')]!.events[0]!;
    expect(child.fields.process).toBe('C:\\Windows\\system32\\cmd.exe  /Q /c C:\\Windows\\TEMP\\execute.bat '); // trailing space as logged
    expect(child.fields.parent_process).toBe(
      'C:\\Windows\\system32\\cmd.exe /Q /c echo cd  ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > C:\\Windows\\TEMP\\execute.bat & C:\\Windows\\system32\\cmd.exe /Q /c C:\\Windows\\TEMP\\execute.bat & del C:\\Windows\\TEMP\\execute.bat',
    );
    // PsExec target: the cmd.exe line carrying -accepteula, parent PSEXESVC.
    const target = per[MDEC.indexOf('psexec_target_4688')]!.events;
    const eula = target.filter((e) => e.fields.process?.includes(' -accepteula'));
    expect(eula).toHaveLength(1);
    expect(eula[0]!.fields.process_name?.toLowerCase()).toBe('cmd.exe');
    expect(eula[0]!.fields.parent_process_name?.toUpperCase()).toBe('PSEXESVC.EXE');
    expect(eula[0]!.fields.process_id).toMatch(/^\d+$/);
  });

  it('ingestFile: the wmiexec capture re-encoded as UTF-16LE gives the same events, offsets in file bytes', async () => {
    const src = resolve(SHARED, 'evtxattack-impacket-wmiexec/LM_wmiexec_impacket_sysmon_whoami.xml');
    const dir = mkdtempSync(join(tmpdir(), 'hopscope-real-'));
    try {
      const text = readFileSync(src, 'utf8');
      const utf16 = join(dir, 'wmiexec-utf16.xml');
      writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
      const a = new CollectingSink();
      const b = new CollectingSink();
      const ra = await ingestFile(src, { evidence: 1, sink: a, chunkBytes: 8191 });
      const rb = await ingestFile(utf16, { evidence: 1, sink: b, chunkBytes: 8191 });
      expect(ra.encoding).toBe('utf-8');
      expect(rb.encoding).toBe('utf-16le');
      expect(b.records.map((r) => r.fields)).toEqual(a.records.map((r) => r.fields));
      expect(b.records.filter((r) => (r.kind ?? 'process_creation') === 'process_creation')).toHaveLength(4);
      expect(b.records).toHaveLength(7);
      const bytes8 = readFileSync(src);
      const bytes16 = readFileSync(utf16);
      for (let i = 0; i < 4; i++) {
        expect(bytes8.subarray(a.records[i]!.byteOffset, a.records[i]!.byteOffset + 6).toString('utf8')).toBe('<Event');
        expect(bytes16.subarray(b.records[i]!.byteOffset, b.records[i]!.byteOffset + 12).toString('utf16le')).toBe('<Event');
        expect(b.records[i]!.line).toBe(a.records[i]!.line);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
