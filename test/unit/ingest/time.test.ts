// Table tests for parseTime: every timestamp form in formats.md, plus inputs that must be refused.
import { describe, expect, it } from 'vitest';
import { daysFromCivil, parseTime } from '../../../engine/model/time.ts';

const iso = (s: string): number => new Date(s).getTime();

describe('parseTime', () => {
  const cases: Array<[string, number, boolean]> = [
    ['2019-04-30T20:32:51.168589000Z', iso('2019-04-30T20:32:51.168Z') + 0.589, false],
    ['2019-04-30T20:32:51Z', iso('2019-04-30T20:32:51Z'), false],
    ['2024-05-01T10:00:00.641+02:00', iso('2024-05-01T08:00:00.641Z'), false],
    ['2024-05-01T10:00:00.641-0530', iso('2024-05-01T15:30:00.641Z'), false],
    ['2024-05-01T10:00:00+02', iso('2024-05-01T08:00:00Z'), false],
    ['2024-05-01T10:00:00', iso('2024-05-01T10:00:00Z'), true],
    ['2024-05-01 10:00:00.5', iso('2024-05-01T10:00:00.500Z'), true],
    ['2020-10-19 03:30:41.104', iso('2020-10-19T03:30:41.104Z'), true],
    ['2024-05-01 08:00:00.1234567', iso('2024-05-01T08:00:00.123Z') + 0.4567, true],
    ['2024-05-01T08:00:00.1234567Z', iso('2024-05-01T08:00:00.123Z') + 0.4567, false],
    ['2024-02-29T23:59:59.999Z', iso('2024-02-29T23:59:59.999Z'), false],
    ['2024-05-01 08:00:00 UTC', iso('2024-05-01T08:00:00Z'), false],
    ['  2024-05-01T08:00:00Z  ', iso('2024-05-01T08:00:00Z'), false],
    ['1556656371', 1556656371000, false],
    ['1556656371.168', 1556656371168, false],
    ['1556656371168', 1556656371168, false],
    ['1556656371168589', 1556656371168.589, false],
    ['1556656371168589123', 1556656371168.589123, false],
    ['5/1/2024 8:00:00 AM', iso('2024-05-01T08:00:00Z'), true],
    ['5/1/2024 12:00:00 AM', iso('2024-05-01T00:00:00Z'), true],
    ['5/1/2024 12:30:05 PM', iso('2024-05-01T12:30:05Z'), true],
    ['12/31/2023 11:59:59 PM', iso('2023-12-31T23:59:59Z'), true],
    ['10/19/2020 03:30:41', iso('2020-10-19T03:30:41Z'), true],
    ['1600-03-01T00:00:00Z', iso('1600-03-01T00:00:00Z'), false],
    ['/Date(1714550400123)/', 1714550400123, false],
    ['/Date(1714550400123+0200)/', 1714550400123, false],
  ];
  it.each(cases)('%s', (text, ms, assumedUtc) => {
    const t = parseTime(text);
    expect(t).not.toBeNull();
    expect(t!.ms).toBeCloseTo(ms, 4);
    expect(t!.assumedUtc).toBe(assumedUtc);
  });

  const invalid = [
    '', '   ', 'yesterday', '2024-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2024-05-01T24:00:00Z',
    '2024-05-01T10:60:00Z', '2024-05-01X10:00:00', '2024-05-01T10:00:00+25:00', '2024-05-01T10:00:00 PST',
    '2024-05-01T10:00:00.Z', '13/1/2024 1:00:00 PM', '5/1/2024 13:00:00 PM', '5/1/24 1:00 PM', '12abc',
    '1.2.3', 'NaN', '/Date(abc)/', '/Date(1714550400123', '-5', '0x1f4', '99999999999999999999', '2024-05-01T10:00:00Zjunk',
  ];
  it.each(invalid)('refuses %j', (text) => {
    expect(parseTime(text)).toBeNull();
  });

  it('agrees with Date for day boundaries across centuries', () => {
    for (const [y, m, d] of [[1970, 1, 1], [2000, 2, 29], [2100, 3, 1], [1999, 12, 31], [2038, 1, 19]] as const) {
      expect(daysFromCivil(y, m, d) * 86_400_000).toBe(Date.UTC(y, m - 1, d));
    }
  });
});
