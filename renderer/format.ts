// Display formatting: times are UTC epoch ms internally and turned into text only here: ISO 8601 UTC by
// default, or wall time with its UTC offset in the analyst's display zone. No locale-dependent formats.
import { displayZone } from './state/display-zone.svelte.ts';

export function formatUtc(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  return new Date(ms).toISOString();
}

/** `2024-03-05 14:22:01` (no milliseconds), for axis labels and headers. */
export function formatUtcShort(ms: number, withMs = false): string {
  if (!Number.isFinite(ms)) return '';
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) + ' ' + iso.slice(11, withMs ? 23 : 19);
}

export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1 event`, `2,345 events`. */
export function countOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

export function formatDuration(ms: number): string {
  // Sub-second buckets (the deepest zoom): milliseconds, one decimal below 10 ms.
  if (ms < 1000) return ms < 10 && Math.round(ms * 10) % 10 !== 0 ? `${(Math.round(ms * 10) / 10).toFixed(1)} ms` : `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** Risk 0..100 to a band name used for CSS variables (`--risk-high`, ...). */
export function riskBand(score: number): 'critical' | 'high' | 'medium' | 'low' {
  if (score >= 80) return 'critical';
  if (score >= 60) return 'high';
  if (score >= 30) return 'medium';
  return 'low';
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      fractionalSecondDigits: 3,
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    zoneFormats.set(zone, f);
  }
  return f;
}

function zoneParts(ms: number, zone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of zoneFormat(zone).formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** `+02:00` style offset of `zone` at `ms`. */
export function zoneOffset(ms: number, zone: string): string {
  const name = zoneParts(ms, zone)['timeZoneName'] ?? 'GMT';
  const m = /GMT([+-]\d{2}:\d{2})/.exec(name);
  return m ? m[1]! : '+00:00';
}

/** Offset of `zone` at `ms` in milliseconds (positive east of UTC). */
export function zoneOffsetMs(ms: number, zone: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(zoneOffset(ms, zone));
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

/** `2024-05-01 10:00:03.263 +02:00` in `zone`. */
export function formatInZone(ms: number, zone: string, withMs = true): string {
  if (!Number.isFinite(ms)) return '';
  const p = zoneParts(ms, zone);
  const time = `${p['hour']}:${p['minute']}:${p['second']}${withMs ? `.${p['fractionalSecond'] ?? '000'}` : ''}`;
  return `${p['year']}-${p['month']}-${p['day']} ${time} ${zoneOffset(ms, zone)}`;
}

/** An event time for display: ISO 8601 UTC, or wall time with offset in the display zone. */
export function formatTime(ms: number, zone: string = displayZone.zone): string {
  return zone === 'UTC' ? formatUtc(ms) : formatInZone(ms, zone, true);
}

/** A range endpoint for labels: no milliseconds (unless `withMs`: sub-second ranges); the zone name is shown once beside it. */
export function formatTimeShort(ms: number, zone: string = displayZone.zone, withMs = false): string {
  return zone === 'UTC' ? formatUtcShort(ms, withMs) : formatInZone(ms, zone, withMs).slice(0, withMs ? 23 : 19);
}

/**
 * An evidence file's format for display. While the case is still being read (partial) the engine may not have
 * named it yet ('unknown' or empty): that reads "detecting…" rather than "unknown"; a named format is shown as is.
 */
export function evidenceFormat(format: string | undefined, partial: boolean): string {
  const f = (format ?? '').trim();
  if (f && f !== 'unknown') return f;
  return partial ? 'detecting…' : 'unknown';
}
