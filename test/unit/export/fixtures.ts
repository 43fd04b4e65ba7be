// Shared report input for export tests: two evidence files, two rules, findings with hostile log text.
// Invariant: plain data only, so each test can tweak a copy.

import { applyChanges, emptyDoc } from '../../../engine/case/annotations.ts';
import type { Finding, HostRisk } from '../../../engine/detect/types.ts';
import type { ReportInput } from '../../../engine/export/report.ts';
import type { RuleMeta } from '../../../engine/rules/types.ts';

export const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  '</style><script>alert(3)</script>',
  "'><svg onload=alert(4)>",
  'evil\u202Egnp.exe',
  '</textarea></title><iframe src="javascript:alert(5)">',
  '<!-- --><a href="http://attacker.example/">x</a>',
].join(' ');

const t = (iso: string) => Date.parse(iso);

export const rules: RuleMeta[] = [
  {
    id: 'psexec-accepteula',
    title: 'Detect PsExec With accepteula Flag',
    language: 'spl',
    source: 'builtin:003_psexec.spl',
    version: '3',
    riskScore: 35,
    techniques: ['T1021.002'],
  },
  {
    id: 'impacket-lateral-movement-sysmon',
    title: 'Impacket Lateral Movement Activity (Sysmon)',
    language: 'spl',
    source: 'builtin:001_impacket.spl',
    version: '2',
    riskScore: 56,
    techniques: ['T1021.002', 'T1210'],
  },
];

export const findings: Finding[] = [
  {
    id: `psexec-accepteula|WS1|${t('2024-05-01T08:01:40Z')}`,
    ruleId: 'psexec-accepteula',
    host: 'WS1',
    binStartMs: t('2024-05-01T08:01:40Z'),
    binEndMs: t('2024-05-01T08:01:41Z'),
    eventCount: 2,
    riskScore: 35,
    message: `An instance of cmd.exe spawning psexec.exe was identified on endpoint WS1 by user ${HOSTILE}`,
    techniques: ['T1021.002'],
    events: [
      { row: 7, evidence: 1, record: 12, timeMs: t('2024-05-01T08:01:40.250Z') },
      { row: 3, evidence: 0, record: 4, timeMs: t('2024-05-01T08:01:40Z') + 0.75 },
    ],
  },
  {
    id: `impacket-lateral-movement-sysmon|IEWIN7|${t('2019-04-30T20:32:51Z')}`,
    ruleId: 'impacket-lateral-movement-sysmon',
    host: 'IEWIN7',
    binStartMs: t('2019-04-30T20:32:51Z'),
    binEndMs: t('2019-04-30T20:32:52Z'),
    eventCount: 1,
    riskScore: 56,
    message: '=HYPERLINK("http://evil.example","click")',
    techniques: ['T1021.002', 'T1210'],
    events: [{ row: 0, evidence: 0, record: 1, timeMs: t('2019-04-30T20:32:51.123Z') }],
  },
];

export const hosts: HostRisk[] = [
  { host: 'WS1', events: 10, findings: 1, riskScore: 35, topRules: [], firstMs: 0, lastMs: 0 },
  { host: 'IEWIN7', events: 4, findings: 1, riskScore: 56, topRules: [], firstMs: 0, lastMs: 0 },
  { host: '<b>bold-host</b>', events: 1, findings: 0, riskScore: 0, topRules: [], firstMs: 0, lastMs: 0 },
];

export function input(withAnnotations = false): ReportInput {
  const base: ReportInput = {
    tool: { name: 'Hopscope', version: '0.1.0' },
    evidence: [
      { path: 'z/sysmon.xml', sha256: 'a'.repeat(64), bytes: 1234, format: 'sysmon-xml', events: 9, rejected: 0 },
      { path: 'a/security.csv', sha256: 'b'.repeat(64), bytes: 99, format: 'cim-csv', events: 6, rejected: 1 },
    ],
    rules,
    findings,
    hosts,
  };
  if (!withAnnotations) return base;
  const target = { kind: 'finding', id: findings[0]!.id } as const;
  base.annotations = applyChanges(emptyDoc(), [
    { op: 'setStatus', target, atIso: '2024-05-02T10:00:00Z', status: 'confirmed-malicious' },
    { op: 'addTag', target, atIso: '2024-05-02T10:00:01Z', tag: '@SUM(1)' },
    { op: 'addComment', target, atIso: '2024-05-02T10:00:02Z', author: 'analyst', text: `Seen before. ${HOSTILE}` },
  ]);
  return base;
}
