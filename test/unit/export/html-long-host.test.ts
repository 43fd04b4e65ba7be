// The HTML report folds a 100 kB host name (issue 16, item 10): the host table and the finding line show its first 200
// characters and the whole value in a script-free <details>, and table cells wrap anywhere (was: ~997,000 px wide).
import { describe, expect, it } from 'vitest';
import { buildHtmlReport, escLong, LONG_TEXT_MAX } from '../../../engine/export/html.ts';
import { input } from './fixtures.ts';

describe('HTML report long values', () => {
  it('keeps short values as they are and folds long ones with their length', () => {
    expect(escLong('WS1<b>')).toBe('WS1&lt;b&gt;');
    const host = 'H'.repeat(100_000);
    const html = escLong(host);
    expect(html.startsWith('H'.repeat(LONG_TEXT_MAX) + '<details class="more"><summary>… 99,800 more characters</summary>')).toBe(true);
    expect(html.endsWith(host + '</details>')).toBe(true);
    expect(escLong('<'.repeat(300))).not.toContain('<<');
  });

  it('the report folds a 100 kB host in the host table and in the finding line', () => {
    const host = 'H'.repeat(100_000);
    const base = input();
    const html = buildHtmlReport({
      ...base,
      generatedAtMs: 0,
      hosts: [{ ...base.hosts[0]!, host }],
      findings: base.findings.map((f, i) => (i === 0 ? { ...f, host } : f)),
    });
    // The table cell and the finding line fold it (SVG tooltips may hold it: they take no width).
    const folded = (html.match(/<summary>… 99,800 more characters<\/summary>H{100000}<\/details>/g) ?? []).length;
    expect(folded).toBeGreaterThanOrEqual(2);
    expect(html).not.toContain(`<td>${host}`);
    expect(html).not.toContain(`<p class="meta">${host}`);
    expect(html).toContain('overflow-wrap: anywhere');
  });
});
