// Sigma loading: metadata and level→risk, multi-document files, unsupported features and YAML errors
// reported with positions (never thrown), explanations, budget and cancellation.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HopscopeError } from '../../../../engine/model/errors.ts';
import { SIGMA_LEVEL_RISK, compileSigmaRule, loadSigmaRules, sigmaRiskScore, techniquesFromTags, type SigmaRuleMeta } from '../../../../engine/rules/sigma/index.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { compile, ev, load, rule } from './helpers.ts';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/sigma');
const fixture = (name: string) => ({ path: resolve(fixtures, name), text: readFileSync(resolve(fixtures, name), 'utf8') });

const full = `title: PsExec service spawned cmd
id: 11111111-2222-3333-4444-555555555555
status: stable
description: |
    Detects a shell spawned by the PsExec service.
references:
    - https://example.org/psexec
author: Hopscope tests
date: 2026-01-01
tags:
    - attack.lateral-movement
    - attack.t1021.002
    - attack.t1569.002
    - attack.s0029
    - car.2013-05-002
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        ParentImage|endswith: '\\PSEXESVC.exe'
        Image|endswith: '\\cmd.exe'
    condition: selection
falsepositives:
    - Administrators
level: critical
`;

describe('sigma rule metadata', () => {
  it('keeps id, title, text fields, techniques, level and risk', () => {
    const r = compile(full);
    const m = r.meta as SigmaRuleMeta;
    expect(m.id).toBe('11111111-2222-3333-4444-555555555555');
    expect(m.title).toBe('PsExec service spawned cmd');
    expect(m.language).toBe('sigma');
    expect(m.origin).toBe('sigma');
    expect(m.source).toBe('test.yml');
    expect(m.description).toBe('Detects a shell spawned by the PsExec service.');
    expect(m.references).toEqual(['https://example.org/psexec']);
    expect(m.falsePositives).toEqual(['Administrators']);
    expect(m.techniques).toEqual(['T1021.002', 'T1569.002']);
    expect(m.level).toBe('critical');
    expect(m.riskScore).toBe(90);
    expect(m.status).toBe('stable');
    expect(m.author).toBe('Hopscope tests');
    expect(m.date).toBe('2026-01-01');
    expect(m.contentSha256).toBeUndefined();
  });

  it('maps every level to its documented risk score', () => {
    expect(SIGMA_LEVEL_RISK).toEqual({ informational: 10, low: 25, medium: 50, high: 75, critical: 90 });
    for (const [level, risk] of Object.entries(SIGMA_LEVEL_RISK)) {
      expect(compile(full.replace('level: critical', `level: ${level}`)).meta.riskScore).toBe(risk);
    }
    expect(sigmaRiskScore(undefined)).toBe(50);
    expect(sigmaRiskScore('HIGH')).toBe(75);
    expect(sigmaRiskScore('bogus')).toBe(50);
  });

  it('extracts techniques only from attack.tNNNN(.NNN) tags', () => {
    expect(techniquesFromTags(['attack.t1059', 'attack.T1059.001', 'attack.execution', 'attack.g0016', 'attack.t1059'])).toEqual(['T1059', 'T1059.001']);
  });
});

describe('sigma loading', () => {
  it('loads multi-document files with action: global; a network_connection rule reads only network connections', () => {
    const set = loadSigmaRules([fixture('collection.yml')]);
    expect(set.rules.map((r) => r.meta.id)).toEqual([
      '5f3c8e2a-0001-4000-8000-000000000001', '5f3c8e2a-0001-4000-8000-000000000002', '5f3c8e2a-0001-4000-8000-000000000003',
    ]);
    expect(set.rules[0]!.meta.title).toBe('Remote admin tool collection');
    expect(set.rules[0]!.meta.riskScore).toBe(50);
    expect(set.rules[1]!.meta.riskScore).toBe(75);
    expect(set.rules[1]!.meta.techniques).toEqual(['T1021.002']);
    expect(set.issues).toHaveLength(0);
    const hits = set.rules[1]!.run(createMemorySource([ev({ process_path: 'C:\\x\\PAEXEC.EXE' }), ev({ process_path: 'C:\\x\\psexesvc.exe' })]));
    expect(Array.from(hits.rows)).toEqual([0]);
    // The process_creation rule does not read a network event with the same Image; the network rule reads only it.
    const net = { ...ev({ process_path: 'C:\\x\\paexec.exe' }, { DestinationPort: '445' }), kind: 'network_connection' as const };
    const mixed = createMemorySource([ev({ process_path: 'C:\\x\\paexec.exe' }, { DestinationPort: '445' }), net]);
    expect(Array.from(set.rules[1]!.run(mixed).rows)).toEqual([0]);
    expect(Array.from(set.rules[2]!.run(mixed).rows)).toEqual([1]);
    const why = set.rules[1]!.explain(mixed, 1);
    expect(why.matched).toBe(false);
    expect(why.steps[0]).toMatchObject({ stage: 'logsource', condition: '[not held] category process_creation' });
  });

  it('lists logsources Hopscope has no definition for as unsupported, with their location', () => {
    const text = 'title: t\nid: 5f3c8e2a-0001-4000-8000-00000000000a\nlogsource:\n    product: linux\n    category: process_creation\ndetection:\n    sel:\n        Image: x\n    condition: sel\n';
    const set = loadSigmaRules([{ path: 'linux.yml', text }, { path: 'odd.yml', text: text.replace('product: linux', 'product: windows').replace('process_creation', 'no_such_category') }]);
    expect(set.rules).toHaveLength(0);
    expect(set.issues.map((i) => [i.severity, i.code, i.location?.line])).toEqual([['unsupported', 'E_RULE_UNSUPPORTED', 4], ['unsupported', 'E_RULE_UNSUPPORTED', 4]]);
    expect(set.issues[0]!.message).toMatch(/product linux/);
    expect(set.issues[1]!.message).toMatch(/no_such_category/);
  });

  it('reports YAML syntax errors with line and column, and keeps loading other files', () => {
    const set = loadSigmaRules([fixture('broken.yml'), { path: 'ok.yml', text: full }]);
    expect(set.rules.map((r) => r.meta.id)).toEqual(['11111111-2222-3333-4444-555555555555']);
    const err = set.issues.find((i) => i.source.endsWith('broken.yml'))!;
    expect(err.severity).toBe('error');
    expect(err.code).toBe('E_RULE_PARSE');
    expect(err.location?.file).toMatch(/broken\.yml$/);
    expect(err.location?.line).toBe(9);
    expect(err.location?.column).toBeGreaterThan(0);
  });

  it('never throws on garbage', () => {
    const inputs = ['', '\u0000\u0001\u0002', '- a\n- b', 'just a string', '{{{{', 'a: [1, 2', 'x: &a [1]\ny: *a', ':\n  :\n', 'detection: 5', '\ufeff---\n---\n'];
    for (const text of inputs) {
      expect(() => loadSigmaRules([{ path: 'g.yml', text }])).not.toThrow();
    }
    const set = loadSigmaRules(inputs.map((text, i) => ({ path: `g${i}.yml`, text })));
    expect(set.rules).toHaveLength(0);
    for (const i of set.issues) expect(i.location?.file).toMatch(/^g\d+\.yml$/);
  });

  it('hostile names and nesting stay errors, never prototype lookups or stack overflows', () => {
    expect(sigmaRiskScore('constructor')).toBe(50);
    expect(compile(full.replace('level: critical', 'level: __proto__')).meta.riskScore).toBe(50);
    const proto = compile(rule(`    sel:\n        constructor: x\n    condition: sel`));
    expect(Array.from(proto.run(createMemorySource([ev({ process: 'x' }, { constructor: 'x' })])).rows)).toEqual([0]);
    const deep = load(rule(`    sel:\n        CommandLine: x\n    condition: ${'('.repeat(5000)}sel${')'.repeat(5000)}`));
    expect(deep.rules).toHaveLength(0);
    expect(deep.issues[0]!.message).toMatch(/nests deeper/);
    const nots = load(rule(`    sel:\n        CommandLine: x\n    condition: ${'not '.repeat(5000)}sel`));
    expect(nots.issues[0]!.message).toMatch(/nests deeper/);
  });

  it('lists unsupported features with the reason and where', () => {
    const cases: Array<[string, RegExp]> = [
      [rule(`    sel:\n        CommandLine|expand: '%x%'\n    condition: sel`), /unsupported modifier "expand"/],
      [rule(`    sel:\n        CommandLine: x\n    timeframe: 5m\n    condition: sel`), /timeframe/],
      [rule(`    sel:\n        CommandLine: x\n    condition: sel | count() > 3`), /aggregation/],
      [rule(`    sel:\n        CommandLine|base64: 'a*b'\n    condition: sel`), /wildcards/],
      [`title: l\nid: l1\nlogsource:\n    category: process_creation\n    product: linux\ndetection:\n    s:\n        Image: x\n    condition: s\n`, /product linux/],
    ];
    for (const [text, why] of cases) {
      const set = load(text);
      expect(set.rules).toHaveLength(0);
      expect(set.issues).toHaveLength(1);
      expect(set.issues[0]!.severity).toBe('unsupported');
      expect(set.issues[0]!.message).toMatch(why);
      expect(set.issues[0]!.location?.line).toBeGreaterThan(0);
    }
  });

  it('malformed detections are errors with positions', () => {
    const cases: Array<[string, RegExp, number]> = [
      [rule(`    sel:\n        CommandLine: []\n    condition: sel`), /empty value list/, 9],
      [rule(`    sel:\n        CommandLine|exists: maybe\n    condition: sel`), /exists/, 9],
      [rule(`    sel:\n        ProcessId|gt: many\n    condition: sel`), /needs a number/, 9],
      [rule(`    sel:\n        Ip|cidr: 10.0.0.0/33\n    condition: sel`), /invalid CIDR/, 9],
      [rule(`    sel:\n        CommandLine|i: x\n    condition: sel`), /only applies to "re"/, 9],
      [rule(`    sel:\n        CommandLine:\n            - a: b\n    condition: sel`), /only plain values/, 10],
      [rule(`    sel:\n        CommandLine: x`), /no "condition"/, 7],
    ];
    for (const [text, why, line] of cases) {
      const set = load(text);
      expect(set.rules, String(why)).toHaveLength(0);
      expect(set.issues[0]!.severity).toBe('error');
      expect(set.issues[0]!.message).toMatch(why);
      expect(set.issues[0]!.location?.line, String(why)).toBe(line);
    }
  });

  it('regex errors are rule errors located at the value', () => {
    const set = load(rule(`    sel:\n        CommandLine|re: '(unclosed'\n    condition: sel`));
    expect(set.rules).toHaveLength(0);
    expect(set.issues[0]).toMatchObject({ severity: 'error', code: 'E_RULE_REGEX' });
    expect(set.issues[0]!.location).toMatchObject({ file: 'test.yml', line: 9 });
  });

  it('uses an injected regex compiler', () => {
    const seen: string[] = [];
    const set = loadSigmaRules([{ path: 'r.yml', text: rule(`    sel:\n        CommandLine|re|i: 'ab+c'\n    condition: sel`) }], {
      compileRegex: (p, o) => {
        seen.push(`${p}/${o?.caseInsensitive}`);
        return { source: p, engine: 'native', requiredLiterals: [], test: () => true };
      },
    });
    expect(seen).toEqual(['ab+c/true']);
    expect(set.rules).toHaveLength(1);
  });

  it('skips a duplicate rule id with a warning', () => {
    const set = loadSigmaRules([{ path: 'a.yml', text: full }, { path: 'b.yml', text: full }]);
    expect(set.rules).toHaveLength(1);
    expect(set.issues).toMatchObject([{ severity: 'warning', source: 'b.yml' }]);
  });

  it('compileSigmaRule throws the located issue', () => {
    let err: unknown;
    try {
      compileSigmaRule({ path: 'x.yml', text: rule(`    sel:\n        CommandLine|nope: x\n    condition: sel`) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HopscopeError);
    expect((err as HopscopeError).code).toBe('E_RULE_UNSUPPORTED');
    expect((err as HopscopeError).location).toMatchObject({ file: 'x.yml', line: 9, column: 9 });
  });
});

describe('sigma explain, budget and cancellation', () => {
  const text = rule(`    selection_img:\n        Image|endswith: '\\cmd.exe'\n    selection_cli:\n        CommandLine|contains: '/c'\n    filter:\n        Description: Legit\n    condition: all of selection_* and not filter`);
  const events = [
    ev({ process_path: 'C:\\Windows\\cmd.exe', process: 'cmd /c whoami' }),
    ev({ process_path: 'C:\\Windows\\cmd.exe', process: 'cmd /k' }, { Description: 'Legit' }),
  ];

  it('explains each selection with the mapped field values', () => {
    const r = compile(text);
    const src = createMemorySource(events);
    const yes = r.explain(src, 0);
    expect(yes.matched).toBe(true);
    expect(yes.steps.map((s) => s.stage)).toEqual(['selection_img', 'selection_cli', 'filter', 'condition']);
    expect(yes.steps[0]!.condition).toMatch(/^\[held\] Image\|endswith/);
    expect(yes.steps[0]!.fields).toEqual({ 'Image→process_path': 'C:\\Windows\\cmd.exe' });
    expect(yes.steps[2]!.condition).toMatch(/^\[not held\]/);
    expect(yes.steps[2]!.fields).toEqual({ Description: null });
    const no = r.explain(src, 1);
    expect(no.matched).toBe(false);
    expect(no.steps[1]!.condition).toMatch(/^\[not held\]/);
    expect(no.steps[1]!.fields).toEqual({ 'CommandLine→process': 'cmd /k' });
    expect(no.steps[2]!.fields).toEqual({ Description: 'Legit' });
  });

  it('skips a view whose dictionary rules the match out, without reading other columns', () => {
    // Command line first: a row-by-row scan would read it before finding no cmd.exe image.
    const r = compile(text.replace('all of selection_* and not filter', 'selection_cli and selection_img and not filter'));
    const rows = Array.from({ length: 40 }, (_, i) => (i % 2 ? ev({ process_path: 'C:\\x\\notepad.exe', process: 'notepad /c' }) : ev({ process_path: 'C:\\x\\calc.exe', process: 'calc /c' })));
    const base = createMemorySource(rows);
    let reads = 0;
    const view = base.views[0]!;
    const counted = {
      ...view,
      column: (name: string) => {
        const col = view.column(name);
        if (!col || name === 'process_path') return col;
        return { get: (row: number) => (reads++, col.get(row)) };
      },
      fieldNames: () => view.fieldNames(),
      text: (row: number) => view.text(row),
    };
    const res = r.run({ rowCount: 40, views: [counted] });
    expect(Array.from(res.rows)).toEqual([]);
    expect(reads).toBe(0);
    // the same view with a cmd.exe row is scanned and matches
    const hit = createMemorySource([ev({ process_path: 'C:\\x\\notepad.exe', process: 'x' }), ...events]);
    expect(Array.from(r.run(hit).rows)).toEqual([1]);
  });

  it('stops with E_RULE_BUDGET when the clock passes the budget, E_CANCELLED when asked', () => {
    const many = Array.from({ length: 5000 }, () => ev({ process_path: 'C:\\Windows\\cmd.exe', process: 'cmd /c x' }));
    const r = compile(text);
    let t = 0;
    const budget = r.run(createMemorySource(many), { budgetMs: 3, now: () => (t += 1) });
    expect(budget.error?.code).toBe('E_RULE_BUDGET');
    expect(budget.rows.length).toBeLessThan(5000);
    const cancelled = r.run(createMemorySource(many), { isCancelled: () => true });
    expect(cancelled.error?.code).toBe('E_CANCELLED');
    const done = r.run(createMemorySource(many, [1000, 1000, 1000]));
    expect(done.error).toBeUndefined();
    expect(done.rows.length).toBe(5000);
    expect(done.rows[4999]).toBe(4999);
  });
});
