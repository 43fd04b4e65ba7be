// Case keyboard shortcuts: n / p walk findings in time order and clamp at the ends; +/- and arrows only drive
// the timeline when nothing has focus; nothing fires while typing.
import { describe, expect, it, vi } from 'vitest';
import { byTime, caseKey, stepFinding } from '../../../renderer/state/case-keys.ts';
import type { Finding } from '../../../engine/detect/types.ts';

const f = (id: string, t: number): Finding => ({ id, ruleId: 'r', host: 'h', binStartMs: t, binEndMs: t + 1000, eventCount: 1, riskScore: 50, message: '', techniques: [], events: [] });

describe('case keys', () => {
  const sorted = byTime([f('c', 3000), f('a', 1000), f('b', 1000)]);

  it('orders findings by time then id', () => {
    expect(sorted.map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });

  it('steps forward and back, starting at an end and clamping', () => {
    expect(stepFinding(sorted, null, 1)?.id).toBe('a');
    expect(stepFinding(sorted, null, -1)?.id).toBe('c');
    expect(stepFinding(sorted, 'a', 1)?.id).toBe('b');
    expect(stepFinding(sorted, 'c', 1)?.id).toBe('c');
    expect(stepFinding(sorted, 'a', -1)?.id).toBe('a');
    expect(stepFinding([], 'a', 1)).toBeNull();
  });

  it('maps keys to actions, respecting typing and focus', () => {
    const t = { zoom: vi.fn(), panBy: vi.fn(), step: vi.fn(), focusSearch: vi.fn(() => true) };
    expect(caseKey('n', false, false, t)).toBe(true);
    expect(t.step).toHaveBeenLastCalledWith(1);
    expect(caseKey('p', false, true, t)).toBe(true);
    expect(t.step).toHaveBeenLastCalledWith(-1);
    expect(caseKey('n', true, true, t)).toBe(false);
    expect(t.step).toHaveBeenCalledTimes(2);
    expect(caseKey('+', false, true, t)).toBe(true);
    expect(t.zoom).toHaveBeenLastCalledWith(0.5);
    expect(caseKey('-', false, true, t)).toBe(true);
    expect(t.zoom).toHaveBeenLastCalledWith(2);
    expect(caseKey('ArrowRight', false, true, t)).toBe(true);
    expect(t.panBy).toHaveBeenLastCalledWith(0.1);
    expect(caseKey('ArrowLeft', false, false, t)).toBe(false);
    expect(caseKey('/', false, false, t)).toBe(true);
    expect(t.focusSearch).toHaveBeenCalledTimes(1);
    expect(caseKey('x', false, true, t)).toBe(false);
    // "?" opens the shortcuts, anywhere but in a text field.
    expect(caseKey('?', false, false, t)).toBe(false);
    const help = vi.fn();
    expect(caseKey('?', false, false, { ...t, help })).toBe(true);
    expect(caseKey('?', true, false, { ...t, help })).toBe(false);
    expect(help).toHaveBeenCalledTimes(1);
  });
});
