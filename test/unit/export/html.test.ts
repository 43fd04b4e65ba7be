import { describe, expect, it } from 'vitest';
import { applyChanges, eventAnnotationKey } from '../../../engine/case/annotations.ts';
import { buildHtmlReport, esc, HTML_CSP, type HtmlReportInput } from '../../../engine/export/html.ts';
import { HOSTILE, input } from './fixtures.ts';

interface Doc {
  querySelectorAll(sel: string): ArrayLike<{ tagName: string; attributes: ArrayLike<{ name: string; value: string }> }>;
  querySelector(sel: string): { getAttribute(n: string): string | null; textContent: string | null } | null;
  body: { textContent: string | null };
}
async function parse(html: string): Promise<Doc> {
  const { JSDOM } = (await import('jsdom' as string)) as { JSDOM: new (html: string) => { window: { document: Doc } } };
  return new JSDOM(html).window.document;
}

const OWN_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'main', 'h1', 'h2', 'h3', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'code', 'br', 'span', 'section', 'ol', 'ul', 'li', 'strong', 'small', 'div', 'footer', 'svg', 'rect', 'text', 'line', 'circle', 'details', 'summary',
]);

function hostileInput(): HtmlReportInput {
  const base = input(true);
  base.annotations = applyChanges(base.annotations!, [
    { op: 'setStatus', target: { kind: 'event', id: eventAnnotationKey('b'.repeat(64), 12) }, atIso: '2024-05-02T11:00:00Z', status: 'benign' },
    { op: 'addComment', target: { kind: 'event', id: eventAnnotationKey('b'.repeat(64), 12) }, atIso: '2024-05-02T11:00:01Z', author: `eve <script>alert(9)</script>`, text: `event note ${HOSTILE}` },
  ]);
  return {
    ...base,
    generatedAtMs: Date.parse('2024-05-03T12:00:00Z'),
    evidence: base.evidence.map((e, i) => (i === 0 ? { ...e, path: `C:\\cases\\${HOSTILE}.xml` } : e)),
    hosts: [...base.hosts, { host: HOSTILE, events: 1, findings: 0, riskScore: 0, topRules: [], firstMs: 0, lastMs: 0 }],
    rules: base.rules.map((r) => ({ ...r, title: `${r.title} ${HOSTILE}`, version: HOSTILE })),
    links: [
      { id: 'l', fromRow: 0, fromHost: 'WS1', fromTimeMs: Date.parse('2024-05-01T08:01:40Z'), toRow: 1, toHost: 'IEWIN7', toTimeMs: Date.parse('2024-05-01T08:01:42Z'), kind: 'psexec', evidence: HOSTILE },
    ],
  };
}

describe('movements in the HTML report', () => {
  it('lists each movement with source, how it was found, account and steps, log text escaped', async () => {
    const t = Date.parse('2024-05-01T08:01:40Z');
    const html = buildHtmlReport({
      ...input(),
      generatedAtMs: t,
      movements: {
        movements: [{
          id: 'mv|psexec|SRV-2|1', method: 'psexec', source: 'WKS-1', sourceIp: '10.0.0.5', source_attribution: { host: 'WKS-1', ip: '10.0.0.5', resolvedBy: 'workstation-name', rows: [3] },
          target: 'SRV-2<img src=x onerror=alert(1)>', account: 'CORP\\admin', logonId: '0x1', firstMs: t, lastMs: t + 1, missing: ['share'], seenFrom: 'target', findingIds: [], linkIds: [],
          steps: [{ role: 'process', row: 5, evidence: 0, record: 6, timeMs: t, host: 'SRV-2', kind: 'process_creation', summary: `cmd.exe ${HOSTILE}` }], explanation: '', sourceOnly: false,
        }],
        paths: [{ id: 'p', hosts: ['WKS-1', 'SRV-2'], movementIds: ['mv|psexec|SRV-2|1'], accounts: ['CORP\\admin'], firstMs: t, lastMs: t }],
        episodes: [], findingSources: {},
      },
    });
    const doc = await parse(html);
    for (const el of Array.from(doc.querySelectorAll('*'))) expect(OWN_TAGS.has(el.tagName.toLowerCase())).toBe(true);
    const text = doc.body.textContent ?? '';
    expect(text).toContain('Movements (1)');
    expect(text).toContain('WKS-1 (10.0.0.5) · by workstation-name');
    expect(text).toContain('SRV-2<img src=x onerror=alert(1)>');
    expect(text).toContain('Paths (1)');
    // The path picture: a lane per host the movement touches, one line from source to target.
    const svg = html.slice(html.indexOf('aria-label="Movements between hosts over time"'));
    expect(svg).toContain('<title>WKS-1</title>');
    expect(svg).toContain('psexec: WKS-1 → SRV-2&lt;img src=x onerror=alert(1)&gt; as CORP\\admin');
    expect((svg.slice(0, svg.indexOf('</svg>')).match(/<line /g) ?? []).length).toBe(1);
  });
});

describe('esc', () => {
  it('escapes markup and shows bidi/control characters visibly', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(esc('evil\u202Egnp.exe')).toBe('evil⟦U+202E⟧gnp.exe');
    expect(esc('a\u0000b\u2066c')).toBe('a⟦U+0000⟧b⟦U+2066⟧c');
    expect(esc('tab\tand\nnewline')).toBe('tab\tand\nnewline');
  });
});

describe('buildHtmlReport', () => {
  it('contains no live markup from log content, rule files or annotations', async () => {
    const html = buildHtmlReport(hostileInput());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<iframe/i);
    expect(html).not.toContain('\u202E');
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    // Every tag in the file is one the writer emits on its own; no event-handler attribute anywhere.
    for (const m of html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)) expect(OWN_TAGS.has(m[1]!.toLowerCase())).toBe(true);
    const doc = await parse(html);
    for (const el of Array.from(doc.querySelectorAll('*'))) {
      expect(OWN_TAGS.has(el.tagName.toLowerCase())).toBe(true);
      for (const attr of Array.from(el.attributes)) expect(attr.name.toLowerCase().startsWith('on')).toBe(false);
    }
    expect(doc.querySelectorAll('script, img, iframe, a, link, object, embed')).toHaveLength(0);
    // The hostile text is shown as text, not dropped.
    const text = doc.body.textContent ?? '';
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('"><img src=x onerror=alert(2)>');
    expect(text).toContain('evil⟦U+202E⟧gnp.exe');
  });

  it('is offline and locked down: strict CSP, no external URLs', async () => {
    const html = buildHtmlReport(hostileInput());
    const doc = await parse(html);
    expect(doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content')).toBe(HTML_CSP);
    expect(HTML_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    // Log text may mention URLs as text; no attribute or stylesheet may reference anything.
    for (const el of Array.from(doc.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) {
        if (attr.name === 'xmlns') continue;
        expect(attr.value).not.toMatch(/\/\/|url\(|javascript:/i);
      }
    }
    expect(html.slice(html.indexOf('<style>'), html.indexOf('</style>'))).not.toMatch(/url\(|@import/i);
    expect(html).toContain('@media print');
  });

  it('shows the summary, host risk, timeline, findings and annotations', async () => {
    const doc = await parse(buildHtmlReport(hostileInput()));
    const text = doc.body.textContent ?? '';
    expect(text).toContain('Generated 2024-05-03T12:00:00Z (UTC) by Hopscope 0.1.0');
    expect(text).toContain('b'.repeat(64));
    expect(text).toContain('T1021.002, T1210');
    expect(text).toContain('confirmed-malicious');
    expect(text).toContain('analyst');
    expect(text).toContain('event note <script>');
    expect(doc.querySelectorAll('ol.events .status-benign')).toHaveLength(1);
    expect(doc.querySelectorAll('svg.timeline circle')).toHaveLength(2);
    expect(doc.querySelectorAll('svg.timeline line[stroke-dasharray]')).toHaveLength(1);
    expect(doc.querySelectorAll('section.finding')).toHaveLength(2);
    expect(doc.querySelectorAll('section.finding.risk-med')).toHaveLength(1);
  });

  it('lists lateral links as groups (source, target, method) with counts, finding-backed first', () => {
    const base = hostileInput();
    const f0 = base.findings[0]!;
    const mk = (i: number, fromHost: string, fromRow: number) => ({ ...base.links![0]!, id: `g${i}`, fromHost, fromRow, toRow: 100_000 + i, evidence: 'a.csv', fromTimeMs: base.links![0]!.fromTimeMs + i });
    const links = [...Array.from({ length: 300 }, (_, i) => mk(i, 'WS9', 50_000 + i)), mk(999, 'WS1', f0.events[0]!.row)];
    const html = buildHtmlReport({ ...base, links });
    expect(html).toContain('Lateral movement (301 links in 2 groups)');
    const at = html.indexOf('Lateral movement (');
    const table = html.slice(html.indexOf('<tbody>', at), html.indexOf('</table>', at));
    const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
    expect(rows.map((r) => [r[0], r[2], r[3], r[6]])).toEqual([
      ['WS1', 'psexec', '1', '1 of its links'],
      ['WS9', 'psexec', '300', '—'],
    ]);
    // One line per group on the timeline (at most: a line needs both hosts' lanes).
    expect((html.match(/<line /g) ?? []).length).toBeLessThanOrEqual(2);
  });

  it('is deterministic', () => {
    expect(buildHtmlReport(hostileInput())).toBe(buildHtmlReport(hostileInput()));
  });
});

describe('buildHtmlReport with generated hostile text', () => {
  it('never lets a generated string open a tag (seeded, deterministic)', () => {
    const alphabet = ['<', '>', '&', '"', "'", '/', '=', ' ', 'a', 's', 'c', 'r', 'i', 'p', 't', '!', '-', '\u202E', '\u2066', '\u0000', '\n', '`', '\\'];
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const str = () => Array.from({ length: 40 }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    for (let round = 0; round < 25; round++) {
      const base = input();
      const html = buildHtmlReport({
        ...base,
        generatedAtMs: 0,
        title: str(),
        findings: base.findings.map((f) => ({ ...f, host: str(), message: str(), techniques: [str()] })),
        hosts: base.hosts.map((h) => ({ ...h, host: str() })),
        evidence: base.evidence.map((e) => ({ ...e, path: str(), format: str() })),
      });
      for (const m of html.matchAll(/<\/?([a-zA-Z!][\w-]*)/g)) expect(OWN_TAGS.has(m[1]!.toLowerCase()) || m[1] === '!DOCTYPE').toBe(true);
      expect(html).not.toMatch(/[\u202E\u2066\u0000]/);
    }
  });
});
