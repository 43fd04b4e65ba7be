// Time display: ISO 8601 UTC by default; in a display zone the wall time carries its UTC offset (DST aware).
import { describe, expect, it } from 'vitest';
import { formatDuration, formatInZone, formatTime, formatTimeShort, zoneOffsetMs } from '../../renderer/format.ts';
import { isValidZone } from '../../renderer/state/display-zone.svelte.ts';

const SUMMER = Date.UTC(2024, 4, 1, 8, 0, 3, 263);
const WINTER = Date.UTC(2024, 0, 15, 23, 30, 0, 5);

describe('time display', () => {
  it('is ISO 8601 UTC by default', () => {
    expect(formatTime(SUMMER)).toBe('2024-05-01T08:00:03.263Z');
    expect(formatTimeShort(SUMMER)).toBe('2024-05-01 08:00:03');
  });

  it('shows wall time with the offset in other zones, across DST and midnight', () => {
    expect(formatInZone(SUMMER, 'Europe/Berlin')).toBe('2024-05-01 10:00:03.263 +02:00');
    expect(formatInZone(WINTER, 'Europe/Berlin')).toBe('2024-01-16 00:30:00.005 +01:00');
    expect(formatInZone(SUMMER, 'America/New_York')).toBe('2024-05-01 04:00:03.263 -04:00');
    expect(formatTime(SUMMER, 'Asia/Kolkata')).toBe('2024-05-01 13:30:03.263 +05:30');
    expect(formatTimeShort(SUMMER, 'Europe/Berlin')).toBe('2024-05-01 10:00:03');
    expect(zoneOffsetMs(SUMMER, 'America/New_York')).toBe(-4 * 3_600_000);
    expect(zoneOffsetMs(SUMMER, 'UTC')).toBe(0);
  });

  it('accepts only zones Intl knows', () => {
    expect(isValidZone('Europe/Berlin')).toBe(true);
    expect(isValidZone('Not/AZone')).toBe(false);
    expect(isValidZone('')).toBe(false);
  });
});

describe('evidence format', () => {
  it('shows the detected format, "detecting…" while a partial case has none yet, else "unknown"', async () => {
    const { evidenceFormat } = await import('../../renderer/format.ts');
    expect(evidenceFormat('splunk-cim-csv', true)).toBe('splunk-cim-csv');
    expect(evidenceFormat('splunk-cim-csv', false)).toBe('splunk-cim-csv');
    expect(evidenceFormat('unknown', true)).toBe('detecting…');
    expect(evidenceFormat('', true)).toBe('detecting…');
    expect(evidenceFormat(undefined, true)).toBe('detecting…');
    expect(evidenceFormat('unknown', false)).toBe('unknown');
  });
});

describe('countOf', () => {
  it('says one thing in the singular and every other count in the plural, with thousands separators', async () => {
    const { countOf } = await import('../../renderer/format.ts');
    expect([countOf(0, 'host'), countOf(1, 'host'), countOf(2, 'finding'), countOf(12345, 'event')]).toEqual(['0 hosts', '1 host', '2 findings', '12,345 events']);
  });
});

describe('durations (bucket sizes)', () => {
  it('names sub-second buckets in milliseconds and keeps whole seconds and up as before', () => {
    expect(formatDuration(1)).toBe('1 ms');
    expect(formatDuration(2.5)).toBe('2.5 ms');
    expect(formatDuration(100)).toBe('100 ms');
    expect(formatDuration(9400)).toBe('9 s');
    expect(formatDuration(9000)).toBe('9 s');
    expect(formatDuration(3_600_000)).toBe('60 min');
    expect(formatTimeShort(Date.UTC(2024, 2, 5, 14, 30, 0, 250), 'UTC', true)).toBe('2024-03-05 14:30:00.250');
  });
});
