// Validates every request that crosses a trust boundary (IPC, WebSocket) against the API contract.
// Invariant: unknown channels, extra keys, wrong types and out-of-range numbers are refused, never coerced.

import type { ErrorInfo } from '../model/errors.ts';
import { isCanonicalField } from '../model/fields.ts';
import { EVENT_KINDS, isEventKind } from '../model/event-kinds.ts';
import { BULK_MAX_FINDINGS, MAX_COLUMN_FILTER_CHARS, MAX_COLUMN_FILTERS, type ApiContract, type Channel } from './api.ts';
import { checkHostTable, HOST_NAME_MAX, HOST_TABLE_MAX_ENTRIES } from '../detect/movements/host-table.ts';

type Check = (v: unknown, path: string) => string | null;

const MAX_STRING = 4096;
const MAX_ARRAY = 10_000;

const str = (max = MAX_STRING): Check => (v, p) =>
  typeof v === 'string' && v.length <= max ? null : `${p} must be a string of at most ${max} characters`;
const int = (min: number, max: number): Check => (v, p) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `${p} must be an integer in [${min}, ${max}]`;
const num = (): Check => (v, p) => (typeof v === 'number' && Number.isFinite(v) ? null : `${p} must be a finite number`);
const oneOf = (...vals: string[]): Check => (v, p) => (typeof v === 'string' && vals.includes(v) ? null : `${p} must be one of ${vals.join(', ')}`);
const arr = (item: Check, max = MAX_ARRAY): Check => (v, p) => {
  if (!Array.isArray(v) || v.length > max) return `${p} must be an array of at most ${max} items`;
  for (let i = 0; i < v.length; i++) {
    const e = item(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return null;
};
const opt = (c: Check): Check => (v, p) => (v === undefined ? null : c(v, p));
const optBool: Check = opt((v, p) => (typeof v === 'boolean' ? null : `${p} must be a boolean`));
function obj(shape: Record<string, Check>): Check {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${p} must be an object`;
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return `${p} must be a plain object`;
    // Own keys only: `in` would admit `constructor`, `toString` or a JSON `__proto__` key through Object.prototype.
    for (const k of Object.keys(v)) if (!Object.hasOwn(shape, k)) return `${p}.${k.slice(0, 80)} is not allowed`;
    for (const [k, c] of Object.entries(shape)) {
      const e = c((v as Record<string, unknown>)[k], `${p}.${k}`);
      if (e) return e;
    }
    return null;
  };
}

/** Any plain object: for payloads whose deep shape a domain parser checks next (annotation changes). */
const plain = (): Check => (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${p} must be an object`;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null ? null : `${p} must be a plain object`;
};

/** canonical field -> original column name: only canonical keys, short string values. */
const fieldMap = (): Check => (v, p) => {
  const e = plain()(v, p);
  if (e) return e;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length > 64) return `${p} has too many fields`;
  for (const k of keys) {
    if (!isCanonicalField(k)) return `${p}.${k} is not a canonical field`;
    const ve = str(512)(o[k], `${p}.${k}`);
    if (ve) return ve;
  }
  return null;
};

/** Any JSON value of bounded serialised size (opaque renderer state; the host stores it as-is). */
const jsonOf = (maxChars: number): Check => (v, p) => {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    return `${p} must be JSON`;
  }
  if (s === undefined) return `${p} must be JSON`;
  if (s.length > maxChars) return `${p} must be at most ${maxChars} characters of JSON`;
  return jsonDepthOver(v, MAX_JSON_DEPTH) ? `${p} must nest at most ${MAX_JSON_DEPTH} levels deep` : null;
};

/** Deepest nesting of opaque JSON state (a saved view) kept in a case: deeper is refused, never pretty-printed. */
export const MAX_JSON_DEPTH = 32;

/** Whether a JSON value nests deeper than `max` arrays/objects (iterative: never overflows the stack). */
export function jsonDepthOver(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d + 1 > max) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return false;
}

const spanSec: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) && v >= 0.001 && v <= 86_400 * 366 ? null : `${p} must be a number of seconds in [0.001, 31622400]`);

const sha256Hex: Check = (v, p) => (typeof v === 'string' && /^[0-9a-fA-F]{64}$/.test(v) ? null : `${p} must be a SHA-256 in hex`);

const EPOCH_MS = 8.64e15;
/** A rule file added from the app (Sigma rules are a few KB; the browser-mode socket takes 1 MiB a message). */
export const RULE_FILE_MAX_CHARS = 1024 * 1024;
const empty = obj({});
/** A host name as the store holds it: attacker-chosen names may be long, and a query on one must still work. */
export const HOST_MAX_CHARS = 256 * 1024;
const hostList = opt(arr(str(HOST_MAX_CHARS), 100_000));
/** Event kinds a query keeps: known names only (model/event-kinds.ts), each at most once. */
const kindList: Check = opt((v, p) => {
  const e = arr((k, q) => (typeof k === 'string' && isEventKind(k) ? null : `${q} must be an event kind (${EVENT_KINDS.join(', ')})`), EVENT_KINDS.length)(v, p);
  if (e) return e;
  return new Set(v as string[]).size === (v as string[]).length ? null : `${p} must not name a kind twice`;
});

/** The table's per-column filters: a field name and the text its value must contain, bounded in number and size. */
const columnFilterList: Check = opt(arr(obj({ field: str(256), text: str(MAX_COLUMN_FILTER_CHARS) }), MAX_COLUMN_FILTERS));

const SCHEMAS: { [C in Channel]: Check } = {
  'app.info': empty,
  'files.recent': empty,
  'files.pick': obj({ folder: opt((v, p) => (typeof v === 'boolean' ? null : `${p} must be a boolean`)) }),
  'files.preopened': empty,
  'case.open': obj({ handles: arr(str(128), 1000), takeOver: optBool }),
  'case.openSample': obj({ id: str(128), takeOver: optBool }),
  'case.openRecent': obj({ id: str(128), takeOver: optBool }),
  'case.cancel': obj({ jobId: str(128) }),
  'case.summary': empty,
  'query.timeline': obj({
    startMs: int(-EPOCH_MS, EPOCH_MS),
    endMs: int(-EPOCH_MS, EPOCH_MS),
    buckets: int(1, 20_000),
    hosts: hostList,
    filter: opt(str(MAX_STRING)),
    kinds: kindList,
  }),
  'query.rows': obj({
    offset: int(0, 2 ** 32),
    limit: int(0, 5_000),
    sort: opt(obj({ field: str(256), dir: oneOf('asc', 'desc') })),
    filter: opt(str(MAX_STRING)),
    startMs: opt(num()),
    endMs: opt(num()),
    hosts: hostList,
    findingId: opt(str(1024)),
    columns: opt(arr(str(256), 500)),
    kinds: kindList,
    columnFilters: columnFilterList,
  }),
  'query.event': obj({ row: int(0, 2 ** 32) }),
  'query.processTree': obj({ row: int(0, 2 ** 32) }),
  'query.findings': obj({ sort: opt(oneOf('risk', 'time')) }),
  'case.exportEvents': obj({
    scope: obj({ filter: opt(str(MAX_STRING)), startMs: opt(num()), endMs: opt(num()), hosts: hostList, findingId: opt(str(1024)), kinds: kindList, columnFilters: columnFilterList }),
    columns: arr(str(256), 500),
  }),
  'case.export': obj({ format: oneOf('json', 'csv', 'ndjson', 'html', 'pdf'), findingIds: opt(arr(str(1024), 100_000)) }),
  'case.rescan': obj({
    binSpanSec: opt((v, p) => (typeof v === 'number' && Number.isFinite(v) && v >= 0.001 && v <= 86_400 * 366 ? null : `${p} must be a number of seconds in [0.001, 31622400]`)),
    enabledRuleIds: opt(arr(str(512), 100_000)),
    reloadRules: opt((v, p) => (typeof v === 'boolean' ? null : `${p} must be a boolean`)),
  }),
  'rules.add': obj({ files: arr(obj({ name: str(255), text: str(RULE_FILE_MAX_CHARS) }), 500) }),
  'case.annotations': empty,
  'case.annotate': obj({
    changes: opt(arr(plain(), 1000)),
    bulk: opt(
      obj({
        edits: arr(plain(), 8),
        atIso: str(64),
        findingIds: opt(arr(str(1024), BULK_MAX_FINDINGS)),
        events: opt(
          obj({
            filter: opt(str(MAX_STRING)),
            startMs: opt(num()),
            endMs: opt(num()),
            hosts: hostList,
            findingId: opt(str(1024)),
            kinds: kindList,
            columnFilters: columnFilterList,
          }),
        ),
      }),
    ),
  }),
  'settings.get': empty,
  'settings.set': obj({
    analyst: opt(str(128)),
    binSpanSec: opt(spanSec),
    timeZone: opt(str(64)),
  }),
  'case.verifyEvidence': empty,
  'case.relocate': obj({ sha256: sha256Hex, handle: str(128) }),
  'case.recent': empty,
  'case.reopen': obj({ id: str(128), relocate: opt(arr(obj({ sha256: sha256Hex, handle: str(128) }), 1000)), takeOver: optBool }),
  'case.saveView': obj({ view: jsonOf(256 * 1024) }),
  'case.setClock': obj({
    sha256: sha256Hex,
    field: opt(str(256)),
    offsetMs: (v, p) => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 7 * 86_400_000 ? null : `${p} must be ms within 7 days either way (0 undoes)`),
  }),
  // Shape here; the addresses, names and one host per address are checked by the host table's own validator.
  'case.setHostTable': obj({
    entries: (v, p) => {
      const e = arr(obj({ ip: str(64), host: str(HOST_NAME_MAX) }), HOST_TABLE_MAX_ENTRIES)(v, p);
      if (e) return e;
      try {
        checkHostTable(v, p);
        return null;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
  }),
  'case.hostTable': empty,
  'case.view': empty,
  'files.setMapping': obj({
    signature: str(64),
    mapping: obj({
      time: str(512),
      host: opt(str(512)),
      fields: fieldMap(),
      source: opt(oneOf('sysmon', 'security-4688', 'cim', 'crowdstrike', 'defender', 'ecs', 'generic')),
    }),
  }),
  'query.explain': obj({ ruleId: str(512), findingId: opt(str(1024)), row: opt(int(0, 2 ** 32)) }),
};

/** A short printable form of an untrusted value (String() throws on objects without a prototype). */
function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : `(${typeof v})`;
}

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(SCHEMAS, name);
}

export type Validated = { ok: true; channel: Channel; req: ApiContract[Channel][0] } | { ok: false; error: ErrorInfo };

export function validateRequest(channel: unknown, payload: unknown): Validated {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: 'E_PROTOCOL', message: `unknown channel ${shown(channel)}` } };
  }
  const problem = SCHEMAS[channel](payload, 'request');
  if (problem) return { ok: false, error: { code: 'E_PROTOCOL', message: `${channel}: ${problem}` } };
  return { ok: true, channel, req: payload as ApiContract[Channel][0] };
}
