// Recent filters: newest first, no duplicates, at most ten, persisted and read back; bad storage is ignored.
import { describe, expect, it } from 'vitest';
import { RECENT_MAX, RecentQueries } from '../../../renderer/state/recent-queries.svelte.ts';
import { withRange } from '../../../renderer/table/range-terms.ts';

function memStore(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

describe('RecentQueries', () => {
  it('keeps the last ten distinct filters, newest first, across instances', () => {
    const store = memStore();
    const r = new RecentQueries(store);
    for (let i = 0; i < 12; i++) r.add(`user:u${i}`);
    r.add('  user:u5 ');
    r.add('   ');
    expect(r.items).toHaveLength(RECENT_MAX);
    expect(r.items[0]).toBe('user:u5');
    expect(r.items.filter((q) => q === 'user:u5')).toHaveLength(1);
    expect(r.items).not.toContain('user:u0');
    expect(new RecentQueries(store).items).toEqual(r.items);
  });

  it('ignores corrupt or hostile storage and works without storage', () => {
    expect(new RecentQueries(memStore({ 'hopscope.recentFilters': '{not json' })).items).toEqual([]);
    expect(new RecentQueries(memStore({ 'hopscope.recentFilters': '[1, "a", null, ""]' })).items).toEqual(['a']);
    const none = new RecentQueries(null);
    none.add('x');
    expect(none.items).toEqual(['x']);
  });
});

describe('withRange', () => {
  const range = { startMs: Date.UTC(2024, 4, 1, 8, 14, 5), endMs: Date.UTC(2024, 4, 1, 8, 14, 6) };
  it('appends UTC time terms and replaces earlier range terms', () => {
    expect(withRange('', range)).toBe('time>=2024-05-01T08:14:05.000Z time<2024-05-01T08:14:06.000Z');
    const once = withRange('user:alice', range);
    expect(once).toBe('user:alice time>=2024-05-01T08:14:05.000Z time<2024-05-01T08:14:06.000Z');
    expect(withRange(once, { startMs: range.startMs + 1000, endMs: range.endMs + 1000 })).toBe('user:alice time>=2024-05-01T08:14:06.000Z time<2024-05-01T08:14:07.000Z');
  });
});
