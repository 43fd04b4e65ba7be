// Hostile input at the trust boundaries: seeded random messages never throw in the validators, and the
// WebSocket server answers every one of them (or drops an oversized frame) and keeps serving.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseHostMessage, parseWorkerMessage } from '../../../engine/rpc/protocol.ts';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import { createHostService, type HostService } from '../../../main/host/host-service.ts';
import { startWebServer, type WebServer } from '../../../main/host/web-server.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHANNELS = ['app.info', 'query.rows', 'query.timeline', 'case.open', 'case.annotate', 'files.pick', '__proto__', 'constructor', 'toString', ''];
const KEYS = ['offset', 'limit', 'handles', 'row', 'startMs', 'endMs', 'buckets', 'changes', '__proto__', 'constructor', 'type', 'seq', 'method', 'params'];

function value(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * 10);
  switch (k) {
    case 0: return null;
    case 1: return Math.floor(r() * 2 ** 33) - 2 ** 32;
    case 2: return r() < 0.5 ? NaN : r() * 1e300;
    case 3: return 'x'.repeat(Math.floor(r() * 5000));
    case 4: return r() < 0.5;
    case 5: return CHANNELS[Math.floor(r() * CHANNELS.length)];
    case 6:
    case 7: {
      if (depth > 3) return {};
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) o[KEYS[Math.floor(r() * KEYS.length)]!] = value(r, depth + 1);
      return o;
    }
    case 8: return depth > 3 ? [] : Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default: return undefined;
  }
}

describe('validators under random input', () => {
  it('never throw and refuse what does not fit', () => {
    const r = rng(1234);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const v = value(r, 0);
      const c = CHANNELS[Math.floor(r() * CHANNELS.length)];
      expect(() => validateRequest(c, v)).not.toThrow();
      expect(() => parseHostMessage(v)).not.toThrow();
      expect(() => parseWorkerMessage(v)).not.toThrow();
      if (parseHostMessage(v).ok) accepted++;
    }
    expect(accepted).toBeLessThan(5000);
  });
});

describe('websocket server under random frames', () => {
  let dir: string;
  let host: HostService;
  let server: WebServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hopscope-hostile-'));
    host = createHostService({
      mode: 'browser',
      resourcesDir: join(dir, 'res'),
      userDataDir: join(dir, 'user'),
      engine: { call: () => ({ promise: Promise.resolve(null as never), cancel() {} }), onCrash: () => () => {}, async close() {} },
    });
    server = await startWebServer({ host, rendererDir: join(dir, 'renderer'), maxMessageBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await server.close();
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every frame and still serves app.info afterwards', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers: { 'X-Hopscope-Token': server.token } });
    await new Promise((ok, ko) => {
      ws.once('open', ok);
      ws.once('error', ko);
    });
    const r = rng(99);
    const N = 300;
    const replies: Array<Record<string, unknown>> = [];
    const done = new Promise<void>((ok) =>
      ws.on('message', (d) => {
        replies.push(JSON.parse(String(d)) as Record<string, unknown>);
        if (replies.length === N + 1) ok();
      }),
    );
    for (let i = 0; i < N; i++) {
      const pick = r();
      if (pick < 0.2) ws.send(String(value(r, 0)).slice(0, 1000));
      else if (pick < 0.3) ws.send(Buffer.from([0x7b, Math.floor(r() * 256), 0x7d]), { binary: true });
      else ws.send(JSON.stringify({ id: i, channel: CHANNELS[Math.floor(r() * CHANNELS.length)], req: value(r, 0) }).slice(0, 60_000));
    }
    ws.send(JSON.stringify({ id: 1e6, channel: 'app.info', req: {} }));
    await done;
    expect(replies.every((m) => m['ok'] === true || m['ok'] === false)).toBe(true);
    expect(replies.at(-1)).toMatchObject({ id: 1e6, ok: true, res: { name: 'Hopscope' } });
    ws.close();
  });

  it('closes only the connection that sends invalid UTF-8 or an oversized frame', async () => {
    const open = async (): Promise<WebSocket> => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers: { 'X-Hopscope-Token': server.token } });
      await new Promise((ok, ko) => {
        ws.once('open', ok);
        ws.once('error', ko);
      });
      return ws;
    };
    const closed = (ws: WebSocket): Promise<number> => new Promise((ok) => ws.once('close', (code) => ok(code)));
    const bad = await open();
    const badClosed = closed(bad);
    bad.send(Buffer.from([0xff, 0xfe, 0x22]), { binary: false });
    expect(await badClosed).toBe(1007);
    const big = await open();
    const bigClosed = closed(big);
    big.send('x'.repeat(65 * 1024));
    expect(await bigClosed).toBe(1009);
    const good = await open();
    const reply = new Promise((ok) => good.once('message', (d) => ok(JSON.parse(String(d)))));
    good.send(JSON.stringify({ id: 1, channel: 'app.info', req: {} }));
    expect(await reply).toMatchObject({ id: 1, ok: true });
    good.close();
  });
});
