// Host <-> worker protocol: malformed messages in either direction are refused with E_PROTOCOL, never thrown.

import { describe, expect, it } from 'vitest';
import { parseHostMessage, parseWorkerMessage, transferablesOf } from '../../../engine/rpc/protocol.ts';

describe('parseHostMessage: eventsChunk (hopscope events)', () => {
  const req = (params: unknown) => parseHostMessage({ type: 'request', seq: 9, method: 'eventsChunk', params }).ok;
  it('takes a scope, csv or ndjson, an offset and a bounded page', () => {
    expect(req({ scope: { filter: 'kind:logon', kinds: ['logon'] }, format: 'csv', offset: 0, limit: 20000, header: true })).toBe(true);
    expect(req({ scope: {}, format: 'ndjson', offset: 40000, limit: 1, header: false })).toBe(true);
  });
  it('refuses other formats, pages over 100,000 rows, negative offsets, unknown kinds and extra keys', () => {
    expect(req({ scope: {}, format: 'xml', offset: 0, limit: 10, header: true })).toBe(false);
    expect(req({ scope: {}, format: 'csv', offset: 0, limit: 100001, header: true })).toBe(false);
    expect(req({ scope: {}, format: 'csv', offset: -1, limit: 10, header: true })).toBe(false);
    expect(req({ scope: { kinds: ['nonsense'] }, format: 'csv', offset: 0, limit: 10, header: true })).toBe(false);
    expect(req({ scope: {}, format: 'csv', offset: 0, limit: 10, header: true, evil: 1 })).toBe(false);
  });
});

describe('parseHostMessage (worker side)', () => {
  it('accepts a well-formed request and cancel', () => {
    expect(parseHostMessage({ type: 'request', seq: 1, method: 'summary', params: {} })).toMatchObject({ ok: true, msg: { method: 'summary' } });
    expect(parseHostMessage({ type: 'request', seq: 2, method: 'rows', params: { offset: 0, limit: 10 } }).ok).toBe(true);
    expect(parseHostMessage({ type: 'request', seq: 3, method: 'ingestFile', params: { path: '/x.csv', evidence: 0, name: 'x.csv' } }).ok).toBe(true);
    expect(parseHostMessage({ type: 'cancel', seq: 3 })).toEqual({ ok: true, msg: { type: 'cancel', seq: 3 } });
  });

  it.each([
    ['null', null],
    ['a string', 'request'],
    ['an array', [1, 2]],
    ['no seq', { type: 'request', method: 'summary', params: {} }],
    ['negative seq', { type: 'request', seq: -4, method: 'summary', params: {} }],
    ['fractional seq', { type: 'request', seq: 1.5, method: 'summary', params: {} }],
    ['unknown type', { type: 'shutdown', seq: 1 }],
    ['unknown method', { type: 'request', seq: 1, method: 'eval', params: {} }],
    ['inherited method name', { type: 'request', seq: 1, method: 'toString', params: {} }],
    ['params not an object', { type: 'request', seq: 1, method: 'summary', params: [] }],
    ['extra envelope key', { type: 'request', seq: 1, method: 'summary', params: {}, x: 1 }],
    ['extra params key', { type: 'request', seq: 1, method: 'summary', params: { x: 1 } }],
    ['bad rows params', { type: 'request', seq: 1, method: 'rows', params: { offset: -1, limit: 10 } }],
    ['NUL in ingest path', { type: 'request', seq: 1, method: 'ingestFile', params: { path: '/x\0', evidence: 0, name: 'x' } }],
    ['bad sha256', { type: 'request', seq: 1, method: 'evidenceMeta', params: { evidence: 0, sha256: 'xyz', bytes: 1, path: '/x', addedAt: 'now' } }],
    ['bad rule file', { type: 'request', seq: 1, method: 'loadRules', params: { files: [{ path: 1, text: '' }], macros: [], sigmaFiles: [] } }],
    ['zero bin span', { type: 'request', seq: 1, method: 'detect', params: { binSpanSec: 0 } }],
    ['bad report format', { type: 'request', seq: 1, method: 'report', params: { format: 'pdf' } }],
    ['cancel with extras', { type: 'cancel', seq: 1, why: 'x' }],
  ])('refuses %s', (_name, msg) => {
    const r = parseHostMessage(msg);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('E_PROTOCOL');
  });

  it('keeps the seq of a bad request so it can be answered', () => {
    const r = parseHostMessage({ type: 'request', seq: 7, method: 'nope', params: {} });
    expect(r).toMatchObject({ ok: false, seq: 7 });
  });
});

describe('parseWorkerMessage (host side)', () => {
  it('accepts response, progress and error', () => {
    expect(parseWorkerMessage({ type: 'response', seq: 1, result: null, timingMs: 2 }).ok).toBe(true);
    expect(parseWorkerMessage({ type: 'progress', seq: 1, progress: { phase: 'parsing', bytesDone: 1, bytesTotal: 2, records: 1, rejected: 0, rate: 5 } }).ok).toBe(true);
    expect(parseWorkerMessage({ type: 'progress', seq: 1, progress: { phase: 'parsing', bytesDone: 1, bytesTotal: 2, records: 1, rejected: 0, rate: 5, partial: true } }).ok).toBe(true);
    expect(parseWorkerMessage({ type: 'error', seq: -1, error: { code: 'E_PROTOCOL', message: 'x' } }).ok).toBe(true);
  });
  it.each([
    ['response without timing', { type: 'response', seq: 1, result: 1 }],
    ['response without result', { type: 'response', seq: 1, timingMs: 1 }],
    ['response without seq', { type: 'response', seq: -1, result: 1, timingMs: 1 }],
    ['progress with NaN', { type: 'progress', seq: 1, progress: { phase: 'parsing', bytesDone: NaN, bytesTotal: 2, records: 1, rejected: 0, rate: 5 } }],
    ['progress with a partial flag not true', { type: 'progress', seq: 1, progress: { phase: 'parsing', bytesDone: 1, bytesTotal: 2, records: 1, rejected: 0, rate: 5, partial: 'yes' } }],
    ['progress with unknown phase', { type: 'progress', seq: 1, progress: { phase: 'x', bytesDone: 1, bytesTotal: 2, records: 1, rejected: 0, rate: 5 } }],
    ['error with unknown code', { type: 'error', seq: 1, error: { code: 'E_NOPE', message: 'x' } }],
    ['error without message', { type: 'error', seq: 1, error: { code: 'E_IO' } }],
    ['unknown type', { type: 'log', seq: 1 }],
    ['not an object', 42],
  ])('refuses %s', (_n, msg) => {
    const r = parseWorkerMessage(msg);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('E_PROTOCOL');
  });
});

describe('transferablesOf', () => {
  it('finds top-level ArrayBuffers only', () => {
    const buf = new ArrayBuffer(4);
    expect(transferablesOf(buf)).toEqual([buf]);
    expect(transferablesOf({ format: 'json', bytes: buf })).toEqual([buf]);
    expect(transferablesOf({ nested: { bytes: buf } })).toEqual([]);
  });
});
