// SPL language semantics on real-shaped events: precedence, strings, wildcards, commands, stats lineage,
// fillnull, push-down, macros, located errors, budget and cancellation.

import { describe, expect, it } from 'vitest';
import { HopscopeError } from '../../../../engine/model/errors.ts';
import type { CanonicalEvent } from '../../../../engine/model/fields.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { loadRulePack } from '../../../../engine/rules/pack.ts';
import { compileSpl, type SplProgram } from '../../../../engine/rules/spl/compile.ts';
import { parseMacrosConf, type MacroTable } from '../../../../engine/rules/spl/macros.ts';
import { macroFiles, sec4688, sysmon1 } from './fixtures.ts';

const MACROS = parseMacrosConf(macroFiles()[0]!.text, 'macros.conf');

function spl(text: string, macros: MacroTable = MACROS): SplProgram {
  return compileSpl({ text, macros, file: 'test.spl' });
}
function rowsOf(text: string, events: CanonicalEvent[], opts: { dictionary?: boolean; segments?: number[] } = {}): number[] {
  const res = spl(text).run(createMemorySource(events, opts.segments, { dictionary: opts.dictionary ?? true }));
  expect(res.error).toBeUndefined();
  return [...res.rows];
}
function err(f: () => unknown): HopscopeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HopscopeError);
    return e as HopscopeError;
  }
  throw new Error('expected an error');
}

const ev = (host: string, time: string, image: string, cmd: string, parentImage?: string, user = 'CORP\\alice') =>
  sysmon1({ time, host, user, image, cmd, parentImage });

const EVENTS = [
  ev('WS1', '2024-03-01T10:00:00.250Z', 'C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c whoami', 'C:\\Windows\\explorer.exe'),
  ev('WS1', '2024-03-01T10:00:00.750Z', 'C:\\Windows\\System32\\net.exe', 'net use \\\\fs01\\share', 'C:\\Windows\\System32\\cmd.exe'),
  ev('WS2', '2024-03-01T10:00:00.500Z', 'C:\\Windows\\System32\\cmd.exe', '"C:\\Windows\\System32\\cmd.exe" /Q /c dir', 'C:\\Windows\\System32\\mmc.exe', 'CORP\\bob'),
  ev('WS2', '2024-03-01T10:01:05.000Z', 'C:\\Windows\\System32\\PING.EXE', 'ping -n 1 10.0.0.1', 'C:\\Windows\\System32\\cmd.exe', 'CORP\\bob'),
  sec4688({ time: '2024-03-01T10:00:00.900Z', host: 'WS3', user: 'CORP\\carol', image: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd /c echo hi', parentImage: 'C:\\Windows\\explorer.exe' }, 1),
];

describe('search stage', () => {
  it('binds NOT > OR > AND: "A B OR C" is A AND (B OR C)', () => {
    // "whoami" only in 0; "dir" only in 2; "cmd" in 0, 1 (parent), 2, 3 (parent), 4
    expect(rowsOf('"net.exe" "whoami" OR "dir"', EVENTS)).toEqual([]);
    expect(rowsOf('"cmd" "whoami" OR "dir"', EVENTS)).toEqual([0, 2]);
    expect(rowsOf('"whoami" OR "dir" "mmc.exe"', EVENTS)).toEqual([2]);
    expect(rowsOf('NOT "whoami" OR "dir" "cmd"', EVENTS)).toEqual([1, 2, 3, 4]);
    expect(rowsOf('NOT ("whoami" OR "dir") process_name=cmd.exe', EVENTS)).toEqual([4]);
  });

  it('terms are case-insensitive substrings of the event text (raw record + canonical name=value pairs)', () => {
    expect(rowsOf('"PING.exe"', EVENTS)).toEqual([3]);
    expect(rowsOf('"<EventID>4688<"', EVENTS)).toEqual([4]);
    expect(rowsOf('TERM(EventCode=1)', EVENTS)).toEqual([0, 1, 2, 3]);
    expect(rowsOf('TERM(EventCode=4688)', EVENTS)).toEqual([4]);
    // TERM needs breakers around it: EventCode=1 must not match EventCode=11.
    const fileCreate = { ...EVENTS[0]!, fields: { ...EVENTS[0]!.fields, EventCode: '11' }, raw: '<EventID>11</EventID>' };
    expect(rowsOf('TERM(EventCode=1)', [fileCreate])).toEqual([]);
  });

  it('field=value is case-insensitive with * wildcards; field names are case-sensitive; != and IN', () => {
    expect(rowsOf('process_name=CMD.EXE', EVENTS)).toEqual([0, 2, 4]);
    expect(rowsOf('Process_Name=cmd.exe', EVENTS)).toEqual([]);
    expect(rowsOf('process_path="*\\\\system32\\\\*.exe" user=*bob', EVENTS)).toEqual([2, 3]);
    expect(rowsOf('process_name IN (net.exe, "ping.exe")', EVENTS)).toEqual([1, 3]);
    expect(rowsOf('dest!=WS1 process_name=cmd.exe', EVENTS)).toEqual([2, 4]);
    // A missing field: neither = nor !=; NOT field=value keeps it.
    expect(rowsOf('parent_process_name!=explorer.exe', EVENTS)).toEqual([1, 2, 3]);
    expect(rowsOf('NOT parent_process_name=explorer.exe', EVENTS)).toEqual([1, 2, 3, 4]);
    expect(rowsOf('parent_process_name=*', EVENTS)).toEqual([0, 1, 2, 3]);
  });

  it('gives the same answer with and without dictionary columns and across segment boundaries', () => {
    const q = '(process_name=cmd.exe OR "ping") NOT dest=WS3';
    const expected = [0, 2, 3];
    expect(rowsOf(q, EVENTS, { dictionary: true })).toEqual(expected);
    expect(rowsOf(q, EVENTS, { dictionary: false })).toEqual(expected);
    expect(rowsOf(q, EVENTS, { segments: [1, 1, 2, 1] })).toEqual(expected);
  });

  it('index= / earliest= / latest= select every event offline (one index, no time window)', () => {
    expect(rowsOf('index=windows earliest=-24h latest=now process_name=cmd.exe', EVENTS)).toEqual([0, 2, 4]);
  });

  it('synthetic sourcetype / vendor_product / host resolve per source kind (get_endpoint_data_sysmon)', () => {
    expect(rowsOf('`get_endpoint_data` `get_endpoint_data_sysmon`', EVENTS)).toEqual([0, 1, 2, 3]);
    expect(rowsOf('sourcetype="XmlWinEventLog:Security"', EVENTS)).toEqual([4]);
    expect(rowsOf('host=ws2', EVENTS)).toEqual([2, 3]);
  });
});

describe('string literals', () => {
  it('in double quotes \\\\ is one backslash and \\" a quote; other backslashes stay', () => {
    const e = ev('WS9', '2024-03-01T11:00:00Z', 'C:\\Windows\\System32\\cmd.exe', 'cmd /c type "C:\\Temp\\a b.txt" > \\\\127.0.0.1\\c$\\x');
    expect(rowsOf('"\\\\127.0.0.1\\c$"', [e])).toEqual([0]);
    expect(rowsOf('"type \\"C:\\Temp"', [e])).toEqual([0]);
    // rules.md: "\\\\127\.0\.0\.1\\.*" reaches the regex engine as \\127\.0\.0\.1\.*
    expect(rowsOf('* | where match(process, "\\\\\\\\127\\.0\\.0\\.1\\\\.*")', [e])).toEqual([0]);
  });
});

describe('where / eval', () => {
  it('binds NOT > AND > OR and compares case-sensitively', () => {
    expect(rowsOf('* | where process_name="cmd.exe" OR process_name="net.exe" AND dest="WS2"', EVENTS)).toEqual([0, 2, 4]);
    expect(rowsOf('* | where (process_name="cmd.exe" OR process_name="net.exe") AND dest="WS2"', EVENTS)).toEqual([2]);
    expect(rowsOf('* | where NOT process_name="cmd.exe" AND dest="WS2"', EVENTS)).toEqual([3]);
    expect(rowsOf('* | where process_name="CMD.EXE"', EVENTS)).toEqual([]);
  });

  it('match() uses PCRE (?i) and a missing field does not match; like, in, isnull, lower, len, substr, replace', () => {
    expect(rowsOf('* | where match(parent_process_name, "(?i)^EXPLORER\\.exe$")', EVENTS)).toEqual([0]);
    expect(rowsOf('* | where NOT match(parent_process_name, "explorer")', EVENTS)).toEqual([1, 2, 3, 4]);
    expect(rowsOf('* | where like(process, "%whoami")', EVENTS)).toEqual([0]);
    expect(rowsOf('* | where in(dest, "WS1", "WS3") AND isnull(parent_process_name)', EVENTS)).toEqual([4]);
    expect(rowsOf('* | eval n=lower(process_name), l=len(dest) | where n="ping.exe" AND l=3', EVENTS)).toEqual([3]);
    expect(rowsOf('* | eval d=substr(dest, 2, 1) | where d="S" AND dest IN ("WS1")', EVENTS)).toEqual([0, 1]);
    expect(rowsOf('* | eval c=replace(process, "^(\\S+) .*", "\\1") | where c="ping"', EVENTS)).toEqual([3]);
    expect(rowsOf('* | eval x=if(match(process, "/Q"), "quiet", coalesce(parent_process, "none")) | where x="quiet"', EVENTS)).toEqual([2]);
    expect(rowsOf('* | eval parts=split(process, " ") | where mvcount(parts) > 3 AND mvindex(parts, 0)="net"', EVENTS)).toEqual([]);
    expect(rowsOf('* | eval parts=split(process, " ") | where mvcount(parts) = 3 AND mvindex(parts, 0)="net"', EVENTS)).toEqual([1]);
    expect(rowsOf('* | eval k=case(dest="WS1", "a", dest="WS2", "b") | where k="b" AND tonumber("0x10", 16)=16', EVENTS)).toEqual([2, 3]);
  });
});

describe('regex command', () => {
  it('filters like where match(), on a field, negated, or on _raw; regex errors point into the rule', () => {
    expect(rowsOf('* | regex process="(?i)^CMD"', EVENTS)).toEqual([0, 4]);
    expect(rowsOf('* | regex process!="(?i)^CMD"', EVENTS)).toEqual([1, 2, 3]);
    expect(rowsOf('* | regex "<EventID>4688<"', EVENTS)).toEqual([4]);
    expect(err(() => spl('* | regex process="a(?>b)"')).location).toEqual({ file: 'test.spl', line: 1, column: 21 });
  });
});

describe('table, rename, bin, stats, convert', () => {
  it('stats merges lineage; a where after stats filters whole groups; same second on two hosts stays apart', () => {
    const p = spl('* | bin span=1s | stats count values(process_name) as procs by _time, dest | where count > 1');
    const res = p.run(createMemorySource(EVENTS));
    // WS1 has two events in 10:00:00; WS2 and WS3 have one each in that second.
    expect([...res.rows]).toEqual([0, 1]);
    expect(res.rowFields?.get(1)).toMatchObject({ dest: 'WS1', count: '2', procs: 'cmd.exe\nnet.exe', _time: String(Date.parse('2024-03-01T10:00:00Z') / 1000) });
  });

  it('bin floors to UTC epoch boundaries of the span', () => {
    const res = spl('* | bin _time span=1m | stats count by _time').run(createMemorySource(EVENTS));
    const times = new Set([...res.rowFields!.values()].map((r) => r['_time']));
    expect([...times].sort()).toEqual([String(Date.parse('2024-03-01T10:00:00Z') / 1000), String(Date.parse('2024-03-01T10:01:00Z') / 1000)]);
  });

  it('stats drops events missing a by-field; tstats fillnull_value keeps them under that value', () => {
    expect([...spl('* | stats count by parent_process_name').run(createMemorySource(EVENTS)).rows]).toEqual([0, 1, 2, 3]);
    const dm = 'from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe by Processes.dest Processes.parent_process_name';
    expect([...spl(`| tstats count ${dm}`).run(createMemorySource(EVENTS)).rows]).toEqual([0, 2]);
    const filled = spl(`| tstats fillnull_value=null count ${dm}`).run(createMemorySource(EVENTS));
    expect([...filled.rows]).toEqual([0, 2, 4]);
    expect(filled.rowFields?.get(4)).toMatchObject({ 'Processes.dest': 'WS3', 'Processes.parent_process_name': 'null' });
  });

  it('tstats aggregates (count, dc, values, min/max/earliest/latest) and drop_dm_object_name + ctime', () => {
    const res = spl(
      '| tstats `security_content_summariesonly` count dc(Processes.process_name) as n values(Processes.process_name) as names min(_time) as firstTime max(_time) as lastTime earliest(Processes.process) as first latest(Processes.process) as last from datamodel=Endpoint.Processes by Processes.dest | `drop_dm_object_name(Processes)` | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)`',
    ).run(createMemorySource(EVENTS));
    expect(res.rowFields?.get(3)).toEqual({
      dest: 'WS2',
      count: '2',
      n: '2',
      names: 'PING.EXE\ncmd.exe', // values() sorts lexicographically (ASCII: upper case first), as Splunk does
      firstTime: '2024-03-01T10:00:00',
      lastTime: '2024-03-01T10:01:05',
      first: '"C:\\Windows\\System32\\cmd.exe" /Q /c dir',
      last: 'ping -n 1 10.0.0.1',
    });
  });

  it('table and rename accept wildcards', () => {
    const res = spl('process_name=net.exe | table _time, dest, parent_* | rename parent_* as p_*, dest as computer').run(createMemorySource(EVENTS));
    expect(res.rowFields?.get(1)).toEqual({
      _time: String(Date.parse('2024-03-01T10:00:00.750Z') / 1000),
      computer: 'WS1',
      p_process_name: 'cmd.exe',
      p_process_path: 'C:\\Windows\\System32\\cmd.exe',
    });
  });
});

describe('sort, fillnull and unsupported commands', () => {
  it('sort keeps the rows; fillnull fills missing fields (and blocks push-down of a where on them)', () => {
    expect(rowsOf('process_name=cmd.exe | sort - _time', EVENTS)).toEqual([0, 2, 4]);
    const p = spl('| tstats count from datamodel=Endpoint.Processes by Processes.dest Processes.parent_process_name | fillnull value=none | where \'Processes.parent_process_name\'="none"');
    expect([...p.run(createMemorySource(EVENTS)).rows]).toEqual([]); // tstats without fillnull_value dropped WS3 already
    const q = spl('process_name=cmd.exe | table dest, parent_process_name | fillnull value=none parent_process_name | where parent_process_name="none"');
    expect([...q.run(createMemorySource(EVENTS)).rows]).toEqual([4]);
  });

  it('order-dependent or unknown commands are refused with their location', () => {
    expect(err(() => spl('* | sort 10 - _time')).code).toBe('E_RULE_UNSUPPORTED');
    const e = err(() => spl('*\n| dedup dest'));
    expect(e.code).toBe('E_RULE_UNSUPPORTED');
    expect(e.location).toEqual({ file: 'test.spl', line: 2, column: 3 });
  });
});

describe('push-down', () => {
  it('a where on by-fields (through renames) runs per event before tstats; other wheres stay after', () => {
    const p = spl(
      '| tstats count from datamodel=Endpoint.Processes by Processes.dest Processes.process | `drop_dm_object_name(Processes)` | where match(process, "(?i)ping") | where count > 0',
    );
    expect(p.eventStages).toContain('where (before tstats): match(process, "(?i)ping")');
    expect(p.postStages.some((s) => s.startsWith('where: where count > 0'))).toBe(true);
    expect([...p.run(createMemorySource(EVENTS)).rows]).toEqual([3]);
    // Renamed onto a different name: the where reads the renamed field, still pushed and still correct.
    const q = spl('| tstats count from datamodel=Endpoint.Processes by Processes.dest | rename Processes.dest as computer | where computer="WS3"');
    expect(q.eventStages.some((s) => s.startsWith('where (before tstats)'))).toBe(true);
    expect([...q.run(createMemorySource(EVENTS)).rows]).toEqual([4]);
  });
});

describe('macros', () => {
  it('expands arguments by name, nests, and locates unknown macros and runaway recursion', () => {
    const m = parseMacrosConf(
      ['[proc(1)]', 'args = name', 'definition = process_name=$name$', '', '[two(2)]', 'args = a, b', 'definition = (`proc($a$)` OR `proc($b$)`)', '', '[loop]', 'definition = `loop`'].join('\n'),
      'm.conf',
    );
    expect([...compileSpl({ text: '`two(net.exe, "ping.exe")`', macros: m }).run(createMemorySource(EVENTS)).rows]).toEqual([1, 3]);
    const unknown = err(() => compileSpl({ text: 'dest=WS1\n  `nope(1)`', macros: m, file: 'r.spl' }));
    expect(unknown.code).toBe('E_RULE_PARSE');
    expect(unknown.location).toEqual({ file: 'r.spl', line: 2, column: 3 });
    expect(err(() => compileSpl({ text: '`loop`', macros: m })).message).toMatch(/recursively/);
    // Exponential expansion is bounded.
    const lol = parseMacrosConf(Array.from({ length: 19 }, (_, i) => `[m${i}]\ndefinition = \`m${i + 1}\` \`m${i + 1}\`\n`).join('') + '[m19]\ndefinition = "0123456789"', 'lol.conf');
    expect(err(() => compileSpl({ text: '`m0`', macros: lol })).message).toMatch(/exceeds/);
  });

  it('macros.conf errors carry file, line and column; errors inside a macro body point into macros.conf', () => {
    const bad = err(() => parseMacrosConf('[ok]\ndefinition = *\n\n[broken\ndefinition = x', 'macros.conf'));
    expect(bad.location).toEqual({ file: 'macros.conf', line: 4, column: 1 });
    const m = parseMacrosConf('# c\n[badre]\ndefinition = where match(process, "a(?>b)")', 'macros.conf');
    const e = err(() => compileSpl({ text: '* | `badre`', macros: m }));
    expect(e.code).toBe('E_RULE_REGEX');
    expect(e.location).toEqual({ file: 'macros.conf', line: 3, column: 37 });
  });
});

describe('located errors in rule files', () => {
  const yml = (search: string) => ['id: t1', 'title: Test', 'language: spl', 'risk_score: 10', 'search: |-', `  ${search}`, ''].join('\n');

  it('a bad rule becomes an issue naming file, line and column; the others still load', () => {
    const set = loadRulePack(
      [
        { path: 'user/ok.yml', text: yml('process_name=cmd.exe').replace('id: t1', 'id: ok') },
        { path: 'user/bad-macro.yml', text: yml('process_name=cmd.exe `missing_macro`').replace('id: t1', 'id: badmacro') },
        { path: 'user/bad-regex.yml', text: yml('* | where match(process, "(?i)cmd\\.exe++")').replace('id: t1', 'id: badre') },
        { path: 'user/bad-cmd.yml', text: yml('* | transaction dest').replace('id: t1', 'id: badcmd') },
        { path: 'user/bad-yaml.yml', text: 'id: [x\n' },
      ],
      macroFiles(),
    );
    expect(set.rules.map((r) => r.meta.id)).toEqual(['ok']);
    const byPath = new Map(set.issues.map((i) => [i.source, i]));
    expect(byPath.get('user/bad-macro.yml')).toMatchObject({ ruleId: 'badmacro', severity: 'error', code: 'E_RULE_PARSE', location: { file: 'user/bad-macro.yml', line: 6, column: 24 } });
    expect(byPath.get('user/bad-macro.yml')!.message).toBe('unknown macro `missing_macro`');
    // The possessive "+" is at offset 13 of the pattern, whose first character is at column 29 of line 6.
    expect(byPath.get('user/bad-regex.yml')).toMatchObject({ code: 'E_RULE_REGEX', location: { file: 'user/bad-regex.yml', line: 6, column: 42 } });
    expect(byPath.get('user/bad-cmd.yml')).toMatchObject({ severity: 'unsupported', code: 'E_RULE_UNSUPPORTED', location: { line: 6, column: 7 } });
    expect(byPath.get('user/bad-yaml.yml')).toMatchObject({ code: 'E_RULE_PARSE', location: { file: 'user/bad-yaml.yml' } });
  });

  it('validates rule metadata with located issues, and refuses duplicate ids', () => {
    const base = yml('process_name=cmd.exe');
    const set = loadRulePack(
      [
        { path: 'a.yml', text: base },
        { path: 'b.yml', text: base },
        { path: 'c.yml', text: base.replace('id: t1', 'id: t3').replace('risk_score: 10', 'risk_score: 120') },
        { path: 'd.yml', text: base.replace('id: t1', 'id: t4') + 'glyph: ab\n' },
        { path: 'e.yml', text: base.replace('id: t1', 'id: t5').replace('language: spl', 'language: sigma') },
        { path: 'f.yml', text: base.replace('id: t1\n', '') },
      ],
      macroFiles(),
    );
    expect(set.rules.map((r) => r.meta.id)).toEqual(['t1']);
    const by = new Map(set.issues.map((i) => [i.source, i]));
    expect(by.get('b.yml')?.message).toMatch(/duplicate rule id "t1" \(already defined in a.yml\)/);
    expect(by.get('c.yml')).toMatchObject({ message: 'risk_score must be a number from 0 to 100', location: { file: 'c.yml', line: 4, column: 13 } });
    expect(by.get('d.yml')).toMatchObject({ message: 'glyph must be a single character', location: { file: 'd.yml', line: 7, column: 8 } });
    expect(by.get('e.yml')).toMatchObject({ severity: 'unsupported', location: { file: 'e.yml', line: 3, column: 11 } });
    expect(by.get('f.yml')?.message).toBe('missing required field "id"');
    const t1 = set.rules[0]!.meta;
    expect(t1).toMatchObject({ id: 't1', title: 'Test', language: 'spl', source: 'a.yml', riskScore: 10, origin: 'user', enabled: true, techniques: [] });
  });

  it('parse errors point at the offending token', () => {
    const e = err(() => spl('process_name=cmd.exe | where (dest="x"'));
    expect(e.code).toBe('E_RULE_PARSE');
    expect(e.location).toEqual({ file: 'test.spl', line: 1, column: 39 });
    const s = err(() => spl('dest="unterminated'));
    expect(s.location).toEqual({ file: 'test.spl', line: 1, column: 6 });
  });
});

describe('budget and cancellation', () => {
  const many: CanonicalEvent[] = [];
  for (let i = 0; i < 5000; i++) many.push(ev(`H${i % 7}`, new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(), 'C:\\Windows\\System32\\cmd.exe', `cmd.exe /c echo ${i}`));

  it('stops with E_RULE_BUDGET when the clock passes the budget (deterministic fake clock)', () => {
    let t = 0;
    const res = spl('"echo" | stats count by dest').run(createMemorySource(many), { budgetMs: 50, now: () => (t += 10) });
    expect(res.error?.code).toBe('E_RULE_BUDGET');
    expect(res.rows.length).toBe(0);
  });

  it('stops with E_CANCELLED when asked', () => {
    let calls = 0;
    const res = spl('"echo"').run(createMemorySource(many), { isCancelled: () => ++calls > 2 });
    expect(res.error?.code).toBe('E_CANCELLED');
  });

  it('completes within a generous budget and returns every matching row', () => {
    const res = spl('"echo" | stats count by dest').run(createMemorySource(many), { budgetMs: 1e9 });
    expect(res.error).toBeUndefined();
    expect(res.rows.length).toBe(5000);
  });
});
