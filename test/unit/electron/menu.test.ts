// The application menu: File Open/Quit, Help About, and no Reload/DevTools in a packaged build.
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate } from '../../../main/electron/menu.ts';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

describe('buildMenuTemplate', () => {
  const actions = (isPackaged: boolean) => ({ isPackaged, isMac: false, open: vi.fn(), about: vi.fn() });

  it('a packaged build has no reload and no DevTools', () => {
    const roles = flatten(buildMenuTemplate(actions(true))).map((i) => i.role);
    expect(roles).not.toContain('reload');
    expect(roles).not.toContain('forceReload');
    expect(roles).not.toContain('toggleDevTools');
  });

  it('development builds get Reload', () => {
    const roles = flatten(buildMenuTemplate(actions(false))).map((i) => i.role);
    expect(roles).toContain('reload');
  });

  it('File > Open and Help > About call their actions; File has Quit', () => {
    const a = actions(true);
    const items = flatten(buildMenuTemplate(a));
    const open = items.find((i) => i.label?.includes('Open'));
    const about = items.find((i) => i.label?.includes('About'));
    (open!.click as () => void)();
    (about!.click as () => void)();
    expect(a.open).toHaveBeenCalledTimes(1);
    expect(a.about).toHaveBeenCalledTimes(1);
    expect(items.map((i) => i.role)).toContain('quit');
  });
});
