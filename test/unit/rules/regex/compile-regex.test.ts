// compileRegex: PCRE translation table, located refusals, linear-time safety and literal prefilters.

import { describe, expect, it } from 'vitest';
import { HopscopeError } from '../../../../engine/model/errors.ts';
import { compileRegex, translateRegex } from '../../../../engine/rules/regex/index.ts';

function refusal(pattern: string, opts?: Parameters<typeof compileRegex>[1]): HopscopeError {
  try {
    compileRegex(pattern, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(HopscopeError);
    return err as HopscopeError;
  }
  throw new Error(`expected /${pattern}/ to be refused`);
}

describe('translation table (PCRE -> engine), checked by behaviour', () => {
  const table: Array<[string, string, boolean]> = [
    // pattern, input, expected
    ['(?i)cmd\\.exe\\s+\\/Q\\s+\\/c', 'C:\\Windows\\system32\\CMD.EXE  /q /C whoami', true],
    ['cmd\\.exe', 'CMD.EXE', false],
    ['(?i)cmd\\.exe\\s\\/Q\\s\\/c\\s', '"C:\\Windows\\System32\\cmd.exe" /Q /c cd \\', false],
    ['Windows\\x5cTemp\\x5c', 'cmd.exe /c whoami > C:\\Windows\\Temp\\out.txt', true],
    ['\\x{5C}\\x41', '\\A', true],
    ['\\Qa.b*c\\E', 'xa.b*cx', true],
    ['\\Qa.b*c\\E', 'aXbbbc', false],
    ['^[[:alpha:]]+[[:digit:]]$', 'abc1', true],
    ['^[[:alpha:]]+[[:digit:]]$', 'ab_1', false],
    ['[[:^digit:]]', '123', false],
    ['a\\hb', 'a\tb', true],
    ['a\\hb', 'a\nb', false],
    ['\\Aabc', 'xabc', false],
    ['\\Aabc', 'abcx', true],
    ['abc\\z', 'abc\n', false],
    ['abc\\Z', 'abc\n', true],
    ['abc$', 'abc\n', true],
    ['abc$', 'abc\nx', false],
    ['(?m)^b$', 'a\nb\nc', true],
    ['^b', 'a\nb', false],
    ['a.c', 'a\nc', false],
    ['(?s)a.c', 'a\nc', true],
    ['(?P<ext>exe|bat)\\b', 'run.bat now', true],
    ['(?x) c m d  # the shell\n \\. exe', 'cmd.exe', true],
    ['a(?i)b', 'aB', true],
    ['a(?i)b', 'AB', false],
    ['(?i:a)b', 'Ab', true],
    ['(?i:a)b', 'AB', false],
    ['\\\\127\\.0\\.0\\.1\\.*', '1> \\\\127.0.0.1\\ADMIN$\\__1', true],
    ['C:\\\\Windows\\\\[a-zA-Z]{1,8}\\.bat', 'C:\\Windows\\abcdEFGH.bat', true],
    ['C:\\\\Windows\\\\[a-zA-Z]{1,8}\\.bat', 'C:\\Windows\\TEMP\\execute.bat', false],
    ['a{,2}b', 'a{,2}b', true], // not a quantifier in PCRE: literal
    ['a{2}', 'xaay', true],
    ['\\s', '\u000b', true], // PCRE2 \s includes VT
    ['\\s', '\u00a0', false], // ...but no Unicode spaces
    ['[^a]', '\n', true],
    ['[\\d-z]', '-', true],
    ['^\\d+(?=px)', '12px', true],
    ['^\\d+(?=px)', '12em', false],
    ['(?<!\\\\)evil', 'x\\evil', false],
    ['(a)b\\1', 'aba', true],
    ['(?i)(a)b\\1', 'AbA', true],
    ['\\bnet\\b', 'net1 use', false],
    ['(?s)a\\Nb', 'a\nb', false],
    ['ab\\Ec', 'abc', true], // a stray \E is ignored, as in PCRE
    ['(?s)a\\Nb', 'a-b', true],
  ];
  it.each(table)('/%s/ on %j -> %s', (pattern, input, expected) => {
    expect(compileRegex(pattern).test(input)).toBe(expected);
  });

  it('leading (?i) becomes the engine flag, and options apply like Sigma modifiers', () => {
    expect(translateRegex('(?i)cmd').caseInsensitive).toBe(true);
    expect(compileRegex('cmd', { caseInsensitive: true }).test('CMD')).toBe(true);
    expect(compileRegex('^b', { multiline: true }).test('a\nb')).toBe(true);
    expect(compileRegex('a.b', { dotAll: true }).test('a\nb')).toBe(true);
  });

  it('uses the linear engine unless lookaround or back-references are needed', () => {
    expect(compileRegex('(?i)cmd\\.exe\\s+/Q').engine).toBe('linear');
    expect(compileRegex('foo(?=bar)').engine).toBe('native');
    expect(compileRegex('(a)\\1').engine).toBe('native');
  });
});

describe('refusals carry the construct position', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['ab(?>c)', 2, /atomic/],
    ['a++b', 2, /possessive/],
    ['x(?R)', 1, /recursion/],
    ['x(?1)', 1, /recursion/],
    ['ab(?(1)c|d)', 2, /conditional/],
    ['abc\\K', 3, /\\K/],
    ['\\Gabc', 0, /\\G/],
    ['a(*SKIP)b', 1, /verbs/],
    ['(?|a|b)', 0, /branch reset/],
    ['a(?U)b', 1, /option "U"/],
    ['(a', 0, /missing "\)"/],
    ['a)', 1, /unmatched/],
    ['[abc', 0, /terminating/],
    ['\\p{L}', 0, /Unicode property/],
  ];
  it.each(cases)('/%s/ refused at offset %d', (pattern, offset, why) => {
    const err = refusal(pattern, { location: { file: 'rules/x.yml', line: 4, column: 10 } });
    expect(err.code).toBe('E_RULE_REGEX');
    expect(err.message).toMatch(why);
    expect(err.location).toEqual({ file: 'rules/x.yml', line: 4, column: 10 + offset });
  });

  it('a mid-pattern case flag JavaScript cannot scope is refused when the backtracking engine is needed', () => {
    const err = refusal('a(?i)b(?=c)');
    expect(err.message).toMatch(/cannot be scoped in JavaScript/);
    expect(err.location?.column).toBe(1 + 5);
  });

  it('back-references to groups that may be unset are refused (PCRE fails them, JavaScript matches empty)', () => {
    expect(refusal('(a)?\\1b').location?.column).toBe(1 + 4);
    expect(refusal('(?:(a)|c)\\1').message).toMatch(/may not be set/);
    expect(refusal('\\1(a)').message).toMatch(/may not be set/);
    expect(compileRegex('^[^"\']*(?P<q>["\'])[^"\']*(?P=q)').test('x "quoted" y')).toBe(true);
  });

  it('a non-final "$" cannot be expressed on the linear engine and is refused, not changed', () => {
    expect(refusal('a$b').message).toMatch(/\\z/);
  });
});

describe('ReDoS safety', () => {
  it('(a+)+$ on 50k "a" + "!" completes on the linear engine', () => {
    const re = compileRegex('(a+)+$');
    expect(re.engine).toBe('linear');
    expect(re.test('a'.repeat(50_000) + '!')).toBe(false);
    expect(re.test('a'.repeat(50_000))).toBe(true);
  });

  it('classic catastrophic shapes still run linearly when they need no lookaround', () => {
    const input = 'a'.repeat(30_000) + '!';
    for (const p of ['^(a|a)*$', '^(a|aa)+$', '^(.*a){12}$', '^(\\w+\\s?)*$']) {
      const re = compileRegex(p);
      expect(re.engine).toBe('linear');
      expect(re.test(input)).toBe(false);
    }
  });

  it('refuses unanchored long repetitions on the backtracking engine (quadratic retries), accepts them anchored', () => {
    expect(refusal('\\d+(?=px)').message).toMatch(/unanchored/);
    expect(refusal('foo(?=bar).*baz').location?.column).toBe(1 + 10);
    const anchored = compileRegex('^\\d+(?=px)');
    expect(anchored.engine).toBe('native');
    expect(anchored.test('1'.repeat(100_000) + 'em')).toBe(false);
  });

  it('refuses catastrophic patterns that would need the backtracking engine', () => {
    for (const p of ['(?=x)(a+)+$', '(a|ab)*(?=c)', '(?<=x).*a.*b', '(\\w+)\\s*\\1+', '(?=x)a{1,30000}a{1,30000}']) {
      expect(refusal(p).message).toMatch(/catastrophic pattern/);
    }
  });
});

describe('requiredLiterals', () => {
  it('extracts lower-cased literal runs every match must contain', () => {
    expect(compileRegex('(?i)cmd\\.exe\\s+\\/Q\\s+\\/c').requiredLiterals).toEqual(['cmd.exe', '/q', '/c']);
    expect(compileRegex('\\\\127\\.0\\.0\\.1\\\\.*').requiredLiterals).toEqual(['\\127.0.0.1\\']);
    expect(compileRegex('(wmiprvse|mmc)\\.exe').requiredLiterals).toEqual(['.exe']);
    expect(compileRegex('a?bc').requiredLiterals).toEqual(['bc']);
  });

  it('never includes text a case-insensitive match could spell differently', () => {
    // U+017F (long s) folds to "s" under Unicode case-insensitive matching.
    const re = compileRegex('(?i)svchost');
    expect(re.test('\u017fvchost')).toBe(true);
    for (const lit of re.requiredLiterals) expect('\u017fvchost'.toLowerCase()).toContain(lit);
  });
});
