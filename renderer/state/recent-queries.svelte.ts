// Recently applied table filters: the last 10, newest first, without duplicates, kept in localStorage so they
// survive a reload. Storage failures (private mode, quota) leave the list in memory only.

export const RECENT_MAX = 10;
const KEY = 'hopscope.recentFilters';

type Store = Pick<Storage, 'getItem' | 'setItem'>;

export class RecentQueries {
  items = $state.raw<string[]>([]);

  constructor(private readonly store: Store | null = typeof localStorage === 'undefined' ? null : localStorage) {
    try {
      const raw = this.store?.getItem(KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      if (Array.isArray(parsed)) this.items = parsed.filter((q): q is string => typeof q === 'string' && q.trim() !== '').slice(0, RECENT_MAX);
    } catch {
      this.items = [];
    }
  }

  add(query: string): void {
    const q = query.trim();
    if (!q) return;
    this.items = [q, ...this.items.filter((x) => x !== q)].slice(0, RECENT_MAX);
    try {
      this.store?.setItem(KEY, JSON.stringify(this.items));
    } catch {
      // Kept in memory for this session.
    }
  }
}
