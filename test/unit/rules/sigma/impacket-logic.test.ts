// The logic of Sigma rule 10c14723 (Impacket wmiexec/dcomexec/smbexec/atexec), written here in our own
// words, must catch the real event shapes the SPL seed misses: a quoted "C:\...\cmd.exe" from mmc.exe.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../../engine/ingest/index.ts';
import { compileSigmaRule } from '../../../../engine/rules/sigma/index.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { ev, matches } from './helpers.ts';

const impacketRule = `title: Impacket remote shell (test copy of the 10c14723 logic)
id: hopscope-test-impacket
logsource:
    category: process_creation
    product: windows
detection:
    selection_other:
        ParentImage|endswith:
            - '\\wmiprvse.exe'
            - '\\mmc.exe'
            - '\\explorer.exe'
            - '\\services.exe'
        CommandLine|contains|all:
            - 'cmd.exe'
            - '/Q'
            - '/c'
            - '\\\\\\\\127.0.0.1\\\\'
            - '&1'
    selection_atexec:
        ParentCommandLine|contains:
            - 'svchost.exe -k netsvcs'
            - 'taskeng.exe'
        CommandLine|contains|all:
            - 'cmd.exe'
            - '/C'
            - 'Windows\\Temp\\'
            - '&1'
    condition: 1 of selection_*
level: high
`;

const events = [
  // dcomexec MMC20: quoted cmd.exe path, parent mmc.exe
  ev({ parent_process_path: 'C:\\Windows\\System32\\mmc.exe', process_path: 'C:\\Windows\\System32\\cmd.exe', process: '"C:\\Windows\\System32\\cmd.exe" /Q /c cd  1> \\\\127.0.0.1\\ADMIN$\\__1567442499.05 2>&1' }),
  // dcomexec ShellBrowserWindow: parent explorer.exe
  ev({ parent_process_path: 'C:\\Windows\\explorer.exe', process_path: 'C:\\Windows\\System32\\cmd.exe', process: '"C:\\Windows\\System32\\cmd.exe" /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1567520103.71 2>&1' }),
  // wmiexec: unquoted, parent WmiPrvSE.exe (case differs)
  ev({ parent_process_path: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', process_path: 'C:\\Windows\\System32\\cmd.exe', process: 'cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1567439113.54 2>&1' }),
  // atexec on Windows 10
  ev({ parent_process: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule', process_path: 'C:\\Windows\\System32\\cmd.exe', process: 'cmd.exe /C tasklist /m > C:\\Windows\\Temp\\bAJrYQtL.tmp 2>&1' }),
  // benign: same parent, no loopback share
  ev({ parent_process_path: 'C:\\Windows\\System32\\mmc.exe', process_path: 'C:\\Windows\\System32\\cmd.exe', process: '"C:\\Windows\\System32\\cmd.exe" /Q /c dir' }),
  // benign: loopback share but an unrelated parent
  ev({ parent_process_path: 'C:\\Program Files\\Tool\\tool.exe', process_path: 'C:\\Windows\\System32\\cmd.exe', process: 'cmd.exe /Q /c x 1> \\\\127.0.0.1\\ADMIN$\\__1 2>&1' }),
  // a single backslash before 127.0.0.1 is not the UNC loopback path the rule asks for
  ev({ parent_process_path: 'C:\\Windows\\System32\\mmc.exe', process_path: 'C:\\Windows\\System32\\cmd.exe', process: 'cmd.exe /Q /c x 1> \\127.0.0.1\\ADMIN$\\__1 2>&1' }),
];

describe('Impacket lateral movement logic (Sigma 10c14723 style)', () => {
  it('the YAML value \\\\\\\\127.0.0.1\\\\ unescapes to \\\\127.0.0.1\\', () => {
    expect(impacketRule).toContain(`- '\\\\\\\\127.0.0.1\\\\'`);
  });

  it('matches the dcomexec MMC/ShellBrowserWindow, wmiexec and atexec shapes, not the benign ones', () => {
    expect(matches(impacketRule, events)).toEqual([0, 1, 2, 3]);
  });

  it('explains the dcomexec MMC match through the mapped fields', () => {
    const r = compileSigmaRule({ path: 'impacket.yml', text: impacketRule });
    const ex = r.explain(createMemorySource(events), 0);
    expect(ex.matched).toBe(true);
    expect(ex.steps[0]).toMatchObject({ stage: 'selection_other', fields: { 'ParentImage→parent_process_path': 'C:\\Windows\\System32\\mmc.exe' } });
    expect(ex.steps[0]!.condition).toMatch(/^\[held\]/);
    expect(ex.steps[1]!.condition).toMatch(/^\[not held\]/);
  });
});

const sharedData = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..', '../shared/data');
const shared = join(sharedData, 'sigma/rules-process-creation');
const sharedRule = join(shared, 'proc_creation_win_hktl_impacket_lateral_movement.yml');
const recordings = [
  { file: 'evtxattack-impacket-dcomexec-mmc/LM_impacket_docmexec_mmc_sysmon_01.xml', parent: /\\mmc\.exe$/i },
  { file: 'evtxattack-impacket-wmiexec/LM_wmiexec_impacket_sysmon_whoami.xml', parent: /\\wmiprvse\.exe$/i },
];

describe.skipIf(!existsSync(sharedRule))('SigmaHQ 10c14723 itself (shared data)', () => {
  it('matches the same events', () => {
    const r = compileSigmaRule({ path: sharedRule, text: readFileSync(sharedRule, 'utf8') });
    expect(r.meta.id).toBe('10c14723-61c7-4c75-92ca-9af245723ad2');
    expect(Array.from(r.run(createMemorySource(events)).rows)).toEqual([0, 1, 2, 3]);
  });
});

describe.skipIf(!existsSync(sharedRule) || !recordings.every((r) => existsSync(join(sharedData, r.file))))('10c14723 on recorded Impacket attacks (shared data)', () => {
  it.each(recordings)('$file: the shells Impacket started match, nothing else', ({ file, parent }) => {
    const r = compileSigmaRule({ path: sharedRule, text: readFileSync(sharedRule, 'utf8') });
    const evs = ingestText(readFileSync(join(sharedData, file), 'utf8')).events;
    const rows = Array.from(r.run(createMemorySource(evs)).rows);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(evs[row]!.fields.parent_process_path).toMatch(parent);
      expect(evs[row]!.fields.process).toMatch(/cmd\.exe.*\/Q \/c.*\\\\127\.0\.0\.1\\/i);
    }
    // every such shell is found
    const shells = evs.filter((e) => parent.test(e.fields.parent_process_path ?? '') && /\\\\127\.0\.0\.1\\/.test(e.fields.process ?? ''));
    expect(rows.length).toBe(shells.length);
  });
});
