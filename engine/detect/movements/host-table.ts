// The analyst's IP -> host table (issue 14): the movement builder names a source address no event of the case
// resolves from it (MovementOptions.hostTable, resolvedBy 'host-table'). One validator for every way in: the CLI's
// `scan --hosts FILE` (CSV or JSON text, parsed here), the `case.setHostTable` channel, the case journal and the engine.
// Invariant: hostile input is refused with a located reason, never coerced; every address is kept in one canonical
// spelling (dotted IPv4, RFC 5952 IPv6), and the table handed to the builder also holds the other spelling Windows
// writes for an IPv4 peer (`::ffff:a.b.c.d`), so a table line matches however the event wrote the address.

import { HopscopeError } from '../../model/errors.ts';

export interface HostTableEntry {
  ip: string;
  host: string;
}

/** Most entries a table may hold. */
export const HOST_TABLE_MAX_ENTRIES = 100_000;
/** Largest table file (`scan --hosts`) read. */
export const HOST_TABLE_MAX_BYTES = 16 * 1024 * 1024;
/** Longest host name (a DNS name's limit). */
export const HOST_NAME_MAX = 255;
/** Longest address text looked at (an IPv6 address with an embedded IPv4 is 45). */
const IP_TEXT_MAX = 64;

const HOST_NAME = /^[A-Za-z0-9._-]+$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A short printable form of untrusted text for a message (controls escaped, cut at 80). */
function shown(s: string): string {
  return JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s);
}

function ipv4Octets(text: string): number[] | null {
  const m = IPV4.exec(text);
  if (!m) return null;
  const out: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    // A leading zero is octal to some parsers (010 = 8): ambiguous, so refused.
    if (part.length > 1 && part.startsWith('0')) return null;
    const n = Number(part);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** Eight 16-bit groups of an IPv6 address, or null. No zone index (`%12`), no brackets, no prefix length. */
function ipv6Groups(text: string): number[] | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return null;
  let head = text;
  let tail4: number[] | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = ipv4Octets(text.slice(lastColon + 1));
    if (!tail4) return null;
    // Keep the colon that ends the hex part (`::1.2.3.4` -> `::`, `::ffff:1.2.3.4` -> `::ffff:`), then mark the
    // two groups the dotted part stands for.
    head = text.slice(0, lastColon + 1);
    head = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const want = tail4 ? 6 : 8;
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  if (!left || !right) return null;
  let groups: number[];
  if (halves.length === 2) {
    const fill = want - left.length - right.length;
    if (fill < 1) return null;
    groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  } else {
    if (left.length !== want) return null;
    groups = left;
  }
  if (tail4) groups.push((tail4[0]! << 8) | tail4[1]!, (tail4[2]! << 8) | tail4[3]!);
  return groups;
}

/** RFC 5952 text of eight groups: lower case, no leading zeros, the longest run (2+) of zero groups as `::`. */
function ipv6Text(g: readonly number[]): string {
  // IPv4-mapped addresses keep their dotted tail, as Windows and RFC 5952 §5 write them.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

/** The canonical spelling of an IPv4 or IPv6 address, or null when `text` is not one. */
export function canonicalIp(text: string): string | null {
  if (text.length === 0 || text.length > IP_TEXT_MAX) return null;
  const v4 = ipv4Octets(text);
  if (v4) return v4.join('.');
  const v6 = ipv6Groups(text);
  return v6 ? ipv6Text(v6) : null;
}

/** Why `host` is not an acceptable host name, or null. */
export function hostNameProblem(host: string): string | null {
  if (host.length === 0) return 'the host name is empty';
  if (host.length > HOST_NAME_MAX) return `the host name is longer than ${HOST_NAME_MAX} characters`;
  if (!HOST_NAME.test(host)) return `host name ${shown(host)} may hold only letters, digits, '.', '_' and '-'`;
  if (!/[A-Za-z0-9]/.test(host)) return `host name ${shown(host)} has no letter or digit`;
  if (canonicalIp(host) !== null) return `host name ${shown(host)} is an address, not a host name`;
  return null;
}

/** Why `ip` is not an address the table can hold, or null. */
export function ipProblem(ip: string): string | null {
  return canonicalIp(ip) === null ? `${shown(ip)} is not an IPv4 or IPv6 address` : null;
}

/**
 * Checks a whole table (the channel's and the journal's form): each entry an address and a host name, at most
 * HOST_TABLE_MAX_ENTRIES, one host per address (the same pair twice is kept once). Returns the table with canonical
 * addresses in the given order, or throws E_USAGE naming the entry (`entries[3].ip: ...`).
 */
export function checkHostTable(entries: unknown, what = 'entries'): HostTableEntry[] {
  if (!Array.isArray(entries)) throw new HopscopeError('E_USAGE', `${what} must be an array`);
  if (entries.length > HOST_TABLE_MAX_ENTRIES) throw new HopscopeError('E_USAGE', `${what}: at most ${HOST_TABLE_MAX_ENTRIES} entries`);
  const out: HostTableEntry[] = [];
  const byIp = new Map<string, { host: string; index: number }>();
  for (let i = 0; i < entries.length; i++) {
    const e: unknown = entries[i];
    const at = `${what}[${i}]`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new HopscopeError('E_USAGE', `${at} must be an object {ip, host}`);
    for (const k of Object.keys(e)) if (k !== 'ip' && k !== 'host') throw new HopscopeError('E_USAGE', `${at}.${k.slice(0, 80)} is not allowed`);
    const { ip, host } = e as Record<string, unknown>;
    if (typeof ip !== 'string') throw new HopscopeError('E_USAGE', `${at}.ip must be a string`);
    if (typeof host !== 'string') throw new HopscopeError('E_USAGE', `${at}.host must be a string`);
    const r = entryOf(ip, host);
    if (typeof r === 'string') throw new HopscopeError('E_USAGE', `${at}: ${r}`);
    const prev = byIp.get(r.ip);
    if (prev) {
      if (prev.host !== r.host) throw new HopscopeError('E_USAGE', `${at}: ${r.ip} is already ${shown(prev.host)} (${what}[${prev.index}])`);
      continue;
    }
    byIp.set(r.ip, { host: r.host, index: i });
    out.push(r);
  }
  return out;
}

/** One checked entry, or the reason it is refused. */
function entryOf(ip: string, host: string): HostTableEntry | string {
  const canon = canonicalIp(ip.trim());
  if (canon === null) return ipProblem(ip)!;
  const bad = hostNameProblem(host);
  return bad ?? { ip: canon, host };
}

/**
 * The builder's form: address -> host, with each IPv4 address also under `::ffff:a.b.c.d` and each IPv4-mapped one
 * also under its dotted IPv4 (an address the table names itself keeps its own host). A null-prototype record, so an
 * address can never reach Object.prototype.
 */
export function hostTableRecord(entries: readonly HostTableEntry[]): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const e of entries) out[e.ip] = e.host;
  for (const e of entries) {
    const alt = e.ip.startsWith('::ffff:') && e.ip.includes('.') ? e.ip.slice(7) : e.ip.includes('.') ? `::ffff:${e.ip}` : null;
    if (alt !== null && !Object.hasOwn(out, alt)) out[alt] = e.host;
  }
  return out;
}

/** `PREFIXreason (FILE, line N)`: HopscopeError appends the location. */
let prefix = '';
function located(file: string, line: number, reason: string): HopscopeError {
  return new HopscopeError('E_USAGE', prefix + reason, { file, line });
}

/**
 * A table file's text: a JSON object `{"10.0.0.12": "WKS-NYC-1002", ...}` when its first non-blank character is `{`,
 * else CSV lines `ip,host` (an `ip,host` header line is optional; `#` starts a comment; blank lines are skipped).
 * Throws E_USAGE `WHAT: reason (FILE, line N)` at the first bad line, or when the table is too large.
 */
export function parseHostTableText(text: string, file: string, what = ''): HostTableEntry[] {
  prefix = what ? `${what}: ` : '';
  try {
    return parseTable(text, file);
  } finally {
    prefix = '';
  }
}

function parseTable(text: string, file: string): HostTableEntry[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length > HOST_TABLE_MAX_BYTES) throw new HopscopeError('E_USAGE', `${prefix}larger than ${HOST_TABLE_MAX_BYTES} bytes`, { file });
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw located(file, lineAt(text, nul), 'a NUL character: this is not a text file (use ip,host lines or a JSON object)');
  const raw = /^\s*\{/.test(text) ? parseJsonTable(text, file) : parseCsvTable(text, file);
  const out: HostTableEntry[] = [];
  const byIp = new Map<string, { host: string; line: number }>();
  for (const r of raw) {
    const e = entryOf(r.ip, r.host);
    if (typeof e === 'string') throw located(file, r.line, e);
    const prev = byIp.get(e.ip);
    if (prev) {
      if (prev.host !== e.host) throw located(file, r.line, `${e.ip} is already ${shown(prev.host)} (line ${prev.line})`);
      continue;
    }
    if (out.length >= HOST_TABLE_MAX_ENTRIES) throw located(file, r.line, `more than ${HOST_TABLE_MAX_ENTRIES} entries`);
    byIp.set(e.ip, { host: e.host, line: r.line });
    out.push(e);
  }
  return out;
}

interface RawEntry {
  ip: string;
  host: string;
  line: number;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** A CSV field: trimmed, and one pair of surrounding double quotes taken off (no quote may be left inside). */
function csvField(s: string, file: string, line: number): string {
  const t = s.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    const inner = t.slice(1, -1);
    if (!inner.includes('"')) return inner.trim();
  }
  if (t.includes('"')) throw located(file, line, `cannot read ${shown(t)} (a quoted field must be quoted whole)`);
  return t;
}

function parseCsvTable(text: string, file: string): RawEntry[] {
  const out: RawEntry[] = [];
  const lines = text.split('\n');
  let seenContent = false;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let s = lines[i]!;
    if (s.endsWith('\r')) s = s.slice(0, -1);
    // Neither an address nor a host name holds '#': the rest of the line is a comment wherever it starts.
    const hash = s.indexOf('#');
    if (hash >= 0) s = s.slice(0, hash);
    if (s.trim() === '') continue;
    const parts = s.split(',');
    if (parts.length !== 2) {
      throw located(file, n, parts.length < 2 ? `expected ip,host, got ${shown(s.trim())}` : `expected ip,host, got ${parts.length} fields`);
    }
    const ip = csvField(parts[0]!, file, n);
    const host = csvField(parts[1]!, file, n);
    if (!seenContent && ip.toLowerCase() === 'ip' && host.toLowerCase() === 'host') {
      seenContent = true;
      continue;
    }
    seenContent = true;
    if (out.length > HOST_TABLE_MAX_ENTRIES) throw located(file, n, `more than ${HOST_TABLE_MAX_ENTRIES} entries`);
    out.push({ ip, host, line: n });
  }
  return out;
}

/**
 * A flat JSON object of strings, read by hand so each entry has its line and a key given twice is seen (JSON.parse
 * would keep the last one silently). String tokens are decoded by JSON.parse itself.
 */
function parseJsonTable(text: string, file: string): RawEntry[] {
  let i = 0;
  let line = 1;
  const fail = (reason: string): never => {
    throw located(file, line, reason);
  };
  const ws = (): void => {
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') break;
      i++;
    }
  };
  const str = (what: string): string => {
    if (text[i] !== '"') fail(`expected ${what} as a JSON string`);
    let j = i + 1;
    while (j < text.length && text[j] !== '"') {
      const c = text.charCodeAt(j);
      if (c < 0x20) fail(`a control character in a JSON string`);
      j += text[j] === '\\' ? 2 : 1;
      if (j - i > 4 * HOST_NAME_MAX) fail(`${what} is too long`);
    }
    if (j >= text.length) fail('a JSON string is not closed');
    let v: unknown;
    try {
      v = JSON.parse(text.slice(i, j + 1));
    } catch {
      fail(`cannot read the JSON string ${shown(text.slice(i, j + 1))}`);
    }
    i = j + 1;
    return v as string;
  };
  const out: RawEntry[] = [];
  ws();
  if (text[i] !== '{') fail('expected a JSON object {"ip": "host", ...}');
  i++;
  ws();
  if (text[i] === '}') i++;
  else {
    for (;;) {
      ws();
      const at = line;
      const ip = str('an address');
      ws();
      if (text[i] !== ':') fail(`expected ':' after ${shown(ip)}`);
      i++;
      ws();
      if (text[i] !== '"') fail(`the host of ${shown(ip)} must be a string`);
      const host = str('a host name');
      if (out.length > HOST_TABLE_MAX_ENTRIES) fail(`more than ${HOST_TABLE_MAX_ENTRIES} entries`);
      out.push({ ip, host, line: at });
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        break;
      }
      fail(text[i] === undefined ? 'the JSON object is not closed' : `expected ',' or '}'`);
    }
  }
  ws();
  if (i < text.length) fail('text after the JSON object');
  return out;
}
