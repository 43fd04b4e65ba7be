// The grey dot of a lane whose host has no risk (risk 0) is readable in both themes: its colour (theme.css
// --risk-none, the one the lane label's .risk dot uses) has at least 3:1 contrast (WCAG 1.4.11, non-text) against
// the lane backgrounds (--panel, --panel-2 on alternate lanes) and the page (--bg), light and dark.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Vitest runs from the repository root (jsdom's import.meta.url is not a file URL).
const css = readFileSync(resolve(process.cwd(), 'renderer/theme.css'), 'utf8');
const timeline = readFileSync(resolve(process.cwd(), 'renderer/timeline/Timeline.svelte'), 'utf8');

/** The custom properties of the first rule block opened by `selector` (the text up to its closing brace). */
function vars(selector: string): Map<string, string> {
  const at = css.indexOf(selector);
  expect(at, selector).toBeGreaterThanOrEqual(0);
  const open = css.indexOf('{', at);
  const body = css.slice(open + 1, css.indexOf('}', open));
  return new Map([...body.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

describe('risk-0 lane dot contrast', () => {
  it('the ratio is computed as WCAG does', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });

  it('the lane label dot of a risk-0 host takes --risk-none', () => {
    expect(timeline).toMatch(/\.risk\s*\{[^}]*background:\s*var\(--risk-none\)/);
    expect(timeline).toContain("lane.riskScore > 0 ? riskBand(lane.riskScore) : 'none'");
  });

  for (const [theme, selector] of [
    ['light', ':root {'],
    ['dark (chosen)', ":root[data-theme='dark'] {"],
    ['dark (system)', ":root:not([data-theme='light']) {"],
  ] as const) {
    it(`is at least 3:1 against the lane backgrounds in the ${theme} theme`, () => {
      const v = vars(selector);
      const dot = v.get('--risk-none');
      expect(dot, `--risk-none in ${selector}`).toBeDefined();
      for (const bg of ['--panel', '--panel-2', '--bg']) {
        const c = contrast(dot!, v.get(bg)!);
        expect(c, `${dot} on ${bg} ${v.get(bg)}: ${c.toFixed(2)}`).toBeGreaterThanOrEqual(3);
      }
    });
  }
});
