// Theme choice (system, light, dark): persisted in localStorage and applied as `data-theme` on <html>;
// `effective` follows the OS while the choice is `system`.
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'hopscope.theme';

export class ThemeState {
  choice = $state<ThemeChoice>('system');
  systemDark = $state(false);
  readonly effective = $derived<'light' | 'dark'>(this.choice === 'system' ? (this.systemDark ? 'dark' : 'light') : this.choice);

  constructor() {
    try {
      const saved = globalThis.localStorage?.getItem(KEY);
      if (saved === 'light' || saved === 'dark' || saved === 'system') this.choice = saved;
    } catch {
      // Storage may be unavailable (privacy mode); the default is fine.
    }
  }

  /** Applies the choice to the document and follows OS changes; returns a cleanup function. */
  attach(doc: Document = document): () => void {
    const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
    const onChange = (): void => {
      this.systemDark = mq?.matches ?? false;
    };
    onChange();
    mq?.addEventListener('change', onChange);
    this.apply(doc);
    return () => mq?.removeEventListener('change', onChange);
  }

  cycle(doc: Document = document): void {
    this.choice = this.choice === 'system' ? 'dark' : this.choice === 'dark' ? 'light' : 'system';
    try {
      globalThis.localStorage?.setItem(KEY, this.choice);
    } catch {
      // Not persisted; still applied for this session.
    }
    this.apply(doc);
  }

  private apply(doc: Document): void {
    if (this.choice === 'system') delete doc.documentElement.dataset['theme'];
    else doc.documentElement.dataset['theme'] = this.choice;
  }
}
