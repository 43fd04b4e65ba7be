// The SigmaHQ corpus from ../shared/data (skipped when absent; never copied into the repo, DRL 1.1):
// every process_creation rule and at least 95 % of the whole windows tree load (each other one says why), and each
// regression rule, of every category, matches its own event.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, CanonicalField } from '../../../../engine/model/fields.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { loadSigmaRules } from '../../../../engine/rules/sigma/index.ts';
import { ingestText } from '../../../../engine/ingest/index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const sharedData = resolve(repoRoot, '../shared/data');
const sigmaDir = join(sharedData, 'sigma');
const haveShared = existsSync(join(sigmaDir, 'rules-process-creation'));

describe.skipIf(!haveShared)('SigmaHQ process_creation rules (shared data)', () => {
  it('loads at least 95% of the rules, every other one with a reason', () => {
    const dir = join(sigmaDir, 'rules-process-creation');
    const names = readdirSync(dir).filter((n) => n.endsWith('.yml')).sort();
    expect(names.length).toBeGreaterThan(1000);
    const files = names.map((n) => ({ path: join(dir, n), text: readFileSync(join(dir, n), 'utf8') }));
    const set = loadSigmaRules(files);
    const loadedPaths = new Set(set.rules.map((r) => r.meta.source));
    const failing = set.issues.filter((i) => i.severity !== 'warning');
    const reasons = new Map<string, number>();
    for (const i of failing) {
      const key = `${i.severity}: ${i.message.replace(/"[^"]*"/g, '"…"').slice(0, 80)}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    console.log(
      `Sigma corpus: ${set.rules.length} rules loaded from ${files.length} files; ${failing.length} not loaded\n` +
        [...reasons].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n} × ${k}`).join('\n'),
    );
    for (const f of files) {
      if (!loadedPaths.has(f.path)) expect(failing.some((i) => i.source === f.path), `${f.path} has no reason`).toBe(true);
    }
    for (const i of failing) expect(i.message.length).toBeGreaterThan(0);
    expect(loadedPaths.size / files.length).toBeGreaterThanOrEqual(0.95);
    for (const r of set.rules) {
      expect(r.meta.language).toBe('sigma');
      expect(r.meta.riskScore).toBeGreaterThan(0);
    }
  });
});

const haveWindows = existsSync(join(sigmaDir, 'rules-windows'));

function ymlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...ymlFiles(p));
    else if (e.name.endsWith('.yml')) out.push(p);
  }
  return out.sort();
}

describe.skipIf(!haveWindows)('SigmaHQ windows rules, every logsource (shared data)', () => {
  it('loads at least 95% of the rules of rules/windows, every other one with a reason', () => {
    const paths = ymlFiles(join(sigmaDir, 'rules-windows'));
    expect(paths.length).toBeGreaterThan(2000);
    const files = paths.map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));
    const set = loadSigmaRules(files);
    const loadedPaths = new Set(set.rules.map((r) => r.meta.source));
    const failing = set.issues.filter((i) => i.severity !== 'warning');
    const reasons = new Map<string, number>();
    for (const i of failing) {
      const key = `${i.severity}: ${i.message.replace(/"[^"]*"/g, '"…"').slice(0, 90)}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    console.log(
      `Sigma windows tree: ${loadedPaths.size} of ${files.length} files loaded (${((100 * loadedPaths.size) / files.length).toFixed(1)} %); ${failing.length} issues\n` +
        [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, n]) => `  ${n} × ${k}`).join('\n'),
    );
    for (const f of files) {
      if (!loadedPaths.has(f.path)) expect(failing.some((i) => i.source === f.path), `${f.path} has no reason`).toBe(true);
    }
    expect(loadedPaths.size / files.length).toBeGreaterThanOrEqual(0.95);
  });
});

const EVENTDATA_TO_CANONICAL: Record<string, CanonicalField> = {
  Image: 'process_path',
  CommandLine: 'process',
  ParentImage: 'parent_process_path',
  ParentCommandLine: 'parent_process',
  OriginalFileName: 'original_file_name',
  User: 'user',
  ProcessId: 'process_id',
  ParentProcessId: 'parent_process_id',
  ProcessGuid: 'process_guid',
  ParentProcessGuid: 'parent_process_guid',
  CurrentDirectory: 'process_current_directory',
  IntegrityLevel: 'process_integrity_level',
  Hashes: 'process_hash',
};

const basename = (p: string): string => p.slice(Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/')) + 1);

/** Test-local evtx_dump JSON mapper (the ingest layer has its own; this keeps the suite independent). */
function eventFromEvtxJson(text: string, record: number): CanonicalEvent {
  const root = JSON.parse(text) as { Event: { System: Record<string, unknown>; EventData: Record<string, unknown> } };
  const sys = root.Event.System;
  const data = root.Event.EventData ?? {};
  const original: Record<string, string> = {};
  const fields: Partial<Record<CanonicalField, string>> = {};
  for (const [k, v] of Object.entries(data)) {
    if (v === null || v === undefined) continue;
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    original[k] = s;
    const canon = EVENTDATA_TO_CANONICAL[k];
    if (canon) fields[canon] = s;
  }
  const computer = sys['Computer'];
  if (typeof computer === 'string') {
    fields.dest = computer;
    original['Computer'] = computer;
  }
  fields.EventCode = String(sys['EventID']);
  if (fields.process_path) fields.process_name = basename(fields.process_path);
  if (fields.parent_process_path) fields.parent_process_name = basename(fields.parent_process_path);
  const time = ((sys['TimeCreated'] as { '#attributes'?: { SystemTime?: string } } | undefined)?.['#attributes']?.SystemTime) ?? '1970-01-01T00:00:00Z';
  return { timeMs: Date.parse(time), fields, original, raw: text, source: 'sysmon', provider: 'Microsoft-Windows-Sysmon', locator: { evidence: 0, record, line: 1, byteOffset: 0 } };
}

/**
 * Where info.yml's match_count is not what the rule gives on the folder's events: registry_set_disable_administrative_share
 * holds two events (AutoShareServer and AutoShareWks set to 0), both of which the rule's selection describes.
 */
const COUNT_DIFFERS: Readonly<Record<string, number>> = { registry_set_disable_administrative_share: 2 };

function expectedCount(infoText: string, name: string): number {
  if (Object.hasOwn(COUNT_DIFFERS, name)) return COUNT_DIFFERS[name]!;
  const m = /match_count:\s*(\d+)/.exec(infoText);
  return m ? Number(m[1]) : 1;
}

const regressionDir = join(sigmaDir, 'regression');
const haveRegression = existsSync(regressionDir);
const cases = haveRegression ? readdirSync(regressionDir).sort() : [];

describe.skipIf(!haveRegression)('SigmaHQ regression events (shared data)', () => {
  it('has the 96 regression folders (65 process_creation, 31 of other categories)', () => {
    expect(cases.length).toBe(96);
    expect(cases.filter((c) => c.startsWith('proc_creation_'))).toHaveLength(65);
  });
  const loadCase = (name: string) => {
    const dir = join(regressionDir, name);
    const files = readdirSync(dir).sort();
    const ruleText = readFileSync(join(dir, 'rule.yml'), 'utf8');
    const set = loadSigmaRules([{ path: join(dir, 'rule.yml'), text: ruleText }]);
    expect(set.issues.filter((i) => i.severity !== 'warning')).toEqual([]);
    expect(set.rules).toHaveLength(1);
    const info = files.includes('info.yml') ? readFileSync(join(dir, 'info.yml'), 'utf8') : '';
    const read = (ext: string) => files.filter((f) => f.endsWith(ext)).map((f) => readFileSync(join(dir, f), 'utf8'));
    return { rule: set.rules[0]!, expected: expectedCount(info, name), read };
  };
  const check = (rule: ReturnType<typeof loadCase>['rule'], events: CanonicalEvent[], expected: number) => {
    const src = createMemorySource(events);
    const result = rule.run(src);
    expect(result.error).toBeUndefined();
    if (result.rows.length !== expected && events.length) console.log(JSON.stringify(rule.explain(src, 0), null, 1));
    expect(result.rows.length).toBe(expected);
  };

  it.each(cases.filter((c) => c.startsWith('proc_creation_')))('%s matches its own event (evtx_dump JSON, test-local mapping)', (name) => {
    const c = loadCase(name);
    check(c.rule, c.read('.json').map((t, i) => eventFromEvtxJson(t, i + 1)), c.expected);
  });

  it.each(cases)('%s matches its own event (evtx_dump JSON through ingestText)', (name) => {
    const c = loadCase(name);
    const events = c.read('.json').flatMap((t) => ingestText(t).events);
    expect(events.length).toBeGreaterThan(0);
    check(c.rule, events, c.expected);
  });

  it.each(cases)('%s matches its own event (Windows event XML through ingestText)', (name) => {
    const c = loadCase(name);
    const events = c.read('.xml').flatMap((t) => ingestText(t).events);
    expect(events.length).toBeGreaterThan(0);
    check(c.rule, events, c.expected);
  });
});
