// Export fuzz target: reports whose hosts, messages, rule titles, evidence names, tags and comments are hostile
// log text. Oracle: every format renders without throwing; HTML never contains a tag or invisible/bidi
// character from the data; no CSV cell starts a spreadsheet formula; JSON and NDJSON parse back.

import Papa from 'papaparse';
import { applyChanges, emptyDoc } from '../../engine/case/annotations.ts';
import type { Finding, HostRisk } from '../../engine/detect/types.ts';
import { EXPORT_FORMATS, renderExport, type HtmlReportInput } from '../../engine/export/index.ts';
import { startsFormula } from '../../engine/export/csv.ts';
import type { RuleMeta } from '../../engine/rules/types.ts';
import { BOUNDARY, inputSeed, Rand } from './lib.ts';
import type { TargetResult } from './readers.ts';

/** Every injected tag carries this name: finding it unescaped in HTML means data became markup. */
const TAG = 'x-hopscope-injected';

const PIECES = [
  `<${TAG}>`, `"><${TAG} onerror=alert(1)>`, `</style><${TAG}>`, `</script><${TAG}>`, `<!--<${TAG}>-->`, `<![CDATA[<${TAG}>]]>`,
  '=HYPERLINK("http://evil.example","x")', '+cmd|/c calc!A0', '-2+3', '@SUM(1)', '\t=1', '\r=1', '=1', '\n=1+1', ' =1+1', '\u00a0=1', '\u200b=1', '\uff1d1+1', '\uff0bcmd', '\ufe66 1', 'javascript:alert(1)',
  '\u202Egnp.exe', '\u2066x\u2069', '\u200Bzero', '\u0000', '\u0085', '\uFEFF', '\uD800', '"', "'", ',', '\n', '\r\n', '&amp;', '&lt;', '${x}', '{{x}}',
];

function hostile(r: Rand): string {
  let s = '';
  for (let i = 0, n = 1 + r.int(4); i < n; i++) s += r.chance(0.7) ? r.pick(PIECES) : r.pick(BOUNDARY).slice(0, 200);
  return s;
}

function reportInput(r: Rand): HtmlReportInput {
  const rules: RuleMeta[] = [0, 1].map((i) => ({
    id: `rule-${i}`, title: hostile(r), language: 'spl', source: hostile(r), riskScore: r.int(101), techniques: [hostile(r)],
    description: hostile(r), messageTemplate: hostile(r),
  }));
  const findings: Finding[] = Array.from({ length: 1 + r.int(4) }, (_, i) => {
    const host = hostile(r);
    // The extremes ingest can produce: parseTime reads years 0000-9999 only.
    const bin = r.pick([0, 1_714_550_400_000, -86_400_000, 253_402_300_799_000, -62_167_219_200_000]);
    return {
      id: `rule-${i % 2}|${host}|${bin}`, ruleId: `rule-${i % 2}`, host, binStartMs: bin, binEndMs: bin + 1000, eventCount: 1,
      riskScore: r.int(101), message: hostile(r), techniques: [hostile(r)],
      events: [{ row: i, evidence: 0, record: i + 1, timeMs: bin + r.int(1000) }],
    };
  });
  const hosts: HostRisk[] = findings.map((f) => ({ host: f.host, events: 1, findings: 1, riskScore: f.riskScore, topRules: [{ ruleId: f.ruleId, findings: 1, riskScore: f.riskScore }], firstMs: f.binStartMs, lastMs: f.binEndMs }));
  const target = { kind: 'finding', id: findings[0]!.id } as const;
  let annotations;
  try {
    annotations = applyChanges(emptyDoc(), [
      { op: 'addTag', target, atIso: '2024-05-02T10:00:01Z', tag: hostile(r).slice(0, 60) || 't' },
      { op: 'addComment', target, atIso: '2024-05-02T10:00:02Z', author: hostile(r).slice(0, 60) || 'a', text: hostile(r) },
    ]);
  } catch {
    annotations = undefined;
  }
  const input: HtmlReportInput = {
    tool: { name: 'Hopscope', version: '0.1.0' },
    evidence: [{ path: hostile(r), sha256: 'a'.repeat(64), bytes: 10, format: hostile(r), events: 1, rejected: 0 }],
    rules, findings, hosts, generatedAtMs: 1_714_550_400_000, title: hostile(r),
  };
  if (annotations) input.annotations = annotations;
  return input;
}

// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

export function exportProblems(input: HtmlReportInput): string[] {
  const problems: string[] = [];
  for (const format of EXPORT_FORMATS) {
    let text: string;
    try {
      text = renderExport(format, input).text;
    } catch (err) {
      problems.push(`${format} threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      continue;
    }
    if (format === 'html') {
      if (new RegExp(`<\\/?${TAG}`, 'i').test(text)) problems.push('HTML contains an injected tag unescaped');
      const m = INVISIBLE.exec(text.replace(/\n|\t/g, ' '));
      if (m) problems.push(`HTML contains invisible/bidi character U+${m[0].codePointAt(0)!.toString(16)}`);
    } else if (format === 'csv') {
      const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: true });
      for (const row of parsed.data) {
        for (const cell of row) if (startsFormula(cell)) problems.push(`CSV cell starts a formula: ${JSON.stringify(cell.slice(0, 60))}`);
      }
      if (parsed.data.length !== input.findings.length + 1) problems.push(`CSV has ${parsed.data.length} rows for ${input.findings.length} findings`);
    } else if (format === 'json') {
      try {
        JSON.parse(text);
      } catch {
        problems.push('JSON does not parse');
      }
    } else {
      const lines = text.split('\n').filter((l) => l !== '');
      for (const l of lines) {
        try {
          JSON.parse(l);
        } catch {
          problems.push(`NDJSON line does not parse: ${l.slice(0, 80)}`);
          break;
        }
      }
    }
  }
  return problems;
}

export function fuzzExports(n: number, base: number): TargetResult {
  const target = 'exports';
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    res.tried++;
    const problems = exportProblems(reportInput(new Rand(s)));
    if (problems.length > 0) res.failures.push({ target, seed: s, message: problems.slice(0, 3).join('\n') });
  }
  return res;
}
