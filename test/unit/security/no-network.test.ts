// Hopscope never phones home: the headless scan and browser mode (start, open evidence, rules, export) run
// with every outbound network attempt recorded and refused (test/support/no-network.mjs, also loaded in the
// engine and parse worker threads); the log must show the workers instrumented and no attempt at all.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const root = resolve(import.meta.dirname, '../../..');
const preload = join(root, 'test/support/no-network.mjs');
const sample = join(root, 'resources/samples/corp-lateral-movement.sysmon.xml');
const tmp = mkdtempSync(join(tmpdir(), 'hopscope-nonet-'));

interface NetRecord { kind: string; target: string; thread: number }
const readLog = (file: string): NetRecord[] =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as NetRecord) : [];
const env = (log: string) => ({ ...process.env, HOPSCOPE_NET_LOG: log, HOPSCOPE_USER_DATA: join(tmp, 'userdata-' + Date.now()) });

describe('no outbound network', () => {
  it('the harness itself catches an outbound attempt (control)', () => {
    const log = join(tmp, 'control.ndjson');
    const r = spawnSync(process.execPath, ['--import', preload, '-e', "require('node:net').connect(443, 'updates.example.invalid')"], { env: env(log), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(readLog(log).filter((x) => x.kind === 'connect').map((x) => x.target)).toEqual(['updates.example.invalid:443']);
  });

  it('headless scan: ingest, rules and an HTML report make no network attempt', () => {
    const log = join(tmp, 'scan.ndjson');
    const out = join(tmp, 'report.html');
    const r = spawnSync(process.execPath, ['--import', preload, join(root, 'dist/host/cli.js'), 'scan', '--format', 'html', '--out', out, sample], { env: env(log), encoding: 'utf8' });
    expect(r.stderr).not.toContain('refused by the test harness');
    expect(r.status).toBe(0);
    const recs = readLog(log);
    expect(recs.some((x) => x.kind === 'loaded' && x.thread !== 0)).toBe(true); // the engine worker is instrumented too
    expect(recs.filter((x) => x.kind !== 'loaded')).toEqual([]);
    expect(readFileSync(out, 'utf8')).toContain('psexec-accepteula');
  });

  describe('browser mode', () => {
    let child: ChildProcess | undefined;
    afterAll(() => child?.kill());

    it('start, open the sample, run rules, query and export: loopback only', async () => {
      const log = join(tmp, 'web.ndjson');
      child = spawn(process.execPath, ['--import', preload, join(root, 'dist/host/web.js')], { env: env(log), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      const url = await new Promise<URL>((res, rej) => {
        child!.stdout!.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(stdout);
          if (m) res(new URL(m[0]));
        });
        child!.on('exit', (code) => rej(new Error(`web exited ${code}: ${stdout}`)));
      });
      const token = url.searchParams.get('token')!;
      const ws = new WebSocket(`ws://${url.host}/api?token=${token}`);
      await new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
      let nextId = 1;
      const pending = new Map<number, (m: { ok: boolean; res?: unknown; error?: unknown }) => void>();
      const pushes: Array<{ type: string }> = [];
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { id?: number; ok: boolean; push?: { type: string } };
        if (m.push) pushes.push(m.push);
        else if (m.id !== undefined) pending.get(m.id)?.(m);
      });
      const call = (channel: string, req: object) => new Promise<unknown>((res, rej) => {
        const id = nextId++;
        pending.set(id, (m) => (m.ok ? res(m.res) : rej(new Error(JSON.stringify(m.error)))));
        ws.send(JSON.stringify({ id, channel, req }));
      });
      const info = (await call('app.info', {})) as { samples: Array<{ id: string; name: string }> };
      const sampleId = info.samples.find((s) => s.name.endsWith('.sysmon.xml'))!.id;
      await call('case.openSample', { id: sampleId });
      for (let i = 0; i < 600 && !pushes.some((p) => p.type === 'case-ready'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(pushes.some((p) => p.type === 'case-ready')).toBe(true);
      const findings = (await call('query.findings', {})) as { findings: unknown[] };
      expect(findings.findings.length).toBeGreaterThan(0);
      const exported = (await call('case.export', { format: 'html' })) as { text: string };
      expect(exported.text).toContain('<html');
      ws.close();
      child.kill();
      const recs = readLog(log);
      expect(recs.some((x) => x.kind === 'loaded' && x.thread !== 0)).toBe(true);
      expect(recs.filter((x) => x.kind !== 'loaded')).toEqual([]);
    });
  });
});
