// Rule-text fuzz targets: mutated SPL rule files (with macros) and Sigma rules are loaded and whatever loads
// is run over hostile events. Oracle: the loaders never throw, issues are located and never E_INTERNAL,
// runs end without E_INTERNAL, and a 60 s budget is never needed (the test timeout catches a hang).

import { loadRulePack } from '../../engine/rules/pack.ts';
import { loadSigmaRules } from '../../engine/rules/sigma/index.ts';
import type { LoadedRuleSet } from '../../engine/rules/types.ts';
import type { CanonicalEvent } from '../../engine/model/fields.ts';
import { createMemorySource } from '../../engine/store/memory-view.ts';
import { inputSeed, mutateText, Rand } from './lib.ts';
import type { Failure, TargetResult } from './readers.ts';

const SPL_RULE = [
  'id: fuzz-spl', 'title: Fuzz SPL', 'language: spl', 'risk_score: 10', 'search: |-',
  '  | tstats count from datamodel=Endpoint.Processes where `process_psexec` Processes.process=*accepteula* by Processes.dest Processes.process Processes.parent_process_name | `drop_dm_object_name(Processes)` | where match(process, "(?i)cmd\\.exe\\s+/Q") OR like(process, "%echo%") | eval x=len(process) | bin span=1s _time | stats values(x) as x count by dest', '',
].join('\n');

const SPL_MACROS = '[drop_dm_object_name(1)]\nargs = field\ndefinition = rename $field$.* as *\n\n[process_psexec]\ndefinition = (Processes.process_name=psexec.exe OR Processes.original_file_name=psexec.c)\n\n[loop_a]\ndefinition = `loop_b`\n\n[loop_b]\ndefinition = `loop_a`\n';

const SIGMA_RULE = `title: Fuzz Sigma
id: 11111111-2222-3333-4444-555555555555
status: test
logsource:
    category: process_creation
    product: windows
detection:
    selection_img:
        - Image|endswith: '\\cmd.exe'
        - OriginalFileName: 'Cmd.Exe'
    selection_cli:
        CommandLine|contains|windash:
            - ' -c '
            - '/c'
        CommandLine|re|i: 'who(am)?i'
    filter:
        ParentImage|startswith|cased: 'C:\\Legit'
        ProcessId|gt: 5
        CommandLine|base64offset|contains: 'IEX'
    keywords:
        - 'SQBFAFgA'
    condition: (all of selection_* and not 1 of filter*) or keywords
level: high
tags:
    - attack.t1059.003
`;

let rec = 0;
function ev(cmd: string): CanonicalEvent {
  rec++;
  return {
    timeMs: 1_714_550_400_000 + rec,
    fields: { dest: 'WS1', process: cmd, process_name: 'cmd.exe', process_path: 'C:\\Windows\\System32\\cmd.exe', parent_process_path: 'C:\\Windows\\explorer.exe' },
    original: { CommandLine: cmd, ProcessId: '77' },
    raw: `<Event>${cmd}</Event>`,
    source: 'sysmon',
    locator: { evidence: 0, record: rec, line: rec, byteOffset: 0 },
  };
}

const EVENTS = [ev('cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1 2>&1'), ev('a'.repeat(20_000) + '!'), ev('psexec.exe -accepteula \\\\ws2 cmd'), ev('')];

function checkSet(set: LoadedRuleSet, problems: string[]): void {
  const src = createMemorySource(EVENTS, [2]);
  for (const issue of set.issues) {
    if (issue.code === 'E_INTERNAL') problems.push(`load issue E_INTERNAL: ${issue.message}`);
    if (!issue.message) problems.push('load issue without a message');
    if (!issue.location) problems.push(`load issue without a location: ${issue.message}`);
  }
  for (const rule of set.rules) {
    const res = rule.run(src, { budgetMs: 60_000 });
    if (res.error?.code === 'E_INTERNAL') problems.push(`run E_INTERNAL: ${res.error.message}`);
    for (let row = 0; row < EVENTS.length; row++) rule.explain(src, row);
  }
}

/** YAML-level hostility: anchors and aliases (bombs too), merge keys, tags, documents, flow collections. */
const YAML_TOKENS = [
  '&a ', '*a', '<<: *a\n', '!!binary ', '!!js/function ', '!!python/object:os.system ', '? ', '--- \n', '...\n', '{', '[', '%YAML 1.1\n',
  'x: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n', 'y: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n', 'z: [*c, *c, *c, *c, *c, *c, *c, *c]\n',
];

function mutateRule(text: string, r: Rand): string {
  let t = mutateText(text, r);
  for (let k = r.int(3); k > 0; k--) {
    // At a line start, where YAML syntax takes effect.
    const lines = t.split('\n');
    const at = r.int(lines.length + 1);
    lines.splice(at, 0, r.pick(YAML_TOKENS) + (r.chance(0.5) ? r.pick(lines) ?? '' : ''));
    t = lines.join('\n');
  }
  return t;
}

function fuzzRules(target: string, n: number, base: number, load: (text: string) => LoadedRuleSet, seedText: string): TargetResult {
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    const text = mutateRule(seedText, new Rand(s));
    const problems: string[] = [];
    res.tried++;
    try {
      const set = load(text);
      if (set.rules.length === 0) res.refused++;
      checkSet(set, problems);
    } catch (err) {
      problems.push(`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
    if (problems.length > 0) res.failures.push({ target, seed: s, message: problems.slice(0, 3).join('\n'), sample: JSON.stringify(text.slice(0, 400)) } satisfies Failure);
  }
  return res;
}

export function fuzzSplRules(n: number, base: number): TargetResult {
  return fuzzRules('rules:spl', n, base, (text) => loadRulePack([{ path: 'user/fuzz.yml', text }], [{ path: 'macros.conf', text: SPL_MACROS }]), SPL_RULE);
}

export function fuzzSigmaRules(n: number, base: number): TargetResult {
  return fuzzRules('rules:sigma', n, base, (text) => loadSigmaRules([{ path: 'fuzz.yml', text }]), SIGMA_RULE);
}
