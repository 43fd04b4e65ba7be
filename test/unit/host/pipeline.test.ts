// End to end through the real bundles: build once, then the engine worker (ingest -> store -> rules -> detect ->
// queries) via the engine client, worker crash detection, and the CLI's exit codes and JSON report.

import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCaseJob } from '../../../main/host/case-job.ts';
import { createEngineClient, type EngineLike } from '../../../main/host/engine-client.ts';
import { createHostService } from '../../../main/host/host-service.ts';
import type { HostPush } from '../../../engine/rpc/api.ts';
import { collectRuleFiles } from '../../../main/host/rule-files.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const workerPath = join(root, 'dist', 'host', 'engine-worker.js');
const cli = join(root, 'dist', 'host', 'cli.js');
const fixture = join(here, 'fixtures', 'small-cim.csv');
const sigma = join(here, 'fixtures', 'psexec-accepteula.yml');
const RULE_ID = '11111111-2222-3333-4444-555555555555';
const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);

let tmp: string;
// The bundles are built once by test/global-setup.ts (rebuilding here would race suites running them).
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-pipeline-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('engine worker round trip', () => {
  let engine: EngineLike;
  beforeAll(() => {
    engine = createEngineClient({ workerPath });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('ingests a CSV, detects, and answers rows, timeline, event, process tree and report', async () => {
    const before = await stat(fixture);
    const progress: string[] = [];
    const job = runCaseJob(engine, {
      evidence: [{ path: fixture, name: 'small-cim.csv' }],
      rules: await collectRuleFiles({ sigmaPaths: [sigma] }),
      binSpanSec: 1,
      onProgress: (p) => progress.push(p.phase),
    });
    const res = await job.promise;
    expect(res.evidence[0]!.ingest).toMatchObject({ format: 'splunk-cim', cancelled: false, stats: { appended: 4, rejected: 1 } });
    expect(res.evidence[0]!.sha256).toBe('108b6120a74ef812b1e622f48d41f78e576fe24d34fb7c8f71179f77b75e6daf');
    expect(res.rules.rules.map((r) => r.id)).toEqual([RULE_ID]);
    expect(res.detect.findings).toBe(1);
    expect(res.summary).toMatchObject({ events: 4, hosts: ['SRV-2', 'WKS-1'], findings: 1, binSpanSec: 1 });
    expect(res.summary!.evidence[0]).toMatchObject({ sha256: res.evidence[0]!.sha256, rejected: 1, path: fixture });
    expect(progress).toContain('rules');
    expect(progress.at(-1)).toBe('done');

    const rows = await engine.call('rows', { offset: 0, limit: 10, columns: ['_time', 'dest', 'process_name'] }).promise;
    expect(rows.total).toBe(4);
    expect(rows.rows.map((r) => r.values[2])).toEqual(['cmd.exe', 'PsExec.exe', 'PSEXESVC.exe', 'cmd.exe']);

    const tl = await engine.call('timeline', { startMs: T0, endMs: T0 + 10_000, buckets: 10 }).promise;
    expect(tl.total).toEqual([1, 1, 1, 0, 0, 1, 0, 0, 0, 0]);
    const wks = tl.lanes.find((l) => l.host === 'WKS-1')!;
    expect(wks.findings[1]).toBe(1);

    const found = await engine.call('findings', { sort: 'risk' }).promise;
    expect(found.findings[0]).toMatchObject({ ruleId: RULE_ID, host: 'WKS-1', eventCount: 1 });
    const ev = await engine.call('event', { row: found.findings[0]!.events[0]!.row }).promise;
    expect(ev).toMatchObject({ evidence: 'small-cim.csv', record: 2, canonical: { process_name: 'PsExec.exe' } });
    const tree = await engine.call('processTree', { row: found.findings[0]!.events[0]!.row }).promise;
    expect(tree.map((n) => n.relation)).toContain('self');
    expect(tree.find((n) => n.relation === 'ancestor')?.process_id).toBe('100');

    const why = await engine.call('explain', { ruleId: RULE_ID, findingId: found.findings[0]!.id }).promise;
    expect(why).toHaveLength(1);
    expect(why[0]).toMatchObject({ row: found.findings[0]!.events[0]!.row, matched: true });
    expect(why[0]!.steps.length).toBeGreaterThan(0);
    const whyNot = await engine.call('explain', { ruleId: RULE_ID, row: 0 }).promise;
    expect(whyNot[0]).toMatchObject({ row: 0, matched: false });
    await expect(engine.call('explain', { ruleId: 'nope', row: 0 }).promise).rejects.toMatchObject({ code: 'E_USAGE' });

    const report = await engine.call('report', { format: 'json' }).promise;
    expect(report.bytes).toBeInstanceOf(ArrayBuffer);
    const parsed = JSON.parse(new TextDecoder().decode(report.bytes)) as { findings: unknown[] };
    expect(parsed.findings).toHaveLength(1);

    const after = await stat(fixture);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(before.size);
  });

  it('refuses invalid params from the host side with E_PROTOCOL and keeps serving', async () => {
    await expect(engine.call('rows', { offset: -1, limit: 1 } as never).promise).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    await expect(engine.call('event', { row: 10_000 }).promise).rejects.toMatchObject({ code: 'E_USAGE' });
    expect((await engine.call('rows', { offset: 0, limit: 1 }).promise).total).toBe(4);
  });

  it('reports an unreadable file as E_IO', async () => {
    await expect(engine.call('ingestFile', { path: join(tmp, 'missing.csv'), evidence: 1, name: 'missing.csv' }).promise).rejects.toMatchObject({ code: 'E_IO' });
  });
});

describe('cancellation', () => {
  it('stops an ingest between chunks when asked, leaving the case unchanged', async () => {
    const big = join(tmp, 'big.csv');
    const header = '_time,dest,user,parent_process_name,process_name,process\n';
    const line = '2024-05-01T08:00:00.000Z,WKS-1,CORP\\alice,explorer.exe,cmd.exe,cmd.exe /c echo ' + 'x'.repeat(60) + '\n';
    await writeFile(big, header + line.repeat(Math.ceil((8 * 1024 * 1024) / line.length)));
    const engine = createEngineClient({ workerPath });
    try {
      await engine.call('reset', {}).promise;
      let cancelAfterFirstProgress: (() => void) | null = null;
      const call = engine.call('ingestFile', { path: big, evidence: 0, name: 'big.csv' }, { onProgress: () => cancelAfterFirstProgress?.() });
      cancelAfterFirstProgress = () => call.cancel();
      const res = await call.promise;
      expect(res.cancelled).toBe(true);
      expect(await engine.call('summary', {}).promise).toBeNull();

      const job = runCaseJob(engine, {
        evidence: [{ path: big, name: 'big.csv' }],
        rules: { files: [], macros: [], sigmaFiles: [] },
        binSpanSec: 1,
        onProgress: (p) => {
          if (p.phase === 'parsing') job.cancel();
        },
      });
      await expect(job.promise).rejects.toMatchObject({ code: 'E_CANCELLED' });
    } finally {
      await engine.close();
    }
  });
});

describe('raw worker protocol', () => {
  it('answers malformed messages with E_PROTOCOL instead of crashing', async () => {
    const w = new Worker(workerPath);
    const replies: unknown[] = [];
    const got = (n: number): Promise<void> =>
      new Promise((ok) => {
        const check = (m: unknown): void => {
          replies.push(m);
          if (replies.length >= n) {
            w.off('message', check);
            ok();
          }
        };
        w.on('message', check);
      });
    const done = got(4);
    w.postMessage('garbage');
    w.postMessage({ type: 'request', seq: 5, method: 'nope', params: {} });
    w.postMessage({ type: 'request', seq: 6, method: 'summary', params: { extra: true } });
    w.postMessage({ type: 'request', seq: 7, method: 'summary', params: {} });
    await done;
    expect(replies[0]).toMatchObject({ type: 'error', seq: -1, error: { code: 'E_PROTOCOL' } });
    expect(replies[1]).toMatchObject({ type: 'error', seq: 5, error: { code: 'E_PROTOCOL' } });
    expect(replies[2]).toMatchObject({ type: 'error', seq: 6, error: { code: 'E_PROTOCOL' } });
    expect(replies[3]).toMatchObject({ type: 'response', seq: 7, result: null });
    await w.terminate();
  });
});

describe('worker crash', () => {
  it('rejects pending calls with E_WORKER, notifies, and starts a fresh worker on the next call', async () => {
    const dying = join(tmp, 'dying-worker.mjs');
    await writeFile(dying, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n");
    const engine = createEngineClient({ workerPath: dying });
    const crashes: string[] = [];
    engine.onCrash((e) => crashes.push(e.code));
    await expect(engine.call('summary', {}).promise).rejects.toMatchObject({ code: 'E_WORKER' });
    expect(crashes).toEqual(['E_WORKER']);
    await expect(engine.call('summary', {}).promise).rejects.toMatchObject({ code: 'E_WORKER' });
    expect(crashes).toEqual(['E_WORKER', 'E_WORKER']);
    await engine.close();
  });

  it('reports a missing worker bundle as E_WORKER', async () => {
    const engine = createEngineClient({ workerPath: join(tmp, 'nope.js') });
    await expect(engine.call('summary', {}).promise).rejects.toMatchObject({ code: 'E_WORKER' });
    await engine.close();
  });
});

describe('cli scan', () => {
  const run = (args: string[], cwd = root) => spawnSync(process.execPath, [cli, 'scan', ...args], { cwd, encoding: 'utf8', env: { ...process.env, INIT_CWD: cwd } });

  it('prints the per-host summary and exits 0', () => {
    const r = run(['--no-builtin', '--sigma', sigma, fixture]);
    expect(r.status).toBe(0);
    // The top-rules column names the Sigma rule by its title, not its UUID (the JSON report keeps the id).
    expect(r.stdout).toMatch(/WKS-1\s+2\s+1\s+50\s+50\s+Test PsExec With Accepteula \(1\)/);
    expect(r.stdout).toContain('findings (1):');
    expect(r.stderr).toBe('');
  });

  it('exits 0 without findings too', () => {
    const r = run(['--no-builtin', fixture]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('no findings');
  });

  it('writes a JSON report with --out, resolving relative paths against INIT_CWD', async () => {
    await writeFile(join(tmp, 'copy.csv'), await readFile(fixture));
    const r = run(['--no-builtin', '--sigma', sigma, '--out', 'report.json', 'copy.csv'], tmp);
    expect(r.status).toBe(0);
    const report = JSON.parse(await readFile(join(tmp, 'report.json'), 'utf8')) as { schema: string; findings: Array<{ rule_id: string; host: string }>; evidence: Array<{ path: string }> };
    expect(report.schema).toBe('hopscope.report/1');
    expect(report.findings.map((f) => [f.rule_id, f.host])).toEqual([[RULE_ID, 'WKS-1']]);
    expect(report.evidence[0]!.path).toBe(join(tmp, 'copy.csv'));
  });

  it('exits 1 with the reason when evidence cannot be read', () => {
    const r = run(['--no-builtin', 'does-not-exist.csv'], tmp);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot read 'does-not-exist.csv': ENOENT");
  });

  it.each([[[]], [['--format', 'pdf', 'x.csv']], [['--bogus', 'x.csv']], [['--span', 'soon', 'x.csv']], [['--rules']]])('exits 2 on usage error %j', (args) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: hopscope scan');
  });

  it('reads an unknown layout only with --mapping (exit 1 naming the columns without it, 2 for a bad mapping)', async () => {
    const unknown = join(here, 'fixtures', 'unknown-layout.csv');
    const without = run(['--no-builtin', unknown]);
    expect(without.status).toBe(1);
    expect(without.stderr).toContain('Columns: when, machine, account, exe, cmdline');
    // The file is named once, however many layers (engine worker, case job, CLI) the error crossed; then the hint:
    // --mapping and the JSON it takes, for these columns.
    const [first, ...hint] = without.stderr.trim().split('\n');
    expect(first).toContain('Columns: when, machine, account, exe, cmdline');
    expect(without.stderr.split('unknown-layout.csv').length - 1).toBe(1);
    expect(hint.join('\n')).toContain('--mapping FILE');
    expect(hint.join('\n')).toContain('{"time": "when", "host": "machine", "fields": {"process": "cmdline", "user": "account", "process_name": "exe"}}');
    await writeFile(join(tmp, 'map.json'), JSON.stringify({ time: 'when', host: 'machine', fields: { process: 'cmdline', process_name: 'exe' } }));
    const withMap = run(['--sigma', sigma, '--no-builtin', '--mapping', 'map.json', '--format', 'json', unknown], tmp);
    expect(withMap.status).toBe(0);
    const rep = JSON.parse(withMap.stdout) as { evidence: Array<{ events: number; format: string }>; findings: Array<{ host: string }> };
    expect(rep.evidence[0]).toMatchObject({ events: 2, format: 'generic' });
    expect(rep.findings.map((f) => f.host)).toEqual(['LAB-1']);
    await writeFile(join(tmp, 'bad-map.json'), JSON.stringify({ time: 'when', fields: { nope: 'x' } }));
    const bad = run(['--mapping', 'bad-map.json', unknown], tmp);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('not a canonical field');
  });

  it('warns about a file that gave no records at all, empty or not', async () => {
    await writeFile(join(tmp, 'empty.csv'), '');
    await writeFile(join(tmp, 'header-only.csv'), '_time,dest,process\r\n');
    await writeFile(join(tmp, 'other.xml'), '<?xml version="1.0"?><root><item>1</item></root>');
    const r = run(['--no-builtin', join(tmp, 'empty.csv'), join(tmp, 'header-only.csv'), join(tmp, 'other.xml'), fixture]);
    expect(r.status).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toEqual([
      'warning: empty.csv: the file is empty',
      expect.stringMatching(/^warning: header-only\.csv: no records found in it \(read as splunk-cim: /),
      expect.stringMatching(/^warning: other\.xml: no records found in it \(read as windows-xml: .*no <Event> element was found/),
    ]);
  });

  it('reads a binary .evtx: a cut-short one (file header only, bad checksum) opens with warnings that say so', async () => {
    const evtx = join(tmp, 'Security.evtx');
    await writeFile(evtx, Buffer.concat([Buffer.from('ElfFile\0', 'latin1'), Buffer.alloc(120, 0), Buffer.from('ElfChnk\0', 'latin1')]));
    const r = run(['--no-builtin', evtx]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning: Security.evtx: the EVTX file header checksum does not match');
    expect(r.stderr).toMatch(/warning: Security\.evtx: no records found in it \(read as windows-xml: binary Windows event log \(EVTX/);
  });

  it('scans the bundled .evtx sample with the findings of its XML twin; a folder scans as the files in it', async () => {
    const samples = join(root, 'resources', 'samples');
    const of = (args: string[]) => {
      const out = run(['--format', 'json', ...args]);
      expect(out.status).toBe(0);
      const rep = JSON.parse(out.stdout) as { evidence: Array<{ path: string; events: number; events_by_kind?: Record<string, number>; format: string }>; findings: Array<{ rule_id: string; host: string; bin_start: string; events: Array<{ record: number; time: string }> }> };
      return rep;
    };
    const evtx = of([join(samples, 'corp-lateral-movement.evtx')]);
    const xml = of([join(samples, 'corp-lateral-movement.sysmon.xml')]);
    // Every record is an event of its kind: the 373 process creations and the 12 Sysmon network connections.
    expect(evtx.evidence[0]).toMatchObject({ events: 385, events_by_kind: { process_creation: 373, network_connection: 12 }, format: 'windows-xml' });
    expect(xml.evidence[0]).toMatchObject({ events: 385, events_by_kind: { process_creation: 373, network_connection: 12 } });
    expect(evtx.findings.length).toBe(10);
    const key = (r: typeof evtx) => r.findings.map((f) => [f.rule_id, f.host, f.bin_start, f.events.map((e) => `${e.record}@${e.time}`)]);
    expect(key(evtx)).toEqual(key(xml));
    // A folder (as a KAPE collection's winevt/Logs) is its log files, each its own evidence; other files are passed over.
    const dir = join(tmp, 'Logs');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'Sysmon.evtx'), await readFile(join(samples, 'corp-lateral-movement.evtx')));
    await writeFile(join(dir, 'sub', 'Empty.evtx'), Buffer.concat([Buffer.from('ElfFile\0', 'latin1'), Buffer.alloc(4088, 0)]));
    await writeFile(join(dir, 'notes.docx'), 'not a log');
    const folder = run(['--format', 'json', dir]);
    expect(folder.status).toBe(0);
    expect(folder.stderr).toContain('passed over: ' + join(dir, 'notes.docx') + ': not a log file by its name (.docx)');
    const rep = JSON.parse(folder.stdout) as typeof evtx;
    expect(rep.evidence.map((e) => [e.path.slice(dir.length + 1), e.events])).toEqual([['Sysmon.evtx', 385], [join('sub', 'Empty.evtx'), 0]]);
    expect(key(rep)).toEqual(key(xml));
  });

  it('names the reason for a rule of its own that cannot be used, not only a count', async () => {
    const rule = join(tmp, 'from-datamodel.yml');
    await writeFile(rule, 'id: lab-from\ntitle: from\nlanguage: spl\nversion: 1\nrisk_score: 10\nsearch: |-\n  | from datamodel Endpoint.Processes | search process_name=cmd.exe\n');
    const r = run(['--rules', rule, fixture]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`rule unsupported: ${rule} (lab-from): SPL command "from" is not supported`);
    expect(r.stderr).toContain('1 rule(s) skipped as unsupported or with warnings\n');
  });

  it('--help prints usage and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: hopscope scan');
  });
});

describe('browser-mode entry (dist/host/web.js)', () => {
  it('prints the tokenised 127.0.0.1 URL and offers command-line files, resolved against INIT_CWD', async () => {
    await writeFile(join(tmp, 'web.csv'), await readFile(fixture));
    const child = spawn(process.execPath, [join(root, 'dist', 'host', 'web.js'), 'web.csv'], {
      cwd: root,
      env: { ...process.env, INIT_CWD: tmp, HOPSCOPE_USER_DATA: join(tmp, 'web-user') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((ok, ko) => {
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (d: string) => {
          out += d;
          const m = /(http:\/\/127\.0\.0\.1:(\d+)\/\?token=[0-9a-f]{64})/.exec(out);
          if (m) ok(m[1]!);
        });
        child.on('exit', (code) => ko(new Error(`web.js exited ${code}: ${out}`)));
      });
      const u = new URL(url);
      const ws = new WebSocket(`ws://127.0.0.1:${u.port}/api?token=${u.searchParams.get('token')}`);
      await new Promise((ok, ko) => {
        ws.once('open', ok);
        ws.once('error', ko);
      });
      const reply = new Promise<Record<string, unknown>>((ok) => ws.once('message', (d) => ok(JSON.parse(String(d)) as Record<string, unknown>)));
      ws.send(JSON.stringify({ id: 1, channel: 'files.preopened', req: {} }));
      expect(await reply).toMatchObject({ id: 1, ok: true, res: [{ name: 'web.csv', bytes: 616 }] });
      ws.close();
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('host service over the real worker', () => {
  it('asks for a column mapping for an unknown layout, remembers it, and opens the file with it', async () => {
    const unknown = join(here, 'fixtures', 'unknown-layout.csv');
    const host = createHostService({ mode: 'test', resourcesDir: join(root, 'resources'), userDataDir: join(tmp, 'svc-user'), workerPath });
    const pushes: HostPush[] = [];
    host.subscribe((p) => pushes.push(p));
    const until = (pred: (p: HostPush) => boolean): Promise<HostPush> =>
      new Promise((ok) => {
        const hit = pushes.find(pred);
        if (hit) return ok(hit);
        const off = host.subscribe((p) => {
          if (pred(p)) {
            off();
            ok(p);
          }
        });
      });
    try {
      const h = await host.registerPath(unknown, 'picked');
      const { jobId } = (await host.call('case.open', { handles: [h.id] })) as { jobId: string };
      // Stop at the job's end either way, so a failure shows as a failed assertion rather than a timeout.
      const need = await until((p) => p.type === 'needs-mapping' || (p.type === 'error' && p.jobId === jobId));
      expect(need).toMatchObject({ type: 'needs-mapping', file: 'unknown-layout.csv', handle: h.id, container: 'csv', columns: ['when', 'machine', 'account', 'exe', 'cmdline'] });
      const failed = await until((p) => p.type === 'error' && p.jobId === jobId);
      expect(failed).toMatchObject({ error: { code: 'E_FORMAT', message: 'unknown-layout.csv: no known layout yet; choose which columns are which in the dialog to open it' } });

      const signature = (need as { signature: string }).signature;
      await host.call('files.setMapping', { signature, mapping: { time: 'when', host: 'machine', fields: { user: 'account', process_name: 'exe', process: 'cmdline' } } });
      const again = (await host.call('case.open', { handles: [h.id] })) as { jobId: string };
      const ready = await until((p) => p.type === 'case-ready' || (p.type === 'error' && p.jobId === again.jobId));
      expect(ready).toMatchObject({ summary: { events: 2, hosts: ['LAB-1'] } });
      const rows = (await host.call('query.rows', { offset: 0, limit: 5, columns: ['process_name', 'user'] })) as { rows: Array<{ values: unknown[] }> };
      expect(rows.rows.map((r) => r.values)).toEqual([['cmd.exe', 'lab\\bob'], ['PsExec.exe', 'lab\\bob']]);
      const found = (await host.call('query.findings', {})) as { findings: Array<{ ruleId: string }> };
      expect(found.findings.map((f) => f.ruleId)).toContain('psexec-accepteula');
    } finally {
      await host.close();
    }
  });
});
