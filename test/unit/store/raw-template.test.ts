// Raw-text skeletons: exact rebuild on tricky XML, refusals, and the split search agreeing with a full search.

import { describe, expect, it } from 'vitest';
import { escapeVariant, fillSkeleton, makeSkeleton, scanSkeleton } from '../../../engine/store/raw-template.ts';
import { rng } from './gen-events.ts';

const all = (): boolean => true;

function roundTrip(raw: string, values: Array<string | undefined>): string | null {
  const sk = makeSkeleton(raw, values, all);
  if (sk !== null) expect(fillSkeleton(sk, (i) => values[i] ?? null)).toBe(raw);
  return sk;
}

describe('makeSkeleton / fillSkeleton', () => {
  it('rebuilds exactly whatever escaping the writer used', () => {
    const v = ['C:\\Tools\\a&b.exe', `"quoted" and 'single' <tag>`, 'plain', 'x'];
    const raws = [
      `<Event><EventData><Data Name="Image">C:\\Tools\\a&amp;b.exe</Data><Data Name="CommandLine">&quot;quoted&quot; and &apos;single&apos; &lt;tag&gt;</Data><Data Name="P">plain</Data><Data Name="X">x</Data></EventData></Event>`,
      `<Event><EventData><Data Name="Image">C:\\Tools\\a&amp;b.exe</Data><Data Name="CommandLine">"quoted" and 'single' &lt;tag&gt;</Data><Data Name="P">plain</Data><Data Name="X">x</Data></EventData></Event>`,
      `<Event><EventData><Data Name="Image"><![CDATA[C:\\Tools\\a&b.exe]]></Data><Data Name="CommandLine">&quot;quoted&quot; and 'single' &lt;tag&gt;</Data><Data Name="P">plain</Data></EventData></Event>`,
    ];
    for (const raw of raws) expect(roundTrip(raw, v)).not.toBeNull();
  });

  it('values out of document order stay literal; repeated values take the next occurrence', () => {
    const raw = '<E><A>one</A><B>two</B><C>one</C><D>three</D>' + ' '.repeat(40) + '</E>';
    const sk = roundTrip(raw, ['two', 'one', 'three', 'one'])!;
    expect(sk.startsWith('<E><A>one</A><B>')).toBe(true);
  });

  it('refuses texts it could not rebuild exactly', () => {
    const long = '<Event>' + 'y'.repeat(80) + '</Event>';
    expect(makeSkeleton('<E>\u0000' + 'z'.repeat(80) + '</E>', ['z'], all)).toBeNull();
    expect(makeSkeleton(long, [long], all)).toBeNull();
    expect(makeSkeleton('<E>short</E>', ['short'], all)).toBeNull();
    expect(makeSkeleton(long, ['nothing here'], all)).toBeNull();
    // Lone surrogates and unreadable positions are left in the literal text.
    const withSurrogate = '<E>a\uD800b</E>' + 'q'.repeat(80);
    expect(makeSkeleton(withSurrogate, ['a\uD800b'], all)).toBeNull();
    expect(makeSkeleton(long, ['y'.repeat(80)], () => false)).toBeNull();
  });

  it('random texts and values always rebuild exactly', () => {
    const r = rng(99);
    const alphabet = ['a', 'b', '<', '>', '&', '"', "'", ';', ' ', 'é', '☃', 'amp', 'quot'];
    for (let t = 0; t < 300; t++) {
      const pick = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]!).join('');
      const values = Array.from({ length: 6 }, () => pick(1 + Math.floor(r() * 6)));
      let raw = '<Event>';
      for (const v of values) raw += `<D>${escapeVariant(v, Math.floor(r() * 4))}</D>` + (r() < 0.3 ? pick(3) : '');
      raw += '</Event>' + '.'.repeat(40);
      roundTrip(raw, r() < 0.5 ? values : values.slice().reverse());
    }
  });
});

describe('scanSkeleton', () => {
  it('split search equals a search of the rebuilt text whenever it answers', () => {
    const r = rng(5);
    const alphabet = ['a', 'B', '<', '>', '&', '"', ';', ' ', 'ü', 'amp', 'quot', 'D'];
    let answered = 0;
    for (let t = 0; t < 400; t++) {
      const pick = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]!).join('');
      const values = Array.from({ length: 5 }, () => pick(1 + Math.floor(r() * 5)));
      let raw = '<Event>';
      for (const v of values) raw += `<D>${escapeVariant(v, Math.floor(r() * 4))}</D>`;
      raw += '</Event>' + '.'.repeat(60);
      const sk = makeSkeleton(raw, values, all);
      if (!sk) continue;
      const rebuilt = fillSkeleton(sk, (i) => values[i] ?? null);
      for (let k = 0; k < 6; k++) {
        const needle = pick(1 + Math.floor(r() * 3)).toLowerCase();
        const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'i');
        const scan = scanSkeleton(sk, needle, (s) => re.test(s));
        if (!scan) continue;
        answered++;
        const split = scan.literalHit || scan.holes.some((h) => re.test(escapeVariant(values[h.position]!, h.variant)));
        expect(split, `${needle} in ${rebuilt}`).toBe(re.test(rebuilt));
      }
    }
    expect(answered).toBeGreaterThan(100);
  });
});
