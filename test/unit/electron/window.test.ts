// The one window factory: every secure webPreferences flag, frozen, and the app URL it loads.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const windows: Array<{ options: Record<string, unknown>; loaded: string[] }> = [];
  class BrowserWindow {
    options: Record<string, unknown>;
    loaded: string[] = [];
    constructor(options: Record<string, unknown>) {
      this.options = options;
      windows.push(this);
    }
    once() {
      return this;
    }
    show() {}
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
  }
  return { windows, BrowserWindow };
});

vi.mock('electron', () => ({ BrowserWindow: fake.BrowserWindow }));

const { SECURE_WEB_PREFERENCES, createMainWindow, PRELOAD_PATH } = await import('../../../main/electron/window.ts');

describe('SECURE_WEB_PREFERENCES', () => {
  const required: Array<[string, boolean]> = [
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['webviewTag', false],
    ['spellcheck', false],
    ['navigateOnDragDrop', false],
    ['safeDialogs', true],
  ];
  for (const [flag, value] of required) {
    it(`sets ${flag} to ${value} explicitly`, () => {
      expect((SECURE_WEB_PREFERENCES as Record<string, unknown>)[flag]).toBe(value);
    });
  }

  it('is frozen so no caller can weaken it', () => {
    expect(Object.isFrozen(SECURE_WEB_PREFERENCES)).toBe(true);
    expect(() => {
      (SECURE_WEB_PREFERENCES as Record<string, unknown>)['sandbox'] = false;
    }).toThrow(TypeError);
    expect(SECURE_WEB_PREFERENCES.sandbox).toBe(true);
  });

  it('enables nothing dangerous beyond the listed flags', () => {
    const keys = Object.keys(SECURE_WEB_PREFERENCES).sort();
    expect(keys).toEqual([...required.map(([k]) => k), 'preload'].sort());
  });

  it('uses the bundled CJS preload next to main.cjs', () => {
    expect(SECURE_WEB_PREFERENCES.preload).toBe(PRELOAD_PATH);
    expect(PRELOAD_PATH.endsWith('preload.cjs')).toBe(true);
  });
});

describe('createMainWindow', () => {
  beforeEach(() => {
    fake.windows.length = 0;
  });

  it('creates the window with exactly the secure preferences and loads the app origin', () => {
    createMainWindow();
    expect(fake.windows).toHaveLength(1);
    const w = fake.windows[0]!;
    expect(w.options['webPreferences']).toEqual({ ...SECURE_WEB_PREFERENCES });
    expect(w.loaded).toEqual(['app://hopscope/index.html']);
  });
});
