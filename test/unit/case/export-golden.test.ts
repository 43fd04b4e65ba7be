// Golden exports of a small fixed case whose annotations went through the durable case store: CSV with
// formula-injection cells neutralised, JSON with annotations and evidence SHA-256s, HTML with comments escaped.
// Regenerate after an intended format change with UPDATE_GOLDEN=1 and review the diff.

import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventAnnotationKey } from '../../../engine/case/annotations.ts';
import type { Finding, HostRisk } from '../../../engine/detect/types.ts';
import { renderExport, type ExportFormat, type HtmlReportInput } from '../../../engine/export/index.ts';
import type { RuleMeta } from '../../../engine/rules/types.ts';
import { openCaseStore, readCase } from '../../../main/host/case-store.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const SHA = 'c0ffee'.padEnd(64, '0');
const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const FINDING_ID = `psexec-accepteula|+WS1|${T0}`;

const rules: RuleMeta[] = [
  { id: 'psexec-accepteula', title: 'PsExec service start', language: 'spl', source: 'builtin:psexec.yml', version: '1', riskScore: 70, techniques: ['T1569.002'], contentSha256: 'ab'.repeat(32) },
];
const findings: Finding[] = [
  {
    id: FINDING_ID,
    ruleId: 'psexec-accepteula',
    host: '+WS1',
    binStartMs: T0,
    binEndMs: T0 + 1000,
    eventCount: 1,
    riskScore: 70,
    message: `=HYPERLINK("http://x","click") via @SUM(1) by -user`,
    techniques: ['T1569.002'],
    events: [{ evidence: 0, record: 17, row: 16, timeMs: T0 + 250 }],
  },
];
const hosts: HostRisk[] = [{ host: '+WS1', events: 3, findings: 1, riskScore: 70, topRules: [{ ruleId: 'psexec-accepteula', findings: 1, riskScore: 70 }], firstMs: T0, lastMs: T0 + 1000 }];

let tmp: string;
let input: HtmlReportInput;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-golden-'));
  const dir = join(tmp, 'case');
  const store = await openCaseStore({ dir });
  const target = { kind: 'finding', id: FINDING_ID } as const;
  await store.apply({
    kind: 'annotate',
    changes: [
      { op: 'setStatus', target, atIso: '2024-05-02T10:00:00Z', status: 'confirmed-malicious' },
      { op: 'addTag', target, atIso: '2024-05-02T10:00:01Z', tag: '=cmd' },
      { op: 'addTag', target, atIso: '2024-05-02T10:00:02Z', tag: 'lateral' },
      { op: 'addComment', target, atIso: '2024-05-02T10:00:03Z', author: 'Ana', text: '<script>alert("x")</script> & PsExec from WS1' },
      { op: 'setStar', target, atIso: '2024-05-02T10:00:04Z', star: true },
      { op: 'addComment', target: { kind: 'event', id: eventAnnotationKey(SHA, 17) }, atIso: '2024-05-02T10:01:00Z', author: 'Ben', text: '<img src=x onerror=alert(1)>' },
    ],
  });
  await store.close();
  // What an export sees is what a reopen of the case gives.
  const { doc } = await readCase(dir);
  input = {
    tool: { name: 'Hopscope', version: '0.1.0-test' },
    evidence: [{ path: '/evidence/security.csv', sha256: SHA, bytes: 1234, format: 'cim-csv', events: 3, rejected: 0 }],
    rules,
    findings,
    hosts,
    annotations: doc.annotations,
    generatedAtMs: Date.UTC(2024, 4, 3, 12, 0, 0),
  };
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function golden(format: ExportFormat): Promise<{ actual: string; expected: string }> {
  const actual = renderExport(format, input).text;
  const file = join(GOLDEN, `case-export.${format}`);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    await mkdir(GOLDEN, { recursive: true });
    await writeFile(file, actual);
  }
  return { actual, expected: await readFile(file, 'utf8') };
}

describe('golden exports of an annotated case', () => {
  it('CSV: annotations in columns, every formula-looking cell neutralised', async () => {
    const { actual, expected } = await golden('csv');
    expect(actual).toBe(expected);
    const row = actual.split('\r\n')[1]!;
    expect(row).toContain(`'+WS1`);
    expect(row).toContain(`"'=HYPERLINK(""http://x"",""click"") via @SUM(1) by -user"`);
    expect(row).toContain(`'=cmd;lateral`);
    expect(row).toContain('confirmed-malicious,true');
    expect(row).toContain(`,${SHA},`);
    expect(actual).not.toMatch(/(^|,)[=+\-@]/m);
  });

  it('JSON: annotations (status, tags, comments) and evidence SHA-256s', async () => {
    const { actual, expected } = await golden('json');
    expect(actual).toBe(expected);
    const report = JSON.parse(actual) as { evidence: Array<{ sha256: string }>; annotations: { findings: Record<string, { status: string; tags: string[]; comments: Array<{ text: string }> }>; events: Record<string, unknown> } };
    expect(report.evidence[0]!.sha256).toBe(SHA);
    expect(report.annotations.findings[FINDING_ID]).toMatchObject({ status: 'confirmed-malicious', tags: ['=cmd', 'lateral'], comments: [{ text: '<script>alert("x")</script> & PsExec from WS1' }] });
    expect(Object.keys(report.annotations.events)).toEqual([`${SHA}:17`]);
  });

  it('HTML: comments shown escaped, never as markup', async () => {
    const { actual, expected } = await golden('html');
    expect(actual).toBe(expected);
    expect(actual).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; PsExec from WS1');
    expect(actual).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(actual).not.toContain('<script');
    expect(actual).not.toContain('<img');
    expect(actual).toContain(SHA);
  });
});
