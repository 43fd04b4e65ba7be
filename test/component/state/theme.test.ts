// ThemeState: system by default, cycles dark -> light -> system, persists the choice, sets data-theme.
import { beforeEach, describe, expect, it } from 'vitest';
import { ThemeState } from '../../../renderer/state/theme.svelte.ts';

describe('ThemeState', () => {
  beforeEach(() => {
    localStorage.clear();
    delete document.documentElement.dataset['theme'];
  });

  it('cycles through the choices and applies them to <html>', () => {
    const t = new ThemeState();
    t.attach(document);
    expect(t.choice).toBe('system');
    expect(document.documentElement.dataset['theme']).toBeUndefined();
    t.cycle(document);
    expect(t.choice).toBe('dark');
    expect(t.effective).toBe('dark');
    expect(document.documentElement.dataset['theme']).toBe('dark');
    t.cycle(document);
    expect(document.documentElement.dataset['theme']).toBe('light');
    t.cycle(document);
    expect(t.choice).toBe('system');
    expect(document.documentElement.dataset['theme']).toBeUndefined();
  });

  it('restores the saved choice', () => {
    localStorage.setItem('hopscope.theme', 'light');
    const t = new ThemeState();
    expect(t.choice).toBe('light');
    expect(t.effective).toBe('light');
  });
});
