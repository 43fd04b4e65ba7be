// Case-wide keyboard shortcuts (outside text fields): n / p select the next / previous finding in time order,
// + / - zoom and arrows pan the timeline when nothing else has focus, / focuses the filter box, ? shows the shortcuts.
import type { Finding } from '../../engine/detect/types.ts';

/** Findings in time order (then rule, host), the order n / p walk. */
export function byTime(list: readonly Finding[]): Finding[] {
  return [...list].sort((a, b) => a.binStartMs - b.binStartMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The finding after (`dir` 1) or before (-1) `currentId`; from nothing, the first or the last; clamps at the ends. */
export function stepFinding(sorted: readonly Finding[], currentId: string | null, dir: 1 | -1): Finding | null {
  if (sorted.length === 0) return null;
  const i = currentId === null ? -1 : sorted.findIndex((f) => f.id === currentId);
  if (i < 0) return dir === 1 ? sorted[0]! : sorted[sorted.length - 1]!;
  return sorted[Math.min(sorted.length - 1, Math.max(0, i + dir))]!;
}

export interface CaseKeyTarget {
  zoom(factor: number): void;
  panBy(fraction: number): void;
  step(dir: 1 | -1): void;
  focusSearch(): boolean;
  /** Opens the keyboard-shortcuts dialog. */
  help?(): void;
}

/**
 * Runs the shortcut for `key`; returns true when it was handled (the caller prevents the default).
 * `typing`: focus is in a text field. `free`: nothing in particular has focus (the page body), so arrows and
 * +/- belong to the timeline rather than to a scrolled list.
 */
export function caseKey(key: string, typing: boolean, free: boolean, t: CaseKeyTarget): boolean {
  if (typing) return false;
  switch (key) {
    case 'n':
      t.step(1);
      return true;
    case 'p':
      t.step(-1);
      return true;
    case '/':
      return t.focusSearch();
    case '?':
      if (!t.help) return false;
      t.help();
      return true;
  }
  if (!free) return false;
  switch (key) {
    case '+':
    case '=':
      t.zoom(0.5);
      return true;
    case '-':
    case '_':
      t.zoom(2);
      return true;
    case 'ArrowLeft':
      t.panBy(-0.1);
      return true;
    case 'ArrowRight':
      t.panBy(0.1);
      return true;
  }
  return false;
}
