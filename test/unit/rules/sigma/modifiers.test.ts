// Sigma value semantics: every modifier, wildcards and escapes, case handling, null and numbers.
import { describe, expect, it } from 'vitest';
import { ev, matches, rule } from './helpers.ts';

const cmd = (process: string, extra: Record<string, string> = {}) => ev({ process, process_path: 'C:\\Windows\\System32\\cmd.exe' }, extra);

describe('sigma string matching', () => {
  it('plain values match whole values case-insensitively', () => {
    const evs = [cmd('whoami'), cmd('WHOAMI'), cmd('whoami /all')];
    expect(matches(rule(`    sel:\n        CommandLine: whoami\n    condition: sel`), evs)).toEqual([0, 1]);
  });

  it('contains, startswith, endswith', () => {
    const evs = [cmd('a net user b'), cmd('net user x'), cmd('x net user')];
    expect(matches(rule(`    sel:\n        CommandLine|contains: 'NET USER'\n    condition: sel`), evs)).toEqual([0, 1, 2]);
    expect(matches(rule(`    sel:\n        CommandLine|startswith: 'net user'\n    condition: sel`), evs)).toEqual([1]);
    expect(matches(rule(`    sel:\n        CommandLine|endswith: 'net user'\n    condition: sel`), evs)).toEqual([2]);
  });

  it('value lists are OR, |all makes them AND', () => {
    const evs = [cmd('alpha'), cmd('beta'), cmd('alpha beta'), cmd('gamma')];
    expect(matches(rule(`    sel:\n        CommandLine|contains:\n            - alpha\n            - beta\n    condition: sel`), evs)).toEqual([0, 1, 2]);
    expect(matches(rule(`    sel:\n        CommandLine|contains|all:\n            - alpha\n            - beta\n    condition: sel`), evs)).toEqual([2]);
  });

  it('long value lists (equality set, contains automaton) and null mixed into a list', () => {
    const many = Array.from({ length: 30 }, (_, i) => `tool${i}x`);
    const list = many.map((m) => `            - '${m}'`).join('\n');
    const evs = [cmd('run TOOL17X now'), cmd('tool3'), cmd('tool29x'), ev({})];
    expect(matches(rule(`    sel:\n        CommandLine|contains:\n${list}\n    condition: sel`), evs)).toEqual([0, 2]);
    expect(matches(rule(`    sel:\n        CommandLine:\n${list}\n    condition: sel`), evs)).toEqual([2]);
    expect(matches(rule(`    sel:\n        CommandLine|contains|cased:\n${list}\n    condition: sel`), evs)).toEqual([2]);
    expect(matches(rule(`    sel:\n        CommandLine:\n            - null\n            - tool3\n    condition: sel`), evs)).toEqual([1, 3]);
  });

  it('cased makes comparison case-sensitive', () => {
    const evs = [cmd('Run -H x'), cmd('run -h x')];
    expect(matches(rule(`    sel:\n        CommandLine|contains|cased: '-H'\n    condition: sel`), evs)).toEqual([0]);
  });

  it('* and ? wildcards', () => {
    const evs = [cmd('abc'), cmd('axc'), cmd('axxc'), cmd('ac')];
    expect(matches(rule(`    sel:\n        CommandLine: 'a?c'\n    condition: sel`), evs)).toEqual([0, 1]);
    expect(matches(rule(`    sel:\n        CommandLine: 'a*c'\n    condition: sel`), evs)).toEqual([0, 1, 2, 3]);
    expect(matches(rule(`    sel:\n        CommandLine: 'a*x*c'\n    condition: sel`), evs)).toEqual([1, 2]);
  });

  it('escapes: \\* literal star, \\\\ backslash, lone backslash literal', () => {
    const evs = [cmd('copy \\*.dll'), cmd('copy \\x.dll'), cmd('C:\\Windows\\x'), cmd('a*b'), cmd('ab')];
    // '\\\*.dll' → backslash, literal star, .dll
    expect(matches(rule(`    sel:\n        CommandLine|contains: '\\\\\\*.dll'\n    condition: sel`), evs)).toEqual([0]);
    // single backslash before a normal character stays a backslash
    expect(matches(rule(`    sel:\n        CommandLine|startswith: 'C:\\Windows\\'\n    condition: sel`), evs)).toEqual([2]);
    expect(matches(rule(`    sel:\n        CommandLine: 'a\\*b'\n    condition: sel`), evs)).toEqual([3]);
    expect(matches(rule(`    sel:\n        CommandLine: 'a\\?b'\n    condition: sel`), evs)).toEqual([]);
    // \\\\ is one backslash: '\\\\127' means "\\127" only after unescaping to a single leading backslash pair
    const unc = [cmd('\\\\127.0.0.1\\c$'), cmd('\\127.0.0.1\\c$')];
    expect(matches(rule(`    sel:\n        CommandLine|startswith: '\\\\\\\\127.0.0.1\\\\'\n    condition: sel`), unc)).toEqual([0]);
  });

  it('windash covers - / en dash, em dash, horizontal bar, only where pySigma would', () => {
    const evs = ['x -exec', 'x /exec', 'x \u2013exec', 'x \u2014exec', 'x \u2015exec', 'x +exec', 'x a-exec'].map((c) => cmd(c));
    expect(matches(rule(`    sel:\n        CommandLine|contains|windash: ' -exec'\n    condition: sel`), evs)).toEqual([0, 1, 2, 3, 4]);
    // the dash inside a word is not a flag: not expanded
    expect(matches(rule(`    sel:\n        CommandLine|contains|windash: 'a-exec'\n    condition: sel`), [cmd('a/exec'), cmd('a-exec')])).toEqual([1]);
  });

  it('re is case-sensitive unless i; m and s flags', () => {
    const evs = [cmd('Invoke-Foo'), cmd('invoke-foo'), cmd('line1\nInvoke'), cmd('a\nb')];
    expect(matches(rule(`    sel:\n        CommandLine|re: '^Invoke-'\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        CommandLine|re|i: '^invoke-'\n    condition: sel`), evs)).toEqual([0, 1]);
    expect(matches(rule(`    sel:\n        CommandLine|re|m: '^Invoke$'\n    condition: sel`), evs)).toEqual([2]);
    expect(matches(rule(`    sel:\n        CommandLine|re: '^a.b$'\n    condition: sel`), evs)).toEqual([]);
    expect(matches(rule(`    sel:\n        CommandLine|re|s: '^a.b$'\n    condition: sel`), evs)).toEqual([3]);
  });

  it('base64 and base64offset', () => {
    // "whoami" → d2hvYW1p; offsets 1 and 2 as pySigma computes them
    const evs = [cmd('echo d2hvYW1p'), cmd('x IHdob2FtaQ'), cmd('y ICB3aG9hbW'), cmd('nothing')];
    expect(matches(rule(`    sel:\n        CommandLine|base64|contains: whoami\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        CommandLine|base64offset|contains: whoami\n    condition: sel`), evs)).toEqual([0, 1, 2]);
  });

  it('utf16le / wide / utf16be / utf16 followed by base64', () => {
    // "ab" UTF-16LE = 61 00 62 00 → YQBiAA==; BE = 00 61 00 62 → AGEAYg==; with BOM FF FE → //5hAGIA
    const evs = [cmd('p YQBiAA== q'), cmd('p AGEAYg== q'), cmd('p //5hAGIA q')];
    expect(matches(rule(`    sel:\n        CommandLine|utf16le|base64|contains: ab\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        CommandLine|wide|base64|contains: ab\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        CommandLine|utf16be|base64|contains: ab\n    condition: sel`), evs)).toEqual([1]);
    expect(matches(rule(`    sel:\n        CommandLine|utf16|base64|contains: ab\n    condition: sel`), evs)).toEqual([2]);
    // PowerShell -enc style: base64offset of UTF-16LE text
    const enc = [cmd('powershell -enc SQBFAFgAIAAoAE4AZQB3AA==')];
    expect(matches(rule(`    sel:\n        CommandLine|wide|base64offset|contains: 'IEX (New'\n    condition: sel`), enc)).toEqual([0]);
  });

  it('exists', () => {
    const evs = [ev({ process: 'x' }, { Description: 'Tool' }), ev({ process: 'y' })];
    expect(matches(rule(`    sel:\n        Description|exists: true\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        Description|exists: false\n    condition: sel`), evs)).toEqual([1]);
  });

  it('fieldref compares two fields', () => {
    const evs = [ev({ user: 'CORP\\bob' }, { ParentUser: 'corp\\BOB' }), ev({ user: 'CORP\\bob' }, { ParentUser: 'CORP\\alice' }), ev({ user: 'x' })];
    expect(matches(rule(`    sel:\n        User|fieldref: ParentUser\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        User|fieldref: ParentUser\n    condition: not sel`), evs)).toEqual([1, 2]);
  });

  it('gt / gte / lt / lte on numbers (decimal and 0x hex)', () => {
    const evs = [ev({ process_id: '100' }), ev({ process_id: '0x1f4' }), ev({ process_id: 'abc' }), ev({})];
    expect(matches(rule(`    sel:\n        ProcessId|gt: 100\n    condition: sel`), evs)).toEqual([1]);
    expect(matches(rule(`    sel:\n        ProcessId|gte: 100\n    condition: sel`), evs)).toEqual([0, 1]);
    expect(matches(rule(`    sel:\n        ProcessId|lt: 500\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        ProcessId|lte: 500\n    condition: sel`), evs)).toEqual([0, 1]);
  });

  it('numbers and addresses from hostile field values are refused, not backtracked over', () => {
    const evs = [ev({ process_id: '1'.repeat(50_000) + 'x' }), ev({ process_id: '-0x10' }), ev({ process_id: '1e3' })];
    expect(matches(rule(`    sel:\n        ProcessId|lt: 0\n    condition: sel`), evs)).toEqual([1]);
    expect(matches(rule(`    sel:\n        ProcessId|gte: 1000\n    condition: sel`), evs)).toEqual([2]);
    const ips = [ev({}, { DestinationIp: '%'.repeat(50_000) + ':\n' }), ev({}, { DestinationIp: 'fe80::1%eth0' })];
    expect(matches(rule(`    sel:\n        DestinationIp|cidr: 'fe80::/10'\n    condition: sel`), ips)).toEqual([1]);
  });

  it('cidr for IPv4 and IPv6', () => {
    const evs = ['10.1.2.3', '10.2.0.1', '192.168.1.1', 'fe80::1', '2001:db8::5', '::ffff:10.1.0.9', 'nonsense'].map((ip) => ev({}, { DestinationIp: ip }));
    expect(matches(rule(`    sel:\n        DestinationIp|cidr: 10.1.0.0/16\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        DestinationIp|cidr:\n            - 10.0.0.0/8\n            - 192.168.0.0/16\n    condition: sel`), evs)).toEqual([0, 1, 2]);
    expect(matches(rule(`    sel:\n        DestinationIp|cidr: 'fe80::/10'\n    condition: sel`), evs)).toEqual([3]);
    expect(matches(rule(`    sel:\n        DestinationIp|cidr: '2001:db8::/32'\n    condition: sel`), evs)).toEqual([4]);
    expect(matches(rule(`    sel:\n        DestinationIp|cidr: '::ffff:10.1.0.0/120'\n    condition: sel`), evs)).toEqual([5]);
  });

  it('null means missing or empty; numbers compare as strings', () => {
    const evs = [ev({ process: 'a' }, { Description: '' }), ev({ process: 'b' }), ev({ process: 'c' }, { Description: 'x' }), ev({ process_id: '4' })];
    expect(matches(rule(`    sel:\n        Description: null\n    condition: sel`), evs)).toEqual([0, 1, 3]);
    expect(matches(rule(`    sel:\n        Description: ''\n    condition: sel`), evs)).toEqual([0, 1, 3]);
    expect(matches(rule(`    sel:\n        ProcessId: 4\n    condition: sel`), evs)).toEqual([3]);
  });

  it('missing fields do not match, and not over them holds', () => {
    const evs = [ev({ process: 'x' }), ev({ process: 'x' }, { Company: 'Evil' })];
    expect(matches(rule(`    sel:\n        Company: evil\n    condition: sel`), evs)).toEqual([1]);
    expect(matches(rule(`    sel:\n        Company: evil\n    condition: not sel`), evs)).toEqual([0]);
  });

  it('keywords match the event text', () => {
    const evs = [ev({ process: 'x' }, {}, '<Event>mimikatz sekurlsa</Event>'), ev({ process: 'Invoke-Mimikatz' }), ev({ process: 'calc' })];
    expect(matches(rule(`    keywords:\n        - 'MIMIKATZ'\n        - 'secretsdump'\n    condition: keywords`), evs)).toEqual([0, 1]);
    expect(matches(rule(`    keywords:\n        '|all':\n            - mimikatz\n            - sekurlsa\n    condition: keywords`), evs)).toEqual([0]);
    expect(matches(rule(`    keywords:\n        '|cased':\n            - Mimikatz\n    condition: keywords`), evs)).toEqual([1]);
  });

  it('unmapped Sigma names use the original field, also when flattened', () => {
    const evs = [ev({}, { Product: 'Sysinternals' }), ev({}, { 'Event.EventData.Product': 'Sysinternals PsExec' })];
    expect(matches(rule(`    sel:\n        Product|startswith: sysinternals\n    condition: sel`), evs)).toEqual([0, 1]);
  });

  it('md5/sha1/sha256/Imphash read from the Hashes list (or a bare digest), original fields first', () => {
    const sha = 'E295E776FD4F7F73DFAAA5698A19EA7A2F4A2F0C5E1681FAC94E45D00296C926';
    const evs = [
      ev({ process_hash: `MD5=573EB13AC2BA31E9C2E17FB6DAD14154,SHA256=${sha},IMPHASH=A26BCB048DF34CBB422F2656F38634D0` }),
      ev({ process_hash: sha.toLowerCase() }),
      ev({}, { Hashes: 'SHA1=0000000000000000000000000000000000000001' }),
      ev({ process_hash: 'MD5=ffffffffffffffffffffffffffffffff' }, { Imphash: 'a26bcb048df34cbb422f2656f38634d0' }),
    ];
    expect(matches(rule(`    sel:\n        sha256: '${sha.toLowerCase()}'\n    condition: sel`), evs)).toEqual([0, 1]);
    expect(matches(rule(`    sel:\n        Imphash: A26BCB048DF34CBB422F2656F38634D0\n    condition: sel`), evs)).toEqual([0, 3]);
    expect(matches(rule(`    sel:\n        md5|startswith: '573eb'\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        sha1|endswith: '1'\n    condition: sel`), evs)).toEqual([2]);
    expect(matches(rule(`    sel:\n        Hashes|contains: 'IMPHASH=A26BCB048DF34CBB422F2656F38634D0'\n    condition: sel`), evs)).toEqual([0]);
  });

  it('mapped names read canonical fields first and fall back to the original', () => {
    const evs = [ev({ process_path: 'C:\\x\\psexec.exe' }), ev({}, { Image: 'D:\\psexec.exe' }), ev({}, { NewProcessName: 'C:\\a.exe' })];
    expect(matches(rule(`    sel:\n        Image|endswith: '\\psexec.exe'\n    condition: sel`), evs)).toEqual([0, 1]);
    expect(matches(rule(`    sel:\n        NewProcessName|endswith: '\\psexec.exe'\n    condition: sel`), evs)).toEqual([0]);
    expect(matches(rule(`    sel:\n        NewProcessName|endswith: '\\a.exe'\n    condition: sel`), evs)).toEqual([2]);
  });
});
