// Timestamp parsing for every form real exports use (formats.md "Times"), by hand: no Date.parse per row.
// Invariant: returns UTC epoch ms (fraction keeps sub-ms digits) or null; never throws, never guesses a zone.

export interface ParsedTime {
  ms: number;
  /** The text carried no zone and was read as UTC. */
  assumedUtc: boolean;
}

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Reads exactly `n` digits at `i`; -1 when any is not a digit. */
function digits(s: string, i: number, n: number): number {
  if (i + n > s.length) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

function validDateTime(y: number, mo: number, d: number, h: number, mi: number, sec: number): boolean {
  return (
    y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) &&
    h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 60
  );
}

function compose(y: number, mo: number, d: number, h: number, mi: number, sec: number, fracMs: number): number {
  return daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000 + fracMs;
}

/** Fraction digits (1..9 kept; more are read and ignored) -> milliseconds. Returns [ms, nextIndex]. */
function fraction(s: string, i: number): [number, number] | null {
  let v = 0;
  let n = 0;
  let k = i;
  while (k < s.length && isDigit(s.charCodeAt(k))) {
    if (n < 9) {
      v = v * 10 + (s.charCodeAt(k) - 48);
      n++;
    }
    k++;
  }
  if (k === i) return null;
  for (let p = n; p < 9; p++) v *= 10;
  return [v / 1e6, k];
}

/** Parses `Z`, `UTC`, `+HH:MM`, `+HHMM`, `+HH` (or nothing) at `i`: minutes east of UTC; null = invalid; undefined = none. */
function zone(s: string, i: number): number | null | undefined {
  let k = i;
  while (k < s.length && s.charCodeAt(k) === 32) k++;
  if (k >= s.length) return k === i || k === s.length ? undefined : null;
  const rest = s.slice(k);
  if (rest === 'Z' || rest === 'z' || rest === 'UTC' || rest === 'GMT') return 0;
  const sign = rest.charCodeAt(0) === 43 ? 1 : rest.charCodeAt(0) === 45 ? -1 : 0;
  if (sign === 0) return null;
  const hh = digits(rest, 1, 2);
  if (hh < 0 || hh > 14) return null;
  let mm = 0;
  if (rest.length === 3) mm = 0;
  else if (rest.length === 6 && rest.charCodeAt(3) === 58) mm = digits(rest, 4, 2);
  else if (rest.length === 5) mm = digits(rest, 3, 2);
  else return null;
  if (mm < 0 || mm > 59) return null;
  return sign * (hh * 60 + mm);
}

/** `YYYY-MM-DD[T| ]HH:MM[:SS[.f+]][zone]` or a bare date. */
function parseIso(s: string): ParsedTime | null {
  const y = digits(s, 0, 4);
  if (y < 0 || s.charCodeAt(4) !== 45) return null;
  const mo = digits(s, 5, 2);
  if (mo < 0 || s.charCodeAt(7) !== 45) return null;
  const d = digits(s, 8, 2);
  if (d < 0) return null;
  if (s.length === 10) {
    return validDateTime(y, mo, d, 0, 0, 0) ? { ms: compose(y, mo, d, 0, 0, 0, 0), assumedUtc: true } : null;
  }
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return null;
  const h = digits(s, 11, 2);
  if (h < 0 || s.charCodeAt(13) !== 58) return null;
  const mi = digits(s, 14, 2);
  if (mi < 0) return null;
  let i = 16;
  let sec = 0;
  let fracMs = 0;
  if (s.charCodeAt(i) === 58) {
    sec = digits(s, i + 1, 2);
    if (sec < 0) return null;
    i += 3;
    const dot = s.charCodeAt(i);
    if (dot === 46 || dot === 44) {
      const f = fraction(s, i + 1);
      if (!f) return null;
      fracMs = f[0];
      i = f[1];
    }
  }
  if (!validDateTime(y, mo, d, h, mi, sec)) return null;
  const z = zone(s, i);
  if (z === null) return null;
  const base = compose(y, mo, d, h, mi, sec, fracMs);
  return z === undefined ? { ms: base, assumedUtc: true } : { ms: base - z * 60_000, assumedUtc: false };
}

/** US `M/D/YYYY h:mm[:ss[.f]] [AM|PM]` (PowerShell Export-Csv, Excel); no zone, so read as UTC. */
function parseUs(s: string): ParsedTime | null {
  let i = 0;
  const num = (maxLen: number): number => {
    let v = 0;
    const start = i;
    while (i < s.length && isDigit(s.charCodeAt(i)) && i - start < maxLen) v = v * 10 + (s.charCodeAt(i++) - 48);
    return i === start ? -1 : v;
  };
  const mo = num(2);
  if (mo < 0 || s.charCodeAt(i++) !== 47) return null;
  const d = num(2);
  if (d < 0 || s.charCodeAt(i++) !== 47) return null;
  const yStart = i;
  const y = num(4);
  if (y < 0 || i - yStart !== 4) return null;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let fracMs = 0;
  if (i < s.length) {
    if (s.charCodeAt(i) !== 32) return null;
    while (s.charCodeAt(i) === 32) i++;
    h = num(2);
    if (h < 0 || s.charCodeAt(i++) !== 58) return null;
    const miStart = i;
    mi = num(2);
    if (mi < 0 || i - miStart !== 2) return null;
    if (s.charCodeAt(i) === 58) {
      i++;
      const sStart = i;
      sec = num(2);
      if (sec < 0 || i - sStart !== 2) return null;
      if (s.charCodeAt(i) === 46) {
        const f = fraction(s, i + 1);
        if (!f) return null;
        fracMs = f[0];
        i = f[1];
      }
    }
    while (s.charCodeAt(i) === 32) i++;
    if (i < s.length) {
      const ampm = s.slice(i).toUpperCase();
      if (ampm !== 'AM' && ampm !== 'PM') return null;
      if (h < 1 || h > 12) return null;
      if (ampm === 'AM') h = h === 12 ? 0 : h;
      else h = h === 12 ? 12 : h + 12;
    }
  }
  if (!validDateTime(y, mo, d, h, mi, sec)) return null;
  return { ms: compose(y, mo, d, h, mi, sec, fracMs), assumedUtc: true };
}

/** Epoch number string; the unit is chosen by magnitude (s < 1e11 <= ms < 1e14 <= µs < 1e17 <= ns). */
function parseEpoch(s: string): ParsedTime | null {
  let i = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i === 0 || i > 19) return null;
  let fracText = '';
  if (i < s.length) {
    if (s.charCodeAt(i) !== 46) return null;
    fracText = s.slice(i + 1);
    if (fracText.length === 0) return null;
    for (let k = 0; k < fracText.length; k++) if (!isDigit(fracText.charCodeAt(k))) return null;
  }
  const intText = s.slice(0, i);
  const intValue = Number(intText);
  // Split big integers so nanosecond epochs keep their sub-millisecond digits despite float precision.
  let ms: number;
  if (intValue < 1e11) ms = Number(intText + (fracText ? '.' + fracText : '')) * 1000;
  else if (intValue < 1e14) ms = Number(intText + (fracText ? '.' + fracText : ''));
  else {
    const scaleDigits = intValue < 1e17 ? 3 : 6;
    const whole = Number(intText.slice(0, intText.length - scaleDigits));
    const part = Number('0.' + intText.slice(intText.length - scaleDigits) + fracText);
    ms = whole + part;
  }
  if (!Number.isFinite(ms) || ms > 253_402_300_800_000) return null;
  return { ms, assumedUtc: false };
}

/** .NET JSON dates (PowerShell 5 ConvertTo-Json): `/Date(1714550400123)/`, optionally `+0200` (the ms are UTC). */
function parseDotNetDate(s: string): ParsedTime | null {
  let i = 6;
  const start = i;
  if (s.charCodeAt(i) === 45) i++;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i === start || i - start > 16) return null;
  const ms = Number(s.slice(start, i));
  if (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45) {
    if (digits(s, i + 1, 4) < 0) return null;
    i += 5;
  }
  if (s.slice(i) !== ')/') return null;
  return { ms, assumedUtc: false };
}

/** Parses any supported timestamp text; null when it is not a readable time. */
export function parseTime(value: string): ParsedTime | null {
  let s = value;
  if (s.length === 0 || s.length > 64) return null;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (first <= 32 || last <= 32) {
    s = s.trim();
    if (s.length === 0) return null;
  }
  if (s.length >= 5 && isDigit(s.charCodeAt(0)) && s.charCodeAt(4) === 45) return parseIso(s);
  if (s.startsWith('/Date(')) return parseDotNetDate(s);
  const slash = s.indexOf('/');
  if (slash > 0 && slash <= 2) return parseUs(s);
  if (isDigit(s.charCodeAt(0))) return parseEpoch(s);
  return null;
}
