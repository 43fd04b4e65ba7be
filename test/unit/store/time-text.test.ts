import { describe, expect, it } from 'vitest';
import { detectTimeTextFormat, formatTimeText, isTimeText } from '../../../engine/store/time-text.ts';

const FORMATS = ['T0', 'T3Z', 'T3+', ' 3', 'T6Z', 'T7Z', ' 0+', 'T9', 'T1Z'];

/** Texts that are the formatted time, and near misses of it (one character changed, cut, extended). */
function candidates(timeMs: number, format: string): string[] {
  const exact = formatTimeText(timeMs, format);
  const out = [exact, exact + '0', exact.slice(0, -1), exact.replace('T', ' '), exact.replace(' ', 'T'), exact + 'Z', ''];
  for (let i = 0; i < exact.length; i++) {
    const c = exact.charCodeAt(i);
    out.push(exact.slice(0, i) + String.fromCharCode(c === 57 ? 48 : c + 1) + exact.slice(i + 1));
  }
  return out;
}

describe('isTimeText', () => {
  it('answers exactly as comparing with formatTimeText, for exact texts and near misses', () => {
    let seed = 11;
    const rnd = (): number => ((seed = Math.imul(seed ^ (seed >>> 13), 1103515245) + 12345) >>> 0) / 2 ** 32;
    const times = [0, 999.5, 1_710_201_600_019, 1_710_201_600_000.25, 1_710_201_659_999.9999, -1_000.5, 253_402_300_799_999];
    for (let i = 0; i < 300; i++) times.push(Math.floor(rnd() * 4e12) + Math.floor(rnd() * 10_000) / 10_000);
    let matched = 0;
    for (const t of times) {
      for (const f of FORMATS) {
        for (const text of candidates(t, f)) {
          const want = formatTimeText(t, f) === text && text !== '';
          expect(isTimeText(text, t, f), `${text} ${t} ${f}`).toBe(want);
          if (want) matched++;
        }
      }
    }
    expect(matched).toBeGreaterThan(2000);
  });

  it('agrees with the format detected from a real export text', () => {
    const t = Date.UTC(2024, 2, 12, 0, 0, 0, 19);
    const text = '2024-03-12T00:00:00.019+00:00';
    const f = detectTimeTextFormat(text, t)!;
    expect(f).toBe('T3+');
    expect(isTimeText(text, t, f)).toBe(true);
    expect(isTimeText('2024-03-12T00:00:00.018+00:00', t, f)).toBe(false);
    expect(isTimeText('2024-03-12T00:00:00.019Z', t, f)).toBe(false);
  });
});
