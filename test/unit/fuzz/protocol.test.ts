// Protocol fuzzing in CI: the API validator and the worker message validators (oracle in
// test/fuzz/protocol.ts), then the browser-mode server in-process on port 0 (test/fuzz/web.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import { parseHostMessage } from '../../../engine/rpc/protocol.ts';
import { baseSeed, iterations } from '../../fuzz/lib.ts';
import { fuzzWebHttp, fuzzWebSocket, fuzzWebUpload, startFixture, type WebFixture } from '../../fuzz/web.ts';
import { fuzzValidateRequest, fuzzWorkerProtocol, PROTO_KEYS, VALID_REQUESTS } from '../../fuzz/protocol.ts';

const N = iterations(300);

describe('API request validator', () => {
  it('accepts every valid sample (they cover every channel they name)', () => {
    for (const [channel, reqs] of Object.entries(VALID_REQUESTS)) {
      for (const req of reqs) expect(validateRequest(channel, req), channel).toMatchObject({ ok: true });
    }
  });

  it('refuses prototype-named extra keys (own keys from JSON.parse), at the top and nested', () => {
    for (const k of PROTO_KEYS) {
      expect(validateRequest('app.info', JSON.parse(`{"${k}":{"x":1}}`)).ok, k).toBe(false);
      expect(validateRequest('query.event', JSON.parse(`{"row":1,"${k}":1}`)).ok, k).toBe(false);
      expect(validateRequest('query.rows', JSON.parse(`{"offset":0,"limit":1,"sort":{"field":"a","dir":"asc","${k}":1}}`)).ok, k).toBe(false);
    }
  });

  it('never throws on values String() cannot print (null-prototype objects as the channel)', () => {
    const v = validateRequest(Object.create(null), {});
    expect(v.ok).toBe(false);
  });

  it(`${N * 10} random and mutated requests: never throws, refuses the invalid, accepts the valid`, () => {
    const res = fuzzValidateRequest(N * 10, baseSeed());
    expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    expect(res.refused).toBeGreaterThan(0);
    expect(res.refused).toBeLessThan(res.tried);
  }, 120_000);
});

describe('worker protocol validators', () => {
  it('refuses prototype-named extra params and unprintable methods without throwing', () => {
    for (const k of PROTO_KEYS) {
      expect(parseHostMessage(JSON.parse(`{"type":"request","seq":1,"method":"reset","params":{"${k}":1}}`)).ok, k).toBe(false);
    }
    expect(parseHostMessage({ type: 'request', seq: 1, method: Object.create(null), params: {} }).ok).toBe(false);
    expect(parseHostMessage({ type: Object.create(null), seq: 1 }).ok).toBe(false);
  });

  it(`${N * 10} random and mutated messages both ways: never throws, refuses the invalid`, () => {
    const res = fuzzWorkerProtocol(N * 10, baseSeed());
    expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    expect(res.refused).toBeGreaterThan(0);
  }, 120_000);
});

describe('browser-mode server', () => {
  let fx: WebFixture;
  beforeAll(async () => {
    fx = await startFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it(`${N} raw HTTP requests (traversal encodings, NUL, overlong UTF-8, Host/Origin/token variants)`, async () => {
    const res = await fuzzWebHttp(fx, N, baseSeed());
    expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    expect(res.refused).toBeGreaterThan(N / 2);
  }, 180_000);

  it(`${Math.ceil(N / 3)} uploads with hostile names and sizes stay in the upload folder under a clean name`, async () => {
    const res = await fuzzWebUpload(fx, Math.ceil(N / 3), baseSeed());
    expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    expect(res.refused).toBeLessThan(res.tried);
  }, 180_000);

  it(`${N} WebSocket frames (bad JSON, binary, oversized, bad ids/channels/requests) and bad handshakes`, async () => {
    const res = await fuzzWebSocket(fx, N, baseSeed());
    expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    expect(res.refused).toBeGreaterThan(0);
  }, 180_000);
});
