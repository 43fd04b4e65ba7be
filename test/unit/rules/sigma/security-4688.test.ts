// Sigma rules over a Windows Security 4688 event (through the ingest layer): Sysmon-named rules reach
// it through canonical fields, 4688-named rules through the mapping, and the event's own spellings win
// where canonical values are normalised (SubjectUserName, MandatoryLabel).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../../engine/ingest/index.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { compile, rule } from './helpers.ts';

const xml = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/sigma/security-4688.xml'), 'utf8');
const events = ingestText(xml).events;
const hits = (detection: string) => Array.from(compile(rule(detection)).run(createMemorySource(events)).rows);

describe('Sigma over Security 4688', () => {
  it('ingests the fixture as one 4688 process event', () => {
    expect(events).toHaveLength(1);
    expect(events[0]!.source).toBe('security-4688');
  });

  it('Sysmon names match through canonical fields', () => {
    expect(hits(`    sel:\n        ParentImage|endswith: '\\wmiprvse.exe'\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains|all: ['/Q', '/c', '\\\\\\\\127.0.0.1\\\\', '&1']\n    condition: sel`)).toEqual([0]);
    expect(hits(`    sel:\n        Computer: ws-042.corp.example\n    condition: sel`)).toEqual([0]);
    expect(hits(`    sel:\n        ProcessId: 6700\n    condition: sel`)).toEqual([0]);
    expect(hits(`    sel:\n        ParentProcessId: 752\n    condition: sel`)).toEqual([0]);
  });

  it('4688 names match, with the original spellings for normalised fields', () => {
    expect(hits(`    sel:\n        NewProcessName|endswith: '\\cmd.exe'\n        ParentProcessName|endswith: '\\WmiPrvSE.exe'\n    condition: sel`)).toEqual([0]);
    expect(hits(`    sel:\n        SubjectUserName|endswith: '$'\n    condition: sel`)).toEqual([0]);
    expect(hits(`    sel:\n        MandatoryLabel: S-1-16-16384\n    condition: sel`)).toEqual([0]);
    expect(hits(`    sel:\n        TokenElevationType: '%%1936'\n    condition: sel`)).toEqual([0]);
  });

  it('fields 4688 lacks do not match, and their negation does', () => {
    expect(hits(`    sel:\n        ParentCommandLine|contains: 'x'\n    condition: sel`)).toEqual([]);
    expect(hits(`    sel:\n        OriginalFileName: cmd.exe\n    condition: not sel`)).toEqual([0]);
  });
});
