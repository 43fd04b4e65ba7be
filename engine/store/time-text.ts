// Time stamps an export writes as text, rebuilt from the event's UTC epoch milliseconds.
// Invariant: an original time column is only stored as "the event time in format F" while formatting
// the event time gives back its exact text on every row (checked per row by the builder).

/** Format spec: separator ('T' or ' '), fraction digits (0-9), then 'Z', '+' (`+00:00`) or nothing. E.g. `T7Z`, ` 3`. */
export type TimeTextFormat = string;

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
/** 10 ** d and 10 ** (d - 3) for d = 0..9 digits, computed once by the same expressions (Math.pow per row was ~1 %). */
const POW10 = Array.from({ length: 10 }, (_, d) => 10 ** d);
const POW10_MS = Array.from({ length: 10 }, (_, d) => 10 ** (d - 3));

/** The date-and-second text of the last whole second formatted (rows come roughly in time order). */
let lastSecondMs = NaN;
let lastSep = '';
let lastSecondText = '';

function secondText(secondMs: number, sep: string): string {
  if (secondMs === lastSecondMs && sep === lastSep) return lastSecondText;
  const d = new Date(secondMs);
  const y = d.getUTCFullYear();
  const text = !(y >= 0 && y <= 9999) ? '' : `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}${sep}${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  lastSecondMs = secondMs;
  lastSep = sep;
  lastSecondText = text;
  return text;
}

export function formatTimeText(timeMs: number, format: TimeTextFormat): string {
  const sep = format[0]!;
  const digits = format.charCodeAt(1) - 48;
  const zone = format.length > 2 ? (format[2] === '+' ? '+00:00' : 'Z') : '';
  const whole = Math.floor(timeMs);
  const secondMs = whole - (((whole % 1000) + 1000) % 1000);
  let out = secondText(secondMs, sep);
  if (out === '') return '';
  if (digits > 0) {
    // Sub-second part in units of 10^-digits s, from the millisecond remainder and its fraction.
    const subMs = timeMs - secondMs;
    const units = Math.round(subMs * POW10_MS[digits]!);
    if (units >= POW10[digits]!) return '';
    out += '.' + pad(units, digits);
  }
  return out + zone;
}

/**
 * Whether `formatTimeText(timeMs, format) === text`, without building the text (the builder asks once per row of
 * a time column: the allocation and the comparison were ~3 % of a CSV parse).
 */
export function isTimeText(text: string, timeMs: number, format: TimeTextFormat): boolean {
  const digits = format.charCodeAt(1) - 48;
  const zoneChars = format.length > 2 ? (format[2] === '+' ? 6 : 1) : 0;
  if (text.length !== 19 + (digits > 0 ? digits + 1 : 0) + zoneChars) return false;
  const whole = Math.floor(timeMs);
  const secondMs = whole - (((whole % 1000) + 1000) % 1000);
  const second = secondText(secondMs, format[0]!);
  if (second === '' || !text.startsWith(second)) return false;
  let at = 19;
  if (digits > 0) {
    const subMs = timeMs - secondMs;
    let units = Math.round(subMs * POW10_MS[digits]!);
    if (units >= POW10[digits]! || text.charCodeAt(at) !== 46) return false;
    for (let i = at + digits; i > at; i--) {
      if (text.charCodeAt(i) !== 48 + (units % 10)) return false;
      units = Math.floor(units / 10);
    }
    at += digits + 1;
  }
  if (zoneChars === 6) return text.endsWith('+00:00');
  if (zoneChars === 1) return text.charCodeAt(at) === 90;
  return true;
}

const SHAPE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)?$/;

/** The format that renders `timeMs` as exactly `text`, if any. */
export function detectTimeTextFormat(text: string, timeMs: number): TimeTextFormat | null {
  if (!SHAPE.test(text)) return null;
  const sep = text[10]!;
  const dot = text.indexOf('.', 19);
  const zone = text.endsWith('Z') ? 'Z' : text.endsWith('+00:00') ? '+' : '';
  const zoneChars = zone === '+' ? 6 : zone.length;
  const digits = dot < 0 ? 0 : text.length - zoneChars - dot - 1;
  const format = sep + String(digits) + zone;
  return formatTimeText(timeMs, format) === text ? format : null;
}
