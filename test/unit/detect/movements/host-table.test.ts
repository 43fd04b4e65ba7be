// The analyst's IP -> host table (issue 14): one validator for `scan --hosts`, the case.setHostTable channel, the case
// journal and the engine. Oracle: the format's stated rules (ip,host lines or a JSON object; IPv4/IPv6; host names of
// [A-Za-z0-9._-] up to 255; 100,000 entries; one host per address), each refusal located by line.

import { describe, expect, it } from 'vitest';
import { HopscopeError } from '../../../../engine/model/errors.ts';
import {
  canonicalIp,
  checkHostTable,
  HOST_TABLE_MAX_BYTES,
  HOST_TABLE_MAX_ENTRIES,
  hostNameProblem,
  hostTableRecord,
  parseHostTableText,
} from '../../../../engine/detect/movements/host-table.ts';
import { validateRequest } from '../../../../engine/rpc/validate.ts';
import { parseHostMessage } from '../../../../engine/rpc/protocol.ts';
import { movementsOf, logon4624, service7045, share5145, sysmon1 } from './fixtures.ts';

/** The thrown error's code, message and location. */
function refusal(fn: () => unknown): { code: string; message: string; line?: number; file?: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HopscopeError);
    const e = err as HopscopeError;
    return { code: e.code, message: e.message, line: e.location?.line, file: e.location?.file };
  }
  throw new Error('expected a refusal');
}

describe('addresses', () => {
  it('IPv4 in dotted decimal; leading zeros, octets over 255 and short forms are refused', () => {
    expect(canonicalIp('10.0.0.12')).toBe('10.0.0.12');
    expect(canonicalIp('0.0.0.0')).toBe('0.0.0.0');
    expect(canonicalIp('255.255.255.255')).toBe('255.255.255.255');
    for (const bad of ['10.0.0.256', '010.0.0.1', '10.0.0', '10.0.0.1.2', '10.0.0.1 ', '1e1.0.0.1', '10.0.0.-1', '', '10.0.0.12/24', '0x0a.0.0.1']) {
      expect(canonicalIp(bad), bad).toBeNull();
    }
  });

  it('IPv6 in RFC 5952 spelling: lower case, no leading zeros, the longest zero run as ::, IPv4-mapped keeps its dotted tail', () => {
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('2001:0db8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonicalIp('::1')).toBe('::1');
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp('fe80::A00:27FF:FE4E:66A1')).toBe('fe80::a00:27ff:fe4e:66a1');
    expect(canonicalIp('::FFFF:10.0.0.12')).toBe('::ffff:10.0.0.12');
    expect(canonicalIp('0:0:0:0:0:ffff:a00:c')).toBe('::ffff:10.0.0.12');
    expect(canonicalIp('64:ff9b::10.0.0.12')).toBe('64:ff9b::a00:c');
    for (const bad of ['2001:db8::1::2', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::1', 'fe80::1%12', '[::1]', '::ffff:10.0.0.256', 'g::1', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7::8', '::1.2.3.4.5']) {
      expect(canonicalIp(bad), bad).toBeNull();
    }
  });
});

describe('host names', () => {
  it('letters, digits, . _ - up to 255; controls, spaces, quotes, markup, non-ASCII and bare addresses are refused', () => {
    for (const ok of ['WKS-NYC-1002', 'kiosk_7.corp.lan', 'a', 'x'.repeat(255)]) expect(hostNameProblem(ok), ok).toBeNull();
    for (const bad of ['', 'x'.repeat(256), 'WKS 1', 'WKS\u0000', 'a\nb', '<script>', '"WKS"', 'wks\u202e1', 'wkś', 'CORP\\WKS', '...', '-', '10.0.0.5', '::1']) {
      expect(hostNameProblem(bad), JSON.stringify(bad)).not.toBeNull();
    }
  });
});

describe('table files', () => {
  it('CSV: header optional, # comments, blank lines, CRLF, quotes, spaces around fields, IPv6', () => {
    const text = '\ufeff# hosts of the NYC office\r\nip,host\r\n10.0.0.12, WKS-NYC-1002  # front desk\r\n\r\n"2001:DB8::7","kiosk-7.corp.lan"\r\n10.0.0.12,WKS-NYC-1002\r\n';
    expect(parseHostTableText(text, 'hosts.csv')).toEqual([
      { ip: '10.0.0.12', host: 'WKS-NYC-1002' },
      { ip: '2001:db8::7', host: 'kiosk-7.corp.lan' },
    ]);
    expect(parseHostTableText('10.0.0.1,A\n10.0.0.2,B', 'h')).toHaveLength(2);
    expect(parseHostTableText('# nothing yet\n', 'h')).toEqual([]);
  });

  it('CSV: each bad line is refused with its file and line', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['ip,host\n10.0.0.1,A\n10.0.0.300,B\n', 3, /"10\.0\.0\.300" is not an IPv4 or IPv6 address/],
      ['10.0.0.1,A\n10.0.0.2\n', 2, /expected ip,host/],
      ['10.0.0.1,A,extra\n', 1, /3 fields/],
      ['10.0.0.1,WKS 1\n', 1, /may hold only letters/],
      ['10.0.0.1,\n', 1, /host name is empty/],
      ['10.0.0.1,A\n10.0.0.1,B\n', 2, /10\.0\.0\.1 is already "A" \(line 1\)/],
      ['ip,host\nip,host\n', 2, /not an IPv4/],
      ['10.0.0.1,"A\n', 1, /quoted whole/],
      ['10.0.0.1,<img src=x onerror=alert(1)>\n', 1, /may hold only letters/],
      ['10.0.0.1 WKS-1\n', 1, /expected ip,host/],
      ['::ffff:10.0.0.1,A\n10.0.0.1,B\n', 0, /./],
    ];
    for (const [text, line, re] of cases) {
      if (line === 0) {
        // An IPv4 and its IPv4-mapped spelling are two addresses of the table (both may name hosts).
        expect(parseHostTableText(text, 'hosts.csv')).toHaveLength(2);
        continue;
      }
      const r = refusal(() => parseHostTableText(text, 'hosts.csv', '--hosts'));
      expect(r, text).toMatchObject({ code: 'E_USAGE', file: 'hosts.csv', line });
      expect(r.message, text).toMatch(re);
      expect(r.message).toMatch(/^--hosts: /);
      expect(r.message).toContain(`(hosts.csv, line ${line})`);
    }
  });

  it('a hostile value is quoted, cut and escaped in the message, never echoed raw', () => {
    const r = refusal(() => parseHostTableText(`10.0.0.1,${'\u001b[31m'}${'A'.repeat(5000)}\n`, 'h'));
    expect(r.message).not.toContain('\u001b');
    expect(r.message.length).toBeLessThan(300);
    expect(refusal(() => parseHostTableText('10.0.0.1,A\u0000\n', 'h'))).toMatchObject({ line: 1, message: expect.stringMatching(/NUL/) });
  });

  it('JSON: an object of address -> host, located by line; duplicates, non-strings and trailing text are refused', () => {
    expect(parseHostTableText('{\n  "10.0.0.12": "WKS-NYC-1002",\n  "2001:db8::7": "kiosk-7"\n}\n', 'hosts.json')).toEqual([
      { ip: '10.0.0.12', host: 'WKS-NYC-1002' },
      { ip: '2001:db8::7', host: 'kiosk-7' },
    ]);
    expect(parseHostTableText('{}', 'h.json')).toEqual([]);
    expect(parseHostTableText('{"10.0.0.1":"W\\u004bS"}', 'h.json')).toEqual([{ ip: '10.0.0.1', host: 'WKS' }]);
    const cases: Array<[string, number, RegExp]> = [
      ['{\n "10.0.0.1": "A",\n "10.0.0.1": "B"\n}', 3, /already "A" \(line 2\)/],
      ['{\n "10.0.0.1": "A",\n "10.0.0.999": "B"\n}', 3, /not an IPv4/],
      ['{\n "10.0.0.1": 5\n}', 2, /must be a string/],
      ['{\n "10.0.0.1": {"host": "A"}\n}', 2, /must be a string/],
      ['{\n "10.0.0.1": "A"\n}\n[1]', 4, /text after the JSON object/],
      ['{\n "10.0.0.1": "A",\n', 3, /expected an address/],
      ['{ "10.0.0.1": "A" ', 1, /not closed/],
      ['{ "10.0.0.1": "A\nB" }', 1, /control character/],
      ['{ "__proto__": "A" }', 1, /not an IPv4/],
      ['{ "10.0.0.1": "A" "10.0.0.2": "B" }', 1, /expected ',' or '}'/],
    ];
    for (const [text, line, re] of cases) {
      const r = refusal(() => parseHostTableText(text, 'hosts.json'));
      expect(r, text).toMatchObject({ code: 'E_USAGE', file: 'hosts.json', line });
      expect(r.message, text).toMatch(re);
    }
  });

  it('size limits: at most 100,000 entries and HOST_TABLE_MAX_BYTES of text', () => {
    const line = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255},H${i}`;
    const full = Array.from({ length: HOST_TABLE_MAX_ENTRIES }, (_, i) => line(i)).join('\n');
    expect(parseHostTableText(full, 'h')).toHaveLength(HOST_TABLE_MAX_ENTRIES);
    const over = full + '\n' + line(HOST_TABLE_MAX_ENTRIES);
    expect(refusal(() => parseHostTableText(over, 'h'))).toMatchObject({ code: 'E_USAGE', line: HOST_TABLE_MAX_ENTRIES + 1, message: expect.stringMatching(/more than 100000 entries/) });
    const big = '#'.repeat(HOST_TABLE_MAX_BYTES + 1);
    expect(refusal(() => parseHostTableText(big, 'h'))).toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/larger than/) });
  });
});

describe('the table as the channel, the engine and the builder see it', () => {
  it('checkHostTable names the entry; canonical addresses; the same pair twice is kept once', () => {
    expect(checkHostTable([{ ip: '2001:DB8::0:7', host: 'K7' }, { ip: '2001:db8::7', host: 'K7' }])).toEqual([{ ip: '2001:db8::7', host: 'K7' }]);
    expect(() => checkHostTable([{ ip: '10.0.0.1', host: 'A' }, { ip: '10.0.0.1', host: 'B' }])).toThrow(/entries\[1\]: 10\.0\.0\.1 is already "A" \(entries\[0\]\)/);
    expect(() => checkHostTable([{ ip: '10.0.0.1', host: 'A', extra: 1 }])).toThrow(/entries\[0\]\.extra is not allowed/);
    expect(() => checkHostTable([{ ip: 10, host: 'A' }])).toThrow(/entries\[0\]\.ip must be a string/);
    expect(() => checkHostTable('x')).toThrow(/must be an array/);
    expect(() => checkHostTable(new Array(HOST_TABLE_MAX_ENTRIES + 1).fill({ ip: '10.0.0.1', host: 'A' }))).toThrow(/at most 100000/);
  });

  it('validateRequest refuses a bad table at the boundary; the worker message is shape-checked', () => {
    expect(validateRequest('case.setHostTable', { entries: [{ ip: '10.0.0.12', host: 'WKS-1' }] }).ok).toBe(true);
    expect(validateRequest('case.setHostTable', { entries: [] }).ok).toBe(true);
    expect(validateRequest('case.hostTable', {}).ok).toBe(true);
    for (const bad of [
      { entries: [{ ip: '10.0.0.300', host: 'WKS-1' }] },
      { entries: [{ ip: '10.0.0.1', host: 'WKS 1' }] },
      { entries: [{ ip: '10.0.0.1', host: 'A' }, { ip: '10.0.0.1', host: 'B' }] },
      { entries: [{ ip: '10.0.0.1' }] },
      { entries: [{ ip: '10.0.0.1', host: 'A', x: 1 }] },
      { entries: [{ ip: '10.0.0.1', host: 'x'.repeat(256) }] },
      { entries: new Array(HOST_TABLE_MAX_ENTRIES + 1).fill({ ip: '10.0.0.1', host: 'A' }) },
      { entries: {} },
      {},
    ]) {
      const v = validateRequest('case.setHostTable', bad);
      expect(v.ok, JSON.stringify(bad).slice(0, 100)).toBe(false);
    }
    const ok = parseHostMessage({ type: 'request', seq: 1, method: 'hostTable', params: { entries: [{ ip: '10.0.0.1', host: 'A' }] } });
    expect(ok).toMatchObject({ ok: true });
    const bad = parseHostMessage({ type: 'request', seq: 1, method: 'hostTable', params: { entries: [{ ip: '10.0.0.1', host: 'A', more: 1 }] } });
    expect(bad).toMatchObject({ ok: false });
  });

  it('hostTableRecord: an IPv4 entry also answers its ::ffff: spelling, and the mapped spelling its IPv4, unless the table names it', () => {
    const rec = hostTableRecord([{ ip: '10.0.0.12', host: 'A' }, { ip: '::ffff:10.0.0.13', host: 'B' }, { ip: '10.0.0.14', host: 'C' }, { ip: '::ffff:10.0.0.14', host: 'D' }]);
    expect({ ...rec }).toEqual({ '10.0.0.12': 'A', '::ffff:10.0.0.12': 'A', '::ffff:10.0.0.13': 'B', '10.0.0.13': 'B', '10.0.0.14': 'C', '::ffff:10.0.0.14': 'D' });
    expect(Object.getPrototypeOf(rec)).toBeNull();
  });

  it('a 4624 written with the IPv4-mapped address resolves through an IPv4 table line', () => {
    const SRV = 'srv02.corp.lan';
    const id = '0x2a1b3c';
    const ip = '::ffff:10.0.0.12';
    const xml = [
      logon4624(SRV, 1, { type: '3', ip, id }),
      share5145(SRV, 1.1, { share: 'ADMIN$', target: 'PSEXESVC.exe', ip, id }),
      service7045(SRV, 1.2, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'),
      sysmon1(SRV, 1.3, { image: 'C:\\Windows\\PSEXESVC.exe', cmd: 'C:\\Windows\\PSEXESVC.exe', parent: 'C:\\Windows\\System32\\services.exe', user: 'NT AUTHORITY\\SYSTEM' }),
    ];
    expect(movementsOf(xml).movements[0]).toMatchObject({ source: null, sourceIp: ip });
    const m = movementsOf(xml, { hostTable: hostTableRecord(parseHostTableText('10.0.0.12,WKS-NYC-1002', 'h')) }).movements[0];
    expect(m).toMatchObject({ source: 'WKS-NYC-1002', sourceIp: ip, source_attribution: { resolvedBy: 'host-table' } });
  });
});
