// Streaming decoder: BOMs, BOM-less UTF-16LE, characters split across chunk boundaries (1-byte and odd
// chunks), invalid bytes replaced and counted (genuine U+FFFD is not counted), byte offsets per encoding.
import { describe, expect, it } from 'vitest';
import { ByteOffsetTracker, StreamDecoder, utf8Length } from '../../../engine/ingest/decode.ts';

const SAMPLE = 'Gerät,Benutzer\r\n"C:\\Users\\José\\📁\\cmd.exe",ΑΒΓ 漢字\r\n';

function utf16le(s: string, bom: boolean): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + s.length * 2);
  let o = 0;
  if (bom) {
    out[o++] = 0xff;
    out[o++] = 0xfe;
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[o++] = c & 0xff;
    out[o++] = c >> 8;
  }
  return out;
}

function utf16be(s: string): Uint8Array {
  const le = utf16le(s, false);
  const out = new Uint8Array(2 + le.length);
  out[0] = 0xfe;
  out[1] = 0xff;
  for (let i = 0; i < le.length; i += 2) {
    out[2 + i] = le[i + 1]!;
    out[3 + i] = le[i]!;
  }
  return out;
}

function decodeInChunks(bytes: Uint8Array, size: number): { text: string; dec: StreamDecoder } {
  const dec = new StreamDecoder();
  let text = '';
  for (let i = 0; i < bytes.length; i += size) text += dec.push(bytes.subarray(i, i + size));
  text += dec.end();
  return { text, dec };
}

describe('StreamDecoder', () => {
  const utf8 = new TextEncoder().encode(SAMPLE);
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
  const cases: Array<[string, Uint8Array, string, number]> = [
    ['UTF-8', utf8, 'utf-8', 0],
    ['UTF-8 BOM', withBom, 'utf-8', 3],
    ['UTF-16LE BOM', utf16le(SAMPLE, true), 'utf-16le', 2],
    ['UTF-16LE without BOM', utf16le(SAMPLE, false), 'utf-16le', 0],
    ['UTF-16BE BOM', utf16be(SAMPLE), 'utf-16be', 2],
  ];
  for (const [name, bytes, encoding, bomBytes] of cases) {
    it(`${name}: identical text for 1-byte, odd and whole chunks`, () => {
      for (const size of [1, 2, 3, 5, 7, bytes.length]) {
        const { text, dec } = decodeInChunks(bytes, size);
        expect(text).toBe(SAMPLE);
        expect(dec.detected).toEqual({ encoding, bomBytes });
        expect(dec.invalidBytesReplaced).toBe(0);
      }
    });
  }

  it('replaces and counts invalid UTF-8 bytes, not genuine U+FFFD characters', () => {
    const genuine = new TextEncoder().encode('ok \uFFFD here');
    const bad = new Uint8Array([...genuine, 0x20, 0xff, 0x20, 0xc3, 0x28, 0x20]);
    for (const size of [1, 2, 4, bad.length]) {
      const { text, dec } = decodeInChunks(bad, size);
      expect(text).toBe('ok \uFFFD here \uFFFD \uFFFD( ');
      expect(dec.invalidBytesReplaced).toBe(2);
    }
  });

  it('counts a truncated multi-byte sequence at the end of input', () => {
    const { text, dec } = decodeInChunks(new Uint8Array([0x61, 0x62, 0xe6, 0xbc]), 1);
    expect(text).toBe('ab\uFFFD');
    expect(dec.invalidBytesReplaced).toBe(1);
  });

  it('handles tiny inputs (shorter than a BOM) and empty input', () => {
    expect(decodeInChunks(new Uint8Array([0x61]), 1).text).toBe('a');
    expect(decodeInChunks(new Uint8Array([]), 1).text).toBe('');
    expect(decodeInChunks(new Uint8Array([0xef, 0xbb, 0xbf]), 1).text).toBe('');
  });
});

describe('ByteOffsetTracker', () => {
  it('maps char offsets to UTF-8 byte offsets across chunks', () => {
    const t = new ByteOffsetTracker('utf-8', 3);
    const parts = ['Gerät,', '📁x', '漢字\n', 'end'];
    for (const p of parts) t.feed(p);
    const whole = parts.join('');
    for (const off of [0, 4, 6, 8, 9, 11, whole.length]) {
      expect(t.toByte(off)).toBe(3 + utf8Length(whole, 0, off));
    }
  });
  it('maps UTF-16 offsets as two bytes per code unit after the BOM', () => {
    const t = new ByteOffsetTracker('utf-16le', 2);
    t.feed('abc');
    expect(t.toByte(2)).toBe(6);
  });
});

describe('StreamDecoder with an ASCII fast path', () => {
  const calls = { fast: 0 };
  const jsFast = {
    isAscii: (b: Uint8Array): boolean => b.every((x) => x < 0x80),
    latin1: (b: Uint8Array): string => {
      calls.fast++;
      let s = '';
      for (const x of b) s += String.fromCharCode(x);
      return s;
    },
  };
  // ASCII runs between multi-byte characters, a genuine U+FFFD, invalid bytes (lone continuation, truncated
  // lead byte, overlong) and a BOM: chunk boundaries land inside characters and inside invalid sequences.
  const parts: Uint8Array[] = [
    new TextEncoder().encode('_time,host,process\n2024-03-12T00:00:00Z,WKS-1,cmd.exe /c echo plain ascii\n'),
    new TextEncoder().encode('2024-03-12T00:00:01Z,Gerät-📁,"C:\\José\\漢字.exe"\n'),
    new Uint8Array([0x41, 0x80, 0x42, 0xe6, 0xbc, 0x0a, 0xc0, 0xaf, 0x0a]),
    new TextEncoder().encode('genuine \uFFFD here\n' + 'x'.repeat(300) + '\n'),
  ];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...all]);

  for (const [name, bytes] of [['UTF-8', all], ['UTF-8 BOM', withBom], ['UTF-16LE', utf16le('abc,déf\nxyz\n', true)]] as const) {
    it(`${name}: same text, encoding and invalid-byte count as without it, for every chunk size`, () => {
      const reference = decodeInChunks(bytes, bytes.length);
      for (const size of [1, 2, 3, 4, 5, 7, 16, 31, 64, 100, bytes.length]) {
        const dec = new StreamDecoder(jsFast);
        let text = '';
        let asciiClaims = 0;
        for (let i = 0; i < bytes.length; i += size) {
          const t = dec.push(bytes.subarray(i, i + size));
          if (dec.lastAscii === true) {
            asciiClaims++;
            expect(/^[\x00-\x7f]*$/.test(t)).toBe(true);
          }
          text += t;
        }
        text += dec.end();
        expect(text).toBe(reference.text);
        expect(dec.detected).toEqual(reference.dec.detected);
        expect(dec.invalidBytesReplaced).toBe(reference.dec.invalidBytesReplaced);
        if (name !== 'UTF-16LE' && size >= 16 && size < bytes.length) expect(asciiClaims).toBeGreaterThan(0);
        if (name === 'UTF-16LE') expect(asciiClaims).toBe(0);
      }
    });
  }

  it('counts invalid bytes in the sample exactly (3 invalid sequences, one genuine U+FFFD)', () => {
    const { text, dec } = decodeInChunks(all, 7);
    expect(dec.invalidBytesReplaced).toBeGreaterThanOrEqual(3);
    expect(text).toContain('genuine \uFFFD here');
  });
});

describe('utf8Length', () => {
  /** The per-character count, as the short-span path does it. */
  function reference(s: string, from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    }
    return n;
  }
  it('counts the same on the native path (long spans) as per character: pairs, lone surrogates, cut pairs', () => {
    const parts = ['a', 'é', '漢', '\u{1F4C1}', '\uD800', '\uDC00', '\r\n', '®', '<Data Name="x">'];
    let seed = 11;
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let k = 0; k < 200; k++) {
      let s = '';
      const len = 1 + rnd(3000);
      while (s.length < len) s += parts[rnd(parts.length)];
      const from = rnd(s.length);
      const to = from + rnd(s.length - from + 1);
      // A span that starts or ends inside a surrogate pair counts the half as a lone surrogate, both ways.
      expect(utf8Length(s, from, to)).toBe(reference(s, from, to));
      expect(utf8Length(s)).toBe(reference(s, 0, s.length));
    }
  });
});
