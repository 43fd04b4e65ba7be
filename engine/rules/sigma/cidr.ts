// IPv4 / IPv6 addresses and CIDR ranges for Sigma's `cidr` modifier, as 128-bit values in 8 words.
// Invariant: IPv4 addresses are compared in their own family (an IPv4 range never matches IPv6 text).

export interface IpAddr {
  v6: boolean;
  /** 16-bit words: 2 for IPv4, 8 for IPv6. */
  words: number[];
}

export interface Cidr {
  contains(ip: IpAddr): boolean;
}

export function parseIp(s: string): IpAddr | undefined {
  // The longest textual IPv6 address (with zone and brackets) is far below this; field values are hostile.
  if (s.length > 80) return undefined;
  if (s.includes(':')) {
    const zone = s.indexOf('%');
    const v6 = parseIpv6((zone < 0 ? s : s.slice(0, zone)).replace(/^\[|\]$/g, ''));
    return v6 ? { v6: true, words: v6 } : undefined;
  }
  const v4 = parseIpv4(s);
  return v4 ? { v6: false, words: [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!] } : undefined;
}

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIpv6(s: string): number[] | undefined {
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    // Embedded IPv4 (`::ffff:10.0.0.1`): rewrite it as two hex words.
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    body = s.slice(0, lastColon + 1) + ((v4[0]! << 8) | v4[1]!).toString(16) + ':' + ((v4[2]! << 8) | v4[3]!).toString(16);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const w of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(w)) return undefined;
      out.push(parseInt(w, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  if (!head) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const rest = parse(halves[1]!);
  if (!rest) return undefined;
  const fill = 8 - head.length - rest.length;
  if (fill < 1) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...rest];
}

export function parseCidr(s: string): Cidr | undefined {
  const t = s.trim();
  const slash = t.indexOf('/');
  const ip = parseIp(slash < 0 ? t : t.slice(0, slash));
  if (!ip) return undefined;
  const maxBits = ip.v6 ? 128 : 32;
  let bits = maxBits;
  if (slash >= 0) {
    const b = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b)) return undefined;
    bits = Number(b);
    if (bits > maxBits) return undefined;
  }
  const base = ip.words;
  return {
    contains(x: IpAddr): boolean {
      if (x.v6 !== ip.v6) return false;
      let left = bits;
      for (let i = 0; i < base.length && left > 0; i++) {
        const take = Math.min(16, left);
        const mask = (0xffff << (16 - take)) & 0xffff;
        if ((x.words[i]! & mask) !== (base[i]! & mask)) return false;
        left -= take;
      }
      return true;
    },
  };
}
