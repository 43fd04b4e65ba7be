// The application menu: File (Open, Quit), Edit (clipboard roles), View (Reload, DevTools: development only), Help (About).
// Invariant: a packaged build has no reload and no DevTools entry.

import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  isPackaged: boolean;
  isMac: boolean;
  open(): void;
  about(): void;
}

export function buildMenuTemplate(a: MenuActions): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [];
  if (a.isMac) template.push({ role: 'appMenu' });
  template.push({
    label: '&File',
    submenu: [
      { label: '&Open Evidence…', accelerator: 'CmdOrCtrl+O', click: () => a.open() },
      { type: 'separator' },
      { role: 'quit' },
    ],
  });
  template.push({
    label: '&Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  });
  if (!a.isPackaged) {
    template.push({ label: '&View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }] });
  }
  template.push({ label: '&Help', submenu: [{ label: '&About Hopscope', click: () => a.about() }] });
  return template;
}
