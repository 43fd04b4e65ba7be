// The multi-needle automaton must agree with naive `includes` on overlapping and nested needles.
import { describe, expect, it } from 'vitest';
import { containsAny } from '../../../../engine/rules/sigma/multi-contains.ts';

describe('containsAny', () => {
  it('finds overlapping, nested and suffix needles', () => {
    const m = containsAny(['he', 'she', 'his', 'hers', 'xyzzy', 'abcd', 'bcde', 'cdef', 'zz']);
    expect(m('ushers')).toBe(true);
    expect(m('ahis')).toBe(true);
    expect(m('abcx')).toBe(false);
    expect(m('abcdx')).toBe(true);
    expect(m('xbcdef')).toBe(true);
    expect(m('xyz')).toBe(false);
    expect(m('')).toBe(false);
    expect(m('🦆 quack')).toBe(false);
  });

  it('agrees with includes on pseudo-random input', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const word = (len: number) => Array.from({ length: len }, () => 'abc🦆'[rnd(4)]).join('');
    for (let round = 0; round < 50; round++) {
      const needles = Array.from({ length: 8 + rnd(20) }, () => word(1 + rnd(4)));
      const m = containsAny(needles);
      for (let k = 0; k < 40; k++) {
        const text = word(rnd(12));
        expect(m(text), `${JSON.stringify(needles)} in ${text}`).toBe(needles.some((n) => text.includes(n)));
      }
    }
  });

  it('an empty needle matches everything', () => {
    expect(containsAny(['', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])('zzz')).toBe(true);
  });
});
