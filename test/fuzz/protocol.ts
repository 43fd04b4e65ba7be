// Protocol fuzz targets: the API validator and the host <-> worker message validators. Oracle: valid samples
// pass; an extra key (prototype names too), another JSON type, a non-finite number or a huge string/array is
// refused; no value at all makes a validator throw.

import { validateRequest } from '../../engine/rpc/validate.ts';
import { parseHostMessage, parseWorkerMessage } from '../../engine/rpc/protocol.ts';
import { inputSeed, Rand } from './lib.ts';
import type { Failure, TargetResult } from './readers.ts';

const SHA = 'a'.repeat(64);

/** Valid requests per API channel (full and minimal shapes). */
export const VALID_REQUESTS: Record<string, object[]> = {
  'app.info': [{}],
  'files.recent': [{}],
  'files.pick': [{}],
  'files.preopened': [{}],
  'case.open': [{ handles: ['h1', 'h2'] }, { handles: [] }],
  'case.openSample': [{ id: 'demo' }],
  'case.openRecent': [{ id: 'r1' }],
  'case.cancel': [{ jobId: 'j1' }],
  'case.summary': [{}],
  'query.timeline': [{ startMs: 0, endMs: 1_714_550_400_000, buckets: 800, hosts: ['WS1'], filter: 'process_name=cmd.exe' }, { startMs: -1000, endMs: 1000, buckets: 1 }],
  'query.rows': [{ offset: 0, limit: 100, sort: { field: '_time', dir: 'asc' }, filter: 'x', startMs: 0.5, endMs: 10, hosts: ['a'], findingId: 'f', columns: ['dest'] }, { offset: 10, limit: 0 }],
  'query.event': [{ row: 0 }],
  'query.processTree': [{ row: 42 }],
  'query.findings': [{ sort: 'risk' }, {}],
  'case.export': [{ format: 'html' }, { format: 'csv', findingIds: ['a|b|0'] }],
  'case.rescan': [{ binSpanSec: 60, enabledRuleIds: ['psexec-accepteula'] }, {}],
  'case.annotations': [{}],
  'case.annotate': [{ changes: [{ kind: 'note', text: 'x' }] }],
  'settings.get': [{}],
  'settings.set': [{ analyst: 'me', binSpanSec: 1, timeZone: 'UTC' }, {}],
  'case.verifyEvidence': [{}],
  'case.relocate': [{ sha256: SHA, handle: 'h1' }],
  'case.recent': [{}],
  'case.reopen': [{ id: 'c1', relocate: [{ sha256: SHA, handle: 'h' }] }, { id: 'c1' }],
  'case.saveView': [{ view: { zoom: [1, 2], hosts: ['a'] } }],
  'case.setClock': [{ sha256: SHA, field: 'TimeCreated', offsetMs: 14_400_000 }, { sha256: SHA, offsetMs: -3_600_000 }],
  'case.setHostTable': [{ entries: [{ ip: '10.0.0.12', host: 'WKS-NYC-1002' }, { ip: '2001:db8::7', host: 'kiosk-7.corp.lan' }] }, { entries: [] }],
  'case.hostTable': [{}],
  'files.setMapping': [{ signature: 'deadbeef:3', mapping: { time: 'when', host: 'machine', fields: { process: 'cmd' }, source: 'generic' } }],
  'query.explain': [{ ruleId: 'r', findingId: 'f', row: 3 }, { ruleId: 'r' }],
};

/** Fields whose value may be any JSON (a type change is not an error there). */
const ANY_JSON = new Set(['view']);

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

/** A random JSON-ish value (plus what only in-process or structured-clone callers can send). */
export function randomValue(r: Rand, depth = 0): unknown {
  const k = r.int(depth > 3 ? 9 : 13);
  switch (k) {
    case 0: return null;
    case 1: return undefined;
    case 2: return r.chance(0.5);
    case 3: return r.pick([0, -0, -1, 1, 0.5, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, Number.MAX_SAFE_INTEGER + 2, 8.64e15 + 1]);
    case 4: return r.pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    case 5: return r.pick(['', 'x', '__proto__', 'constructor', 'app.info', 'query.rows', '../../etc/passwd', '\u0000', '\uD800', 'a'.repeat(5000)]);
    case 6: return 'x'.repeat(r.chance(0.1) ? 5_000_000 : 1 + r.int(300));
    case 7: return BigInt(1);
    case 8: return Symbol('s');
    case 9: return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    case 10: {
      // JSON.parse makes `__proto__` an own data key; an object literal would set the prototype instead.
      const o: Record<string, unknown> = JSON.parse('{}');
      for (let i = 0, n = r.int(4); i < n; i++) {
        Object.defineProperty(o, r.chance(0.4) ? r.pick(PROTO_KEYS) : r.pick(['a', 'row', 'id', 'handles', 'offset', 'limit']), { value: randomValue(r, depth + 1), enumerable: true, configurable: true, writable: true });
      }
      return o;
    }
    case 11: {
      const o = Object.create(null) as Record<string, unknown>;
      o['x'] = randomValue(r, depth + 1);
      return o;
    }
    default: return r.chance(0.5) ? new Array(r.chance(0.2) ? 200_001 : 3).fill(0) : new Date(0);
  }
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** A value of another JSON kind than `v`. */
function otherKind(v: unknown, r: Rand): unknown {
  const pool: unknown[] = [null, true, 7, 'str', [], {}, [1, 'a'], { a: 1 }];
  const options = pool.filter((x) => jsonKind(x) !== jsonKind(v));
  return r.pick(options);
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
}

type Expect = 'accept' | 'refuse' | 'any';

/** One mutated API request and what the validator must answer. */
export function mutateRequest(r: Rand): { channel: unknown; req: unknown; expect: Expect; why: string } {
  const channels = Object.keys(VALID_REQUESTS);
  const channel = r.pick(channels);
  const base = clone(r.pick(VALID_REQUESTS[channel]!)) as Record<string, unknown>;
  const keys = Object.keys(base);
  const op = r.int(8);
  if (op === 0) return { channel, req: base, expect: 'accept', why: 'valid sample' };
  if (op === 1) {
    const k = r.chance(0.6) ? r.pick(PROTO_KEYS) : 'extra' + r.int(100);
    const target = nestedObject(base, r);
    setOwn(target, k, randomValue(r));
    return { channel, req: base, expect: 'refuse', why: `extra key ${k}` };
  }
  if (op === 2 && keys.length > 0) {
    const k = r.pick(keys);
    if (ANY_JSON.has(k)) return { channel, req: base, expect: 'accept', why: 'any JSON field' };
    base[k] = otherKind(base[k], r);
    return { channel, req: base, expect: 'refuse', why: `type of ${k} changed` };
  }
  if (op === 3) {
    const nums = keys.filter((k) => typeof base[k] === 'number');
    if (nums.length > 0) {
      const k = r.pick(nums);
      base[k] = r.pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
      return { channel, req: base, expect: 'refuse', why: `non-finite ${k}` };
    }
  }
  if (op === 4) {
    const strs = keys.filter((k) => typeof base[k] === 'string');
    const arrs = keys.filter((k) => Array.isArray(base[k]));
    if (strs.length > 0 && r.chance(0.5)) {
      const k = r.pick(strs);
      base[k] = 'x'.repeat(5_000_000);
      return { channel, req: base, expect: 'refuse', why: `huge string ${k}` };
    }
    if (arrs.length > 0) {
      const k = r.pick(arrs);
      base[k] = new Array(200_001).fill((base[k] as unknown[])[0] ?? 'x');
      return { channel, req: base, expect: 'refuse', why: `huge array ${k}` };
    }
  }
  if (op === 5) return { channel, req: randomValue(r), expect: 'any', why: 'random payload' };
  if (op === 6) {
    const rc = randomValue(r);
    return { channel: rc, req: base, expect: typeof rc === 'string' ? 'any' : 'refuse', why: 'random channel' };
  }
  // Not a plain object at all.
  return { channel, req: r.pick<unknown>([null, undefined, 1, 'x', [], [base], new Date(0), Object.assign(Object.create({ polluted: 1 }), base)]), expect: 'refuse', why: 'payload not a plain object' };
}

/** The request itself or one of its `obj`-schema nested objects (where extra keys are refused too). */
function nestedObject(base: Record<string, unknown>, r: Rand): Record<string, unknown> {
  const nested: Array<Record<string, unknown>> = [base];
  const sort = base['sort'];
  if (sort && typeof sort === 'object') nested.push(sort as Record<string, unknown>);
  const mapping = base['mapping'] as Record<string, unknown> | undefined;
  if (mapping) nested.push(mapping);
  const reloc = base['relocate'];
  if (Array.isArray(reloc) && reloc[0]) nested.push(reloc[0] as Record<string, unknown>);
  return r.pick(nested);
}

function check(target: string, seed: number, fn: () => string | null, failures: Failure[]): void {
  let problem: string | null;
  try {
    problem = fn();
  } catch (err) {
    problem = `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  }
  if (problem) failures.push({ target, seed, message: problem });
}

export function fuzzValidateRequest(n: number, base: number): TargetResult {
  const target = 'protocol:validateRequest';
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    const m = mutateRequest(new Rand(s));
    res.tried++;
    check(target, s, () => {
      const v = validateRequest(m.channel, m.req);
      if (!v.ok) {
        res.refused++;
        if (v.error.code !== 'E_PROTOCOL' || !v.error.message) return `refusal without E_PROTOCOL/message (${m.why})`;
        if (v.error.message.length > 2000) return `refusal message of ${v.error.message.length} chars (${m.why})`;
      }
      if (m.expect === 'accept' && !v.ok) return `valid request refused (${m.why}): ${v.error.message}`;
      if (m.expect === 'refuse' && v.ok) return `invalid request accepted (${m.why}): ${String(m.channel)} ${safeJson(m.req)}`;
      return null;
    }, res.failures);
  }
  return res;
}

const METHOD_PARAMS: Record<string, object> = {
  ingestFile: { path: '/tmp/e.csv', evidence: 0, name: 'e.csv' },
  evidenceMeta: { evidence: 0, sha256: SHA, bytes: 10, path: '/tmp/e.csv', addedAt: '2024-05-01T00:00:00Z' },
  loadRules: { files: [{ path: 'a.yml', text: 'x' }], macros: [], sigmaFiles: [] },
  hostTable: { entries: [{ ip: '10.0.0.12', host: 'WKS-1' }] },
  detect: { binSpanSec: 1 },
  summary: {},
  timeline: { startMs: 0, endMs: 10, buckets: 10 },
  rows: { offset: 0, limit: 10 },
  event: { row: 1 },
  processTree: { row: 1 },
  findings: {},
  explain: { ruleId: 'r' },
  report: { format: 'json' },
  reset: {},
};

export function fuzzWorkerProtocol(n: number, base: number): TargetResult {
  const target = 'protocol:worker';
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    const r = new Rand(s);
    res.tried++;
    const method = r.pick(Object.keys(METHOD_PARAMS));
    const msg: Record<string, unknown> = { type: 'request', seq: r.int(1000), method, params: clone(METHOD_PARAMS[method]!) };
    let expect: Expect = 'accept';
    let why = 'valid request';
    switch (r.int(7)) {
      case 0: break;
      case 1: {
        const k = r.pick(PROTO_KEYS);
        setOwn(r.chance(0.5) ? msg : (msg['params'] as Record<string, unknown>), k, randomValue(r));
        expect = 'refuse';
        why = `extra key ${k}`;
        break;
      }
      case 2:
        msg['seq'] = r.pick([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, '1', null]);
        expect = 'refuse';
        why = 'bad seq';
        break;
      case 3:
        msg['method'] = randomValue(r);
        expect = 'refuse';
        why = 'random method';
        break;
      case 4: {
        const p = msg['params'] as Record<string, unknown>;
        const keys = Object.keys(p);
        if (keys.length === 0) break;
        const k = r.pick(keys);
        p[k] = otherKind(p[k], r);
        expect = 'refuse';
        why = `type of params.${k} changed`;
        break;
      }
      case 5:
        msg['params'] = randomValue(r);
        expect = 'any';
        why = 'random params';
        break;
      default: {
        // Worker -> host direction: random envelopes must be refused or parsed, never throw.
        const w = r.pick<unknown>([
          { type: 'response', seq: r.int(9), result: randomValue(r), timingMs: randomValue(r) },
          { type: 'progress', seq: r.int(9), progress: { phase: r.pick(['parsing', 'x']), bytesDone: randomValue(r), bytesTotal: 1, records: 1, rejected: 0, rate: 0 } },
          { type: 'error', seq: -1, error: { code: r.pick(['E_FORMAT', 'E_NOPE']), message: randomValue(r) } },
          randomValue(r),
        ]);
        check(target, s, () => {
          parseWorkerMessage(w);
          return null;
        }, res.failures);
        continue;
      }
    }
    check(target, s, () => {
      const v = parseHostMessage(msg);
      if (!v.ok) res.refused++;
      if (expect === 'accept' && !v.ok) return `valid message refused (${why}): ${v.error.message}`;
      if (expect === 'refuse' && v.ok) return `invalid message accepted (${why}): ${safeJson(msg)}`;
      return null;
    }, res.failures);
  }
  return res;
}

function safeJson(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(typeof v)).slice(0, 300);
  } catch {
    return `(${typeof v})`;
  }
}
